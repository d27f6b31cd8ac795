"""The fields of each document kind, computed from the case: plain strings and lists, stored with it.

Every kind gets the common fields (agency, party, officers, dates); a kind's builder adds its
own. A value the case does not have is left ``None``, so the issuer can refuse to issue with
the field's name and the preview can show a blank line instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from documents.capitals import yuan
from documents.kinds import Required
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


# --- common ------------------------------------------------------------------------------


def common(facts: CaseFacts) -> Fields:
    party = facts.party
    officers = [
        {"name": str(o.get("name") or ""), "cert_no": str(o.get("cert_no") or "")} for o in facts.officers
    ]
    return {
        "agency": facts.agency,
        "case_number": facts.case_number,
        "item_name": facts.item_name,
        "party_name": party.get("name"),
        "party_type": PARTY_TYPES.get(str(party.get("type")), None),
        "party_address": party.get("address"),
        "party_id": party.get("id_no") or party.get("credit_code") or party.get("id_number"),
        "party_rep": party.get("legal_rep") or party.get("representative"),
        "party_phone": party.get("phone"),
        "officers": officers,
        "officers_text": "、".join(f"{o['name']}（执法证号：{o['cert_no']}）" for o in officers) or None,
        "opened_on": cn_date(facts.opened_at),
        "issued_on": cn_date(facts.moment),
        "issued_at": cn_datetime(facts.moment),
        "actor": facts.actor,
        "contact": facts.settings.get("contact_phone"),
        "contact_address": facts.settings.get("contact_address"),
    }


# --- penalty ----------------------------------------------------------------------------


def _proposal(facts: CaseFacts) -> Fields:
    proposal = facts.data.get("proposal") or {}
    kinds = list(proposal.get("kinds") or [])
    return {
        "facts": proposal.get("facts"),
        "grounds": proposal.get("grounds"),
        "article": proposal.get("article"),
        "penalty_text": penalty_text(kinds, money(proposal.get("fine"))),
    }


def _evidence(facts: CaseFacts) -> str | None:
    """The evidence given with the decision, else the recorded 笔录, else the investigation report."""
    given = text_of(facts.payload.get("evidence"))
    if given:
        return given
    entries = facts.data.get("evidence") or []
    lines = [
        f"{e.get('kind') or '证据'}：{e.get('summary')}"
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
        "record_kind": facts.payload.get("kind") or "询问笔录",
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
    seals = facts.data.get("seals") or []  # the penalty flow's sealed evidence
    last = seals[-1] if seals and isinstance(seals[-1], dict) else facts.data.get("sealing") or {}
    title, number = last_issued(facts, "sealing_decision")
    return {
        "reason": facts.payload.get("reason"),
        "decision_number": number,
        "items_text": text_of(last.get("items")),
    }


def investigation_report(facts: CaseFacts) -> Fields:
    return {"report": pick(facts, "report"), "evidence_text": _evidence(facts)}


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
        "evidence_text": _evidence(facts),
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
    return {
        "fine_text": fine_text,
        "paid_text": yuan(paid) if paid else None,
        "outstanding_text": yuan(fine - paid) if fine else None,
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


# --- applications, inspections, audits ------------------------------------------------------


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


BUILDERS: dict[str, Callable[[CaseFacts], Fields]] = {
    fn.__name__: fn
    for fn in [
        filing_approval,
        filing_refusal,
        inquiry_record,
        preservation_notice,
        sealing_decision,
        sealing_list,
        release_decision,
        investigation_report,
        legal_review_opinion,
        collective_discussion_record,
        penalty_notice,
        hearing_rights_notice,
        hearing_notice,
        penalty_decision,
        no_penalty_decision,
        summary_decision,
        referral,
        service_receipt,
        demand_notice,
        surcharge_notice,
        extension_approval,
        closing_report,
        archive_index,
        acceptance_notice,
        supplement_notice,
        refusal_notice,
        grant_notice,
        denial_notice,
        inspection_notice,
        correction_order,
        audit_notice,
        audit_statement_notice,
        audit_result_notice,
        inspection_decision,
    ]
}


def build(kind: str, facts: CaseFacts) -> Fields:
    """The common fields and the kind's own."""
    return {**common(facts), **BUILDERS[kind](facts)}


def conditional_required(kind: str, fields: Fields) -> list[Required]:
    """Requirements that depend on other fields: 留置送达 needs a witness (民诉法第八十九条)."""
    if kind == "service_receipt" and fields.get("method") == "left" and blank(fields.get("recording")):
        return [Required("witness", "见证人", "民诉法第八十九条")]
    if (
        kind == "penalty_decision"
        and "罚款" in str(fields.get("penalty_text") or "")
        and blank(fields.get("fine"))
    ):
        return [Required("fine", "罚款数额", "处罚法第五十九条")]
    return []


def missing(required: list[Required], fields: Fields) -> list[Required]:
    return [r for r in required if blank(fields.get(r.field))]
