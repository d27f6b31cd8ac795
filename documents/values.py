"""Small helpers the document fields are made with: dates, amounts, lists, lookups in the case."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from documents.capitals import yuan
from documents.source import CaseFacts
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
    """The first non-blank value of ``keys`` in the payload, the case data, or a record in the data."""
    for source in (facts.payload, facts.data):
        for key in keys:
            if not blank(source.get(key)):
                return source[key]
    for value in reversed(list(facts.data.values())):
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


def penalty_text(kinds: list[str], fine: Decimal | None) -> str | None:
    parts = []
    for kind in kinds:
        if kind == "fine":
            parts.append(f"罚款{yuan(fine)}" if fine else None)
        else:
            parts.append(PENALTY_KINDS.get(kind, kind))
    return "；".join(p for p in parts if p) or None


def remedies(facts: CaseFacts) -> str:
    review = facts.settings.get("review_body") or "本级人民政府"
    court = facts.settings.get("court") or "有管辖权的人民法院"
    return (
        f"如不服本决定，可以在收到本决定书之日起六十日内向{review}申请行政复议，"
        f"或者在收到本决定书之日起六个月内依法向{court}提起行政诉讼。"
        "行政复议或者行政诉讼期间，本决定不停止执行，法律另有规定的除外。"
    )


def due(facts: CaseFacts, key: str) -> str | None:
    return cn_date(facts.deadlines.get(key))


def last_issued(facts: CaseFacts, *kinds: str) -> tuple[str | None, str | None]:
    for ref in reversed(facts.issued):
        if ref.kind in kinds:
            return ref.title, ref.number
    return None, None
