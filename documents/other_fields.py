"""Fields of the documents of applications, inspections and audits.

These flows name their inputs in several ways (``findings`` or ``problems``, ``check_at`` or
``inspection_at``), so each value is looked up under the names the flows use.
"""

from __future__ import annotations

from typing import Any

from documents.source import CaseFacts
from documents.values import Fields, blank, cn_date, cn_datetime, pick, remedies, text_of


def _numbered(value: Any) -> tuple[str | None, list[str]]:
    if blank(value):
        return None, []
    raw = value if isinstance(value, list) else str(value).replace("；", "\n").splitlines()
    lines = [t for t in (text_of(v) for v in raw) if t]
    return "；".join(lines) or None, lines


def acceptance_notice(facts: CaseFacts) -> Fields:
    return {"result_due": None, "materials": text_of(pick(facts, "materials", "received"))}


def supplement_notice(facts: CaseFacts) -> Fields:
    text, lines = _numbered(pick(facts, "missing", "missing_materials", "materials_missing", "supplements"))
    return {"missing_text": text, "missing": lines, "supplement_due": None}


def refusal_notice(facts: CaseFacts) -> Fields:
    return {"reasons": text_of(pick(facts, "reasons", "reason")), "remedies": remedies(facts)}


def grant_notice(facts: CaseFacts) -> Fields:
    return {
        "content": text_of(pick(facts, "content", "result", "decision", "amount")),
        "remedies": remedies(facts),
    }


def denial_notice(facts: CaseFacts) -> Fields:
    return {"reasons": text_of(pick(facts, "reasons", "reason")), "remedies": remedies(facts)}


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
        "remedies": remedies(facts),
    }


def inspection_decision(facts: CaseFacts) -> Fields:
    return {
        "conclusion": text_of(pick(facts, "conclusion", "result", "findings", "decision")),
        "measures": text_of(pick(facts, "measures", "handling")),
        "remedies": remedies(facts),
    }
