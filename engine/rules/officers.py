"""Officers and their 执法证: who may take an enforcement step on the day it is taken.

处罚法第四十二条 (令4号第十六条): investigation and every enforcement act are done by at least two
officers holding 执法证. A certificate counts only if it is in the bureau's register, its
registered holder is the officer named on the case, and it is valid on the day of the act
(a certificate registered without dates has no date bounds). The service loads the register's
entries for the numbers a case names into ``Context.certificates``; nothing here reads a database.
"""

from __future__ import annotations

from typing import Any

from engine.errors import RuleViolation
from engine.registry import Context, guard
from engine.rules.common import active_officers, check_officers
from engine.timeutil import local

LAW = "（行政处罚法第四十二条；医疗保障行政处罚程序暂行规定第十六条）"
USABLE = ("有效", "有效期未登记")


def check_certificate(ctx: Context, officer: dict[str, Any]) -> None:
    """Refuse an officer whose 执法证 is unregistered, held by someone else or not valid that day."""
    number = str(officer.get("cert_no") or "").strip()
    name = str(officer.get("name") or "").strip()
    on = local(ctx.occurred_at).date()
    cert = ctx.certificates.get(number)
    if cert is None:
        raise RuleViolation(
            "CERT_NOT_REGISTERED",
            f"{name or '执法人员'}的执法证“{number}”未在本局执法证登记册中登记，不能从事执法活动{LAW}",
            cert_no=number,
            name=name,
        )
    if cert.holder != name:
        raise RuleViolation(
            "CERT_HOLDER_MISMATCH",
            f"执法证“{number}”登记的持证人是{cert.holder}，不是{name}{LAW}",
            cert_no=number,
            name=name,
            holder=cert.holder,
        )
    status = cert.status(on)
    if status not in USABLE:
        raise RuleViolation(
            "CERT_NOT_VALID",
            f"{name}的执法证“{number}”在{on:%Y年%m月%d日}{status}，不能从事执法活动{LAW}",
            cert_no=number,
            name=name,
            status=status,
            on=on.isoformat(),
        )


@guard("certified_officers", per_case=True)
def certified_officers(ctx: Context) -> None:
    """At least two distinct officers, each with a registered, matching certificate valid today."""
    check_officers(ctx.case.officers)
    for officer in active_officers(ctx.case.officers):
        check_certificate(ctx, officer)


@guard("replacement_certified", needs_input=True)
def replacement_certified(ctx: Context) -> None:
    """An officer who joins a case in place of a recused one holds a valid certificate too."""
    replacement = ctx.payload.get("replacement")
    if isinstance(replacement, dict) and replacement.get("cert_no"):
        check_certificate(ctx, replacement)


def certificate_numbers(officers: list[dict[str, Any]], payload: dict[str, Any]) -> list[str]:
    """The certificate numbers an action may need to look up: the case's and any the payload names."""
    numbers = [str(o.get("cert_no") or "") for o in officers]
    for key in ("officers", "replacement"):
        value = payload.get(key)
        for entry in value if isinstance(value, list) else [value]:
            if isinstance(entry, dict) and entry.get("cert_no"):
                numbers.append(str(entry["cert_no"]))
    return [n for n in numbers if n.strip()]
