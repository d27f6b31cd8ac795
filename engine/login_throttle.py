"""Login attempts counted atomically in the database, per account name and per client address.

An attempt is *reserved* before the password is checked: one INSERT … ON CONFLICT DO UPDATE
… RETURNING adds it to the counter of its window, or returns nothing while the key is
locked. So however many requests arrive at once, at most ``attempts`` passwords are checked
per window; the reservation that reaches the limit sets the lock. Counting in Python (read,
add one, write back) lets parallel requests overwrite each other and was the bug of issue 11.
Unknown account names are counted like real ones, so a lock does not reveal which exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, case, delete, literal, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select
from sqlmodel.sql.sqltypes import UTCDateTime

from engine.tables import LoginThrottle

ACCOUNT = "account"
CLIENT = "client"
KEY_LENGTH = 200


@dataclass(frozen=True)
class Limit:
    """At most ``attempts`` within ``window``; reaching it locks the key for ``lock``."""

    attempts: int
    window: timedelta
    lock: timedelta


def _table() -> Table:
    return SQLModel.metadata.tables[str(LoginThrottle.__tablename__)]


def _insert(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def reserve(engine: Engine, scope: str, key: str, limit: Limit, now: datetime) -> datetime | None:
    """Count one attempt; None if it may go ahead, else the moment the lock ends.

    Commits at once, before any password is checked, so the count stands even if the
    request dies afterwards.
    """
    key = key[:KEY_LENGTH]
    table = _table()
    attempts, window_start, locked_until = table.c.attempts, table.c.window_start, table.c.locked_until
    when = literal(now, UTCDateTime())
    lock_end = literal(now + limit.lock, UTCDateTime())
    fresh = or_(window_start <= literal(now - limit.window, UTCDateTime()), locked_until.is_not(None))
    counted = case((fresh, 1), else_=attempts + 1)
    with Session(engine) as session:
        insert = _insert(session)
        statement = insert(table).values(
            scope=scope,
            key=key,
            attempts=1,
            window_start=now,
            locked_until=now + limit.lock if limit.attempts <= 1 else None,
        )
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.scope, table.c.key],
            set_={
                "attempts": counted,
                "window_start": case((fresh, when), else_=window_start),
                "locked_until": case((counted >= limit.attempts, lock_end), else_=None),
            },
            # a locked key is left as it is and nothing is returned
            where=or_(locked_until.is_(None), locked_until <= when),
        ).returning(attempts)
        reserved = session.execute(statement).first()
        session.commit()
        if reserved is not None:
            return None
        row = session.get(LoginThrottle, (scope, key))
        return row.locked_until if row is not None and row.locked_until is not None else now + limit.lock


def give_back(engine: Engine, scope: str, key: str, limit: Limit) -> None:
    """Return a reserved attempt that succeeded (a client's count keeps only failures)."""
    table = _table()
    with Session(engine) as session:
        session.execute(
            update(table)
            .where(table.c.scope == scope, table.c.key == key[:KEY_LENGTH], table.c.attempts > 0)
            .values(
                attempts=table.c.attempts - 1,
                locked_until=case((table.c.attempts - 1 < limit.attempts, None), else_=table.c.locked_until),
            )
        )
        session.commit()


def clear(session: Session, scope: str, key: str) -> bool:
    """Forget a key's attempts and lock (a successful login, an administrator's unlock)."""
    result = session.execute(
        delete(LoginThrottle).where(
            col(LoginThrottle.scope) == scope, col(LoginThrottle.key) == key[:KEY_LENGTH]
        )
    )
    return bool(getattr(result, "rowcount", 0))


def locked_keys(session: Session, scope: str, now: datetime) -> dict[str, datetime]:
    """Keys of a scope locked now, with the moment each lock ends."""
    rows = session.exec(
        select(LoginThrottle).where(
            col(LoginThrottle.scope) == scope,
            col(LoginThrottle.locked_until).is_not(None),
            col(LoginThrottle.locked_until) > now,
        )
    ).all()
    return {row.key: row.locked_until for row in rows if row.locked_until is not None}


def forget_stale(session: Session, now: datetime, older_than: timedelta) -> None:
    """Drop counters whose window and lock are long over (they would otherwise pile up)."""
    cutoff = now - older_than
    session.execute(
        delete(LoginThrottle).where(
            col(LoginThrottle.window_start) < cutoff,
            or_(col(LoginThrottle.locked_until).is_(None), col(LoginThrottle.locked_until) < cutoff),
        )
    )
