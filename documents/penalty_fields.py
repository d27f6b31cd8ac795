"""Fields of the penalty documents up to the 告知 and hearing: filing, investigation, review, notices."""

from __future__ import annotations

from typing import Any

from documents.source import CaseFacts
from documents.values import (
    SEALING_BASIS,
    Fields,
    clause,
    cn_date,
    cn_datetime,
    due,
    items_of,
    last_issued,
    money,
    penalty_text,
    pick,
    remedies,
    text_of,
)
from engine.rules.penalty import EVIDENCE_KINDS, RECORD_KINDS


def _proposal(facts: CaseFacts) -> Fields:
    proposal = facts.data.get("proposal") or {}
    kinds = list(proposal.get("kinds") or [])
    fine = money(proposal.get("fine")) if "fine" in kinds else None
    return {
        "facts": clause(proposal.get("facts")),
        "grounds": clause(proposal.get("grounds")),
        "article": clause(proposal.get("basis_article") or proposal.get("article")),
        "discretion_reasons": clause(proposal.get("discretion_reasons")),
        "penalty_text": penalty_text(kinds, fine, money(proposal.get("return_amount"))),
    }


def _evidence_name(entry: dict[str, Any]) -> str:
    """A recorded piece of evidence named by its kind (处罚法第四十六条) and the record it was taken in."""
    kind = EVIDENCE_KINDS.get(str(entry.get("kind")), "证据")
    record = RECORD_KINDS.get(str(entry.get("record")))
    return f"{kind}（{record}）" if record else kind


def evidence_text_of(facts: CaseFacts) -> str | None:
    """The evidence given with the decision, else the recorded 笔录, else the investigation report."""
    given = text_of(facts.payload.get("evidence"))
    if given:
        return given
    entries = facts.entries("evidence")
    lines = [
        f"{_evidence_name(e)}：{e.get('summary')}"
        for e in entries
        if isinstance(e, dict) and e.get("summary")
    ]
    report = (facts.data.get("investigation_report") or {}).get("report")
    if not lines and report:
        lines = [f"调查终结报告：{report}"]
    return "；".join(lines) or None


def filing_approval(facts: CaseFacts) -> Fields:
    proposal = facts.data.get("filing_proposal") or {}
    return {
        "lead_source": facts.data.get("lead_source"),
        "lead_summary": facts.data.get("lead_summary"),
        "violation_ended_on": cn_date(facts.data.get("violation_ended_on")),
        "opinion": proposal.get("opinion"),
        "decision_due": due(facts, "decision"),
    }


def filing_refusal(facts: CaseFacts) -> Fields:
    return {"lead_summary": facts.data.get("lead_summary"), "reasons": pick(facts, "reasons")}


def inquiry_record(facts: CaseFacts) -> Fields:
    return {
        "record_kind": RECORD_KINDS.get(str(facts.payload.get("record")), "询问笔录"),
        "evidence_kind": EVIDENCE_KINDS.get(str(facts.payload.get("kind"))),
        "summary": facts.payload.get("summary"),
        "place": facts.payload.get("place"),
        "interviewee": facts.payload.get("interviewee"),
    }


def preservation_notice(facts: CaseFacts) -> Fields:
    items = facts.payload.get("items")
    return {
        "items_text": text_of(items),
        "items": items_of(items),
        "approved_by": facts.payload.get("approved_by"),
        "preservation_due": due(facts, "preservation"),
    }


def sealing_decision(facts: CaseFacts) -> Fields:
    items = facts.payload.get("items")
    start, end = facts.clock_starts.get("evidence_seal"), facts.deadlines.get("evidence_seal")
    period = f"自{cn_date(start)}起至{cn_date(end)}止" if start and end else None
    return {
        "reasons": facts.payload.get("reasons"),
        "basis": facts.payload.get("basis") or facts.settings.get("sealing_basis") or SEALING_BASIS,
        "period_text": period,
        "items_text": text_of(items),
        "items": items_of(items),
        "place": facts.payload.get("place"),
        "remedies": remedies(facts),
    }


def sealing_list(facts: CaseFacts) -> Fields:
    items = facts.payload.get("items")
    title, number = last_issued(facts, "sealing_decision")
    return {"items_text": text_of(items), "items": items_of(items), "decision_number": number}


def release_decision(facts: CaseFacts) -> Fields:
    seals = facts.entries("seals")  # the penalty flow's sealed evidence
    last = seals[-1] if seals and isinstance(seals[-1], dict) else facts.data.get("sealing") or {}
    title, number = last_issued(facts, "sealing_decision")
    # Termination or referral releases every open seal at once (令4号第四十七条): those items, that reason.
    released = facts.data.get("released_items") if facts.data.get("holds_released") else None
    return {
        "reason": facts.payload.get("reason") or facts.data.get("release_reason"),
        "decision_number": number,
        "items_text": text_of(released or last.get("items")),
    }


def investigation_report(facts: CaseFacts) -> Fields:
    return {"report": pick(facts, "report"), "evidence_text": evidence_text_of(facts)}


def legal_review_opinion(facts: CaseFacts) -> Fields:
    return {
        **_proposal(facts),
        "opinion": facts.payload.get("opinion") or (facts.data.get("legal_review") or {}).get("opinion"),
    }


def collective_discussion_record(facts: CaseFacts) -> Fields:
    record = facts.data.get("collective_discussion") or {}
    return {
        **_proposal(facts),
        "participants": text_of(facts.payload.get("participants") or record.get("participants")),
        "conclusion": facts.payload.get("conclusion") or record.get("conclusion"),
    }


def penalty_notice(facts: CaseFacts) -> Fields:
    return {
        **_proposal(facts),
        "statement_due": due(facts, "statement"),
        "hearing_entitled": bool(facts.data.get("hearing_entitled")),
        "hearing_request_due": due(facts, "hearing_request"),
    }


def hearing_rights_notice(facts: CaseFacts) -> Fields:
    return {**_proposal(facts), "hearing_request_due": due(facts, "hearing_request")}


def hearing_notice(facts: CaseFacts) -> Fields:
    hearing = facts.data.get("hearing") or {}
    return {
        "hearing_at": cn_datetime(facts.payload.get("hearing_at") or hearing.get("hearing_at")),
        "place": facts.payload.get("place") or hearing.get("place"),
        "host": facts.payload.get("host") or hearing.get("host"),
    }


def hearing_record(facts: CaseFacts) -> Fields:
    """听证笔录 (处罚法第六十四条第八项): what was heard, read to the party, who checks and signs it (or the
    refusal is noted), signed by the host."""
    hearing = facts.data.get("hearing") or {}
    signed = facts.payload.get("party_signed")
    refusal = facts.payload.get("refusal_note")
    return {
        **_proposal(facts),
        "hearing_at": cn_datetime(hearing.get("hearing_at")),
        "place": hearing.get("place"),
        "host": hearing.get("host"),
        "clerk": facts.payload.get("clerk"),
        "attendees": text_of(facts.payload.get("attendees")),
        "record": clause(facts.payload.get("record")),
        "party_signature": "当事人已核对并签字" if signed else (f"当事人拒绝签字：{refusal}" if refusal else None),
        "host_signed": bool(facts.payload.get("host_signed")),
    }


def seal_extension_notice(facts: CaseFacts) -> Fields:
    """强制法第二十五条: the extension of a seal is told to the party in writing, with its reason."""
    return {
        "days": facts.payload.get("days"),
        "reason": facts.payload.get("reason"),
        "new_due": due(facts, "evidence_seal"),
    }
