"""Password hashing (pwdlib, Argon2) and bearer tokens (JWT, HS256) naming a server-side session."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from functools import cache

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher


def _make_hasher() -> PasswordHash:
    """Argon2 with pwdlib's recommended cost; ``CASEFLOW_TEST_FAST_HASH=1`` (the test suite only) a minimal one.

    Any stored hash verifies either way: Argon2 keeps its parameters in the hash itself.
    """
    if os.environ.get("CASEFLOW_TEST_FAST_HASH") == "1":
        return PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    return PasswordHash.recommended()


_hasher = _make_hasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, hashed: str) -> bool:
    return _hasher.verify(password, hashed)


@cache
def _decoy() -> str:
    return _hasher.hash("caseflow decoy password, never valid")


def verify_decoy(password: str) -> None:
    """Spend the time of a real check when there is no user, so timing does not reveal names."""
    _hasher.verify(password, _decoy())


def make_token(username: str, session_id: str, secret: str, minutes: int) -> str:
    now = datetime.now(UTC)
    claims = {"sub": username, "sid": session_id, "iat": now, "exp": now + timedelta(minutes=minutes)}
    return jwt.encode(claims, secret, "HS256")


def read_token(token: str, secret: str) -> str | None:
    """The session id of a well-signed, unexpired token, or None.

    A token once checked is remembered with its expiry (a client sends the same one with every
    request, and decoding it costs more than the rest of a short request's work); whether its
    session is still open is asked of the database every time (``sessions.session_actor``)."""
    known = _checked.get((token, secret))
    if known is not None:
        session_id, expires = known
        return session_id if datetime.now(UTC).timestamp() < expires else None
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    session_id, expires = claims.get("sid"), claims.get("exp")
    if not isinstance(session_id, str):
        return None
    if not isinstance(expires, int | float):  # not ours to remember (ours always expire)
        return session_id
    if len(_checked) >= _CHECKED_KEPT:
        _checked.clear()
    _checked[(token, secret)] = (session_id, float(expires))
    return session_id


_CHECKED_KEPT = 10_000
_checked: dict[tuple[str, str], tuple[str, float]] = {}
