"""What a document is made from: the case at the moment of issuing, as one plain object.

Issuing reads it from the running action (case model, context, payload); a preview reads it
from the case view and the would-be payload. Both give the same ``CaseFacts``, so a preview
shows exactly what issuing would print.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from engine.clockwork import deadline_of
from engine.model import CaseModel
from engine.registry import Context
from engine.tables import Bureau, Case, Document, Event
from engine.timeutil import from_db


@dataclass
class IssuedRef:
    kind: str
    title: str
    number: str
    issued_at: datetime


@dataclass
class CaseFacts:
    case_id: int
    case_number: str
    bureau: str
    agency: str  # 行政主体: the body that issues the document
    item_name: str
    item_basis: list[str]
    party: dict[str, Any]
    officers: list[dict[str, Any]]
    data: dict[str, Any]
    payload: dict[str, Any]
    settings: dict[str, Any]
    moment: datetime  # when the document is issued (the action's occurred_at)
    opened_at: datetime
    actor: str
    law: str | None = None  # the article the issuing transition cites
    deadlines: dict[str, datetime] = field(default_factory=dict)  # clock key → due moment of its last run
    clock_starts: dict[str, datetime] = field(default_factory=dict)
    issued: list[IssuedRef] = field(default_factory=list)  # documents of the case issued before
    steps: list[tuple[str, datetime]] = field(default_factory=list)  # (label, occurred_at) of each event
    power_type: str | None = None  # the item's 权力类型 (行政许可, 行政给付 …): which law a hall notice cites
    # The case as an action or a preview drives it: its lists kept in rows are read through it.
    model: CaseModel | None = None
    # Bureau settings a document being built must print and the bureau has not filled in
    # (``documents.values.setting``); ``documents.fields.draft`` gives each document a list of its own.
    unset_settings: list[str] = field(default_factory=list)

    def entries(self, key: str) -> list[dict[str, Any]]:
        """The case's list ``key`` (陈述申辩, 封存, 证据 …), read from its rows when first asked for."""
        if self.model is not None:
            return self.model.entries(key)
        value = self.data.get(key)
        return value if isinstance(value, list) else []


def agency_name(session: Session, bureau: str, subject: str | None) -> str:
    """The 行政主体 named on the item, or else the bureau's name."""
    if subject:
        return subject
    row = session.exec(select(Bureau).where(Bureau.code == bureau)).first()
    return row.name if row else bureau


def issued_documents(session: Session, case_id: int) -> list[IssuedRef]:
    rows = session.exec(select(Document).where(Document.case_id == case_id).order_by(col(Document.id))).all()
    return [IssuedRef(d.kind, d.title, d.number, from_db(d.issued_at)) for d in rows]


def facts_from_action(session: Session, row: Case, model: CaseModel, ctx: Context) -> CaseFacts:
    """The case as the issuing action left it (state, data and clocks already updated)."""
    assert row.id is not None
    deadlines: dict[str, datetime] = {}
    starts: dict[str, datetime] = {}
    for clock in model.clocks:
        deadlines[clock.key] = deadline_of(clock, ctx.calendar, ctx.occurred_at).due_at
        starts[clock.key] = clock.started_at
    label_of = {t.trigger: t.label for t in [ctx.flow.open, *ctx.flow.transitions]}
    history = session.exec(
        select(Event).where(Event.case_id == row.id, col(Event.seq) <= model.last_seq).order_by(col(Event.seq))
    ).all()
    steps = [(label_of.get(e.trigger, e.trigger), from_db(e.occurred_at)) for e in history]
    if ctx.transition is not None:
        steps.append((ctx.transition.label, ctx.occurred_at))
    return CaseFacts(
        case_id=row.id,
        case_number=row.number,
        bureau=model.bureau,
        agency=agency_name(session, model.bureau, ctx.item.subject),
        item_name=ctx.item.name,
        item_basis=list(ctx.item.basis),
        party=dict(model.party),
        officers=[o for o in model.officers if not o.get("recused")],
        data=model.data,
        payload=dict(ctx.payload),
        settings=ctx.settings,
        moment=ctx.occurred_at,
        opened_at=model.opened_at or ctx.occurred_at,
        actor=ctx.actor.name,
        law=ctx.transition.source_law if ctx.transition else None,
        deadlines=deadlines,
        clock_starts=starts,
        issued=issued_documents(session, row.id),
        steps=steps,
        power_type=ctx.item.power_type,
        model=model,
    )
