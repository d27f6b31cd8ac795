"""A bureau's settings: which keys exist, what each may hold, and how to say so in Chinese.

A bureau setting overrides the same key of every flow (flow defaults < bureau < item), so a
wrong value (``statement_days: 0``) would silently shorten a statutory period; every key is
checked here before it is stored, and unknown keys are refused rather than ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.errors import InvalidInput


@dataclass(frozen=True)
class SettingSpec:
    label: str
    kind: str  # days, amount, amounts_by_party, text, line, flag, names
    # The rule comes from a secondary source (LEGAL.md: verify): a bureau setting until the text is
    # checked, so the flow page says so; the case page shows only the resulting dates.
    to_verify: bool = False


SETTINGS: dict[str, SettingSpec] = {
    "statement_days": SettingSpec("陈述申辩期（工作日）", "days"),
    "objection_days": SettingSpec("失信信息异议期（工作日）", "days"),
    "public_notice_days": SettingSpec("公示期（日）", "days"),
    "legal_review_threshold": SettingSpec("法制审核罚款金额（元，达到即须审核）", "amount"),
    "collective_discussion_threshold": SettingSpec("集体讨论罚款金额（元）", "amount"),
    "hearing_threshold": SettingSpec("听证罚款金额标准（元，按当事人类型）", "amounts_by_party"),
    "decision_first_extension_max": SettingSpec("处罚决定期限首次延长上限（日）", "days"),
    "decision_extension_cap": SettingSpec("处罚决定期限延长合计上限（日）", "days"),
    "lead_check_days": SettingSpec("线索核查至决定立案的期限（工作日）", "days"),
    "lead_check_extension_max": SettingSpec("线索核查期限延长上限（工作日）", "days"),
    "evidence_seal_extension_max": SettingSpec("证据封存期限延长上限（日）", "days"),
    "extension_max": SettingSpec("封存期限延长上限（日）", "days"),
    "doc_prefix": SettingSpec("文书文号前缀（如 辛医保）", "text"),
    # What the documents print about the bureau itself (处罚法第五十九条: 履行方式, 救济途径, 落款).
    "agency_address": SettingSpec("本局地址", "line"),
    "contact_phone": SettingSpec("联系电话", "text"),
    "credit_code": SettingSpec("本局统一社会信用代码", "text"),
    "window_address": SettingSpec("办事窗口地址", "line"),
    "window_phone": SettingSpec("办事窗口电话", "text"),
    "fine_bank": SettingSpec("罚没款缴款银行", "line"),
    "fine_account_name": SettingSpec("罚没款缴款账户户名", "line"),
    "fine_account_no": SettingSpec("罚没款缴款账号", "text"),
    "refund_bank": SettingSpec("退回基金开户银行", "line"),
    "refund_account_name": SettingSpec("退回基金账户户名（基金专户）", "line"),
    "refund_account_no": SettingSpec("退回基金账号", "text"),
    "review_organ": SettingSpec("行政复议机关（如 辛集市人民政府）", "text"),
    "court": SettingSpec("行政诉讼管辖法院（如 辛集市人民法院）", "text"),
    "supplement_days": SettingSpec("补正材料期限（工作日）", "days"),
    "materials": SettingSpec("申请材料清单", "names"),
    "review_levels": SettingSpec("审查层级", "names"),
    "public_notice": SettingSpec("作出决定前公示", "flag"),
    "payout": SettingSpec("涉及拨付资金", "flag"),
    "immediate": SettingSpec("即办件（当场办结）", "flag"),
    "variant": SettingSpec("检查类型", "text"),
    "summary_filing_days": SettingSpec("简易程序决定备案期限（工作日）", "days", to_verify=True),
    "disclosure_days": SettingSpec("行政处罚决定公开期限（工作日）", "days", to_verify=True),
    "disclosure_social_impact": SettingSpec("处罚决定默认具有社会影响（应当公开）", "flag"),
    "assistance_reply_days": SettingSpec("协查回复期限（工作日）", "days"),
    "reward_min": SettingSpec("举报奖励每起最低金额（元）", "amount", to_verify=True),
    "reward_max": SettingSpec("举报奖励每起最高金额（元）", "amount", to_verify=True),
    "reward_share_max": SettingSpec("举报奖励占查实金额的最高比例", "amount", to_verify=True),
    "claim_days": SettingSpec("举报人领取奖金期限（工作日）", "days", to_verify=True),
}
PARTY_TYPES = {"individual": "个人", "organisation": "单位"}
MAX_DAYS = 3650
_INTEGER = re.compile(r"^[+-]?\d+$")


def label(key: str) -> str:
    spec = SETTINGS.get(key)
    return spec.label if spec else key


def to_verify(key: str) -> bool:
    spec = SETTINGS.get(key)
    return bool(spec and spec.to_verify)


def _fail(key: str, value: Any, rule: str) -> InvalidInput:
    return InvalidInput(
        "SETTING_INVALID", f"“{label(key)}”{rule}：{show(key, value)}", field=key, value=value
    )


def _days(key: str, value: Any) -> int:
    if isinstance(value, str) and _INTEGER.match(value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
        raise _fail(key, value, f"须为1至{MAX_DAYS}之间的整数")
    return int(value)


def _amount(key: str, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _fail(key, value, "须为不小于0的金额")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _fail(key, value, "须为不小于0的金额") from None
    if not number.is_finite() or number < 0:
        raise _fail(key, value, "须为不小于0的金额")
    return int(number) if number == number.to_integral_value() else float(number)


def _check(key: str, value: Any) -> Any:
    kind = SETTINGS[key].kind
    if kind == "days":
        return _days(key, value)
    if kind == "amount":
        return _amount(key, value)
    if kind == "amounts_by_party":
        if not isinstance(value, dict) or set(value) != set(PARTY_TYPES):
            raise _fail(key, value, "须分别填写个人（individual）和单位（organisation）的金额")
        return {party: _amount(key, value[party]) for party in PARTY_TYPES}
    if kind == "text":
        if not isinstance(value, str) or not value.strip() or len(value.strip()) > 40:
            raise _fail(key, value, "须为1至40个字的文字")
        return value.strip()
    if kind == "line":
        if not isinstance(value, str) or not value.strip() or len(value.strip()) > 100:
            raise _fail(key, value, "须为1至100个字的文字")
        return value.strip()
    if kind == "flag":
        if not isinstance(value, bool):
            raise _fail(key, value, "须为 true 或 false")
        return value
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(key, value, "须为文字的列表")
    return [v.strip() for v in value]


def validate(settings: dict[str, Any]) -> dict[str, Any]:
    """The settings with each value checked and normalised; InvalidInput names the first bad one."""
    unknown = sorted(k for k in settings if k not in SETTINGS)
    if unknown:
        raise InvalidInput(
            "SETTING_UNKNOWN",
            f"没有这一设置项：{'、'.join(unknown)}（可设置：{'、'.join(SETTINGS)}）",
            keys=unknown,
        )
    return {key: _check(key, value) for key, value in settings.items()}


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Each key whose value differs, with [before, after] (None where absent)."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def show(key: str, value: Any) -> str:
    """A setting's value as a clerk reads it."""
    if value is None:
        return "（未设置）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        return "；".join(f"{PARTY_TYPES.get(str(k), str(k))} {v}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)
