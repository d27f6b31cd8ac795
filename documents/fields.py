"""The fields of each document kind, computed from the case: plain strings and lists, stored with it.

Every kind gets the common fields (agency, party, officers, dates); a kind's builder, a function
named after the kind in one of the ``*_fields`` modules, adds its own. A value the case does not
have is left ``None``, so the issuer can refuse to issue naming the field and the preview can show
a blank line instead. A bureau setting the document must print and the bureau has not filled in
(an account, the review organ) is listed in the ``Draft``, so the issuer can refuse naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from types import ModuleType

from documents import decision_fields, execution_fields, other_fields, penalty_fields
from documents.kinds import KINDS, Required
from documents.source import CaseFacts
from documents.values import PARTY_TYPES, Fields, blank, case_ref, cn_date, cn_datetime, you


def common(facts: CaseFacts) -> Fields:
    party = facts.party
    officers = [
        {"name": str(o.get("name") or ""), "cert_no": str(o.get("cert_no") or "")} for o in facts.officers
    ]
    kind = party.get("type") if party.get("type") in PARTY_TYPES else None
    id_no = party.get("id_no") or party.get("id_number")
    credit_code = party.get("credit_code")
    filed_at = facts.clock_starts.get("decision")  # the 处罚决定 clock starts at 立案 (处罚法第六十条)
    return {
        "agency": facts.agency,
        "case_ref": case_ref(facts),  # 案号; the internal case number never appears in a document
        "item_name": facts.item_name,
        "party_name": party.get("name"),
        "party_kind": kind,
        "party_type": PARTY_TYPES.get(str(kind)) if kind else None,
        "party_address": party.get("address"),
        "party_id": id_no or credit_code,
        "party_id_no": id_no,
        "party_credit_code": credit_code,
        "party_rep": party.get("legal_rep") or party.get("representative"),
        "party_phone": party.get("phone"),
        "you": you(party),
        "officers": officers,
        "officers_text": "、".join(
            f"{o['name']}（执法证号：{o['cert_no']}）" if o["cert_no"] else o["name"] for o in officers
        ) or None,
        "opened_on": cn_date(facts.opened_at),  # the lead's registration (线索登记), not 立案
        "filed_on": cn_date(filed_at),
        "issued_on": cn_date(facts.moment),
        "issued_at": cn_datetime(facts.moment),
        "actor": facts.actor,
        "contact": facts.settings.get("contact_phone"),
        "contact_address": facts.settings.get("agency_address"),
    }


def _builders(*modules: ModuleType) -> dict[str, Callable[[CaseFacts], Fields]]:
    found = {name: fn for module in modules for name, fn in vars(module).items() if name in KINDS}
    absent = sorted(set(KINDS) - set(found))
    if absent:
        raise RuntimeError(f"document kinds without a fields builder: {absent}")
    return found


BUILDERS = _builders(penalty_fields, decision_fields, other_fields, execution_fields)


@dataclass(frozen=True)
class Draft:
    fields: Fields
    unset_settings: tuple[str, ...]  # bureau settings it must print that the bureau has not filled in


def draft(kind: str, facts: CaseFacts) -> Draft:
    """The common fields and the kind's own, with the empty bureau settings they needed."""
    reading = replace(facts, unset_settings=[])
    fields = {**common(reading), **BUILDERS[kind](reading)}
    return Draft(fields, tuple(reading.unset_settings))


def build(kind: str, facts: CaseFacts) -> Fields:
    return draft(kind, facts).fields


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
