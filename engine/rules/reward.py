"""Guards and actions of 举报奖励: the amount within the reward rules' bounds, the notice to the
whistleblower and the claim period (违法违规使用医疗保障基金举报奖励办法; the bounds and the period are
bureau settings, as LEGAL.md marks them for verification)."""

from __future__ import annotations

from decimal import Decimal

from engine.errors import RuleViolation
from engine.registry import Context, action, guard
from engine.rules.common import money
from engine.timeutil import local

RULES = "违法违规使用医疗保障基金举报奖励办法"
NOTICE_METHODS = {"on_spot": "当面告知", "phone": "电话告知", "sms": "短信告知", "post": "书面邮寄"}


@guard("reward_within_bounds", needs_input=True)
def reward_within_bounds(ctx: Context) -> None:
    """At least the minimum and at most the maximum per report, and not above the share of the case value."""
    amount = money(ctx.payload.get("amount") or 0, "奖励金额")
    low, high = Decimal(str(ctx.setting("reward_min"))), Decimal(str(ctx.setting("reward_max")))
    if not low <= amount <= high:
        raise RuleViolation(
            "REWARD_OUT_OF_BOUNDS",
            f"举报奖励金额{amount}元不在每起举报{low}元以上{high}元以下的范围内（{RULES}）",
            amount=str(amount), low=str(low), high=str(high),
        )
    share = ctx.settings.get("reward_share_max")
    value = (ctx.case.data.get("verification") or {}).get("recovered_amount")
    if share not in (None, "") and value not in (None, ""):
        cap = (money(value, "查实金额") * Decimal(str(share))).quantize(Decimal("0.01"))
        if amount > max(cap, low):
            raise RuleViolation(
                "REWARD_ABOVE_SHARE",
                f"举报奖励金额{amount}元超过查实金额{value}元的奖励比例上限（{cap}元）（{RULES}）",
                amount=str(amount), cap=str(cap),
            )


@guard("reward_granted")
def reward_granted(ctx: Context) -> None:
    if ctx.case.data.get("outcome") != "granted":
        raise RuleViolation("REWARD_NOT_GRANTED", "未作出奖励决定，无需发出领奖通知")
    if ctx.case.data.get("reward_notice"):
        raise RuleViolation("WHISTLEBLOWER_ALREADY_NOTIFIED", "已告知举报人奖励决定")


@action("record_reward_notice")
def record_reward_notice(ctx: Context) -> None:
    method = str(ctx.payload.get("method") or "post")
    ctx.case.data["reward_notice"] = {"method": method, "label": NOTICE_METHODS.get(method, method),
                                      "at": ctx.occurred_at.isoformat()}


@guard("whistleblower_notified")
def whistleblower_notified(ctx: Context) -> None:
    if ctx.case.data.get("outcome") == "granted" and not ctx.case.data.get("reward_notice"):
        raise RuleViolation(
            "WHISTLEBLOWER_NOT_NOTIFIED", f"须先告知举报人奖励决定和领取奖金的期限（{RULES}）"
        )


@guard("claim_period_open")
def claim_period_open(ctx: Context) -> None:
    """A reward not claimed within the period (bureau setting) counts as given up."""
    clock = ctx.case.last_clock("reward_claim")
    if clock is None:
        return
    due = ctx.due_at(clock)
    if ctx.occurred_at > due:
        raise RuleViolation(
            "REWARD_CLAIM_EXPIRED",
            f"举报人领取奖金的期限已于{local(due):%Y-%m-%d}届满，逾期未领取的视为放弃（{RULES}）",
            due_at=due.isoformat(),
        )
