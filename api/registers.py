"""Departments (承办机构) and the certificate register, changed with an entry in the admin record."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.users import actor_name, find_user
from engine import admin_log, certificates
from engine.errors import InvalidInput, RuleViolation
from engine.model import Actor
from engine.persistence import reading, unit_of_work
from engine.tables import Certificate, Department, User


def departments(engine: Engine, bureau: str) -> list[Department]:
    with Session(reading(engine)) as session:  # the dashboard asks on every view: no BEGIN/ROLLBACK
        return list(
            session.exec(
                select(Department).where(col(Department.bureau_code) == bureau).order_by(col(Department.name))
            ).all()
        )


def _department_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 80:
        raise InvalidInput("DEPARTMENT_NAME_INVALID", "承办机构名称须为1至80个字", field="name")
    return name


def add_department(engine: Engine, bureau: str, name: str, *, by: Actor | str) -> Department:
    name = _department_name(name)
    now = datetime.now(UTC)
    with unit_of_work(engine) as session:
        exists = session.exec(
            select(Department).where(col(Department.bureau_code) == bureau, col(Department.name) == name)
        ).first()
        if exists is not None:
            raise InvalidInput("DEPARTMENT_EXISTS", f"承办机构“{name}”已存在", name=name)
        department = Department(bureau_code=bureau, name=name)
        session.add(department)
        admin_log.record(
            session, bureau=bureau, actor=actor_name(by), action="department.create", target=name, details={}, at=now
        )
    return department


def update_department(
    engine: Engine, bureau: str, department_id: int, *, by: Actor | str, name: str | None = None,
    active: bool | None = None,
) -> Department:
    """Rename a department or take it out of use (its users keep it until reassigned)."""
    now = datetime.now(UTC)
    with unit_of_work(engine) as session:
        department = session.get(Department, department_id)
        if department is None or department.bureau_code != bureau:
            raise InvalidInput("DEPARTMENT_NOT_FOUND", "本局没有这个承办机构", department=department_id)
        changes: dict[str, list[Any]] = {}
        if name is not None and _department_name(name) != department.name:
            new_name = _department_name(name)
            clash = session.exec(
                select(Department).where(col(Department.bureau_code) == bureau, col(Department.name) == new_name)
            ).first()
            if clash is not None:
                raise InvalidInput("DEPARTMENT_EXISTS", f"承办机构“{new_name}”已存在", name=new_name)
            changes["name"] = [department.name, new_name]
            department.name = new_name
        if active is not None and active != department.active:
            changes["active"] = [department.active, active]
            department.active = active
        if changes:
            session.add(department)
            admin_log.record(
                session,
                bureau=bureau,
                actor=actor_name(by),
                action="department.update",
                target=department.name,
                details={"changes": changes},
                at=now,
            )
    return department


def add_certificate(
    engine: Engine,
    username: str,
    number: str,
    *,
    by: Actor | str,
    bureau: str | None = None,
    kind: str = certificates.ENFORCEMENT,
    valid_from: date | None = None,
    valid_to: date | None = None,
    issuer: str | None = None,
) -> Certificate:
    """Register a certificate for a user; a 执法证 becomes the user's current certificate number."""
    now = datetime.now(UTC)
    with unit_of_work(engine) as session:
        holder = find_user(session, bureau, username)
        cert = certificates.register(
            session,
            kind=kind,
            number=number,
            holder=holder,
            valid_from=valid_from,
            valid_to=valid_to,
            issuer=issuer,
            at=now,
        )
        if kind == certificates.ENFORCEMENT:
            holder.cert_no = cert.number
            session.add(holder)
        admin_log.record(
            session,
            bureau=holder.bureau_code,
            actor=actor_name(by),
            action="certificate.add",
            target=cert.number,
            details={
                "kind": kind,
                "holder": f"{holder.name}（{holder.username}）",
                "issuer": cert.issuer,
                "valid_from": str(valid_from) if valid_from else "未登记",
                "valid_to": str(valid_to) if valid_to else "未登记",
            },
            at=now,
        )
    return cert


def revoke_certificate(
    engine: Engine,
    number: str,
    reason: str,
    *,
    by: Actor | str,
    bureau: str | None = None,
    kind: str = certificates.ENFORCEMENT,
) -> Certificate:
    """Mark a certificate revoked (注销); its holder falls back to another valid 执法证, if any."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("REASON_REQUIRED", "请填写注销原因", field="reason")
    now = datetime.now(UTC)
    with unit_of_work(engine) as session:
        query = select(Certificate).where(col(Certificate.kind) == kind, col(Certificate.number) == number.strip())
        if bureau is not None:
            query = query.where(col(Certificate.bureau_code) == bureau)
        cert = session.exec(query).first()
        if cert is None:
            raise InvalidInput("CERT_NOT_FOUND", f"没有登记{certificates.KINDS.get(kind, '证件')}“{number}”", number=number)
        if cert.status == "revoked":
            raise RuleViolation("CERT_ALREADY_REVOKED", f"证件“{cert.number}”已于此前注销", number=cert.number)
        cert.status, cert.revoked_at, cert.revoked_reason = "revoked", now, reason[:200]
        session.add(cert)
        holder = session.get(User, cert.user_id)
        assert holder is not None
        if kind == certificates.ENFORCEMENT and holder.cert_no == cert.number:
            others = session.exec(
                select(Certificate).where(
                    col(Certificate.user_id) == holder.id,
                    col(Certificate.kind) == kind,
                    col(Certificate.status) == "active",
                    col(Certificate.id) != cert.id,
                ).order_by(col(Certificate.registered_at).desc())
            ).all()
            today = now.date()
            valid = [c for c in others if certificates.status_label(c, today) in ("有效", "有效期未登记")]
            holder.cert_no = valid[0].number if valid else None
            session.add(holder)
        admin_log.record(
            session,
            bureau=cert.bureau_code,
            actor=actor_name(by),
            action="certificate.revoke",
            target=cert.number,
            details={"kind": kind, "holder": f"{holder.name}（{holder.username}）", "reason": reason},
            at=now,
        )
    return cert


def certificate_rows(engine: Engine, bureau: str | None, on: date) -> list[dict[str, Any]]:
    """The register as rows for pages, the API and the command line."""
    with Session(engine) as session:
        return [
            {
                "id": cert.id,
                "kind": cert.kind,
                "kind_label": certificates.KINDS.get(cert.kind, cert.kind),
                "number": cert.number,
                "username": user.username,
                "holder": user.name,
                "bureau": cert.bureau_code,
                "issuer": cert.issuer,
                "valid_from": cert.valid_from.isoformat() if cert.valid_from else None,
                "valid_to": cert.valid_to.isoformat() if cert.valid_to else None,
                "status": cert.status,
                "status_label": certificates.status_label(cert, on),
                "revoked_reason": cert.revoked_reason,
            }
            for cert, user in certificates.listing(session, bureau)
        ]
