"""Users and bureaus: creation, authentication with lockout, and the actor of a request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.security import hash_password, verify_password
from engine.definitions import Role
from engine.errors import InvalidInput
from engine.model import Actor
from engine.persistence import unit_of_work
from engine.tables import Bureau, User

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


def actor_of(user: User) -> Actor:
    assert user.id is not None
    return Actor(
        user_id=user.id,
        username=user.username,
        name=user.name,
        roles=frozenset(Role(r) for r in user.roles),
        bureau=user.bureau_code,
        cert_no=user.cert_no,
    )


def create_user(
    engine: Engine,
    username: str,
    *,
    bureau: str,
    roles: list[str],
    password: str,
    name: str | None = None,
    cert_no: str | None = None,
) -> User:
    """Create a user; officers need a certificate number (执法证号)."""
    unknown = [r for r in roles if r not in Role.__members__]
    if not roles or unknown:
        raise InvalidInput(
            "ROLE_INVALID", f"角色无效：{unknown or roles}；可选：{'、'.join(Role.__members__)}", roles=roles
        )
    if "officer" in roles and not cert_no:
        raise InvalidInput("CERT_NO_REQUIRED", "执法人员须填写执法证号", field="cert_no")
    if len(password) < 8:
        raise InvalidInput("PASSWORD_TOO_SHORT", "密码至少8位", field="password")
    with unit_of_work(engine) as session:
        if session.exec(select(Bureau).where(Bureau.code == bureau)).first() is None:
            raise InvalidInput("BUREAU_NOT_FOUND", f"没有代码为“{bureau}”的医保局", bureau=bureau)
        if session.exec(select(User).where(User.username == username)).first() is not None:
            raise InvalidInput("USERNAME_TAKEN", f"用户名“{username}”已存在", username=username)
        user = User(
            username=username,
            name=name or username,
            bureau_code=bureau,
            roles=roles,
            cert_no=cert_no,
            password_hash=hash_password(password),
        )
        session.add(user)
    return user


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    """The user if the password is right and the account is not locked; counts failures."""
    now = datetime.now(UTC)
    with unit_of_work(engine) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None or not user.active:
            return None
        if user.locked_until is not None and _aware(user.locked_until) > now:
            return None
        if not verify_password(password, user.password_hash):
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILED_LOGINS:
                user.locked_until = now + LOCKOUT
                user.failed_logins = 0
            session.add(user)
            return None
        user.failed_logins = 0
        user.locked_until = None
        session.add(user)
        return user


def is_locked(engine: Engine, username: str) -> bool:
    with Session(engine) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        return bool(user and user.locked_until and _aware(user.locked_until) > datetime.now(UTC))


def user_by_name(engine: Engine, username: str) -> User | None:
    with Session(engine) as session:
        return session.exec(select(User).where(User.username == username)).first()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
