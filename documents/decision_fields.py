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
    account_text,
    clause,
    cn_date,
    cn_datetime,
    due,
    last_issued,
    last_issued_ref,
    money,
    penalty_parts,
    remedies,
    you,
)
from engine.timeutil import local


def _performance(facts: CaseFacts, fine: Decimal | None, returned: Decimal | None, kinds: list[str]) -> str | None:
    """How, where and by when to pay (处罚法第五十九条第五项、第六十七条), and the surcharge (第七十二条)."""
    decision = facts.data.get("decision") or {}
    parts = []
    if returned:
        days = decision.get("return_days") or "十五"
        parts.append(
            f"退回的医疗保障基金{yuan(returned)}，应当自收到本决定书之日起{days}日内"
            f"缴入医疗保障基金专户：{account_text(facts, 'refund')}。"
        )
    if fine:
        parts.append(
            f"罚款{yuan(fine)}，应当自收到本决定书之日起十五日内缴至{account_text(facts, 'fine')}，"
            "缴款时请注明本决定书文号。到期不缴纳罚款的，本机关可以每日按罚款数额的百分之三加处罚款，"
            "加处罚款的数额不得超出罚款的数额（《中华人民共和国行政处罚法》第七十二条）。"
        )
    if not parts and kinds:
        parts.append("本决定自送达之日起执行。")
    return "".join(parts) or None


def _decision(facts: CaseFacts) -> Fields:
    decision = facts.data.get("decision") or {}
    fine = money(decision.get("fine"))
    returned = money(decision.get("return_amount"))
    kinds = list(decision.get("kinds") or [])
    fine = fine if fine and "fine" in kinds else None
    parts = penalty_parts(kinds, fine, returned)
    return {
        "facts": clause(decision.get("facts")),
        "reasons": decision.get("reasons"),
        "article": clause(decision.get("basis_article") or decision.get("article")),
        "discretion_reasons": clause(decision.get("discretion_reasons")),
        "penalties": parts,
        "penalty_text": "；".join(parts) or None,
        "fine": str(fine) if fine else None,
        "return_amount": str(returned) if returned else None,
        "performance": _performance(facts, fine, returned, kinds),
        "remedies": remedies(facts),
    }


def _adoption(facts: CaseFacts) -> str | None:
    """Whether the statement was adopted and why (处罚法第四十五条), as the decision or each statement records it."""
    decision = facts.data.get("decision") or {}
    verdicts = {True: "予以采纳", False: "不予采纳", "adopted": "予以采纳", "partly": "部分予以采纳",
                "rejected": "不予采纳"}
    adopted = decision.get("statement_adopted")
    reasons = clause(decision.get("statement_reasons"))
    statements = [s for s in facts.entries("statements") if isinstance(s, dict)]
    if adopted is None and statements:
        adopted = statements[-1].get("adopted")
        reasons = reasons or clause(statements[-1].get("review") or statements[-1].get("reasons"))
    verdict = verdicts.get(adopted) if isinstance(adopted, bool | str) else None
    if verdict is None:
        return f"经复核，{reasons}。" if reasons else None
    return f"经复核，本机关认为{reasons}，{verdict}。" if reasons else f"经复核，本机关{verdict}。"


def _statement_paragraph(facts: CaseFacts) -> str:
    """告知 (which notice, when), the party's statement and defence or its waiver, the hearing, the review."""
    data = facts.data
    notice = last_issued_ref(facts, "penalty_notice")
    told = (
        f"本机关于{cn_date(notice.issued_at)}向当事人送达了{notice.number}《行政处罚事先告知书》，"
        if notice
        else "本机关在作出本决定前，"
    )
    rights = "陈述、申辩和要求听证" if data.get("hearing_entitled") else "陈述、申辩"
    text = f"{told}告知了拟作出行政处罚的事实、理由、依据及当事人依法享有的{rights}的权利。"
    said = [clause(s.get("statement")) for s in facts.entries("statements") if isinstance(s, dict)]
    statements = [s for s in said if s]
    if statements:
        text += f"当事人提出如下陈述、申辩意见：{'；'.join(statements)}。"
        text += _adoption(facts) or "本机关对上述意见进行了复核。"
    elif data.get("statement_waived"):
        text += "当事人明确表示放弃陈述、申辩" + ("和听证" if data.get("hearing_entitled") else "") + "的权利。"
    else:
        text += "当事人在规定期限内未提出陈述、申辩意见。"
    if data.get("hearing_held"):
        hearing = data.get("hearing") or {}
        when = cn_date(hearing.get("hearing_at"))
        text += f"本机关{'于' + when if when else '依法'}举行了听证，本决定依据听证笔录作出。"
    elif data.get("hearing_entitled") and not statements:
        text += "当事人未要求听证。"
    return text


def penalty_decision(facts: CaseFacts) -> Fields:
    proposal = facts.data.get("proposal") or {}
    return {
        **_decision(facts),
        "evidence_text": clause(evidence_text_of(facts)),
        "grounds": clause((facts.data.get("decision") or {}).get("grounds") or proposal.get("grounds")),
        "statement_paragraph": _statement_paragraph(facts),
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
    decided_on = cn_date((facts.data.get("decision") or {}).get("decided_at"))
    obligation = (
        f"本机关于{decided_on}作出{number or ''}《行政处罚决定书》，"
        f"{you(facts.party)}应于{payment_due}前缴纳罚款，至今未履行。"
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
        "account": account_text(facts, "fine"),
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
        "account": account_text(facts, "fine"),
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
    title, number = last_issued(facts, "penalty_decision", "no_penalty_decision", "summary_decision", "referral")
    service = facts.data.get("service") or {}
    return {
        "summary": facts.payload.get("summary") or "本案已执行完毕，予以结案。",
        "outcome": outcomes.get(str(facts.data.get("outcome"))),
        "decision_ref": f"{number}《{title}》" if number else None,
        "served_on": cn_date(service.get("served_at")),
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
