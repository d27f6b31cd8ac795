"""Preview a document before issuing: the current case with the would-be payload; no number, nothing stored.

The preview applies the actions of the transition that would issue the document to a copy
of the case (so a decision's fields come from the payload just as they would when deciding)
and starts the clocks that transition starts (so the 告知书 shows the statement deadline the
clock engine will compute). Guards are not checked: a preview is allowed before the move is.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from sqlmodel import Session

from documents.issuer import preview_document
from documents.kinds import Required, kind_of
from documents.source import CaseFacts, agency_name, issued_documents
from engine import entries
from engine.cases import CaseService
from engine.clockwork import clock_amount, clock_start, deadline_of
from engine.definitions import FlowSpec, TransitionSpec
from engine.errors import DomainError
from engine.machine import run_actions
from engine.model import ENTRY_LISTS, Actor, CaseModel, ClockState
from engine.registry import Context


def issuing_transition(flow: FlowSpec, state: str, kind: str) -> TransitionSpec | None:
    """The transition that would issue ``kind`` from ``state`` (else any that issues it)."""
    issuing = [t for t in [flow.open, *flow.transitions] if kind in t.documents]
    here = [t for t in issuing if state in t.source or "*" in t.source]
    chosen = here or issuing
    return chosen[0] if chosen else None


def preview(
    cases: CaseService, actor: Actor, case_id: int, kind_key: str, payload: dict[str, Any], moment: datetime
) -> tuple[bytes, list[Required]]:
    kind = kind_of(kind_key)
    view = cases.view(actor, case_id, moment, actions=False)  # refuses a case of another bureau
    history = cases.events(actor, case_id, size=view["events_total"] or 1)["items"]
    flow = cases.library.flow(view["flow"]["key"], view["flow"]["version"])
    item = cases.library.item(view["bureau"], view["item"]["code"])
    calendar = cases.calendar()
    with Session(cases.engine) as session:
        settings = cases.settings_for(session, flow, item, view["bureau"])
        agency = agency_name(session, view["bureau"], item.subject)
        issued = issued_documents(session, case_id)
    model = CaseModel(
        state=view["state"],
        bureau=view["bureau"],
        item_code=item.code,
        flow_key=flow.key,
        flow_version=flow.version,
        party=copy.deepcopy(view["party"]),
        officers=copy.deepcopy(view["officers"]),
        data=copy.deepcopy(view["data"]),
        opened_at=datetime.fromisoformat(view["opened_at"]),
        id=case_id,
        number=view["number"],
    )
    model.data[ENTRY_LISTS] = copy.deepcopy(view["lists"])
    entries.attach(cases.engine, model, flow)
    deadlines = {c["key"]: datetime.fromisoformat(c["due_at"]) for c in view["clocks"]}
    starts = {c["key"]: datetime.fromisoformat(c["started_at"]) for c in view["clocks"]}
    transition = issuing_transition(flow, view["state"], kind.key)
    if transition is not None:
        ctx = Context(model, flow, item, transition, actor, moment, calendar, settings, dict(payload))
        try:
            run_actions(transition, ctx)
        except DomainError:
            pass  # incomplete input: the preview shows blanks where the values would go
        for spec in flow.clocks:
            if transition.trigger in spec.start:
                try:
                    amount = clock_amount(spec, settings, payload)
                except (DomainError, KeyError, ValueError):
                    continue
                clock = ClockState.from_spec(spec, amount, clock_start(spec, moment, payload))
                deadlines[spec.key] = deadline_of(clock, calendar, moment).due_at
                starts[spec.key] = clock.started_at
    facts = CaseFacts(
        case_id=case_id,
        case_number=view["number"],
        bureau=view["bureau"],
        agency=agency,
        item_name=item.name,
        item_basis=list(item.basis),
        party=model.party,
        officers=[o for o in model.officers if not o.get("recused")],
        data=model.data,
        payload=dict(payload),
        settings=settings,
        moment=moment,
        opened_at=model.opened_at or moment,
        actor=actor.name,
        law=transition.source_law if transition else None,
        deadlines=deadlines,
        clock_starts=starts,
        issued=issued,
        steps=[(e["label"], datetime.fromisoformat(e["occurred_at"])) for e in history],
        power_type=item.power_type,
        model=model,
    )
    return preview_document(kind, facts)
