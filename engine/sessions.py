"""Server-side login sessions: a token is honoured only while its session is open.

The token a browser or an API client holds carries a random session id; the database keeps
only its SHA-256. Logging out ends that session; a password change, a reset or disabling a
user ends every session of the user at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import orjson
from sqlalchemy import bindparam, delete, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from engine.definitions import Role
from engine.model import Actor
from engine.persistence import prepared
from engine.tables import LoginSession, User

USER = User.__table__  # type: ignore[attr-defined]
SESSION = LoginSession.__table__  # type: ignore[attr-defined]

CLIENT_LENGTH = 64


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def open_session(session: Session, user_id: int, client: str, lifetime: timedelta, now: datetime) -> str:
    """Start a session for a user; return its id (to be put in the token, never stored)."""
    session_id = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            token_hash=_digest(session_id),
            user_id=user_id,
            created_at=now,
            expires_at=now + lifetime,
            client=client[:CLIENT_LENGTH],
        )
    )
    return session_id


_ACTOR_OF_SESSION = (
    sa_select(USER.c.id, USER.c.username, USER.c.name, USER.c.roles, USER.c.bureau_code, USER.c.cert_no)
    .join(SESSION, SESSION.c.user_id == USER.c.id)
    .where(
        SESSION.c.token_hash == bindparam("token_hash"),
        SESSION.c.ended_at.is_(None),
        SESSION.c.expires_at > bindparam("now"),
        USER.c.active.is_(True),
    )
)


def session_actor(engine: Engine, session_id: str, now: datetime) -> Actor | None:
    """The active user of an open, unexpired session, or None.

    Every request asks: one prebuilt statement of the columns an actor needs, read in autocommit."""
    rows = prepared(engine, "actor_of_session", lambda: _ACTOR_OF_SESSION).rows(
        engine, {"token_hash": _digest(session_id), "now": now}
    )
    if not rows:
        return None
    user_id, username, name, roles, bureau, cert_no = rows[0]
    if isinstance(roles, str):  # SQLite's JSON is text
        roles = orjson.loads(roles)
    return Actor(user_id, username, name, frozenset(Role(r) for r in roles), bureau, cert_no)


def end_session(session: Session, session_id: str, reason: str, now: datetime) -> bool:
    """End one session (logout); False if it was not open."""
    result = session.execute(
        update(LoginSession)
        .where(col(LoginSession.token_hash) == _digest(session_id), col(LoginSession.ended_at).is_(None))
        .values(ended_at=now, end_reason=reason)
    )
    return bool(getattr(result, "rowcount", 0))


def end_all(session: Session, user_id: int, reason: str, now: datetime) -> int:
    """End every open session of a user; return how many were open."""
    result = session.execute(
        update(LoginSession)
        .where(col(LoginSession.user_id) == user_id, col(LoginSession.ended_at).is_(None))
        .values(ended_at=now, end_reason=reason)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def open_count(session: Session, user_id: int, now: datetime) -> int:
    rows = session.exec(
        select(LoginSession.id).where(
            col(LoginSession.user_id) == user_id,
            col(LoginSession.ended_at).is_(None),
            col(LoginSession.expires_at) > now,
        )
    ).all()
    return len(rows)


def forget_old(session: Session, now: datetime, older_than: timedelta) -> None:
    """Delete sessions that ended or expired long ago."""
    cutoff = now - older_than
    session.execute(delete(LoginSession).where(col(LoginSession.expires_at) < cutoff))
