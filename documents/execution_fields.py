"""Fields of the documents of execution and of the internal procedures: the 公开记录 of a penalty
decision, the 委托书 of 委托执法, and the 协查函 and its reply."""

from __future__ import annotations

from documents.source import CaseFacts
from documents.values import Fields, cn_date, due, last_issued, money, penalty_text, pick, text_of


def disclosure_record(facts: CaseFacts) -> Fields:
    """处罚法第四十八条: what was published, with the party's name and ID number masked."""
    disclosure = facts.data.get("disclosure") or {}
    party = disclosure.get("party") or {}
    decision = facts.data.get("decision") or {}
    _, number = last_issued(facts, "penalty_decision", "summary_decision")
    return {
        "decision_number": number,
        "decided_on": cn_date(decision.get("decided_at")),
        "published_name": party.get("name"),
        "published_id": party.get("id_no") or party.get("credit_code"),
        "published_rep": party.get("legal_rep"),
        "penalty_text": penalty_text(list(decision.get("kinds") or []), money(decision.get("fine")),
                                     money(decision.get("return_amount"))),
        "article": decision.get("article"),
        "channel": facts.payload.get("channel") or disclosure.get("channel"),
        "published_on": cn_date(facts.moment),
        "disclosure_due": due(facts, "disclosure"),
    }


def deferral_decision(facts: CaseFacts) -> Fields:
    """处罚法第六十六条: the approved schedule, each date and amount."""
    deferral = facts.data.get("deferral") or {}
    schedule = deferral.get("schedule") or []
    _, number = last_issued(facts, "penalty_decision", "summary_decision")
    lines = [f"第{i + 1}期：{cn_date(e['due_on'])}前缴纳{e['amount']}元" for i, e in enumerate(schedule)]
    return {
        "decision_number": number,
        "kind_label": deferral.get("label"),
        "schedule": lines,
        "schedule_text": "；".join(lines) or None,
        "reasons": text_of(deferral.get("reasons")),
    }


def entrustment_letter(facts: CaseFacts) -> Fields:
    """处罚法第二十条第二款: the 委托书 states the matters, the powers and the period."""
    matters = facts.data.get("matters") or []
    start, end = cn_date(facts.data.get("valid_from")), cn_date(facts.data.get("valid_to"))
    return {
        "matters_text": text_of(matters),
        "matters": list(matters) if isinstance(matters, list) else [str(matters)],
        "period_text": f"自{start}起至{end}止" if start and end else None,
        "qualifications": text_of(facts.data.get("qualifications")),
    }


def assistance_request(facts: CaseFacts) -> Fields:
    return {
        "matters": text_of(pick(facts, "matters")),
        "reasons": text_of(facts.data.get("reasons")),
        "source_case": facts.data.get("source_case"),
        "reply_due": due(facts, "assistance_reply"),
    }


def assistance_reply(facts: CaseFacts) -> Fields:
    """The reply to another agency's request: the result, or the refusal with its reasons (第二十六条)."""
    result, reasons = facts.payload.get("result"), facts.payload.get("reasons")
    if result:
        reply = f"经协查，结果如下：{text_of(result)}"
    elif reasons:
        reply = f"经研究，本机关不予协助。理由如下：{text_of(reasons)}"
    else:
        reply = None
    return {"matters": text_of(facts.data.get("matters")), "letter_no": facts.data.get("letter_no"),
            "reply_text": reply}
