"""Guards and actions of applications (受理 → 审查 → 决定 → 告知 → 拨付), naming their sources.

The item's settings drive the flow: ``materials`` (the checklist), ``review_levels`` (e.g.
初审 → 复审), ``public_notice``, ``payout`` and ``immediate`` (当场办结).
"""

from __future__ import annotations

from typing import Any

from engine import bureau_settings
from engine.errors import InvalidInput, RuleViolation
from engine.materials import accepted_names, category_of, checklist, missing
from engine.registry import Context, action, guard
from engine.rules.common import is_blank, money
from engine.timeutil import local

NOTICE_METHODS = {"on_spot": "当场告知", "sms": "短信告知", "app": "网上（APP）告知", "phone": "电话告知",
                  "post": "邮寄告知"}


def required_materials(ctx: Context) -> list[str]:
    """The checklist's names for this applicant (the item's materials, then its category's)."""
    return [r.name for r in checklist(ctx.settings, ctx.case.data.get("category"))]


def received_materials(ctx: Context) -> list[str]:
    return [str(m) for m in ctx.case.data.get("materials_received") or []]


def _listed(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise InvalidInput("INVALID_MATERIALS", "材料须为材料名称的列表", field=field, value=value)
    return [v.strip() for v in value]


def missing_materials(ctx: Context) -> list[str]:
    """Each requirement none of whose alternatives was received (身份证或社保卡: either will do)."""
    return missing(checklist(ctx.settings, ctx.case.data.get("category")), received_materials(ctx))


def _take_materials(ctx: Context) -> None:
    """Add the materials of this request to those received; refuse names not on the checklist."""
    given = _listed(ctx.payload.get("materials_received"), "materials_received")
    required = checklist(ctx.settings, ctx.case.data.get("category"))
    allowed = accepted_names(required)
    unknown = [m for m in given if required and m not in allowed]
    if unknown:
        raise InvalidInput(
            "MATERIAL_NOT_ON_CHECKLIST",
            f"以下材料不在本事项的申请材料清单中：{'、'.join(unknown)}（清单：{'、'.join(allowed)}）",
            field="materials_received",
            unknown=unknown,
        )
    have = received_materials(ctx)
    ctx.case.data["materials_received"] = have + [m for m in given if m not in have]
    ctx.case.data["materials_missing"] = missing_materials(ctx)


@action("receive_application")
def receive_application(ctx: Context) -> None:
    """收件: record the materials the applicant handed in and list what is missing."""
    if is_blank(ctx.case.party.get("name")):
        raise InvalidInput("PARTY_NAME_REQUIRED", "缺少申请人名称或姓名", field="party.name")
    ctx.case.data.pop("materials_received", None)
    category = category_of(ctx.settings, ctx.case.data.get("category"))
    if category is None:
        ctx.case.data.pop("category", None)
    _take_materials(ctx)
    ctx.case.data["received_at"] = ctx.occurred_at.isoformat()


@action("take_supplement")
def take_supplement(ctx: Context) -> None:
    """补正: the applicant hands in (some of) the materials the one-time notice listed."""
    if is_blank(ctx.payload.get("materials_received")):
        raise InvalidInput("FIELD_REQUIRED", "缺少必填项：补正的材料", field="materials_received")
    _take_materials(ctx)
    ctx.case.data.setdefault("supplements", []).append(
        {"materials": ctx.payload.get("materials_received"), "at": ctx.occurred_at.isoformat()}
    )


@guard("materials_complete")
def materials_complete(ctx: Context) -> None:
    """受理 only with every material of the checklist (许可法第三十二条; the seeds' 受理责任)."""
    missing = missing_materials(ctx)
    if missing:
        raise RuleViolation(
            "MATERIALS_INCOMPLETE",
            f"申请材料不齐全，尚缺：{'、'.join(missing)}；应一次性告知申请人需要补正的全部内容（行政许可法第三十二条）",
            missing=missing,
        )


@guard("materials_incomplete")
def materials_incomplete(ctx: Context) -> None:
    if not missing_materials(ctx):
        raise RuleViolation("MATERIALS_COMPLETE", "申请材料已齐全，无需告知补正，应予受理")


@guard("notice_not_given")
def notice_not_given(ctx: Context) -> None:
    """一次性告知: everything missing is told at once, so a second notice is not allowed."""
    if ctx.case.data.get("supplement_notice"):
        raise RuleViolation(
            "SUPPLEMENT_ALREADY_NOTIFIED",
            "已一次性告知需补正的全部材料，不得再次要求补正其他材料（行政许可法第三十二条）",
        )


def _notice_due(ctx: Context) -> Any:
    clock = ctx.case.last_clock("intake")
    return None if clock is None else ctx.due_at(clock)


@guard("notice_in_time")
def notice_in_time(ctx: Context) -> None:
    """许可法第三十二条: told within five working days, or the application counts as accepted."""
    due = _notice_due(ctx)
    if due is not None and ctx.occurred_at > due:
        raise RuleViolation(
            "SUPPLEMENT_NOTICE_LATE",
            f"逾期（{local(due):%Y-%m-%d}前）未一次性告知申请人补正，自收到申请材料之日起即为受理"
            "（行政许可法第三十二条），应按已受理办理",
            due_at=due.isoformat(),
        )


@guard("notice_period_elapsed")
def notice_period_elapsed(ctx: Context) -> None:
    due = _notice_due(ctx)
    if due is None or ctx.occurred_at <= due:
        raise RuleViolation(
            "NOTICE_PERIOD_RUNNING",
            "一次性告知的期限（五个工作日）尚未届满，不适用“视为受理”（行政许可法第三十二条）",
        )


@action("record_supplement_notice")
def record_supplement_notice(ctx: Context) -> None:
    """一次性告知书 lists every missing material at once."""
    ctx.case.data["supplement_notice"] = {
        "missing": missing_materials(ctx),
        "method": ctx.payload.get("method"),
        "at": ctx.occurred_at.isoformat(),
    }


@action("record_acceptance")
def record_acceptance(ctx: Context, deemed: bool = False) -> None:
    """受理; a deemed acceptance dates from the receipt of the materials (许可法第三十二条)."""
    data = ctx.case.data
    data["accepted_at"] = data.get("received_at") if deemed else ctx.occurred_at.isoformat()
    data["deemed_accepted"] = deemed
    data["review_level"] = 0
    data["reviews"] = []


def review_levels(ctx: Context) -> list[str]:
    return [str(level) for level in ctx.settings.get("review_levels") or ["审核"]]


def _level(ctx: Context) -> int:
    return int(ctx.case.data.get("review_level") or 0)


@guard("more_levels")
def more_levels(ctx: Context) -> None:
    if _level(ctx) + 1 >= len(review_levels(ctx)):
        raise RuleViolation("LAST_REVIEW_LEVEL", "本级为最后一级审查")


@guard("last_level")
def last_level(ctx: Context) -> None:
    levels = review_levels(ctx)
    if _level(ctx) + 1 < len(levels):
        raise RuleViolation("MORE_REVIEW_LEVELS", f"尚需{levels[_level(ctx) + 1]}", next=levels[_level(ctx) + 1])


@guard("reviewer_not_previous")
def reviewer_not_previous(ctx: Context) -> None:
    """Each level of a multi-level review (初审 → 复审) is done by a different person."""
    done = [r.get("by") for r in ctx.case.entries("reviews")]
    if ctx.actor.username in done:
        levels = review_levels(ctx)
        raise RuleViolation(
            "SAME_REVIEWER",
            f"{levels[min(_level(ctx), len(levels) - 1)]}须由前一级审查人员以外的人员办理",
            reviewer=ctx.actor.username,
        )


@action("record_review")
def record_review(ctx: Context) -> None:
    """Record this level's opinion (初审、复审 …) and move the counter to the next level."""
    levels = review_levels(ctx)
    level = _level(ctx)
    ctx.case.add_entry(
        "reviews",
        {
            "level": levels[min(level, len(levels) - 1)],
            "opinion": ctx.payload.get("opinion"),
            "by": ctx.actor.username,
            "at": ctx.occurred_at.isoformat(),
        }
    )
    ctx.case.data["review_level"] = level + 1


@guard("setting_on")
def setting_on(ctx: Context, name: str) -> None:
    if not ctx.settings.get(name):
        named = bureau_settings.label(name)  # the setting in words where it has them; the key stays in the detail
        reason = f"本事项不适用此环节（{named}）" if named != name else "本事项不适用此环节"
        raise RuleViolation("SETTING_OFF", reason, setting=name)


@guard("setting_off")
def setting_off(ctx: Context, name: str) -> None:
    if ctx.settings.get(name):
        raise RuleViolation("SETTING_ON", f"本事项须经此环节（{name}）", setting=name)


@guard("clock_elapsed")
def clock_elapsed(ctx: Context, clock: str, code: str, message: str) -> None:
    """The named period (e.g. 公示期) must have run out before the next step."""
    running = ctx.case.last_clock(clock)
    if running is None:
        return
    due = ctx.due_at(running)
    if ctx.occurred_at <= due:
        raise RuleViolation(code, f"{message}（至{local(due):%Y-%m-%d}届满）", due_at=due.isoformat())


@action("record_outcome")
def record_outcome(ctx: Context, outcome: str) -> None:
    """准予 / 不予 (with reasons, seeds 001 and 002)."""
    if outcome == "denied" and is_blank(ctx.payload.get("reasons")):
        raise InvalidInput("FIELD_REQUIRED", "缺少必填项：不予办理的理由", field="reasons")
    ctx.case.data["outcome"] = outcome
    ctx.case.data["decision"] = {
        "outcome": outcome,
        "reasons": ctx.payload.get("reasons"),
        "amount": str(money(ctx.payload["amount"], "核定金额")) if ctx.payload.get("amount") else None,
        "by": ctx.actor.username,
        "at": ctx.occurred_at.isoformat(),
    }


@guard("granted_with_payout")
def granted_with_payout(ctx: Context) -> None:
    if ctx.case.data.get("outcome") != "granted" or not ctx.settings.get("payout"):
        raise RuleViolation("NO_PAYOUT", "本事项未准予或不涉及拨付")


@guard("no_payout_due")
def no_payout_due(ctx: Context) -> None:
    if ctx.case.data.get("outcome") == "granted" and ctx.settings.get("payout"):
        raise RuleViolation("PAYOUT_DUE", "已准予的给付事项须先拨付")


@action("record_notice")
def record_notice(ctx: Context) -> None:
    """告知 the result: on the spot, by SMS or the app, by phone or by post."""
    method = ctx.payload.get("method") or "on_spot"
    if method not in NOTICE_METHODS:
        raise InvalidInput(
            "INVALID_CHOICE",
            "告知方式须为：" + "、".join(f"{k}（{v}）" for k, v in NOTICE_METHODS.items()),
            field="method",
        )
    ctx.case.data["result_notice"] = {"method": method, "label": NOTICE_METHODS[method],
                                      "at": ctx.occurred_at.isoformat()}


@action("record_payout")
def record_payout(ctx: Context) -> None:
    """拨付: the amount paid and the account or voucher."""
    amount = money(ctx.payload.get("amount"), "拨付金额")
    if amount <= 0:
        raise InvalidInput("INVALID_AMOUNT", "拨付金额须大于零", field="amount")
    ctx.case.data["payout"] = {"amount": str(amount), "account": ctx.payload.get("account"),
                               "voucher": ctx.payload.get("voucher"), "at": ctx.occurred_at.isoformat()}


@action("complete_on_spot")
def complete_on_spot(ctx: Context) -> None:
    """即办: accepted, examined and granted in one visit."""
    record_acceptance(ctx)
    ctx.case.data["reviews"] = [{"level": "当场审核", "by": ctx.actor.username, "at": ctx.occurred_at.isoformat()}]
    record_outcome(ctx, "granted")
    ctx.case.data["result_notice"] = {"method": "on_spot", "label": NOTICE_METHODS["on_spot"],
                                      "at": ctx.occurred_at.isoformat()}
