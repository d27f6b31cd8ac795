"""Load a province's volume of cases for the list benchmarks: N bureaus × M cases each.

Opening a million cases through the service would take hours, so this script writes the rows
the lists read — ``case``, ``clock``, ``case_summary``, ``case_officer``, ``open_duty`` — in
bulk (PostgreSQL COPY; SQLite executemany), shaped like the rows the service writes: real flows,
states and stages, items of the 辛集 catalogue, two officers per case, one or two open duties
per open case spread from 40 days overdue to 60 days ahead, party periods, fines, 60 % of the
cases closed. ``xinji`` (a real bureau, so pages work) is the first bureau; the others are
synthetic ``b001`` … Run: ``python bench/volume.py --db postgres --bureaus 100 --per-bureau 10000``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from api.bootstrap import prepare_database  # noqa: E402
from engine.clocks import due_soon_from  # noqa: E402
from engine.definitions import Unit  # noqa: E402
from engine.persistence import make_engine  # noqa: E402
from engine.read_tables import NO_DEADLINE  # noqa: E402
from processes.loader import default_library  # noqa: E402

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚"
SHOPS = ["大药房", "诊所", "医院", "卫生院", "药店", "康复中心", "门诊部"]
TOWNS = ["辛集", "高邑", "赵县", "襄都", "山丹", "旧城", "新垒头", "马庄", "和睦井", "田家庄"]
FLOW_SHARE = {"penalty": 0.4, "application": 0.4, "inspection": 0.12, "sealing": 0.08}


def party(rng: random.Random) -> tuple[str, str, str]:
    if rng.random() < 0.5:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        id_no = f"1301{rng.randrange(10**13, 10**14)}"
        return name, "individual", id_no
    name = f"{rng.choice(TOWNS)}市{rng.choice(TOWNS)}{rng.choice(SHOPS)}{rng.randrange(1, 999)}号"
    code = f"9113{rng.randrange(10**13, 10**14)}X"
    return name, "organisation", code


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    p.add_argument("--url", help="database URL (default: a SQLite file in var/bench or PostgreSQL caseflow_bench_volume)")
    p.add_argument("--bureaus", type=int, default=100)
    p.add_argument("--per-bureau", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    url = args.url or default_url(args.db)
    started = time.perf_counter()
    engine = fresh_database(url)
    load(engine, args.bureaus, args.per_bureau, args.seed)
    print(f"loaded {args.bureaus} × {args.per_bureau} cases into {url} in {time.perf_counter() - started:.0f} s")


def default_url(db: str) -> str:
    if db == "sqlite":
        path = ROOT / "var" / "bench" / "volume.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    return "postgresql://postgres@127.0.0.1:5432/caseflow_bench_volume"


def fresh_database(url: str) -> Engine:
    """An empty, migrated database at ``url`` (a SQLite file is removed; a PostgreSQL database recreated)."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        server, _, name = url.rpartition("/")
        admin = make_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            c.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    engine = make_engine(url)
    prepare_database(engine, default_library())
    return engine


def load(engine: Engine, bureaus: int, per_bureau: int, seed: int) -> None:
    library = default_library()
    items = [i for i in library.catalogue("xinji").items if i.flow in FLOW_SHARE]
    by_flow = {f: [i for i in items if i.flow == f] for f in FLOW_SHARE}
    flows = {key: library.flow(key) for key in FLOW_SHARE}
    codes = ["xinji"] + [f"b{n:03d}" for n in range(1, bureaus)]
    now = datetime.now(UTC)
    rng = random.Random(seed)
    with engine.begin() as c:
        for code in codes[1:]:
            c.execute(text("INSERT INTO bureau (code, name, settings) VALUES (:c, :n, '{}')"),
                      {"c": code, "n": f"第{code[1:]}号模拟医疗保障局"})
    tables: dict[str, list[tuple[Any, ...]]] = {k: [] for k in ("case", "clock", "case_summary", "case_officer",
                                                                 "open_duty")}
    case_id = clock_id = 0
    for code in codes:
        officers = [(f"{code.upper()}-JZ-{n:03d}", rng.choice(SURNAMES) + rng.choice(GIVEN)) for n in range(20)]
        for n in range(per_bureau):
            case_id += 1
            flow_key = rng.choices(list(FLOW_SHARE), weights=list(FLOW_SHARE.values()))[0]
            flow, item = flows[flow_key], rng.choice(by_flow[flow_key])
            closed = rng.random() < 0.6
            finals = [s for s in flow.states if s.final]
            running = [s for s in flow.states if not s.final]
            state = rng.choice(finals if closed else running)
            opened = now - timedelta(days=rng.uniform(1, 3 * 365))
            closed_at = opened + timedelta(days=rng.uniform(1, 120)) if closed else None
            if closed_at and closed_at > now:
                closed_at = now - timedelta(hours=1)
            name, party_type, id_no = party(rng)
            team = rng.sample(officers, 2)
            number = f"{code.upper()}-{opened.year}-{n + 1:05d}"
            duties: list[tuple[int, str, bool, datetime, datetime]] = []
            if not closed:
                for _ in range(rng.choice((1, 1, 2))):
                    clock_id += 1
                    due = now + timedelta(days=rng.uniform(-40, 60))
                    duties.append((clock_id, "期限", False, due, due_soon_from(due, Unit.working_days, 2)))
                if rng.random() < 0.2:
                    clock_id += 1
                    due = now + timedelta(days=rng.uniform(-20, 30))
                    duties.append((clock_id, "缴款期限", True, due, due))
            agency = [d for d in duties if not d[2]]
            nearest = min(agency, key=lambda d: d[3]) if agency else None
            periods = [d for d in duties if d[2]]
            fine = round(rng.uniform(1000, 200000), 2) if flow_key == "penalty" and rng.random() < 0.5 else None
            tables["case"].append((
                case_id, code, number, item.code, flow.key, flow.version, state.name, state.final,
                json.dumps({"name": name, "type": party_type}, ensure_ascii=False),
                json.dumps([{"name": t[1], "cert_no": t[0]} for t in team], ensure_ascii=False), "{}",
                opened, "zhang", now, 1, 1, "0" * 64, opened, closed_at,
            ))
            for cid, label, is_party, due, soon in duties:
                tables["clock"].append((
                    cid, case_id, "lead_check", label, "working_days", 15, 0, opened, "[]", None, None, True,
                    due, False, "", "法条", None, False, 2, is_party, None,
                ))
                tables["open_duty"].append((
                    cid, case_id, code, item.department or "", item.code, flow.key, "lead_check", label, is_party,
                    due, soon, False, "法条", None, "",
                ))
            tables["case_summary"].append((
                case_id, code, number, item.code, item.name[:300], item.power_type or "", item.department or "",
                flow.key, flow.label, state.name, state.label, state.stage or "",
                state.role.value if state.role else None, state.final, name, party_type, id_no,
                "、".join(t[1] for t in team), "zhang", opened, closed_at, now, 1,
                nearest[3] if nearest else None, nearest[4] if nearest else None,
                nearest[3] if nearest else NO_DEADLINE, nearest[1] if nearest else None,
                periods[0][3] if periods else None, periods[0][1] if periods else None, fine, None, "{}",
                " ".join([number, name, id_no]).lower(),
            ))
            for position, (cert, officer) in enumerate(team):
                tables["case_officer"].append((case_id, position, code, cert, officer))
        if len(tables["case"]) >= 50_000:
            flush(engine, tables)
    flush(engine, tables)
    with engine.begin() as c:
        for name in ("case", "clock"):
            if engine.dialect.name == "postgresql":
                c.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                               f"(SELECT max(id) FROM \"{name}\"))"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        # As autovacuum would leave a database that has settled: statistics, and on PostgreSQL the
        # visibility map too (without it an index-only scan still reads every heap page it names).
        c.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


COLUMNS = {
    "case": "id, bureau_code, number, item_code, flow_key, flow_version, state, final, party, officers, data, "
            "opened_at, opened_by, updated_at, version, last_seq, head_hash, last_occurred_at, closed_at",
    "clock": "id, case_id, key, label, unit, amount, extension, started_at, spans, satisfied_at, cancelled_at, "
             "open, due_at, provisional, explanation, law, accountability, roll_forward, due_soon, party, note",
    "case_summary": "case_id, bureau_code, number, item_code, item_name, power_type, department, flow_key, "
                    "flow_label, state, state_label, stage, awaiting_role, final, party_name, party_type, "
                    "party_id_no, officer_names, opened_by, opened_at, closed_at, updated_at, version, next_due_at, "
                    "next_due_soon_at, sort_due, next_clock_label, party_due_at, party_clock_label, fine, paid, extras, "
                    "search_text",
    "case_officer": "case_id, position, bureau_code, cert_no, name",
    "open_duty": "clock_id, case_id, bureau_code, department, item_code, flow_key, key, label, party, due_at, "
                 "due_soon_at, provisional, law, accountability, explanation",
}


def flush(engine: Engine, tables: dict[str, list[tuple[Any, ...]]]) -> None:
    """Write the buffered rows in foreign-key order and empty the buffers."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for name in ("case", "clock", "case_summary", "case_officer", "open_duty"):
            rows = tables[name]
            if not rows:
                continue
            if engine.dialect.name == "postgresql":
                with cursor.copy(f'COPY "{name}" ({COLUMNS[name]}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in COLUMNS[name].split(","))
                cursor.executemany(f'INSERT INTO "{name}" ({COLUMNS[name]}) VALUES ({marks})',
                                   [tuple(_sqlite(v) for v in row) for row in rows])
            rows.clear()
        raw.commit()
    finally:
        raw.close()


def _sqlite(value: Any) -> Any:
    """SQLite stores moments as naive UTC text, as SQLAlchemy writes them."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


if __name__ == "__main__":
    main()
