"""The register of 执法证 (enforcement certificates) and 法律职业资格 (legal qualifications).

An officer may act only while holding a valid certificate (处罚法第四十二条; 令4号第十六条), and
a first-time 法制审核 reviewer needs a legal qualification (处罚法第五十八条). The register
records number, holder, issuing body, validity and status; a certificate entered without
dates has no date bounds and shows as 有效期未登记. Guards call ``valid_certificate``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from engine.errors import InvalidInput, NotFound, RuleViolation
from engine.model import RegisteredCertificate
from engine.tables import Certificate, User

ENFORCEMENT = "enforcement"
LEGAL = "legal"
KINDS = {ENFORCEMENT: "执法证", LEGAL: "法律职业资格证书"}


def status_label(cert: Certificate, on: date) -> str:
    """有效 / 有效期未登记 / 尚未生效 / 已过期 / 已注销, as of a day."""
    return RegisteredCertificate(cert.number, "", cert.valid_from, cert.valid_to, cert.status == "revoked").status(on)


def registered(session: Session, numbers: Iterable[str]) -> dict[str, RegisteredCertificate]:
    """The registered 执法证 among ``numbers`` with their holders' names, by number (one query).

    What an action's guards read to check that a case's officers hold valid certificates.
    """
    wanted = sorted({n.strip() for n in numbers if n and n.strip()})
    if not wanted:
        return {}
    rows = session.connection().execute(_registered(len(wanted)), {f"n{i}": n for i, n in enumerate(wanted)})
    return {
        row.number: RegisteredCertificate(row.number, row.name, row.valid_from, row.valid_to, row.status == "revoked")
        for row in rows
    }


_CERT = Certificate.__table__  # type: ignore[attr-defined]
_USER = User.__table__  # type: ignore[attr-defined]


@cache
def _registered(count: int) -> Select[Any]:
    """Plain rows for ``count`` numbers, built once per count: the certificate guards of an action or
    a case view ask this (a case names two or three numbers), so its SQL is cached and prepared."""
    return (
        sa_select(_CERT.c.number, _USER.c.name, _CERT.c.valid_from, _CERT.c.valid_to, _CERT.c.status)
        .join(_USER, _USER.c.id == _CERT.c.user_id)
        .where(_CERT.c.kind == ENFORCEMENT, _CERT.c.number.in_([bindparam(f"n{i}") for i in range(count)]))
    )


def register(
    session: Session,
    *,
    kind: str,
    number: str,
    holder: User,
    valid_from: date | None,
    valid_to: date | None,
    issuer: str | None,
    at: datetime,
) -> Certificate:
    """Add a certificate to the register (inside the caller's transaction)."""
    number = number.strip()
    if kind not in KINDS:
        raise InvalidInput("CERT_KIND_INVALID", f"证件类别无效：{kind}（可选：执法证、法律职业资格证书）", kind=kind)
    if not number or len(number) > 60:
        raise InvalidInput("CERT_NO_INVALID", "证号须为1至60个字符", field="number")
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise InvalidInput(
            "CERT_DATES_INVALID",
            f"有效期止（{valid_to}）早于有效期起（{valid_from}）",
            valid_from=str(valid_from),
            valid_to=str(valid_to),
        )
    taken = session.exec(
        select(Certificate).where(col(Certificate.kind) == kind, col(Certificate.number) == number)
    ).first()
    if taken is not None:
        raise InvalidInput(
            "CERT_NO_TAKEN", f"{KINDS[kind]}“{number}”已登记，不能重复登记", number=number
        )
    assert holder.id is not None
    cert = Certificate(
        kind=kind,
        number=number,
        user_id=holder.id,
        bureau_code=holder.bureau_code,
        issuer=(issuer or "").strip() or None,
        valid_from=valid_from,
        valid_to=valid_to,
        registered_at=at,
    )
    session.add(cert)
    return cert


def find(session: Session, bureau: str, number: str, kind: str = ENFORCEMENT) -> Certificate:
    cert = session.exec(
        select(Certificate).where(
            col(Certificate.kind) == kind,
            col(Certificate.number) == number.strip(),
            col(Certificate.bureau_code) == bureau,
        )
    ).first()
    if cert is None:
        raise NotFound("CERT_NOT_FOUND", f"本局没有登记{KINDS.get(kind, '证件')}“{number}”", number=number)
    return cert


def listing(session: Session, bureau: str | None = None) -> list[tuple[Certificate, User]]:
    """Certificates with their holders, by kind and number."""
    query = select(Certificate, User).join(User, col(User.id) == col(Certificate.user_id))
    if bureau is not None:
        query = query.where(col(Certificate.bureau_code) == bureau)
    rows = session.exec(query.order_by(col(Certificate.kind), col(Certificate.number))).all()
    return [(cert, user) for cert, user in rows]


def valid_certificate(session: Session, cert_no: str, name: str, on_date: date) -> Certificate:
    """The registered 执法证 ``cert_no`` if it is held by ``name`` and valid on ``on_date``.

    Raises RuleViolation naming what is wrong: not registered, another holder, revoked, not
    yet valid or expired. A certificate without registered dates has no date bounds.
    """
    cert_no = cert_no.strip()
    found = session.exec(
        select(Certificate, User)
        .join(User, col(User.id) == col(Certificate.user_id))
        .where(col(Certificate.kind) == ENFORCEMENT, col(Certificate.number) == cert_no)
    ).first()
    law = "（处罚法第四十二条）"
    if found is None:
        raise RuleViolation("CERT_NOT_REGISTERED", f"执法证“{cert_no}”未在执法证登记册中登记{law}", cert_no=cert_no)
    cert, holder = found
    if holder.name != name.strip():
        raise RuleViolation(
            "CERT_HOLDER_MISMATCH",
            f"执法证“{cert_no}”登记的持证人是{holder.name}，不是{name}{law}",
            cert_no=cert_no,
            name=name,
        )
    status = status_label(cert, on_date)
    if status not in ("有效", "有效期未登记"):
        raise RuleViolation(
            "CERT_NOT_VALID",
            f"{holder.name}的执法证“{cert_no}”在{on_date:%Y年%m月%d日}{status}{law}",
            cert_no=cert_no,
            status=status,
        )
    return cert
