"""The case file (卷宗): what goes in it, in which order, and what a reviewer would find missing.

The rules are data (``processes/dossier.yaml``, loaded by ``processes.loader.load_dossier_rules``):
per flow, the document kinds bound first (the 决定书), then everything else in the order it
happened; and checks of the form "for every X, at least as many Y" (a decision and its 送达回证, a
hearing and its signed 笔录). ``contents`` reads what a case holds (documents, evidence files,
events) without the bytes; the PDF is put together in ``documents.dossier``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from engine.evidence import files_of
from engine.tables import Case, Document, Event
from engine.timeutil import from_db


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Thing(_Strict):
    """One of: a document kind issued, an evidence kind attached (not withdrawn), an event's trigger."""

    document: str | None = None
    evidence: str | None = None
    event: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Thing:
        if sum(v is not None for v in (self.document, self.evidence, self.event)) != 1:
            raise ValueError("name exactly one of document, evidence, event")
        return self


class Check(_Strict):
    when: Thing = Field(alias="for")
    needs: Thing
    missing: str  # the Chinese sentence a reviewer reads
    law: str | None = None


class FlowRules(_Strict):
    lead: list[str] = Field(default_factory=list)
    filed_by: str | None = None
    closed_by: str | None = None
    retention: str | None = None
    checks: list[Check] = Field(default_factory=list)


class DossierRules(_Strict):
    retention: str
    flows: dict[str, FlowRules] = Field(default_factory=dict)

    def of(self, flow_key: str) -> FlowRules:
        return self.flows.get(flow_key) or FlowRules()


@dataclass(frozen=True)
class Finding:
    """A shortfall: ``have`` of what ``check.needs`` names against ``wanted`` occurrences of ``check.when``."""

    message: str
    law: str | None
    wanted: int
    have: int

    def as_dict(self) -> dict[str, Any]:
        return {"message": self.message, "law": self.law, "wanted": self.wanted, "have": self.have}


@dataclass
class Contents:
    """What a case holds for its file: document rows (current and replaced), evidence files, event triggers."""

    case: Case
    documents: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    events: list[tuple[str, datetime]]  # (trigger, occurred_at) in order

    def moment_of(self, trigger: str | None) -> datetime | None:
        """The first moment the trigger was fired, or None."""
        return next((at for t, at in self.events if t == trigger), None) if trigger else None


def contents(session: Session, case: Case) -> Contents:
    assert case.id is not None
    docs = Document.__table__  # type: ignore[attr-defined]
    documents = [
        {"id": d.id, "kind": d.kind, "title": d.title, "number": d.number, "issued_at": from_db(d.issued_at),
         "replaces_id": d.replaces_id}
        for d in session.connection().execute(  # the rows without their fields or PDFs
            sa_select(docs.c.id, docs.c.kind, docs.c.title, docs.c.number, docs.c.issued_at, docs.c.replaces_id)
            .where(docs.c.case_id == case.id).order_by(docs.c.id)
        ).all()
    ]
    replaced = {d["replaces_id"] for d in documents if d["replaces_id"]}
    for d in documents:
        d["current"] = d["id"] not in replaced
    events = [
        (trigger, from_db(at))
        for trigger, at in session.exec(
            select(Event.trigger, Event.occurred_at).where(Event.case_id == case.id).order_by(col(Event.seq))
        ).all()
    ]
    return Contents(case, documents, files_of(session, case.id), events)


def completeness(rules: FlowRules, found: Contents) -> list[Finding]:
    """Each check whose ``needs`` occur fewer times than its ``for``; corrected and withdrawn items do not count."""
    findings = []
    for check in rules.checks:
        wanted, have = _count(check.when, found), _count(check.needs, found)
        if wanted > have:
            findings.append(Finding(check.missing, check.law, wanted, have))
    return findings


def _count(thing: Thing, found: Contents) -> int:
    if thing.document is not None:
        return sum(1 for d in found.documents if d["kind"] == thing.document and d["current"])
    if thing.evidence is not None:
        return sum(1 for e in found.evidence if e["kind"] == thing.evidence and not e["withdrawn"])
    return sum(1 for trigger, _ in found.events if trigger == thing.event)


def bound_order(rules: FlowRules, found: Contents) -> list[tuple[str, dict[str, Any]]]:
    """The file's items in binding order: ("document", row) and ("evidence", row), withdrawn files left out.

    The lead kinds come first (in the order the rules list them, each kind oldest first), then
    every other item in the order it happened; at the same moment a document comes before a file.
    """
    lead = {kind: index for index, kind in enumerate(rules.lead)}
    first = sorted(
        (d for d in found.documents if d["kind"] in lead), key=lambda d: (lead[d["kind"]], d["issued_at"], d["id"])
    )
    rest: list[tuple[datetime, int, int, tuple[str, dict[str, Any]]]] = [
        (d["issued_at"], 0, d["id"], ("document", d)) for d in found.documents if d["kind"] not in lead
    ]
    rest += [
        (datetime.fromisoformat(e["attached_at"]), 1, e["id"], ("evidence", e))
        for e in found.evidence if not e["withdrawn"]
    ]
    rest.sort(key=lambda r: r[:3])
    return [("document", d) for d in first] + [r[3] for r in rest]
