"""Small helpers the document fields are made with: dates, amounts, lists, lookups in the case."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from documents.capitals import yuan
from documents.source import CaseFacts, IssuedRef
from engine.model import ENTRY_LISTS
from engine.rules.penalty import PENALTY_KINDS as ENGINE_KINDS  # the labels the flow validates against
from engine.timeutil import local, parse_moment

Fields = dict[str, Any]

PARTY_TYPES = {"individual": "公民", "organisation": "法人或其他组织"}
PENALTY_KINDS = {
    "warning": "警告",
    "fine": "罚款",
    "confiscation": "没收违法所得",
    "confiscation_large": "没收较大数额违法所得、没收较大价值非法财物",
    "revoke": "降低资质等级、吊销许可证件",
    "suspend_business": "责令停产停业、责令关闭",
    "restrict_practice": "限制从业",
    "return": "责令退回医疗保障基金",
    "suspend_service": "暂停医药服务",
    "terminate_agreement": "解除医疗保障服务协议",
}
SERVICE_METHODS = {
    "direct": "直接送达",
    "left": "留置送达",
    "post": "邮寄送达",
    "electronic": "电子送达",
    "public": "公告送达",
}
SEALING_BASIS = (
    "《医疗保障基金使用监督管理条例》第二十七条；《中华人民共和国行政强制法》第十八条、第二十四条、第二十五条"
)


def cn_date(moment: datetime | str | None) -> str | None:
    """2026年3月2日 (GB/T 9704: dates in Arabic numerals, no leading zeros)."""
    if moment is None or moment == "":
        return None
    if isinstance(moment, str):
        try:
            moment = parse_moment(moment)
        except ValueError:
            return str(moment)
    day = local(moment) if moment.tzinfo else moment
    return f"{day.year}年{day.month}月{day.day}日"


def cn_datetime(moment: datetime | str | None) -> str | None:
    if moment is None or moment == "":
        return None
    if isinstance(moment, str):
        try:
            moment = parse_moment(moment)
        except ValueError:
            return str(moment)
    day = local(moment) if moment.tzinfo else moment
    if (day.hour, day.minute) == (0, 0):
        return cn_date(day)
    return f"{cn_date(day)}{day.hour}时{day.minute:02d}分"


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and len(value) == 0)


def pick(facts: CaseFacts, *keys: str) -> Any:
    """The first non-blank value of ``keys`` in the payload, the case data, or a record in the data
    (the data's own records latest first, then the entries of the lists kept in rows, latest first)."""
    for source in (facts.payload, facts.data):
        for key in keys:
            if not blank(source.get(key)):
                return source[key]
    kept = facts.model.lists.keys if facts.model is not None else frozenset()
    lists = [facts.entries(key) for key in sorted(kept)]
    own = [v for k, v in facts.data.items() if k != ENTRY_LISTS]
    for value in [*reversed(own), *lists]:
        records = [value] if isinstance(value, dict) else value if isinstance(value, list) else []
        for record in reversed(records):
            if isinstance(record, dict):
                for key in keys:
                    if not blank(record.get(key)):
                        return record[key]
    return None


def text_of(value: Any) -> str | None:
    """A list (of strings or {name, quantity} items) or a string, as one line of text."""
    if blank(value):
        return None
    if isinstance(value, list):
        return "；".join(t for t in (text_of(v) for v in value) if t)
    if isinstance(value, dict):
        name = value.get("name") or value.get("item") or value.get("title") or ""
        quantity = value.get("quantity") or value.get("count")
        unit = value.get("unit") or ""
        return f"{name}{'　' + str(quantity) + unit if quantity not in (None, '') else ''}".strip() or None
    return str(value)


def items_of(value: Any) -> list[dict[str, str]]:
    """Rows for an item table: name, quantity, note."""
    if blank(value):
        return []
    rows = value if isinstance(value, list) else [value]
    result = []
    for row in rows:
        if isinstance(row, dict):
            quantity = row.get("quantity") or row.get("count") or ""
            result.append(
                {
                    "name": str(row.get("name") or row.get("item") or ""),
                    "quantity": f"{quantity}{row.get('unit') or ''}",
                    "note": str(row.get("note") or row.get("spec") or ""),
                }
            )
        else:
            for part in str(row).replace("；", "\n").replace(";", "\n").splitlines():
                if part.strip():
                    result.append({"name": part.strip(), "quantity": "", "note": ""})
    return result


def money(value: Any) -> Decimal | None:
    if blank(value):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def penalty_parts(kinds: list[str], fine: Decimal | None, returned: Decimal | None = None) -> list[str]:
    """Each penalty decided, amounts in figures and words; 责令退回 (条例第三十八至四十一条) first."""
    labels = {**PENALTY_KINDS, **ENGINE_KINDS}
    parts: list[str] = []
    if returned:
        parts.append(f"责令退回医疗保障基金{yuan(returned)}")
    for kind in kinds:
        label = labels.get(kind, kind)
        if kind == "fine":
            if fine:
                parts.append(f"罚款{yuan(fine)}")
        elif "退回" in label:
            if not returned:
                parts.append(label)
        else:
            parts.append(label)
    return parts


def penalty_text(kinds: list[str], fine: Decimal | None, returned: Decimal | None = None) -> str | None:
    return "；".join(penalty_parts(kinds, fine, returned)) or None


FILL_IN = "＿＿＿＿＿＿"  # what a preview prints where a bureau setting is still empty (issuing refuses)


def setting(facts: CaseFacts, key: str) -> str:
    """A bureau setting the document must print: where to pay, where to appeal (处罚法第五十九条).

    An empty one is noted in ``facts.unset_settings``; issuing then refuses the document
    (``DOCUMENT_SETTING_MISSING``), so a paper sent to a party never carries a note to the bureau,
    and a preview shows a fill-in line in its place.
    """
    value = facts.settings.get(key)
    if blank(value):
        if key not in facts.unset_settings:
            facts.unset_settings.append(key)
        return FILL_IN
    return str(value)


def you(party: dict[str, Any]) -> str:
    """How a notice addresses the party: 你 (a person), 你单位 (an organisation)."""
    kind = party.get("type")
    return "你" if kind == "individual" else "你单位" if kind == "organisation" else "你（单位）"


def remedies(facts: CaseFacts, what: str = "本决定", paper: str = "本决定书", suspends: bool = True) -> str:
    """The named review organ and court with their periods (行政复议法第二十条; 行政诉讼法第四十六条)."""
    text = (
        f"如不服{what}，可以自收到{paper}之日起六十日内向{setting(facts, 'review_organ')}申请行政复议，"
        f"或者自收到{paper}之日起六个月内向{setting(facts, 'court')}提起行政诉讼。"
    )
    if suspends:
        text += f"行政复议或者行政诉讼期间，{what}不停止执行，法律另有规定的除外。"
    return text


def case_ref(facts: CaseFacts) -> str | None:
    """The case's 案号: the 文号 of its 立案审批表 (penalty cases) or of its 受理通知书 (applications)."""
    for kind in ("filing_approval", "acceptance_notice"):
        for ref in facts.issued:
            if ref.kind == kind:
                return ref.number
    return None


def due(facts: CaseFacts, key: str) -> str | None:
    return cn_date(facts.deadlines.get(key))


def clause(value: Any) -> str | None:
    """A user's sentence without its closing punctuation, so the template's own punctuation follows it."""
    text = text_of(value)
    if text is None:
        return None
    return text.strip().rstrip("。；，、.;, ") or None


def account_text(facts: CaseFacts, prefix: str) -> str:
    """开户银行、户名、账号 of the bureau's account for fines (``fine``) or refunded fund money (``refund``)."""
    bank, name, number = (setting(facts, f"{prefix}_{key}") for key in ("bank", "account_name", "account_no"))
    return f"{bank}（户名：{name}；账号：{number}）"


def last_issued_ref(facts: CaseFacts, *kinds: str) -> IssuedRef | None:
    for ref in reversed(facts.issued):
        if ref.kind in kinds:
            return ref
    return None


def last_issued(facts: CaseFacts, *kinds: str) -> tuple[str | None, str | None]:
    for ref in reversed(facts.issued):
        if ref.kind in kinds:
            return ref.title, ref.number
    return None, None
