"""Guards and actions of the internal procedures every bureau runs: 委托执法 (处罚法第二十条、第二十一条)
and 协查 (处罚法第二十六条)."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.errors import InvalidInput, RuleViolation
from engine.registry import Context, action, guard
from engine.rules.common import is_blank
from engine.timeutil import local, parse_moment


def _day(value: Any, field: str, label: str) -> date:
    if is_blank(value):
        raise InvalidInput("FIELD_REQUIRED", f"缺少必填项：{label}", field=field)
    try:
        return local(parse_moment(str(value))).date()
    except ValueError:
        raise InvalidInput("INVALID_DATE", f"“{label}”不是有效的日期：{value}", field=field) from None


def _matters(value: Any) -> list[str]:
    raw = value if isinstance(value, list) else str(value or "").replace("；", "\n").splitlines()
    return [str(m).strip() for m in raw if str(m).strip()]


@guard("entrustment_terms", needs_input=True)
def entrustment_terms(ctx: Context) -> None:
    """处罚法第二十条第二款: the 委托书 states the matters, the powers and the period."""
    start = _day(ctx.case.data.get("valid_from"), "valid_from", "委托期限起始日")
    end = _day(ctx.case.data.get("valid_to"), "valid_to", "委托期限届满日")
    if end <= start:
        raise InvalidInput("INVALID_DATE", "委托期限届满日须晚于起始日", field="valid_to")
    if not _matters(ctx.case.data.get("matters")):
        raise InvalidInput("FIELD_REQUIRED", "缺少必填项：委托的具体事项", field="matters")


@action("record_entrustment")
def record_entrustment(ctx: Context) -> None:
    """The signed 委托书: its matters and period; the period is the entrustment clock."""
    start = _day(ctx.case.data.get("valid_from"), "valid_from", "委托期限起始日")
    end = _day(ctx.case.data.get("valid_to"), "valid_to", "委托期限届满日")
    ctx.case.data["matters"] = _matters(ctx.case.data.get("matters"))
    ctx.case.data["entrustment_days"] = (end - start).days
    ctx.case.data["entrustment"] = {"signed_by": ctx.actor.username, "opinion": ctx.payload.get("opinion"),
                                    "at": ctx.occurred_at.isoformat()}


@guard("within_entrustment", needs_input=True)
def within_entrustment(ctx: Context) -> None:
    """处罚法第二十条: the entrusted organisation acts only within the published 委托书's matters and period."""
    if not ctx.case.data.get("entrustment_publication"):
        raise RuleViolation(
            "ENTRUSTMENT_NOT_PUBLISHED", "委托书尚未向社会公布，受委托组织不得实施行政处罚（行政处罚法第二十条第二款）"
        )
    matter = str(ctx.payload.get("matter") or "").strip()
    matters = ctx.case.data.get("matters") or []
    if matter not in matters:
        raise RuleViolation(
            "ENTRUSTMENT_OUT_OF_SCOPE",
            f"“{matter}”不在委托书载明的委托事项内（{'、'.join(matters)}）（行政处罚法第二十条）",
            matter=matter,
        )
    acted = _day(ctx.payload.get("acted_on") or ctx.occurred_at.isoformat(), "acted_on", "实施日期")
    start = _day(ctx.case.data.get("valid_from"), "valid_from", "委托期限起始日")
    end = _day(ctx.case.data.get("valid_to"), "valid_to", "委托期限届满日")
    if not start <= acted <= end:
        raise RuleViolation(
            "ENTRUSTMENT_PERIOD_OUT",
            f"实施日期{acted.isoformat()}不在委托期限（{start.isoformat()}至{end.isoformat()}）内（行政处罚法第二十条）",
            acted_on=acted.isoformat(),
        )


def _refusal_without_reasons() -> RuleViolation:
    return RuleViolation(
        "ASSISTANCE_REFUSAL_WITHOUT_REASONS",
        "不予协助的，应当书面说明理由（行政处罚法第二十六条）",
        field="reasons",
    )


@guard("assistance_refusal_reasons", needs_input=True)
def assistance_refusal_reasons(ctx: Context) -> None:
    if is_blank(ctx.payload.get("reasons")):
        raise _refusal_without_reasons()


@guard("assistance_reply_complete", needs_input=True)
def assistance_reply_complete(ctx: Context) -> None:
    """The other agency's reply: the result, or its refusal with the reasons it gave."""
    if ctx.payload.get("assisted") in (None, ""):
        raise InvalidInput("FIELD_REQUIRED", "缺少必填项：是否予以协助", field="assisted")
    if ctx.payload.get("assisted"):
        if is_blank(ctx.payload.get("result")):
            raise InvalidInput("FIELD_REQUIRED", "缺少必填项：协查结果", field="result")
    elif is_blank(ctx.payload.get("reasons")):
        raise _refusal_without_reasons()
