"""The hearing of a penalty case (听证, 处罚法第六十四条、第六十五条): host, day, record, end, recusal."""

from __future__ import annotations

from typing import Any

from engine.errors import InvalidInput, RuleViolation
from engine.registry import Context, action, guard
from engine.rules.common import is_blank
from engine.timeutil import local, parse_moment


def _is_investigator(ctx: Context, host: str) -> bool:
    """Whether ``host`` names one of the case's officers, recused ones included (they investigated too)."""
    host = host.strip()
    return any(host in (str(o.get("name") or "").strip(), str(o.get("cert_no") or "").strip())
               for o in ctx.case.officers)


def _check_host(ctx: Context, host: Any, field: str) -> None:
    if is_blank(host) or not isinstance(host, str):
        raise InvalidInput("FIELD_REQUIRED", "缺少必填项：听证主持人", field=field)
    if _is_investigator(ctx, host):
        raise RuleViolation(
            "HEARING_HOST_IS_INVESTIGATOR",
            f"听证主持人{host}是本案的调查人员；听证由行政机关指定的非本案调查人员主持（行政处罚法第六十四条第四项）",
            host=host,
        )


@guard("hearing_host_independent", needs_input=True)
def hearing_host_independent(ctx: Context) -> None:
    """处罚法第六十四条第四项: the host is not one of the case's investigators."""
    _check_host(ctx, ctx.payload.get("host"), "host")


def _hearing_day(ctx: Context) -> Any:
    raw = (ctx.case.data.get("hearing") or {}).get("hearing_at")
    return local(parse_moment(str(raw))).date() if raw else None


@guard("hearing_day_reached")
def hearing_day_reached(ctx: Context) -> None:
    """The hearing is held on or after the day the 听证通知书 named (处罚法第六十四条第二项)."""
    day = _hearing_day(ctx)
    today = local(ctx.occurred_at).date()
    if day is not None and today < day:
        raise RuleViolation(
            "HEARING_BEFORE_NOTIFIED_DAY",
            f"听证通知书确定的听证日期为{day.isoformat()}，不得提前举行（行政处罚法第六十四条第二项）",
            hearing_at=day.isoformat(),
        )


@guard("hearing_record_complete", needs_input=True)
def hearing_record_complete(ctx: Context) -> None:
    """处罚法第六十四条第八项: the record is checked and signed by the party (or his refusal noted by
    the host) and signed by the host."""
    if is_blank(ctx.payload.get("record")):
        raise InvalidInput("FIELD_REQUIRED", "缺少必填项：听证笔录内容", field="record")
    if not ctx.payload.get("party_signed") and is_blank(ctx.payload.get("refusal_note")):
        raise RuleViolation(
            "HEARING_RECORD_UNSIGNED",
            "听证笔录应当交当事人或者其代理人核对无误后签字或者盖章；拒绝签字或者盖章的，由听证主持人在笔录中注明"
            "（行政处罚法第六十四条第八项）",
        )
    if not ctx.payload.get("host_signed"):
        raise RuleViolation(
            "HEARING_RECORD_UNSIGNED", "听证笔录须由听证主持人签名（行政处罚法第六十四条第八项）"
        )


@action("hold_hearing")
def hold_hearing(ctx: Context) -> None:
    """The hearing is held: its record is kept, and the 法制审核 and 集体讨论 done before it no longer
    count: the decision rests on the hearing record (处罚法第五十八条第一款第三项、第六十五条)."""
    data = ctx.case.data
    data["hearing_held"] = True
    entry = {k: ctx.payload.get(k) for k in ("record", "party_signed", "refusal_note", "host_signed")}
    entry["host"] = (data.get("hearing") or {}).get("host")
    entry["at"] = ctx.occurred_at.isoformat()
    data.setdefault("hearing_records", []).append(entry)
    for key in ("legal_review", "collective_discussion"):
        earlier = data.pop(key, None)
        if earlier is not None:
            data.setdefault(f"{key}_before_hearing", []).append(earlier)


@guard("hearing_end_allowed", needs_input=True)
def hearing_end_allowed(ctx: Context) -> None:
    """Absence is known only on the hearing day; a withdrawal may come at any time (第六十四条第七项)."""
    if ctx.payload.get("reason") == "absent":
        hearing_day_reached(ctx)


@guard("host_recusal_valid", needs_input=True)
def host_recusal_valid(ctx: Context) -> None:
    """A granted recusal names a new host who is not an investigator either (第六十四条第四项)."""
    if ctx.payload.get("granted"):
        _check_host(ctx, ctx.payload.get("new_host"), "new_host")


@action("decide_host_recusal")
def decide_host_recusal(ctx: Context) -> None:
    data = ctx.case.data
    hearing = data.setdefault("hearing", {})
    granted = bool(ctx.payload.get("granted"))
    data.setdefault("host_recusals", []).append(
        {
            "host": hearing.get("host"),
            "reason": ctx.payload.get("reason"),
            "granted": granted,
            "new_host": ctx.payload.get("new_host") if granted else None,
            "at": ctx.occurred_at.isoformat(),
        }
    )
    if granted:
        hearing["host"] = ctx.payload.get("new_host")
