"""Database engines and the unit of work: one transaction per change of a case."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

from engine.errors import ConcurrentUpdate


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for SQLite (WAL, foreign keys, a busy timeout) or PostgreSQL (psycopg 3)."""
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
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    # No pre-ping: it costs a round trip on every checkout (most of a list's time); a connection
    # the server dropped fails its request once and is discarded, and none lives over 30 minutes.
    return create_engine(url, pool_recycle=1800, json_serializer=_json, json_deserializer=orjson.loads, **kwargs)


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


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """Commit everything done in the block at once, or nothing (rolls back on any error)."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            session.connection(execution_options={"caseflow_write": True})  # begins: see WRITE_OPTION
            yield session
            session.commit()
        except OperationalError as error:
            session.rollback()
            if "locked" in str(error).lower():
                raise ConcurrentUpdate("CASE_BUSY", "该案件正在被他人处理，请刷新后重试") from error
            raise
        except BaseException:
            session.rollback()
            raise


class Prepared:
    """A Core statement compiled once for one database: its SQL text for the driver and its parameters' order.

    Lists run the same few statements on every request; SQLAlchemy's per-call work (the statement's
    cache key, the execution context, ``Row`` objects with type processing) costs more than the SQL.
    A prepared statement runs on the driver's own cursor and returns plain tuples, as a hand-written
    query would; values are plain Python (aware datetimes, bools, strings) and become what the driver
    stores here (SQLite keeps moments as naive UTC text, as SQLAlchemy writes them).
    """

    __slots__ = ("sql", "order", "sqlite", "constants")

    def __init__(self, statement: Any, engine: Engine) -> None:
        compiled = statement.compile(dialect=engine.dialect)
        self.sql: str = compiled.string
        self.order: tuple[str, ...] = tuple(compiled.positiontup or ())
        self.sqlite = engine.dialect.name == "sqlite"
        # The statement's own constants (the 1 and 0 of a CASE, a time zone's name) are parameters too.
        self.constants: dict[str, Any] = {
            name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required
        }

    def params(self, values: dict[str, Any]) -> Any:
        if self.constants:
            values = {**self.constants, **values}
        if self.sqlite:  # each value converted once, though the statement may name it twice
            stored = {name: _sqlite_value(value) for name, value in values.items()}
            return tuple(stored[name] for name in self.order)
        return values

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


def prepared(engine: Engine, key: Hashable, build: Callable[[], Any]) -> Prepared:
    """The statement ``build()`` makes, compiled for ``engine``'s database once per ``key`` (a filter's shape)."""
    cache: dict[Hashable, Prepared] | None = getattr(engine, "_caseflow_prepared", None)
    if cache is None:
        cache = engine._caseflow_prepared = {}  # type: ignore[attr-defined]
    found = cache.get(key)
    if found is None:
        if len(cache) > 1000:  # filter shapes are few; never let odd ones grow without bound
            cache.clear()
        found = cache[key] = Prepared(build(), engine)
    return found
