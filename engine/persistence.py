"""Database engines and the unit of work: one transaction per change of a case."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, create_engine

from engine.errors import ConcurrentUpdate


def make_engine(url: str, *, pipeline: bool | None = None, **kwargs: Any) -> Engine:
    """An engine for SQLite (WAL, foreign keys, a busy timeout) or PostgreSQL (psycopg 3).

    ``pipeline`` (PostgreSQL): whether statements that go together (a transaction's BEGIN with its
    first read, an action's writes with the COMMIT) share one round trip in psycopg's pipeline
    mode (see ``pipelines``)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 10},
            json_serializer=_json,
            json_deserializer=orjson.loads,
            **kwargs,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()
            dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            # A change takes the write lock when it begins (waiting up to busy_timeout): a deferred
            # transaction that read first fails at once with "database is locked" when another
            # writer committed meanwhile, even on a different case. Reads stay deferred.
            immediate = connection.get_execution_options().get(WRITE_OPTION)
            # on the driver itself: a statement through SQLAlchemy costs more than SQLite's BEGIN
            connection.connection.driver_connection.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    # No pre-ping: it costs a round trip on every checkout (most of a list's time); a connection
    # the server dropped fails its request once and is discarded, and none lives over 30 minutes.
    # Sessions in UTC by that name: psycopg then gives moments with Python's own UTC, which the lists
    # and views take as they are; the server's default ('Etc/UTC', the same instants) gives a ZoneInfo
    # that each of them converted, a few times per row.
    connect_args = {"options": "-c TimeZone=UTC", **kwargs.pop("connect_args", {})}
    engine = create_engine(
        url, pool_recycle=1800, json_serializer=_json, json_deserializer=orjson.loads, connect_args=connect_args,
        **kwargs,
    )
    engine.dialect._caseflow_pipeline = pipelines(engine.url.host) if pipeline is None else pipeline  # type: ignore[attr-defined]
    _send_waiting_writes_first(engine)
    return engine


PIPELINE_SETTING = "CASEFLOW_PG_PIPELINE"


def pipelines(host: str | None) -> bool:
    """Whether to pipeline statements to a PostgreSQL server on ``host`` (``CASEFLOW_PG_PIPELINE``:
    ``1`` always, ``0`` never; unset: only to a server on another machine).

    A pipeline saves a round trip per statement it carries, and costs psycopg about 0.1 ms of the
    client's CPU to enter and leave. To a server on this machine (loopback, a Unix socket) a round
    trip costs less than that: an action took 0.70 ms of CPU and 1.2–1.4 ms without pipelines,
    0.78–0.85 ms and 1.3–1.6 ms with them (``bench/fire_vs_spiff.py``). Across a network a round
    trip costs a few tenths of a millisecond, and an action makes two instead of four.
    """
    setting = os.environ.get(PIPELINE_SETTING, "").strip()
    if setting in ("0", "1"):
        return setting == "1"
    local = host is None or host in ("", "localhost", "::1") or host.startswith(("127.", "/"))
    return not local


def _pipelined(connection: Connection) -> bool:
    return bool(getattr(connection.dialect, "_caseflow_pipeline", False))


def reading(engine: Engine) -> Engine:
    """The engine for reads outside a change (views, lists, the user of a session).

    On PostgreSQL its connections run in autocommit: a read then costs its statements alone, not a
    BEGIN and a ROLLBACK besides (two round trips of the few a request makes). Nothing is lost:
    at PostgreSQL's READ COMMITTED every statement of a transaction reads its own snapshot anyway.
    SQLite reads stay in a deferred transaction (one consistent snapshot, no round trips to save).
    """
    reader: Engine | None = getattr(engine, "_caseflow_reader", None)
    if reader is None:
        autocommit = engine.dialect.name == "postgresql"
        reader = engine.execution_options(isolation_level="AUTOCOMMIT") if autocommit else engine
        engine._caseflow_reader = reader  # type: ignore[attr-defined]  # made once, shares the pool
    return reader


def _json(value: Any) -> str:
    """JSON columns keep Chinese text as it is (half the bytes of \\u escapes, read and written per action).

    orjson, not the standard library: every action writes the case's data and every view reads it.
    Keys that are not strings become strings, as the standard library does.
    """
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


WRITE_OPTION = "caseflow_write"


_CONNECTION = "caseflow_connection"


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """Commit everything done in the block at once, or nothing (rolls back on any error).

    The transaction is the connection's own; the session joins it, and its bookkeeping (a session
    transaction, begun and committed) costs only when the block uses the ORM: an action's statements
    run on ``connection_of(session)``, which is that connection.
    """
    try:
        with engine.connect() as connection, connection.execution_options(**{WRITE_OPTION: True}).begin():
            with Session(bind=connection, expire_on_commit=False) as session:  # see WRITE_OPTION
                session.info[_CONNECTION] = connection
                yield session
                session.flush()  # what the ORM still holds goes in before the commit
    except OperationalError as error:
        if "locked" in str(error).lower():
            raise ConcurrentUpdate("CASE_BUSY", "该案件正在被他人处理，请刷新后重试") from error
        raise


def in_unit_of_work(session: Session) -> bool:
    """Whether ``session`` is a unit of work's (whose connection ``connection_of`` gives at no cost)."""
    return _CONNECTION in session.info


def connection_of(session: Session) -> Connection:
    """The connection of the session's transaction, as ``session.connection()`` gives it; in a unit of
    work, without the session's state checks on every call (an action asks a dozen times)."""
    found: Connection | None = session.info.get(_CONNECTION)
    return found if found is not None else session.connection()


class Prepared:
    """A Core statement compiled once for one database: its SQL text for the driver and its parameters' order.

    Lists run the same few statements on every request, and an action writes the same few rows;
    SQLAlchemy's per-call work (the statement's cache key, the execution context, ``Row`` objects
    with type processing) costs more than the SQL. A prepared statement runs on the driver's own
    cursor and returns plain tuples, as a hand-written query would. A list's values are plain Python
    (aware datetimes, bools, strings) and become what the driver stores here (SQLite keeps moments as
    naive UTC text, as SQLAlchemy writes them); a write's values go through its columns' types
    (``bound``), so they are stored exactly as SQLAlchemy stores them.

    ``columns``: the columns an INSERT or UPDATE sets (all of the table's, otherwise).
    """

    __slots__ = (
        "sql", "order", "sqlite", "constants", "processors", "positional", "names", "results", "table", "returns"
    )

    def __init__(
        self, statement: Any, engine: Engine, columns: Sequence[str] | None = None, *, processed: bool = False
    ) -> None:
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect, column_keys=list(columns) if columns is not None else None)
        self.sql: str = compiled.string
        self.order: tuple[str, ...] = tuple(compiled.positiontup or ())
        self.sqlite = dialect.name == "sqlite"
        self.table: str | None = statement.table.name if getattr(statement, "is_dml", False) else None
        self.returns = bool(compiled.effective_returning)
        # The statement's own constants (the 1 and 0 of a CASE, a time zone's name) are parameters too.
        self.constants: dict[str, Any] = {
            name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required
        }
        # A column the values leave out takes its default: a constant (a computed one, SQLAlchemy's
        # execution would compute: a write names such a column's value itself).
        for column in (*compiled.insert_prefetch, *compiled.update_prefetch):
            default = column.default if column in compiled.insert_prefetch else column.onupdate
            if not default.is_scalar:
                raise ValueError(f"{column}: its default is computed; the write must give its value")
            self.constants[column.key] = default.arg
        self.processors: dict[str, Callable[[Any], Any]] = {
            name: processor
            for name, bind in compiled.binds.items()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        # SQLite's parameters are positional: which positions go through a processor
        self.positional = tuple((i, self.processors[name]) for i, name in enumerate(self.order) if name in self.processors)
        # ``processed``: a query's columns, their names and how SQLAlchemy turns each driver value into
        # Python's (``first``; not for a column whose processing depends on the driver's type code, as
        # PostgreSQL's numeric does; lists read plain tuples).
        selected = list(statement.selected_columns) if processed else []
        self.names: tuple[str, ...] = tuple(c.key for c in selected)
        results = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in selected]
        self.results: tuple[tuple[int, Callable[[Any], Any]], ...] = tuple(
            (i, process) for i, process in enumerate(results) if process is not None
        )

    def bound(self, values: dict[str, Any]) -> Any:
        """A write's parameters as SQLAlchemy would bind them: each through its column's type."""
        if self.constants:
            values = {**self.constants, **values}
        processors = self.processors
        if self.sqlite:
            ordered = [values[name] for name in self.order]
            for i, process in self.positional:
                if ordered[i] is not None:
                    ordered[i] = process(ordered[i])
            return ordered
        return {
            name: processors[name](value) if name in processors and value is not None else value
            for name, value in values.items()
        }

    def params(self, values: dict[str, Any]) -> Any:
        if self.constants:
            values = {**self.constants, **values}
        if self.sqlite:  # each value converted once, though the statement may name it twice
            stored = {name: _sqlite_value(value) for name, value in values.items()}
            return tuple(stored[name] for name in self.order)
        return values

    def first(self, session: Session, values: dict[str, Any]) -> dict[str, Any] | None:
        """The query's first row, by column name, with values as SQLAlchemy gives them, read in the
        session's transaction on its driver connection (an action's snapshot: no ``Row``, no
        description of 25 columns built per call). Pipelined (``pipelines``), a transaction's BEGIN goes with it."""
        connection = connection_of(session)
        send_waiting_writes(connection)
        pooled: Any = connection.connection
        params = self.bound(values)
        cursor = pooled.cursor()
        try:
            if self.sqlite or pooled.driver_connection.autocommit or not _pipelined(connection):
                cursor.execute(self.sql, params)
            else:
                with pooled.driver_connection.pipeline():
                    cursor.execute(self.sql, params)
            found = cursor.fetchone()
        except connection.dialect.loaded_dbapi.Error as error:
            raise DBAPIError.instance(
                self.sql, params, error, connection.dialect.loaded_dbapi.Error, dialect=connection.dialect
            ) from error
        finally:
            cursor.close()
        if found is None:
            return None
        row = list(found)
        for i, process in self.results:
            if row[i] is not None:
                row[i] = process(row[i])
        return dict(zip(self.names, row, strict=True))

    def rows(self, engine: Engine, values: dict[str, Any]) -> list[Any]:
        """The statement's rows as the driver returns them, read in autocommit (one statement, one snapshot).

        The pooled driver connection itself, as ``reading`` would set it up (autocommit on PostgreSQL,
        restored before it goes back to the pool): a ``Connection`` around it cost a third of a short
        list's time on PostgreSQL. A connection that fails is discarded by the pool when it returns.
        """
        pooled = engine.raw_connection()
        try:
            driver: Any = pooled.driver_connection
            if not self.sqlite:
                driver.autocommit = True
            cursor = pooled.cursor()
            try:
                cursor.execute(self.sql, self.params(values))
                return list(cursor.fetchall())
            finally:
                cursor.close()
                if not self.sqlite:
                    driver.autocommit = False
        finally:
            pooled.close()


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):  # '2026-05-08 11:46:33.592924', as SQLAlchemy stores a moment
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def prepared(
    engine: Engine, key: Hashable, build: Callable[[], Any], columns: Sequence[str] | None = None
) -> Prepared:
    """The statement ``build()`` makes, compiled for ``engine``'s database once per ``key`` (a filter's
    shape, or a write's statement and the columns it sets)."""
    cache: dict[Hashable, Prepared] | None = getattr(engine, "_caseflow_prepared", None)
    if cache is None:
        cache = engine._caseflow_prepared = {}  # type: ignore[attr-defined]
    found = cache.get(key)
    if found is None:
        if len(cache) > 1000:  # filter shapes are few; never let odd ones grow without bound
            cache.clear()
        found = cache[key] = Prepared(build(), engine, columns)
    return found


# --- an action's writes --------------------------------------------------------------------
#
# An action writes the same few rows each time (the case with its version check, its event, an
# entry, its list row, the clocks it changed). Each is a ``Prepared`` statement run on the session's
# driver connection. On PostgreSQL they wait on the connection and go together just before the next
# statement of any kind runs on that connection, or with the commit: writes to different tables
# as one statement (``_batches``); to a server across a network (``pipelines``), several statements
# and the COMMIT in one pipeline (psycopg's pipeline mode: one round trip, not one each). So that
# the COMMIT can follow the writes unseen, PostgreSQL checks a version itself
# (``caseflow_expect_one``, migration 0015): a check that fails raises there and aborts the
# transaction, COMMIT included. A write whose answer is needed at once
# (a new row's id: ``write_returning``) takes those waiting with it. SQLite runs each at once and
# checks its count of rows: it has no round trips to save. Either way a write that fails raises
# SQLAlchemy's error for it, a version check that finds no row as read raises its own error, and
# the transaction then rolls back.

_WAITING = "caseflow_waiting_writes"


class Prebuilt:
    """A statement built once, prepared per database: a query, or a write (an INSERT, UPDATE or
    DELETE) prepared per the columns it sets: those of its table that the values name (the other
    values are its WHERE's)."""

    __slots__ = ("statement", "table_columns", "_prepared")

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        table = statement.table if getattr(statement, "is_dml", False) else None
        self.table_columns = frozenset(table.c.keys()) if table is not None else frozenset()
        self._prepared: dict[tuple[str, tuple[str, ...]], Prepared] = {}

    def on(self, engine: Engine, values: dict[str, Any]) -> Prepared:
        key = (engine.dialect.name, tuple(values))  # the same names in the same order: the same statement
        found = self._prepared.get(key)
        if found is None:
            columns = tuple(name for name in values if name in self.table_columns)
            found = self._prepared[key] = (
                Prepared(self.statement, engine, columns) if self.table_columns
                else Prepared(self.statement, engine, processed=True)
            )
        return found

    def first(self, session: Session, values: dict[str, Any]) -> dict[str, Any] | None:
        """A query's first row in the session's transaction (``Prepared.first``)."""
        return self.on(connection_of(session).engine, values).first(session, values)


@dataclass(slots=True)
class _Write:
    statement: Prepared
    params: Any
    changes_one: Callable[[], Exception] | None  # the error if it does not change exactly one row
    returned: Callable[[Any], None] | None  # given the row it returns
    position: int = 0  # among the writes sent together (which one a failed check names)


def run_write(
    session: Session,
    writing: Prebuilt,
    values: dict[str, Any],
    *,
    changes_one: Callable[[], Exception] | None = None,
    returned: Callable[[Any], None] | None = None,
) -> None:
    """Run ``writing`` with ``values`` in the session's transaction (on PostgreSQL: soon, see above)."""
    if changes_one is not None and returned is not None:
        raise ValueError("a write either checks its count of rows or returns a row, not both")
    connection = connection_of(session)
    statement = writing.on(connection.engine, values)
    pending = _Write(statement, statement.bound(values), changes_one, returned)
    if statement.sqlite:
        _send(connection, [pending])
    else:
        connection.info.setdefault(_WAITING, []).append(pending)


def write_returning(session: Session, writing: Prebuilt, values: dict[str, Any]) -> Any:
    """Run ``writing`` now, with the writes waiting before it, and return the first value it returns."""
    answer: list[Any] = []
    run_write(session, writing, values, returned=answer.append)
    send_waiting_writes(connection_of(session))
    return answer[0][0]


def send_waiting_writes(connection: Connection, *_: Any) -> None:
    """Send the writes waiting on ``connection`` (the hook before each statement)."""
    waiting = connection.info.pop(_WAITING, None)
    if waiting:
        _send(connection, waiting)


def _commit_with_waiting_writes(connection: Connection) -> None:
    """The hook before a commit: the writes still waiting go, pipelined with the COMMIT in one round
    trip (the driver's own commit that SQLAlchemy calls next then finds nothing left to commit)."""
    waiting = connection.info.pop(_WAITING, None)
    if waiting:
        _send(connection, waiting, commit=True)


def _drop_waiting_writes(connection: Connection) -> None:
    connection.info.pop(_WAITING, None)


def _send_waiting_writes_first(engine: Engine) -> None:
    """Waiting writes go before any other statement on their connection, or with its commit;
    a rollback drops them."""
    event.listen(engine, "before_cursor_execute", send_waiting_writes)
    event.listen(engine, "commit", _commit_with_waiting_writes)
    event.listen(engine, "rollback", _drop_waiting_writes)


CHECK_FAILED = "CF001"  # the SQLSTATE caseflow_expect_one raises


def _send(connection: Connection, writes: list[_Write], *, commit: bool = False) -> None:
    """Run ``writes`` in order (``commit``, pipelined: and then COMMIT, all in one round trip)."""
    pooled: Any = connection.connection
    for position, w in enumerate(writes):
        w.position = position
    batches = _batches(writes)
    cursors: list[Any] = []
    try:
        try:
            if writes[0].statement.sqlite:
                for batch in batches:
                    cursors.append(pooled.cursor())
                    cursors[-1].execute(batch.sql, batch.params)
            else:
                driver = pooled.driver_connection
                piped = _pipelined(connection) and (len(batches) > 1 or commit)
                with driver.pipeline() if piped else nullcontext():
                    for batch in batches:
                        cursors.append(driver.cursor())
                        cursors[-1].execute(batch.sql, batch.params)
                    if commit and piped:
                        driver.commit()
        except connection.dialect.loaded_dbapi.Error as error:
            if getattr(error, "sqlstate", None) == CHECK_FAILED:  # PostgreSQL's check names the write
                failed = writes[int(error.diag.message_detail)].changes_one
                if failed is not None:
                    raise failed() from error
            raise DBAPIError.instance(
                "\n".join(b.sql for b in batches[: len(cursors)]), [b.params for b in batches], error,
                connection.dialect.loaded_dbapi.Error, dialect=connection.dialect,
            ) from error
        outcomes = [o for batch, cursor in zip(batches, cursors, strict=True) for o in batch.outcomes(cursor)]
    finally:
        for cursor in cursors:
            cursor.close()
    for w, (count, _) in zip(writes, outcomes, strict=True):
        if w.changes_one is not None and count != 1:  # SQLite's check (PostgreSQL's raised above)
            raise w.changes_one()
    for w, (_, row) in zip(writes, outcomes, strict=True):
        if w.returned is not None:
            w.returned(row)


@dataclass(slots=True)
class _Batch:
    """What one statement sends: a write, or on PostgreSQL several joined in one (``_joined``)."""

    writes: list[_Write]
    sql: str
    params: Any
    joined: bool = False  # the writes are WITHs of one statement, whose one row answers for each

    def outcomes(self, cursor: Any) -> list[tuple[int, Any]]:
        """Each write's count of rows changed and the row it returned."""
        if not self.joined:
            w = self.writes[0]
            return [(cursor.rowcount, cursor.fetchone() if w.returned is not None else None)]
        values = cursor.fetchone()
        return [
            (int(value is not None), (value,)) if w.returned is not None else (int(value), None)
            for w, value in zip(self.writes, values, strict=True)
        ]


def _batches(writes: list[_Write]) -> list[_Batch]:
    """The statements that send ``writes``, in their order.

    On PostgreSQL, writes to different tables go in one statement: each a data-modifying WITH of
    it, all run together (one statement to parse, bind and run, not one each); a table written
    twice starts another statement (the parts of one do not see each other's rows). A write with a
    version check is such a statement even alone: its count of rows goes to ``caseflow_expect_one``,
    which raises when it is not one, so a check that fails rolls back all that went with it and the
    COMMIT sent after it. The row it checks is locked by then (an action reads its case
    ``FOR UPDATE``), so the check guards against a mistake, not a race.
    """
    if writes[0].statement.sqlite:
        return [_Batch([w], w.statement.sql, w.params) for w in writes]
    batches: list[_Batch] = []
    group: list[_Write] = []
    for w in writes:
        if any(g.statement.table == w.statement.table for g in group):
            batches.append(_joined(group))
            group = []
        group.append(w)
    batches.append(_joined(group))
    return batches


_JOINED: dict[tuple[tuple[int, bool, bool], ...], str] = {}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _joined(group: list[_Write]) -> _Batch:
    if len(group) == 1 and group[0].changes_one is None:
        return _Batch(group, group[0].statement.sql, group[0].params)
    key = tuple((id(w.statement), w.returned is not None, w.changes_one is not None) for w in group)
    sql = _JOINED.get(key)
    if sql is None:
        parts, answers = [], []
        for i, w in enumerate(group):
            own = _PLACEHOLDER.sub(rf"%(w{i}_\1)s", w.statement.sql)
            if w.returned is not None:  # its one returned value (or NULL: no row)
                answers.append(f"(SELECT * FROM w{i} LIMIT 1)")
            else:
                own += "" if w.statement.returns else " RETURNING 1"
                counted = f"(SELECT count(*) FROM w{i})"
                checked = w.changes_one is not None
                answers.append(f"caseflow_expect_one({counted}, %(w{i}__position)s)" if checked else counted)
            parts.append(f"w{i} AS ({own})")
        if len(_JOINED) > 1000:
            _JOINED.clear()
        sql = _JOINED[key] = f"WITH {', '.join(parts)} SELECT {', '.join(answers)}"
    params = {f"w{i}_{name}": value for i, w in enumerate(group) for name, value in w.params.items()}
    for i, w in enumerate(group):
        if w.changes_one is not None:
            params[f"w{i}__position"] = w.position
    return _Batch(group, sql, params, joined=True)
