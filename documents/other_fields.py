"""Fields of the documents of applications, inspections and audits.

These flows name their inputs in several ways (``findings`` or ``problems``, ``check_at`` or
``inspection_at``), so each value is looked up under the names the flows use.
"""

from __future__ import annotations

import re
from typing import Any

from documents.capitals import yuan
from documents.source import CaseFacts
from documents.values import (
    Fields,
    blank,
    clause,
    cn_date,
    cn_datetime,
    due,
    money,
    pick,
    remedies,
    text_of,
    you,
)

LAW_TITLE = re.compile(r"《[^》]{2,40}》")


def _numbered(value: Any) -> tuple[str | None, list[str]]:
    if blank(value):
        return None, []
    raw = value if isinstance(value, list) else str(value).replace("；", "\n").splitlines()
    lines = [t for t in (text_of(v) for v in raw) if t]
    return "；".join(lines) or None, lines


def _window(facts: CaseFacts) -> Fields:
    """The service window's address and phone (the bureau's own where no window is set; else the line is left out)."""
    settings = facts.settings
    return {
        "window_address": settings.get("window_address") or settings.get("agency_address"),
        "window_phone": settings.get("window_phone") or settings.get("contact_phone"),
        "received_on": cn_date(facts.data.get("received_at")) or cn_date(facts.opened_at),
    }


def _period(value: Any) -> str | None:
    """The item's 办理时限 setting ({amount, unit}) in words: 二十个工作日."""
    if not isinstance(value, dict) or blank(value.get("amount")):
        return None
    units = {"working_days": "个工作日", "natural_days": "日", "days": "日", "months": "个月", "hours": "小时"}
    return f"受理之日起{value['amount']}{units.get(str(value.get('unit')), '个工作日')}内"


def acceptance_notice(facts: CaseFacts) -> Fields:
    return {
        **_window(facts),
        "result_due": due(facts, "result"),
        "result_period": _period(facts.settings.get("result_clock")),
        "deemed": bool(facts.data.get("deemed_accepted")),
        "materials": text_of(pick(facts, "materials_received", "materials", "received")),
    }


def supplement_basis(facts: CaseFacts) -> str:
    """许可法第三十二条 binds 行政许可 only; other items cite their own basis and the bureau's 一次性告知 duty."""
    if facts.power_type == "行政许可":
        return "《中华人民共和国行政许可法》第三十二条第一款第四项"
    laws = [m.group(0) for basis in facts.item_basis for m in [LAW_TITLE.search(basis)] if m]
    own = "、".join(dict.fromkeys(laws))
    return f"{own}等规定和本事项办事指南关于一次性告知的要求" if own else "本事项办事指南关于一次性告知的要求"


def supplement_notice(facts: CaseFacts) -> Fields:
    text, lines = _numbered(pick(facts, "missing", "missing_materials", "materials_missing", "supplements"))
    days = facts.settings.get("supplement_days")
    return {
        **_window(facts),
        "missing_text": text,
        "missing": lines,
        "basis": supplement_basis(facts),
        "supplement_due": f"收到本告知书之日起{days}个工作日内" if days else None,  # no statutory period: left out
    }


def refusal_notice(facts: CaseFacts) -> Fields:
    return {
        **_window(facts),
        "reasons": clause(pick(facts, "reasons", "reason")),
        "remedies": remedies(facts, paper="本通知书", suspends=False),
    }


def grant_notice(facts: CaseFacts) -> Fields:
    """What was granted: the item, and where the case has them the 病种, dates, validity and amount."""
    decision = facts.data.get("decision") or {}
    lines = [f"准予事项：{facts.item_name}"]
    disease = text_of(pick(facts, "disease", "diseases", "disease_name"))
    if disease:
        lines.append(f"认定病种：{disease}")
    start = pick(facts, "valid_from", "start_date", "effective_from")
    if start:
        lines.append(f"待遇享受起始日期：{cn_date(start)}")
    until = pick(facts, "valid_until", "valid_to", "expires_on")
    validity = text_of(pick(facts, "validity"))
    if until:
        lines.append(f"有效期至：{cn_date(until)}")
    elif validity:
        lines.append(f"有效期：{validity}")
    amount = money(decision.get("amount") or facts.payload.get("amount"))
    if amount:
        lines.append(f"核定金额：{yuan(amount)}")
    content = clause(facts.payload.get("content"))
    if content:
        lines.append(f"决定内容：{content}")
    payout_due = due(facts, "payout")
    pay = f"核定金额将于{payout_due}前拨付至{facts_account(facts)}。" if amount and payout_due else None
    return {
        **_window(facts),
        "granted": [clause(line) for line in lines],
        "content": None,
        "pay_text": pay,
        "remedies": remedies(facts, suspends=False),
    }


def facts_account(facts: CaseFacts) -> str:
    account = text_of(pick(facts, "account"))
    return f"{you(facts.party)}提供的账户（{account}）" if account else f"{you(facts.party)}提供的账户"


def denial_notice(facts: CaseFacts) -> Fields:
    return {
        **_window(facts),
        "reasons": clause(pick(facts, "reasons", "reason")),
        "remedies": remedies(facts, suspends=False),
    }


def inspection_notice(facts: CaseFacts) -> Fields:
    return {
        "inspection_at": cn_datetime(pick(facts, "check_at", "inspection_at", "planned_at", "scheduled_at")),
        "scope": text_of(pick(facts, "scope", "content", "plan")),
        "materials": text_of(pick(facts, "materials", "required_materials")),
    }


def _due_from_clocks(facts: CaseFacts, word: str) -> str | None:
    for key, moment in facts.deadlines.items():
        if word in key:
            return cn_date(moment)
    return None


def correction_order(facts: CaseFacts) -> Fields:
    raw_due = pick(facts, "correction_due", "deadline", "due")
    days = facts.payload.get("correction_days")
    correction_due = cn_date(raw_due) if raw_due else _due_from_clocks(facts, "correction")
    if correction_due is None and not blank(days):
        correction_due = f"收到本通知书之日起{days}日内"
    return {
        "problems": text_of(pick(facts, "problems", "findings", "facts")),
        "correction_due": correction_due,
        "requirements": text_of(pick(facts, "requirements", "measures")),
        "article": pick(facts, "article", "basis"),
    }


def audit_notice(facts: CaseFacts) -> Fields:
    return {
        "scope": text_of(pick(facts, "scope", "content", "period")),
        "materials": text_of(pick(facts, "materials", "required_materials")),
        "audit_at": cn_datetime(pick(facts, "audit_at", "planned_at", "scheduled_at")),
    }


def audit_statement_notice(facts: CaseFacts) -> Fields:
    return {
        "problems": text_of(pick(facts, "problems", "findings", "facts")),
        "statement_due": _due_from_clocks(facts, "statement") or _due_from_clocks(facts, "objection"),
    }


def audit_result_notice(facts: CaseFacts) -> Fields:
    return {
        "conclusion": text_of(pick(facts, "conclusion", "result", "findings")),
        "measures": text_of(pick(facts, "measures", "handling", "refund")),
        "remedies": remedies(facts, what="本稽核结果", paper="本告知书", suspends=False),
    }


def inspection_decision(facts: CaseFacts) -> Fields:
    return {
        "conclusion": text_of(pick(facts, "conclusion", "result", "findings", "decision")),
        "measures": text_of(pick(facts, "measures", "handling")),
        "remedies": remedies(facts),
    }
