"""Users: creation, changes by an administrator, passwords; each change goes into the admin record.

Every function here is one transaction: the change, its entry in the bureau's record of
administration (engine.admin_log) and, where the change must end logins (a new password, a
disabled account), the end of every session of the user.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.security import hash_password, verify_password
from engine import admin_log, certificates, login_throttle, sessions
from engine.definitions import ROLE_LABELS, Role
from engine.errors import Forbidden, InvalidInput, NotFound
from engine.model import Actor
from engine.passwords import check_password
from engine.persistence import unit_of_work
from engine.tables import Bureau, Certificate, Department, User

SYSTEM = "system"  # changes made by code (demo data, tests), not by a person
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,39}$")


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


def user_by_name(engine: Engine, username: str) -> User | None:
    with Session(engine) as session:
        return session.exec(select(User).where(User.username == username)).first()


def _now() -> datetime:
    return datetime.now(UTC)


def _roles(roles: list[str]) -> list[str]:
    unknown = [r for r in roles if r not in Role.__members__]
    if not roles or unknown:
        choices = "、".join(f"{ROLE_LABELS[r]}（{r.value}）" for r in Role)
        raise InvalidInput("ROLE_INVALID", f"角色无效：{'、'.join(unknown) or '未选择角色'}；可选：{choices}", roles=roles)
    return sorted(set(roles), key=list(Role.__members__).index)


def _name(name: str | None, fallback: str) -> str:
    name = (name or "").strip() or fallback
    if len(name) > 80:
        raise InvalidInput("NAME_TOO_LONG", "姓名不能超过80个字", field="name")
    return name


def _department(session: Session, bureau: str, name: str | None) -> Department | None:
    if not (name or "").strip():
        return None
    department = session.exec(
        select(Department).where(col(Department.bureau_code) == bureau, col(Department.name) == (name or "").strip())
    ).first()
    if department is None or not department.active:
        raise InvalidInput("DEPARTMENT_NOT_FOUND", f"本局没有承办机构“{name}”", field="department")
    return department


def find_user(session: Session, bureau: str | None, username: str) -> User:
    query = select(User).where(col(User.username) == username)
    if bureau is not None:
        query = query.where(col(User.bureau_code) == bureau)
    user = session.exec(query).first()
    if user is None:
        where = "本局" if bureau is not None else "系统中"
        raise NotFound("USER_NOT_FOUND", f"{where}没有用户“{username}”", username=username)
    return user


def _link_certificate(
    session: Session, user: User, cert_no: str, valid_from: date | None, valid_to: date | None, now: datetime
) -> bool:
    """Register a user's 执法证, or link it if the same person's other account holds it already.

    The same person may have two accounts (a reviewer who was an officer, a transfer between
    bureaus); another person's certificate number is refused.

    Returns whether a new certificate was registered.
    """
    held = session.exec(
        select(Certificate, User)
        .join(User, col(User.id) == col(Certificate.user_id))
        .where(col(Certificate.kind) == certificates.ENFORCEMENT, col(Certificate.number) == cert_no)
    ).first()
    if held is not None:
        cert, holder = held
        if holder.name != user.name:
            raise InvalidInput(
                "CERT_NO_TAKEN", f"执法证号“{cert_no}”已登记给{holder.name}，不能重复登记", cert_no=cert_no
            )
        user.cert_no = cert.number
        return False
    certificates.register(
        session,
        kind=certificates.ENFORCEMENT,
        number=cert_no,
        holder=user,
        valid_from=valid_from,
        valid_to=valid_to,
        issuer=None,
        at=now,
    )
    user.cert_no = cert_no
    return True


def create_user(
    engine: Engine,
    username: str,
    *,
    bureau: str,
    roles: list[str],
    password: str,
    name: str | None = None,
    cert_no: str | None = None,
    cert_valid_from: date | None = None,
    cert_valid_to: date | None = None,
    department: str | None = None,
    by: str = SYSTEM,
) -> User:
    """Create a user; officers need a 执法证 number, which is registered (dates optional)."""
    username = username.strip()
    if not USERNAME.match(username):
        raise InvalidInput(
            "USERNAME_INVALID", "用户名须为2至40位字母、数字或 . _ -，以字母或数字开头", field="username"
        )
    roles = _roles(roles)
    cert_no = (cert_no or "").strip() or None
    if "officer" in roles and not cert_no:
        raise InvalidInput("CERT_NO_REQUIRED", "执法人员须填写执法证号", field="cert_no")
    check_password(password, username)
    now = _now()
    with unit_of_work(engine) as session:
        if session.exec(select(Bureau).where(Bureau.code == bureau)).first() is None:
            raise InvalidInput("BUREAU_NOT_FOUND", f"没有代码为“{bureau}”的医保局", bureau=bureau)
        if session.exec(select(User).where(User.username == username)).first() is not None:
            raise InvalidInput("USERNAME_TAKEN", f"用户名“{username}”已存在", username=username)
        unit = _department(session, bureau, department)
        user = User(
            username=username,
            name=_name(name, username),
            bureau_code=bureau,
            roles=roles,
            password_hash=hash_password(password),
            department_id=unit.id if unit else None,
        )
        session.add(user)
        session.flush()
        details: dict[str, Any] = {"name": user.name, "roles": roles, "department": unit.name if unit else None}
        if cert_no:
            _link_certificate(session, user, cert_no, cert_valid_from, cert_valid_to, now)
            details["cert_no"] = cert_no
        admin_log.record(
            session, bureau=bureau, actor=by, action="user.create", target=username, details=details, at=now
        )
    return user


def update_user(
    engine: Engine,
    bureau: str | None,
    username: str,
    *,
    by: Actor | str,
    name: str | None = None,
    roles: list[str] | None = None,
    department: str | None = None,
    active: bool | None = None,
) -> int:
    """Change a user's name, roles, department or enabled state, all at once or not at all.

    None leaves a field as it is; "" clears the department. Disabling ends every session of
    the user. Returns how many sessions were ended.
    """
    now = _now()
    with unit_of_work(engine) as session:
        user = find_user(session, bureau, username)
        assert user.id is not None
        myself = isinstance(by, Actor) and by.user_id == user.id
        before = _summary(session, user)
        if name is not None:
            user.name = _name(name, user.name)
        if roles is not None:
            roles = _roles(roles)
            if "officer" in roles and not user.cert_no:
                raise InvalidInput(
                    "CERT_NO_REQUIRED", "执法人员须持有执法证：请先在执法证登记册中为该用户登记执法证", field="roles"
                )
            if myself and "admin" not in roles:
                raise Forbidden("ADMIN_SELF_DEMOTE", "不能取消自己的管理员角色（请由另一位管理员操作）")
            user.roles = roles
        if department is not None:
            unit = _department(session, user.bureau_code, department)
            user.department_id = unit.id if unit else None
        if active is False and myself:
            raise Forbidden("ADMIN_SELF_DISABLE", "不能停用自己的账户（请由另一位管理员操作）")
        session.add(user)
        session.flush()
        after = _summary(session, user)
        changed = {k: [before[k], after[k]] for k in before if before[k] != after[k] and k != "active"}
        if changed:
            admin_log.record(
                session,
                bureau=user.bureau_code,
                actor=actor_name(by),
                action="user.update",
                target=username,
                details={"changes": changed},
                at=now,
            )
        ended = 0
        if active is not None and active != user.active:
            user.active = active
            session.add(user)
            ended = 0 if active else sessions.end_all(session, user.id, "disabled", now)
            admin_log.record(
                session,
                bureau=user.bureau_code,
                actor=actor_name(by),
                action="user.enable" if active else "user.disable",
                target=username,
                details={} if active else {"sessions_ended": ended},
                at=now,
            )
    return ended


def set_active(engine: Engine, bureau: str | None, username: str, active: bool, *, by: Actor | str) -> int:
    """Enable or disable a user; disabling ends every session at once. Returns sessions ended."""
    return update_user(engine, bureau, username, by=by, active=active)


def reset_password(engine: Engine, bureau: str | None, username: str, password: str, *, by: Actor | str) -> int:
    """An administrator (or the command line) sets a new password; every session of the user ends."""
    now = _now()
    check_password(password, username)
    with unit_of_work(engine) as session:
        user = find_user(session, bureau, username)
        user.password_hash = hash_password(password)
        session.add(user)
        assert user.id is not None
        ended = sessions.end_all(session, user.id, "password_reset", now)
        login_throttle.clear(session, login_throttle.ACCOUNT, username)
        admin_log.record(
            session,
            bureau=user.bureau_code,
            actor=actor_name(by),
            action="user.password_reset",
            target=username,
            details={"sessions_ended": ended},
            at=now,
        )
    return ended


def change_own_password(engine: Engine, actor: Actor, current: str, new: str) -> int:
    """A user changes his own password (修改密码); every session, this one included, ends."""
    now = _now()
    with unit_of_work(engine) as session:
        user = find_user(session, None, actor.username)
        if not verify_password(current, user.password_hash):
            raise InvalidInput("PASSWORD_WRONG", "原密码不正确", field="current")
        if current == new:
            raise InvalidInput("PASSWORD_UNCHANGED", "新密码不能与原密码相同", field="password")
        check_password(new, user.username)
        user.password_hash = hash_password(new)
        session.add(user)
        assert user.id is not None
        ended = sessions.end_all(session, user.id, "password_changed", now)
        admin_log.record(
            session,
            bureau=user.bureau_code,
            actor=user.username,
            action="user.password_change",
            target=user.username,
            details={"sessions_ended": ended},
            at=now,
        )
    return ended


def unlock(engine: Engine, bureau: str, username: str, *, by: Actor | str) -> bool:
    """Lift the login lock of an account before it runs out; False if it was not locked."""
    now = _now()
    with unit_of_work(engine) as session:
        user = find_user(session, bureau, username)
        if not login_throttle.clear(session, login_throttle.ACCOUNT, username):
            return False
        admin_log.record(
            session, bureau=user.bureau_code, actor=actor_name(by), action="user.unlock", target=username, details={}, at=now
        )
    return True


def listing(engine: Engine, bureau: str) -> list[dict[str, Any]]:
    """The bureau's users with department, certificate, lock and open sessions, by username."""
    now = _now()
    with Session(engine) as session:
        users = session.exec(select(User).where(col(User.bureau_code) == bureau).order_by(col(User.username))).all()
        locks = login_throttle.locked_keys(session, login_throttle.ACCOUNT, now)
        return [
            {
                **_summary(session, user),
                "username": user.username,
                "locked_until": locks.get(user.username),
                "sessions": sessions.open_count(session, user.id or 0, now),
            }
            for user in users
        ]


def _summary(session: Session, user: User) -> dict[str, Any]:
    department = session.get(Department, user.department_id) if user.department_id else None
    return {
        "name": user.name,
        "roles": list(user.roles),
        "department": department.name if department else None,
        "active": user.active,
        "cert_no": user.cert_no,
    }


def summary(engine: Engine, bureau: str, username: str) -> dict[str, Any]:
    with Session(engine) as session:
        user = find_user(session, bureau, username)
        return {"username": user.username, **_summary(session, user)}


def actor_name(by: Actor | str) -> str:
    return by.username if isinstance(by, Actor) else by
