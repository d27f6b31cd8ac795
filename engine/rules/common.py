"""Guards and actions shared by every flow: required input, officers, recorded facts, clocks."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from engine.errors import InvalidInput, RuleViolation
from engine.registry import Context, action, guard
from engine.timeutil import parse_moment


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and len(value) == 0)


def money(value: Any, field: str) -> Decimal:
    """A non-negative amount of yuan from user input, or a clear refusal naming the field."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput("INVALID_AMOUNT", f"金额“{field}”不是有效的数字：{value}", field=field) from None
    if amount < 0 or not amount.is_finite():
        raise InvalidInput("INVALID_AMOUNT", f"金额“{field}”不能为负数：{value}", field=field)
    return amount.quantize(Decimal("0.01"))


@guard("requires", needs_input=True)
def requires(ctx: Context, fields: list[str], labels: dict[str, str] | None = None) -> None:
    """The payload must carry every listed field (dotted paths allowed)."""
    for path in fields:
        value: Any = ctx.payload
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if is_blank(value):
            label = (labels or {}).get(path, path)
            raise InvalidInput("FIELD_REQUIRED", f"缺少必填项：{label}", field=path)


def active_officers(officers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [o for o in officers if not o.get("recused")]


def check_officers(officers: list[dict[str, Any]]) -> None:
    """处罚法第四十二条、条例第二十九条: at least two officers with distinct certificates."""
    active = active_officers(officers)
    certs = [str(o.get("cert_no") or "").strip() for o in active]
    if len(active) < 2 or any(not c for c in certs) or len(set(certs)) != len(certs):
        raise RuleViolation(
            "OFFICERS_INSUFFICIENT",
            "执法人员不得少于两人，且每人须持有执法证、执法证号不得重复（行政处罚法第四十二条；"
            "医疗保障基金使用监督管理条例第二十九条）",
            officers=[{"name": o.get("name"), "cert_no": o.get("cert_no")} for o in active],
        )


@guard("two_officers")
def two_officers(ctx: Context) -> None:
    check_officers(ctx.case.officers)


@action("record")
def record(ctx: Context, into: str, fields: list[str] | None = None) -> None:
    """Store the payload (or the named fields of it) under ``data[into]``."""
    chosen = ctx.payload if fields is None else {k: ctx.payload.get(k) for k in fields}
    ctx.case.data[into] = dict(chosen)


@action("append")
def append(ctx: Context, into: str) -> None:
    """Append the payload, stamped with the moment, to the list ``into``: a row of its own (engine.entries)."""
    entry = dict(ctx.payload)
    entry["at"] = ctx.occurred_at.isoformat()
    ctx.case.add_entry(into, entry)


@action("set_flag")
def set_flag(ctx: Context, name: str, value: Any = True) -> None:
    ctx.case.data[name] = value


@guard("flag_set")
def flag_set(ctx: Context, name: str, code: str, message: str) -> None:
    if not ctx.case.fact(name):
        raise RuleViolation(code, message)


@guard("flag_not_set")
def flag_not_set(ctx: Context, name: str, code: str, message: str) -> None:
    if ctx.case.fact(name):
        raise RuleViolation(code, message)


@guard("date_field", needs_input=True)
def date_field(ctx: Context, field: str, label: str) -> None:
    """A payload field must be a valid date or moment."""
    value = ctx.payload.get(field)
    if is_blank(value):
        raise InvalidInput("FIELD_REQUIRED", f"缺少必填项：{label}", field=field)
    try:
        parse_moment(str(value))
    except ValueError:
        raise InvalidInput("INVALID_DATE", f"“{label}”不是有效的日期：{value}", field=field) from None


@guard("choice", needs_input=True)
def choice(ctx: Context, field: str, options: dict[str, str], label: str) -> None:
    """A payload field must be one of the listed options (key → Chinese label)."""
    value = ctx.payload.get(field)
    if value not in options:
        allowed = "、".join(options.values())  # the words users read; the keys go in the detail
        raise InvalidInput(
            "INVALID_CHOICE", f"“{label}”须为以下之一：{allowed}", field=field, value=value, options=list(options)
        )
