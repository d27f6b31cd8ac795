"""What the benchmarks share: a fresh database, staff, penalty cases, an interleaved timer, tables.

Every benchmark builds its own database from nothing, migrated the way the server does it
(``api.bootstrap.prepare_database``): a SQLite file in a temporary folder, or a PostgreSQL
database named ``caseflow_bench`` (dropped and created again; never the test database) on the
server of ``--pg``. Cases are opened and moved only through ``engine.cases.CaseService``.

Times are medians over interleaved repetitions: each round runs every contender once, in an
order that rotates from round to round, so a slow minute of a shared machine falls on all of
them alike. Nothing here asserts a time; the scripts print figures and ratios.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import Connection, Engine  # noqa: E402

PG_ADMIN = os.environ.get("CASEFLOW_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
BENCH_DATABASE = "caseflow_bench"
DATABASES = ("sqlite", "postgres")
PASSWORD = "password-123"

# username, roles, certificate number, name: the xinji users who act on the penalty case
# (the case's two officers are names and certificate numbers, not users)
STAFF = [
    ("zhang", ["officer"], "JZ-001", "张三"),
    ("li", ["officer"], "JZ-002", "李四"),
    ("head", ["head"], None, "局长"),
]
BUREAU = "xinji"
PENALTY_ITEM = "3"  # a 行政处罚 item of xinji that runs on the penalty flow
OFFICERS = [{"name": "张三", "cert_no": "JZ-001"}, {"name": "李四", "cert_no": "JZ-002"}]
PARTY = {"name": "辛集市某大药房", "type": "organisation", "address": "辛集市建设路1号"}

# The action every benchmark fires: a recorded fact of the investigation stage (no dest, no
# document, no clock), so it can be fired any number of times on the same case. 先行登记保存
# 处理决定 appends the payload to the list "preservation_disposals" through the ``append`` action:
# a ``case_entry`` row, and the list's count and latest entries in data["entry_lists"] (engine.entries).
RECORDED_FACT = "dispose_preservation"
RECORDED_INTO = "preservation_disposals"
RECORDED_PAYLOAD = {"disposal": "登记保存的处方12张经核对后退还当事人"}
# open + 提请立案 + 批准立案: the fewest events a case has when it may record that fact
EVENTS_TO_INVESTIGATION = 3

console = Console(width=None if sys.stdout.isatty() else 140)  # full tables in files and pipes


# --- command line ---------------------------------------------------------------------


def parser(description: str, *, repeat: int | None) -> argparse.ArgumentParser:
    """An argument parser with the options the benchmarks share (--db, --pg and, if timed in rounds, --repeat)."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument(
        "--db", choices=["sqlite", "postgres", "both"], default="both", help="database(s) to run on"
    )
    p.add_argument(
        "--pg",
        default=PG_ADMIN,
        help="a PostgreSQL server (URL of any database on it) where the bench database is made",
    )
    p.add_argument(
        "--pg-database",
        default=BENCH_DATABASE,
        help="name of the bench database, dropped and created afresh (never point it at real data)",
    )
    if repeat is not None:
        p.add_argument("--repeat", type=int, default=repeat, help="timed rounds (the median is printed)")
    return p


def databases(choice: str) -> list[str]:
    return list(DATABASES) if choice == "both" else [choice]


# --- databases --------------------------------------------------------------------------


def _pg_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


def _pg_admin(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


@contextmanager
def fresh_database_url(kind: str, pg_admin: str = PG_ADMIN, name: str = BENCH_DATABASE) -> Iterator[str]:
    """The URL of an empty database of ``kind``, removed again afterwards."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="caseflow-bench-")
        try:
            yield f"sqlite:///{folder}/caseflow.db"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    if not re.fullmatch(r"caseflow_bench[a-z0-9_]*", name):  # it is dropped: never a database of real use
        raise ValueError(f"a bench database's name starts with caseflow_bench: {name!r}")
    _pg_admin(pg_admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _pg_admin(pg_admin, f"CREATE DATABASE {name}")
    try:
        yield _pg_url(pg_admin, name)
    finally:
        _pg_admin(pg_admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def prepare(url: str) -> tuple[Engine, Any]:
    """An engine on ``url``, migrated and with the catalogues' bureaus, as the server starts."""
    from api.bootstrap import prepare_database
    from engine.persistence import make_engine
    from processes.loader import default_library

    engine = make_engine(url)
    library = default_library()
    prepare_database(engine, library)
    return engine, library


def create_staff(engine: Engine) -> dict[str, Any]:
    """The users of ``STAFF`` (as tests/conftest.py creates them); returns their actors by name."""
    from api.users import actor_of, create_user

    return {
        username: actor_of(
            create_user(
                engine, username, bureau=BUREAU, roles=roles, password=PASSWORD, cert_no=cert, name=name
            )
        )
        for username, roles, cert, name in STAFF
    }


@dataclass
class Bench:
    """One prepared database with its service and staff."""

    kind: str
    url: str
    engine: Engine
    library: Any
    service: Any  # engine.cases.CaseService
    actors: dict[str, Any]
    statements: StatementCounter = field(init=False)

    def __post_init__(self) -> None:
        self.statements = StatementCounter(self.engine)

    def open_investigation(self) -> int:
        """A penalty case opened and filed, now in 调查取证 where the recorded fact is allowed."""
        officer, head = self.actors["zhang"], self.actors["head"]
        ended = (date.today() - timedelta(days=60)).isoformat()
        case_id: int = self.service.open_case(
            officer,
            PENALTY_ITEM,
            PARTY,
            OFFICERS,
            {"lead_summary": "智能监控发现串换药品", "violation_ended_on": ended},
        )
        self.service.fire(officer, case_id, "propose_filing", {"opinion": "建议立案"})
        self.service.fire(head, case_id, "approve_filing", {"jurisdiction": "violation_place"})
        return case_id

    def record_fact(self, case_id: int) -> None:
        """Fire the recorded fact once through CaseService.fire."""
        self.service.fire(self.actors["zhang"], case_id, RECORDED_FACT, dict(RECORDED_PAYLOAD))

    def view(self, case_id: int) -> dict[str, Any]:
        result: dict[str, Any] = self.service.view(self.actors["zhang"], case_id)
        return result


@contextmanager
def bench_database(kind: str, pg_admin: str = PG_ADMIN, name: str = BENCH_DATABASE) -> Iterator[Bench]:
    """A fresh, migrated database of ``kind`` with staff and a CaseService.

    The service has no document issuer: the benchmarked action issues no document, and the
    set-up steps then skip rendering PDFs (the HTTP benchmark runs the real server, PDFs and all).
    """
    from engine.cases import CaseService

    with fresh_database_url(kind, pg_admin, name) as url:
        engine, library = prepare(url)
        try:
            actors = create_staff(engine)
            yield Bench(kind, url, engine, library, CaseService(engine, library), actors)
        finally:
            engine.dispose()


def postgres_unreachable(pg_admin: str = PG_ADMIN) -> str | None:
    """Why the PostgreSQL server cannot be used, or None."""
    try:
        _pg_admin(pg_admin, "SELECT 1")
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        return str(error).splitlines()[0]
    return None


# --- the floor: the recorded fact written by hand -----------------------------------------


def run_sql(conn: Connection, text: str, params: dict[str, Any]) -> Any:
    """Hand-written SQL straight to the driver; ``:name`` parameters become psycopg's ``%(name)s``."""
    if conn.dialect.name != "sqlite":
        text = re.sub(r":(\w+)", r"%(\1)s", text)
    return conn.exec_driver_sql(text, params)


SELECT_CASE = 'SELECT state, version, data, last_seq, head_hash FROM "case" WHERE id = :id'
UPDATE_CASE = (
    'UPDATE "case" SET data = :data, updated_at = :now, version = :version + 1, last_seq = :seq, '
    "head_hash = :hash, last_occurred_at = :now WHERE id = :id AND version = :version"
)
INSERT_ENTRY = (
    "INSERT INTO case_entry (case_id, list_key, position, event_seq, payload, occurred_at) "
    "VALUES (:case_id, :list_key, :position, :event_seq, :payload, :occurred_at)"
)
UPDATE_SUMMARY = "UPDATE case_summary SET updated_at = :now, version = :version + 1 WHERE case_id = :id"
INSERT_EVENT = (
    "INSERT INTO event (case_id, seq, trigger, label, from_state, to_state, actor, occurred_at, "
    "recorded_at, payload, prev_hash, hash) VALUES (:case_id, :seq, :trigger, :label, :from_state, "
    ":to_state, :actor, :occurred_at, :recorded_at, :payload, :prev_hash, :hash)"
)


class Floor:
    """The recorded fact written by hand: the rows CaseService.fire writes, and nothing else.

    It reads the case's snapshot (state, version, data, chain head), writes the case with its new
    head (and the list's count in its data), appends the event and the list's entry row, and
    updates the case's list row: the rows fire writes for a recorded fact (it changes no clock, so
    no clock row is written).
    """

    def __init__(self, bench: Bench) -> None:
        self.engine = bench.engine
        self.sqlite = bench.engine.dialect.name == "sqlite"
        self.actor = bench.actors["zhang"].username
        flow = bench.library.flow("penalty")
        self.label = flow.transitions_for(RECORDED_FACT)[0].label

    def _moment(self, value: datetime) -> Any:
        """A UTC moment as the column stores it (SQLite: text without offset, as SQLAlchemy writes it)."""
        return (
            value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds") if self.sqlite else value
        )

    def fire(self, case_id: int) -> None:
        from engine.events import event_hash
        from engine.model import LATEST_KEPT

        moment = datetime.now(UTC)
        with self.engine.begin() as conn:
            state, version, data, seq, prev = run_sql(conn, SELECT_CASE, {"id": case_id}).one()
            data = json.loads(data) if isinstance(data, str) else data
            payload = dict(RECORDED_PAYLOAD)
            entry = {**payload, "at": moment.isoformat()}
            kept = data.setdefault("entry_lists", {}).setdefault(RECORDED_INTO, {"count": 0, "latest": []})
            position = kept["count"]
            kept["count"], kept["latest"] = position + 1, [*kept["latest"], entry][-LATEST_KEPT:]
            fields = dict(
                case_id=case_id,
                seq=seq + 1,
                trigger=RECORDED_FACT,
                from_state=state,
                to_state=state,
                actor=self.actor,
                occurred_at=moment,
                recorded_at=moment,
                payload=payload,
                prev_hash=prev,
            )
            digest = event_hash(**fields)
            now = self._moment(moment)
            changed = run_sql(
                conn,
                UPDATE_CASE,
                {"id": case_id, "version": version, "data": json.dumps(data), "now": now, "seq": seq + 1,
                 "hash": digest},
            ).rowcount
            if changed != 1:
                raise RuntimeError(f"case {case_id} changed under the floor writer")
            row = {**fields, "label": self.label, "hash": digest, "occurred_at": now, "recorded_at": now,
                   "payload": json.dumps(payload)}
            run_sql(conn, INSERT_EVENT, row)
            entry = {"case_id": case_id, "list_key": RECORDED_INTO, "position": position, "event_seq": seq + 1,
                     "payload": json.dumps(entry), "occurred_at": now}
            run_sql(conn, INSERT_ENTRY, entry)
            run_sql(conn, UPDATE_SUMMARY, {"id": case_id, "version": version, "now": now})


# --- measuring --------------------------------------------------------------------------


DATA_STATEMENTS = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"})


class StatementCounter:
    """Counts the SQL statements the driver runs on an engine's connections while ``per_call`` runs:
    those SQLAlchemy sends and those caseflow's prebuilt statements run on the driver itself (not
    BEGIN, COMMIT or PRAGMA).

    SQLite reports each statement it runs to a trace callback, set only while counting (so the timed
    runs pay nothing for it); a psycopg connection makes its cursors with a factory that counts their
    executions while counting. Connections made before the counter are closed first.
    """

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self.counting = False
        self.sqlite_connections: list[sqlite3.Connection] = []
        engine.dispose()
        event.listen(engine, "connect", self._watch)

    def _watch(self, dbapi_connection: Any, _record: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            self.sqlite_connections.append(dbapi_connection)
            if self.counting:
                dbapi_connection.set_trace_callback(self._traced)
            return
        counter = self

        class CountingCursor(dbapi_connection.cursor_factory):  # type: ignore[name-defined,misc]
            def execute(self, *args: Any, **kwargs: Any) -> Any:
                if counter.counting:
                    counter.count += 1
                return super().execute(*args, **kwargs)

        dbapi_connection.cursor_factory = CountingCursor

    def _traced(self, statement: str) -> None:
        words = statement.split(None, 1)
        if words and words[0].upper() in DATA_STATEMENTS:  # not a trigger's ("-- TRIGGER …"), BEGIN or COMMIT
            self.count += 1

    def _trace(self, on: bool) -> None:
        self.counting = on
        for connection in list(self.sqlite_connections):
            try:
                connection.set_trace_callback(self._traced if on else None)
            except sqlite3.ProgrammingError:  # closed by the pool
                self.sqlite_connections.remove(connection)

    def per_call(self, fn: Callable[[], object], calls: int = 3) -> float:
        """Statements per call of ``fn``, averaged over a few calls."""
        before = self.count
        self._trace(True)
        try:
            for _ in range(calls):
                fn()
        finally:
            self._trace(False)
        return (self.count - before) / calls


@dataclass
class Trial:
    """One contender: ``run`` is timed; ``prepare`` (untimed) makes its argument, if given."""

    run: Callable[..., object]
    prepare: Callable[[], object] | None = None

    def once(self) -> float:
        args = () if self.prepare is None else (self.prepare(),)
        started = time.perf_counter()
        self.run(*args)
        return time.perf_counter() - started


def interleaved(
    trials: dict[str, Trial | Callable[[], object]], repeat: int, warmup: int = 2
) -> dict[str, float]:
    """Median seconds per trial over ``repeat`` rounds; each round runs all, in rotating order."""
    named = {name: t if isinstance(t, Trial) else Trial(t) for name, t in trials.items()}
    names = list(named)
    for _ in range(warmup):
        for name in names:
            named[name].once()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(repeat):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(named[name].once())
    return {name: statistics.median(values) for name, values in samples.items()}


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile (0..1) by nearest rank; nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(share * len(ordered))))
    return ordered[rank - 1]


# --- printing ---------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}×" if base else "n/a"


def verdict(ok: bool) -> str:
    return "[green]met[/green]" if ok else "[red]not met[/red]"


def print_table(title: str, columns: list[str], rows: list[list[str]], note: str | None = None) -> None:
    console.print(f"\n[bold]{title}[/bold]")
    table = Table()
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index == 0 else "right")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    if note:
        console.print(note)


def machine() -> str:
    """Python, cores and load: the milliseconds only compare between runs on a like machine."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {load:.1f}"


def header(name: str, args: argparse.Namespace) -> None:
    console.print(
        f"[bold]{name}[/bold]  {machine()}, repeat {args.repeat}, {time.strftime('%Y-%m-%d %H:%M')}"
    )
