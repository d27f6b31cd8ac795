"""Every list page and the dashboard against the best hand-written indexed SQL for the same answer.

Load the volume first (``bench/volume.py``), then run this against the same database. Each list
is timed two ways, interleaved, medians over ``--repeat`` rounds:

- *caseflow*: the query function the page and the API call (``engine.queries``), returning the
  page's rows as dicts with the total count;
- *SQL*: hand-written SQL for the same rows and count, on the raw driver connection.

Both answers are compared (the same case ids in the same order, the same total), then the
page itself is fetched over HTTP in-process (``/workbench``, ``/cases`` …) and its time printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from engine.definitions import Role  # noqa: E402
from engine.model import Actor  # noqa: E402
from engine.persistence import make_engine  # noqa: E402
from engine.queries import (  # noqa: E402
    LIST_COLUMNS,
    CaseFilter,
    DutyFilter,
    dashboard,
    dashboard_groups,
    list_cases,
    monthly,
)
from engine.timeutil import TZ  # noqa: E402
from processes.loader import default_library  # noqa: E402

console = Console(width=160)
PAGE = 30
BUREAU = "xinji"


def main(argv: list[str] | None = None) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """Prints the tables; returns each list's label with whether caseflow's answer equals the SQL's
    ("是", or "—" where there is no SQL), and each page's HTTP status (for the scripts' own test)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    p.add_argument("--url", help="the database bench/volume.py loaded")
    p.add_argument("--repeat", type=int, default=15)
    args = p.parse_args(argv)
    from bench.volume import default_url

    url = args.url or default_url(args.db)
    engine = make_engine(url)
    library = default_library()
    now = datetime.now(UTC).astimezone(TZ)
    officer = Actor(1, "zhang", "张三", frozenset({Role.officer}), BUREAU, cert_no=busiest_officer(engine))
    head = Actor(2, "head", "局长", frozenset({Role.head}), BUREAU)
    sql = SqlLists(engine, now)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    cases: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        ("我的案件（办理中）", lambda: ids(list_cases(engine, officer, CaseFilter(mine=officer, closed=False),
                                                  size=PAGE, as_of=now)),
         lambda: sql.mine(officer)),
        ("待我审批", lambda: ids(list_cases(engine, head, CaseFilter(awaiting_role="head", closed=False),
                                        size=PAGE, as_of=now)),
         lambda: sql.awaiting("head")),
        ("全部案件 第1页", lambda: ids(list_cases(engine, head, CaseFilter(), size=PAGE, as_of=now)),
         lambda: sql.everything(1)),
        ("全部案件 第100页", lambda: ids(list_cases(engine, head, CaseFilter(), page=100, size=PAGE, as_of=now)),
         lambda: sql.everything(100)),
        ("已超期案件", lambda: ids(list_cases(engine, head, CaseFilter(overdue=True), size=PAGE, as_of=now)),
         lambda: sql.overdue()),
        ("大厅今日收件", lambda: ids(list_cases(
            engine, head, CaseFilter(flows=("application",), opened_from=today, opened_to=today + timedelta(days=1)),
            size=PAGE, as_of=now)),
         lambda: sql.opened_between("application", today, today + timedelta(days=1))),
        ("按当事人名称查找", lambda: ids(list_cases(engine, head, CaseFilter(q="大药房"), size=PAGE, as_of=now)),
         lambda: sql.search("大药房")),
        ("按证件号查找", lambda: ids(list_cases(engine, head, CaseFilter(q="1301"), size=PAGE, as_of=now)),
         lambda: sql.search("1301")),
        ("督办看板", lambda: duty_ids(dashboard(engine, library, head, now, DutyFilter(), size=PAGE)),
         lambda: sql.dashboard()),
        ("看板·按承办机构", lambda: groups(dashboard_groups(engine, head, now, "department")),
         lambda: sql.groups_by_department()),
        ("看板·按执法人员", lambda: groups(dashboard_groups(engine, head, now, "officer")),
         lambda: sql.groups_by_officer()),
        ("每月立案与办结", lambda: monthly(engine, head, as_of=now), None),
    ]
    table = Table(title=f"列表与看板：{url}（{args.repeat} 轮交错，中位数）")
    for column in ("列表", "caseflow ms", "SQL ms", "比值", "结果一致"):
        table.add_column(column, justify="right" if "ms" in column or column == "比值" else "left")
    answers: list[tuple[str, str]] = []
    for label, ours, theirs in cases:
        same = "—"
        if theirs is not None:
            a, b = ours(), theirs()
            same = "是" if a == b else f"否：{a} ≠ {b}"
        timings = interleaved([ours] + ([theirs] if theirs else []), args.repeat)
        mine = statistics.median(timings[0])
        base = statistics.median(timings[1]) if theirs else None
        table.add_row(label, f"{mine:.1f}", f"{base:.1f}" if base else "—",
                      f"{mine / base:.2f}×" if base else "—", same)
        answers.append((label, same))
    console.print(table)
    return answers, pages(url, args.repeat)


def busiest_officer(engine: Any) -> str:
    with engine.connect() as c:
        from sqlalchemy import text

        return str(c.execute(text(
            "SELECT cert_no FROM case_officer WHERE bureau_code = :b GROUP BY cert_no ORDER BY count(*) DESC LIMIT 1"
        ), {"b": BUREAU}).scalar_one())


def ids(result: dict[str, Any]) -> tuple[int, list[int]]:
    return result["total"], [r["id"] for r in result["items"]]


def duty_ids(result: dict[str, Any]) -> tuple[int, int, list[int]]:
    return result["total"], result["overdue"], [r["clock_id"] for r in result["items"]]


def groups(rows: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    return sorted((r["key"], r["overdue"], r["due_soon"]) for r in rows)


def interleaved(functions: list[Callable[[], Any]], rounds: int) -> list[list[float]]:
    """Milliseconds per call, each round calling every function once in a rotating order."""
    samples: list[list[float]] = [[] for _ in functions]
    for r in range(rounds):
        order = list(range(len(functions)))
        order = order[r % len(order):] + order[:r % len(order)]
        for i in order:
            started = time.perf_counter()
            functions[i]()
            samples[i].append((time.perf_counter() - started) * 1000)
    return samples


class SqlLists:
    """The same answers in hand-written SQL on the driver's own connection (no ORM, no dicts)."""

    def __init__(self, engine: Any, now: datetime) -> None:
        # The connection caseflow's lists get from the pool, used here directly (no pool): the bench
        # calls one list at a time, so the pool hands caseflow this same connection every time, and
        # both sides run on one server process. Each on a connection of its own, the two differed by
        # which core the server process shared with this one: the same list came out 0.73× in one
        # run and 1.3× in another, steadily for hundreds of rounds.
        pooled = engine.raw_connection()
        self.raw = pooled.driver_connection
        pooled.close()
        with engine.connect() as connection:
            assert connection.connection.driver_connection is self.raw, "the pool gave caseflow another connection"
        self.pg = engine.dialect.name == "postgresql"
        self.now = self._moment(now)
        self.today = now.astimezone(TZ).date().isoformat()

    def _moment(self, value: datetime) -> Any:
        utc = value.astimezone(UTC)
        return utc if self.pg else utc.strftime("%Y-%m-%d %H:%M:%S.%f")

    def _q(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        if self.pg and not self.raw.autocommit:  # as caseflow reads: in autocommit (it sets it back after)
            self.raw.autocommit = True
        cursor = self.raw.cursor()
        cursor.execute(sql if not self.pg else sql.replace("?", "%s"), params)
        rows = cursor.fetchall()
        cursor.close()
        return rows

    ORDER = " ORDER BY sort_due, case_id DESC"

    # The columns a list shows (what caseflow's query selects): the same answer, not just the ids.
    SHOWN = ", ".join(c.name for c in LIST_COLUMNS)
    CASE_ID = [c.name for c in LIST_COLUMNS].index("case_id")

    def _page(self, where: str, params: tuple[Any, ...], page: int = 1) -> tuple[int, list[int]]:
        # One statement, one round trip: the count is an uncorrelated scalar subquery (computed once,
        # on its own index scan); only a page past the end asks for the count alone. Faster than a
        # count and a page (PostgreSQL: a round trip less; SQLite: a statement less), and than a
        # count(*) OVER () window, which would read every matching row in the page's order.
        rows = self._q(f"SELECT {self.SHOWN}, (SELECT count(*) FROM case_summary WHERE {where}) "
                       f"FROM case_summary WHERE {where}{self.ORDER} LIMIT {PAGE} OFFSET {(page - 1) * PAGE}",
                       params + params)
        if rows:
            total = rows[0][-1]
        else:
            total = self._q(f"SELECT count(*) FROM case_summary WHERE {where}", params)[0][0] if page > 1 else 0
        return total, [r[self.CASE_ID] for r in rows]

    def mine(self, actor: Actor) -> tuple[int, list[int]]:
        false = "false" if self.pg else "0"
        return self._page(
            f"bureau_code = ? AND final = {false} AND (opened_by = ? OR case_id IN "
            "(SELECT case_id FROM case_officer WHERE bureau_code = ? AND cert_no = ?))",
            (BUREAU, actor.username, BUREAU, actor.cert_no))

    def awaiting(self, role: str) -> tuple[int, list[int]]:
        false = "false" if self.pg else "0"
        return self._page(f"bureau_code = ? AND awaiting_role = ? AND final = {false}", (BUREAU, role))

    def everything(self, page: int) -> tuple[int, list[int]]:
        return self._page("bureau_code = ?", (BUREAU,), page)

    def overdue(self) -> tuple[int, list[int]]:
        return self._page("bureau_code = ? AND next_due_at < ?", (BUREAU, self.now))

    def opened_between(self, flow: str, start: datetime, end: datetime) -> tuple[int, list[int]]:
        return self._page("bureau_code = ? AND flow_key = ? AND opened_at >= ? AND opened_at < ?",
                          (BUREAU, flow, self._moment(start), self._moment(end)))

    def search(self, q: str) -> tuple[int, list[int]]:
        # The search's own filter, not only rows that happen to be the same here: 案号, the start of an
        # ID number, the search text, and a party name with the characters in order (某某大药房 finds
        # 某某市大药房), as caseflow's search (engine.case_lists) has it.
        escaped = q.lower().replace("/", "//").replace("%", "/%").replace("_", "/_")
        return self._page("bureau_code = ? AND (number = ? OR party_id_no LIKE ? ESCAPE '/' OR search_text LIKE ? "
                          "ESCAPE '/' OR party_name LIKE ?)",
                          (BUREAU, q, q.upper() + "%", f"%{escaped}%", "%" + "%".join(q) + "%"))

    def _duties(self) -> str:
        false = "false" if self.pg else "0"
        return f"bureau_code = ? AND party = {false} AND due_soon_at <= ?"

    def dashboard(self) -> tuple[int, int, list[int]]:
        # One statement: the counts, and the page's duties found first (index range, top-N sort) and
        # only those joined to their cases; joining every pressing duty before the LIMIT made
        # PostgreSQL hash-join the whole case_summary table.
        duties = self._duties()
        shown = "s.number, s.item_name, s.flow_label, s.state, s.state_label, s.officer_names, s.party_name"
        rows = self._q(f"SELECT c.total, c.overdue, p.* FROM (SELECT count(*) AS total, "
                       f"sum(CASE WHEN due_at < ? THEN 1 ELSE 0 END) AS overdue FROM open_duty WHERE {duties}) c "
                       f"LEFT JOIN (SELECT d.*, {shown} FROM (SELECT * FROM open_duty WHERE {duties} "
                       f"ORDER BY due_at, clock_id LIMIT {PAGE}) d JOIN case_summary s ON s.case_id = d.case_id) p "
                       f"ON {'true' if self.pg else '1'} ORDER BY p.due_at, p.clock_id",
                       (self.now, BUREAU, self.now, BUREAU, self.now))
        total, overdue = rows[0][0], rows[0][1] or 0
        return total, overdue, [r[2] for r in rows if r[2] is not None]  # clock_id is open_duty's first column

    def _late_days(self, prefix: str = "") -> str:
        """Days from the due day to today (a parameter: the local day, computed once), as the dashboard sums them.

        Not the database's own clock per row: SQLite would evaluate julianday('now', …) for every
        duty, and PostgreSQL's current_date is the session's day, not necessarily Beijing's.
        """
        if self.pg:
            return f"(CAST(? AS date) - date(timezone('Asia/Shanghai', {prefix}due_at)))"
        return f"CAST(julianday(?) - julianday(date({prefix}due_at, '+8 hours')) AS INTEGER)"

    def groups_by_department(self) -> list[tuple[str, int, int]]:
        rows = self._q(f"SELECT department, sum(CASE WHEN due_at < ? THEN 1 ELSE 0 END), "
                       f"sum(CASE WHEN due_at < ? THEN 0 ELSE 1 END), "
                       f"sum(CASE WHEN due_at < ? THEN {self._late_days()} ELSE 0 END) FROM open_duty "
                       f"WHERE {self._duties()} GROUP BY department",
                       (self.now, self.now, self.now, self.today, BUREAU, self.now))
        return sorted((k or "", int(o), int(s)) for k, o, s, _ in rows)

    def _same_bureau(self) -> str:
        """PostgreSQL reads the bureau's officers from their index; SQLite finds each duty's by case."""
        return "AND o.bureau_code = d.bureau_code " if self.pg else ""

    def groups_by_officer(self) -> list[tuple[str, int, int]]:
        rows = self._q(f"SELECT o.name, sum(CASE WHEN d.due_at < ? THEN 1 ELSE 0 END), "
                       f"sum(CASE WHEN d.due_at < ? THEN 0 ELSE 1 END), "
                       f"sum(CASE WHEN d.due_at < ? THEN {self._late_days('d.')} ELSE 0 END) FROM open_duty d "
                       f"JOIN case_officer o ON o.case_id = d.case_id {self._same_bureau()}"
                       f"WHERE d.{self._duties().replace(' AND ', ' AND d.')} GROUP BY o.name",
                       (self.now, self.now, self.now, self.today, BUREAU, self.now))
        return sorted((k or "", int(o), int(s)) for k, o, s, _ in rows)


def pages(url: str, rounds: int) -> dict[str, int]:
    """The HTML pages themselves, in-process, as the head of 辛集 (who may see every list); each page's status."""
    import tempfile

    from api.app import create_app
    from api.config import Settings
    from api.users import create_user

    settings = Settings(database_url=url, data_dir=Path(tempfile.mkdtemp()), secret="bench-" + "x" * 40)
    app = create_app(settings)
    engine = app.state.caseflow.engine
    for username, roles in (("bench_head", ["head", "supervisor"]), ("bench_clerk", ["clerk"])):
        try:
            create_user(engine, username, bureau=BUREAU, roles=roles, password="password-123", name=username)
        except Exception:  # noqa: BLE001  (already there from an earlier run)
            pass
    table = Table(title="页面（进程内 HTTP，中位数 ms）")
    table.add_column("页面")
    table.add_column("ms", justify="right")
    statuses: dict[str, int] = {}
    with TestClient(app) as client:
        for user, paths in (("bench_head", ["/workbench?view=head", "/approvals", "/cases", "/cases?page=100",
                                            "/cases?q=%E5%A4%A7%E8%8D%AF%E6%88%BF", "/dashboard"]),
                            ("bench_clerk", ["/hall"])):
            token = client.post("/api/auth/token", data={"username": user, "password": "password-123"})
            client.cookies.set("caseflow_session", token.json()["access_token"])
            for path in paths:
                samples = interleaved([lambda p=path: client.get(p)], rounds)[0]
                status = statuses[path] = client.get(path).status_code
                table.add_row(f"{path}（{status}）", f"{statistics.median(samples):.1f}")
    console.print(table)
    return statuses


if __name__ == "__main__":
    main()
