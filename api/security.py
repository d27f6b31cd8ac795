"""Password hashing (pwdlib, Argon2) and bearer tokens (JWT, HS256)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, hashed: str) -> bool:
    return _hasher.verify(password, hashed)


def make_token(username: str, secret: str, minutes: int) -> str:
    now = datetime.now(UTC)
    return jwt.encode({"sub": username, "iat": now, "exp": now + timedelta(minutes=minutes)}, secret, "HS256")


def read_token(token: str, secret: str) -> str | None:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    subject = claims.get("sub")
    return subject if isinstance(subject, str) else None
