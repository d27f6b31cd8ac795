"""Logging in and out: throttled attempts, one answer for unknown names and wrong passwords, sessions.

An attempt is counted (per client address, then per account name) before any password is
checked, atomically in the database (engine.login_throttle), so parallel guesses cannot
slip past the lock. An unknown name is checked against a decoy hash and answered exactly
like a wrong password. A successful login opens a server-side session (engine.sessions)
that logout, a password change or disabling the user ends.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from api.config import Settings
from api.security import make_token, read_token, verify_decoy, verify_password
from api.users import actor_of, user_by_name
from engine import login_throttle, sessions
from engine.errors import DomainError
from engine.login_throttle import Limit
from engine.model import Actor
from engine.persistence import unit_of_work

STALE = timedelta(days=30)
# A lock set moments ago may be the work of parallel logins that are about to succeed (a
# script logging in several times at once) and so clear it; a refused attempt waits that
# long for them to settle before it answers. Wrong guesses leave the lock in place.
SETTLE = timedelta(seconds=3)


class Unauthenticated(DomainError):
    kind = "unauthenticated"


class Throttled(DomainError):
    """Too many failed logins from one client address (429)."""

    kind = "throttled"


def account_limit(settings: Settings) -> Limit:
    return Limit(
        settings.login_attempts,
        timedelta(minutes=settings.login_window_minutes),
        timedelta(minutes=settings.login_lock_minutes),
    )


def client_limit(settings: Settings) -> Limit:
    return Limit(
        settings.client_attempts,
        timedelta(minutes=settings.client_window_minutes),
        timedelta(minutes=settings.client_lock_minutes),
    )


def _minutes(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds() / 60))


def log_in(engine: Engine, settings: Settings, username: str, password: str, client: str) -> tuple[Actor, str]:
    """Check a name and password; return the user and a bearer token for a new session."""
    now = datetime.now(UTC)
    username = username.strip()
    locked = login_throttle.reserve(engine, login_throttle.CLIENT, client, client_limit(settings), now)
    if locked is not None:
        minutes = _minutes(locked, now)
        raise Throttled(
            "CLIENT_THROTTLED",
            f"本机登录失败次数过多，请{minutes}分钟后再试",
            retry_after=minutes * 60,
        )
    locked = _reserve_account(engine, account_limit(settings), username)
    if locked is not None:
        now = datetime.now(UTC)
        raise Unauthenticated(
            "ACCOUNT_LOCKED",
            f"连续登录失败次数过多，账户已暂时锁定，请{_minutes(locked, now)}分钟后再试",
        )
    user = user_by_name(engine, username) if username else None
    if user is None:
        verify_decoy(password)
        raise Unauthenticated("BAD_CREDENTIALS", "用户名或密码错误")
    if not verify_password(password, user.password_hash):
        raise Unauthenticated("BAD_CREDENTIALS", "用户名或密码错误")
    if not user.active:
        raise Unauthenticated("ACCOUNT_DISABLED", "账户已停用，请联系本局系统管理员")
    assert user.id is not None
    with unit_of_work(engine) as session:
        login_throttle.clear(session, login_throttle.ACCOUNT, username)
        session_id = sessions.open_session(
            session, user.id, client, timedelta(minutes=settings.token_minutes), now
        )
        sessions.forget_old(session, now, STALE)
        login_throttle.forget_stale(session, now, STALE)
    login_throttle.give_back(engine, login_throttle.CLIENT, client, client_limit(settings))
    return actor_of(user), make_token(user.username, session_id, settings.secret, settings.token_minutes)


def _reserve_account(engine: Engine, limit: Limit, username: str) -> datetime | None:
    """Reserve an attempt on the account name; the end of its lock if refused (after settling)."""
    while True:
        now = datetime.now(UTC)
        locked = login_throttle.reserve(engine, login_throttle.ACCOUNT, username, limit, now)
        if locked is None or now - (locked - limit.lock) > SETTLE:
            return locked
        time.sleep(0.05)


def new_session(engine: Engine, settings: Settings, actor: Actor, client: str) -> str:
    """A fresh token for a user who just proved himself (after changing his own password)."""
    with unit_of_work(engine) as session:
        session_id = sessions.open_session(
            session, actor.user_id, client, timedelta(minutes=settings.token_minutes), datetime.now(UTC)
        )
    return make_token(actor.username, session_id, settings.secret, settings.token_minutes)


def actor_of_token(engine: Engine, settings: Settings, token: str | None) -> Actor | None:
    """The user of a token whose session is still open, or None."""
    session_id = read_token(token, settings.secret) if token else None
    if session_id is None:
        return None
    return sessions.session_actor(engine, session_id, datetime.now(UTC))


def log_out(engine: Engine, settings: Settings, token: str | None) -> bool:
    """End the session of a token; False if it was not open."""
    session_id = read_token(token, settings.secret) if token else None
    if session_id is None:
        return False
    with unit_of_work(engine) as session:
        return sessions.end_session(session, session_id, "logout", datetime.now(UTC))
