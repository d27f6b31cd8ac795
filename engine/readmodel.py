"""Keeping the read model: one summary row per case, its officers, and one row per open clock.

Every action writes these rows in its own transaction (``record``), from the snapshot it has
just written, so a list never computes a case in Python. ``rebuild`` recomputes every row from
the case tables with the same functions; a test checks that both give the same rows.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import bindparam, delete, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from engine.clocks import due_soon_from
from engine.definitions import CatalogueItem, FlowSpec
from engine.library import Library
from engine.model import CaseModel, ClockState
from engine.persistence import Prebuilt, run_write, unit_of_work
from engine.read_tables import NO_DEADLINE, CaseActor, CaseOfficer, CaseSummary, OpenDuty
from engine.snapshot import CaseLike, model_of
from engine.tables import Case, Document, Event
from engine.timeutil import to_db


def record(
    session: Session,
    row: CaseLike,
    model: CaseModel,
    flow: FlowSpec,
    item: CatalogueItem,
    written: list[ClockState],
    *,
    new: bool,
    officers_changed: bool,
    searchable_changed: bool = True,
    state_changed: bool = True,
    first_step_of: str | None = None,
) -> None:
    """Write the read-model rows of one action on ``row`` (already saved with ``model``'s values).

    ``searchable_changed`` says whether the action issued a document or changed the party; when
    not, the stored search text (案号, 文号, party) is kept rather than read again. ``first_step_of``
    names the user who acted if this may be his first step in the case (我的已办 then gains it).
    """
    assert row.id is not None
    if new:
        _core(session, _INSERT_SUMMARY, summary_values(session, row, model, flow, item))
    else:
        # Only the columns this action can have changed: a recorded fact writes five, not thirty.
        values = {"b_case_id": row.id, **_always(row, model)}
        if state_changed:
            values.update(_state(flow, model, row))
        if written:
            values.update(_clocks(model))
        if searchable_changed:
            values.update(_party(model), search_text=_search_text(session, row, model))
        if officers_changed:
            values.update(officer_names=_officer_names(model))
        _core(session, _UPDATE_SUMMARY, values)
    if new or officers_changed:
        _write_officers(session, row.id, model)
    if new:
        _write_actors(session, row.id, model.bureau, {row.opened_by, *model.acted_by.values()}, new=True)
    elif first_step_of:
        _write_actors(session, row.id, model.bureau, {first_step_of}, new=False)
    final = flow.state(model.state).final
    if final:
        _core(session, _DELETE_DUTIES, {"b_case_id": row.id})
        return
    for clock in written:
        _write_duty(session, row.id, model, item, clock, replace=not new)


def summary_values(
    session: Session, row: CaseLike, model: CaseModel, flow: FlowSpec, item: CatalogueItem
) -> dict[str, Any]:
    """The case's whole list row, from its saved snapshot (row fields the action does not change + model)."""
    assert row.id is not None
    return dict(
        case_id=row.id,
        bureau_code=model.bureau,
        number=row.number,
        item_code=item.code,
        item_name=item.name[:300],
        power_type=item.power_type or "",
        department=item.department or "",
        flow_key=flow.key,
        flow_label=flow.label,
        opened_by=row.opened_by,
        opened_at=row.opened_at,
        officer_names=_officer_names(model),
        search_text=_search_text(session, row, model),
        **_state(flow, model, row),
        **_party(model),
        **_always(row, model),
        **_clocks(model),
    )


# The row's columns in groups, by what changes them: an update writes the groups its action changed.


def _always(row: CaseLike, model: CaseModel) -> dict[str, Any]:
    """What any action changes: its moment and version, and the data (the fine, payments, extras)."""
    decision = model.data.get("decision") or {}
    payments = model.data.get("payments") or []
    return dict(
        updated_at=row.updated_at,
        version=row.version,
        fine=_money(decision.get("fine")) if decision.get("fine") not in (None, "") else None,
        paid=sum((_money(p.get("amount")) for p in payments), Decimal(0)) if payments else None,
        extras=_extras(model),
    )


def _state(flow: FlowSpec, model: CaseModel, row: CaseLike) -> dict[str, Any]:
    state = flow.state(model.state)
    return dict(
        state=model.state,
        state_label=state.label,
        stage=state.stage or "",
        awaiting_role=state.role.value if state.role else None,
        final=state.final,
        closed_at=row.closed_at,
    )


def _clocks(model: CaseModel) -> dict[str, Any]:
    """The nearest running duty of the agency and period of the party (not suspended)."""
    duties = [c for c in model.clocks if c.open and not c.party and not c.suspended and c.deadline]
    periods = [c for c in model.clocks if c.open and c.party and not c.suspended and c.deadline]
    nearest = min(duties, key=_due, default=None)
    party_nearest = min(periods, key=_due, default=None)
    return dict(
        next_due_at=_stored(nearest),
        next_due_soon_at=_soon(nearest),
        sort_due=_stored(nearest) or NO_DEADLINE,
        next_clock_label=nearest.label if nearest else None,
        party_due_at=_stored(party_nearest),
        party_clock_label=party_nearest.label if party_nearest else None,
    )


def _party(model: CaseModel) -> dict[str, Any]:
    party = model.party or {}
    return dict(
        party_name=str(party.get("name") or "")[:300],
        party_type=str(party.get("type") or ""),
        party_id_no=_id_no(model)[:80],
    )


def _id_no(model: CaseModel) -> str:
    party = model.party or {}
    return str(party.get("id_number") or party.get("credit_code") or party.get("id_no") or "")


def _officer_names(model: CaseModel) -> str:
    return "、".join(str(o.get("name") or "") for o in model.officers if not o.get("recused"))[:300]


def _search_text(session: Session, row: CaseLike, model: CaseModel) -> str:
    """案号, party name and ID, and every 文号 the case's documents have, lower-cased."""
    numbers = session.exec(select(Document.number).where(Document.case_id == row.id)).all()
    name = str((model.party or {}).get("name") or "")
    return " ".join([row.number, name, _id_no(model), *numbers]).lower()[:2000]


def rebuild(engine: Engine, library: Library, bureau: str | None = None) -> int:
    """Recompute every read-model row from the case tables (of one bureau, or all); returns cases done."""
    with unit_of_work(engine) as session:
        query = select(Case).order_by(col(Case.id))
        if bureau:
            query = query.where(Case.bureau_code == bureau)
        ids = [r.id for r in session.exec(query).all()]
        return refresh(session, library, [i for i in ids if i is not None])


def refresh(session: Session, library: Library, case_ids: list[int]) -> int:
    """Rewrite the read-model rows of the given cases from their stored snapshot."""
    for start in range(0, len(case_ids), 500):
        chunk = case_ids[start:start + 500]
        for table in (OpenDuty, CaseOfficer, CaseActor, CaseSummary):
            session.execute(delete(table).where(col(table.case_id).in_(chunk)))
        for row in session.exec(select(Case).where(col(Case.id).in_(chunk))).all():
            model = model_of(session, row)
            flow = library.flow(row.flow_key, row.flow_version)
            item = library.item(row.bureau_code, row.item_code)
            record(session, row, model, flow, item, model.clocks, new=True, officers_changed=True)
            assert row.id is not None
            # everyone who ever took a step, not only the last to fire each trigger (a fact recorded outside
            # the flow, e.g. an attached file or a 督办, is no step: as ``record`` keeps it)
            acts = session.exec(select(Event.actor, Event.trigger).where(Event.case_id == row.id).distinct()).all()
            actors = {who for who, trigger in acts if trigger == flow.open.trigger or flow.transitions_for(trigger)}
            _write_actors(session, row.id, row.bureau_code, actors, new=False)
    return len(case_ids)


def _write_officers(session: Session, case_id: int, model: CaseModel) -> None:
    _core(session, _DELETE_OFFICERS, {"b_case_id": case_id})
    officers = [o for o in model.officers if not o.get("recused")]
    if officers:
        _core(
            session,
            _INSERT_OFFICER,
            [
                {
                    "case_id": case_id,
                    "position": position,
                    "bureau_code": model.bureau,
                    "cert_no": str(o.get("cert_no") or "")[:60],
                    "name": str(o.get("name") or "")[:80],
                }
                for position, o in enumerate(officers)
            ],
        )


def _write_actors(session: Session, case_id: int, bureau: str, usernames: set[str], *, new: bool) -> None:
    """Add the users who took a step in the case (rows are never removed: a step once taken stays)."""
    known: set[str] = set()
    if not new:
        known = set(session.exec(select(CaseActor.username).where(CaseActor.case_id == case_id)).all())
    missing = sorted(u for u in usernames - known if u)
    if missing:
        _core(session, _INSERT_ACTOR, [{"case_id": case_id, "username": u[:80], "bureau_code": bureau} for u in missing])


def _write_duty(
    session: Session, case_id: int, model: CaseModel, item: CatalogueItem, clock: ClockState, *, replace: bool
) -> None:
    assert clock.id is not None and clock.deadline is not None
    if replace:
        _core(session, _DELETE_DUTY, {"b_clock_id": clock.id})
    if not clock.open:
        return
    _core(
        session,
        _INSERT_DUTY,
        dict(
            clock_id=clock.id,
            case_id=case_id,
            bureau_code=model.bureau,
            department=item.department or "",
            item_code=model.item_code,
            flow_key=model.flow_key,
            key=clock.key,
            label=clock.label,
            party=clock.party,
            due_at=_stored(clock),
            due_soon_at=_soon(clock),
            provisional=clock.deadline.provisional,
            law=clock.law,
            accountability=clock.accountability,
            explanation=clock.deadline.explanation[:500],
        )
    )


# The tables themselves: statements on them skip the ORM's bulk machinery (an action writes a few).
SUMMARY = CaseSummary.__table__  # type: ignore[attr-defined]
OFFICER = CaseOfficer.__table__  # type: ignore[attr-defined]
DUTY = OpenDuty.__table__  # type: ignore[attr-defined]
ACTOR = CaseActor.__table__  # type: ignore[attr-defined]


# Built once: an action runs the same few statements, and building them is most of SQLAlchemy's cost.
_INSERT_SUMMARY = Prebuilt(insert(SUMMARY))
_UPDATE_SUMMARY = Prebuilt(update(SUMMARY).where(SUMMARY.c.case_id == bindparam("b_case_id")))
_INSERT_OFFICER = Prebuilt(insert(OFFICER))
_DELETE_OFFICERS = Prebuilt(delete(OFFICER).where(OFFICER.c.case_id == bindparam("b_case_id")))
_INSERT_DUTY = Prebuilt(insert(DUTY))
_DELETE_DUTY = Prebuilt(delete(DUTY).where(DUTY.c.clock_id == bindparam("b_clock_id")))
_DELETE_DUTIES = Prebuilt(delete(DUTY).where(DUTY.c.case_id == bindparam("b_case_id")))
_INSERT_ACTOR = Prebuilt(insert(ACTOR))


def _core(session: Session, writing: Prebuilt, params: dict[str, Any] | list[dict[str, Any]]) -> None:
    """Run a prebuilt write with its parameters (each, for a list) in the session's transaction (``write``)."""
    for values in params if isinstance(params, list) else [params]:
        run_write(session, writing, values)


def _due(clock: ClockState) -> datetime:
    assert clock.deadline is not None
    return clock.deadline.due_at


def _stored(clock: ClockState | None) -> datetime | None:
    if clock is None or clock.deadline is None or clock.suspended:
        return None
    return to_db(clock.deadline.due_at)


def _soon(clock: ClockState | None) -> datetime | None:
    if clock is None or clock.deadline is None or clock.suspended:
        return None
    return to_db(due_soon_from(clock.deadline.due_at, clock.unit, clock.due_soon))


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def _extras(model: CaseModel) -> dict[str, Any]:
    """Small per-list extras: the materials a hall applicant still has to bring, the party's periods."""
    extras: dict[str, Any] = {}
    missing = model.data.get("materials_missing")
    if isinstance(missing, list) and missing:
        extras["missing"] = list(missing)
    # the party's open periods (payment, statement …): a list tells which have run out and what they call for
    periods = [[c.key, to_db(_due(c)).isoformat()] for c in model.clocks
               if c.open and c.party and not c.suspended and c.deadline]
    if periods:
        extras["party_periods"] = sorted(periods)
    return extras
