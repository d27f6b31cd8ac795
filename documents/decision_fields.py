"""Fields of the penalty documents from the decision on: decisions, referral, service, execution, closing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from documents.capitals import yuan
from documents.penalty_fields import evidence_text_of
from documents.source import CaseFacts
from documents.values import (
    SERVICE_METHODS,
    Fields,
    cn_date,
    cn_datetime,
    due,
    last_issued,
    money,
    penalty_text,
    remedies,
)
from engine.timeutil import local


def _decision(facts: CaseFacts) -> Fields:
    decision = facts.data.get("decision") or {}
    fine = money(decision.get("fine"))
    kinds = list(decision.get("kinds") or [])
    if fine and "fine" in kinds:
        bank = facts.settings.get("payment_bank") or "指定的银行或者通过电子支付系统"
        performance = (
            f"当事人应当自收到本决定书之日起十五日内，到{bank}缴纳罚款。"
            "到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不超过罚款的数额。"
        )
    elif kinds:
        performance = "本决定自送达之日起执行。"
    else:
        performance = None
    return {
        "facts": decision.get("facts"),
        "reasons": decision.get("reasons"),
        "article": decision.get("article"),
        "penalty_text": penalty_text(kinds, fine),
        "fine": str(fine) if fine else None,
        "performance": performance,
        "remedies": remedies(facts),
    }


def penalty_decision(facts: CaseFacts) -> Fields:
    statements = facts.data.get("statements") or []
    return {
        **_decision(facts),
        "evidence_text": evidence_text_of(facts),
        "grounds": (facts.data.get("proposal") or {}).get("grounds"),
        "statement_text": "；".join(str(s.get("statement")) for s in statements if isinstance(s, dict))
        or None,
        "hearing_held": bool(facts.data.get("hearing_held")),
    }


def no_penalty_decision(facts: CaseFacts) -> Fields:
    decision = facts.data.get("decision") or {}
    return {
        "facts": decision.get("facts") or (facts.data.get("proposal") or {}).get("facts"),
        "reasons": decision.get("reasons") or facts.payload.get("reasons"),
        "remedies": remedies(facts),
    }


def summary_decision(facts: CaseFacts) -> Fields:
    return {**_decision(facts), "place": facts.payload.get("place")}


def referral(facts: CaseFacts) -> Fields:
    return {
        "receiver": facts.payload.get("receiver"),
        "reasons": facts.payload.get("reasons"),
        "facts": (facts.data.get("proposal") or {}).get("facts") or facts.data.get("lead_summary"),
    }


def service_receipt(facts: CaseFacts) -> Fields:
    service = facts.data.get("service") or {}
    title, number = last_issued(facts, "penalty_decision", "no_penalty_decision", "summary_decision")
    if title is None:
        title, number = (facts.issued[-1].title, facts.issued[-1].number) if facts.issued else (None, None)
    method = service.get("method") or facts.payload.get("method")
    return {
        "served_title": title,
        "served_number": number,
        "method": method,
        "method_label": SERVICE_METHODS.get(str(method)),
        "recipient": service.get("recipient") or facts.payload.get("recipient") or facts.party.get("name"),
        "witness": service.get("witness") or facts.payload.get("witness"),
        "recording": facts.payload.get("recording"),
        "served_on": cn_datetime(service.get("served_at") or facts.moment),
        "service_place": facts.payload.get("place") or facts.party.get("address"),
    }


def _fine(facts: CaseFacts) -> tuple[Decimal | None, str | None]:
    fine = money((facts.data.get("decision") or {}).get("fine"))
    return fine, yuan(fine) if fine else None


def demand_notice(facts: CaseFacts) -> Fields:
    fine, fine_text = _fine(facts)
    title, number = last_issued(facts, "penalty_decision", "summary_decision")
    paid = sum((money(p.get("amount")) or Decimal(0) for p in facts.data.get("payments", [])), Decimal(0))
    payment_due = due(facts, "payment")
    obligation = (
        f"本机关于{cn_date((facts.data.get('decision') or {}).get('decided_at'))}作出{number or ''}《行政处罚决定书》，"
        f"你（单位）应于{payment_due}前缴纳罚款，至今未履行。"
        if payment_due
        else None
    )
    surcharge = facts.data.get("surcharge") or {}
    accrued, owed = money(surcharge.get("amount")), money(surcharge.get("owed"))
    return {
        "fine_text": fine_text,
        "paid_text": yuan(paid) if paid else None,
        "surcharge_text": yuan(accrued) if accrued else None,
        "outstanding_text": yuan(owed) if owed is not None else yuan(fine - paid) if fine else None,
        "decision_number": number,
        "payment_due": payment_due,
        "obligation_text": obligation,
        "demand_due": due(facts, "demand_wait"),
    }


def surcharge_notice(facts: CaseFacts) -> Fields:
    """处罚法第七十二条: 3% of the fine a day after the payment period, at most the fine."""
    fine, fine_text = _fine(facts)
    title, number = last_issued(facts, "penalty_decision", "summary_decision")
    payment_due = facts.deadlines.get("payment")
    accrued = money((facts.data.get("surcharge") or {}).get("amount"))
    surcharge_text = None
    if fine and payment_due:
        days = max((local(facts.moment).date() - local(payment_due).date()).days, 0)
        if accrued is None:  # the flow did not compute it: 3% a day, capped at the fine
            accrued = min(fine * Decimal("0.03") * days, fine)
        surcharge_text = f"截至本决定作出之日已逾期{days}日，加处罚款{yuan(accrued)}"
    return {
        "fine_text": fine_text,
        "decision_number": number,
        "payment_due": cn_date(payment_due),
        "surcharge_from": cn_date(local(payment_due) + timedelta(days=1)) if payment_due else None,
        "surcharge_text": surcharge_text,
        "remedies": remedies(facts),
    }


def extension_approval(facts: CaseFacts) -> Fields:
    return {
        "days": facts.payload.get("days"),
        "reason": facts.payload.get("reason"),
        "collective_discussion": facts.payload.get("collective_discussion"),
        "new_due": due(facts, "decision") or due(facts, "evidence_seal"),
    }


def closing_report(facts: CaseFacts) -> Fields:
    outcomes = {"penalty": "给予行政处罚", "no_penalty": "不予行政处罚", "referred": "移送有关机关"}
    decision = _decision(facts)
    paid = sum((money(p.get("amount")) or Decimal(0) for p in facts.data.get("payments", [])), Decimal(0))
    return {
        "summary": facts.payload.get("summary") or "本案已执行完毕，予以结案。",
        "outcome": outcomes.get(str(facts.data.get("outcome"))),
        "penalty_text": decision["penalty_text"],
        "paid_text": yuan(paid) if paid else None,
        "facts": decision["facts"],
    }


def archive_index(facts: CaseFacts) -> Fields:
    rows = [
        {"number": ref.number, "title": ref.title, "date": cn_date(ref.issued_at)}
        for ref in facts.issued
        if ref.kind != "archive_index"
    ]
    return {"entries": rows, "steps": [{"label": s, "date": cn_date(m)} for s, m in facts.steps]}
