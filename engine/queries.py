"""Read-side queries: case lists, the overdue dashboard, documents. Always within one bureau."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from engine.clocks import ClockStatus
from engine.clockwork import view_clock
from engine.errors import NotFound
from engine.library import Library
from engine.model import Actor
from engine.tables import Case, Clock, Document
from engine.workcalendar import load_calendar

ALERT = (ClockStatus.overdue, ClockStatus.due_soon)


def list_cases(engine: Engine, library: Library, actor: Actor, *, state: str | None = None, item: str | None = None,
               overdue: bool = False, flow: str | None = None, page: int = 1, size: int = 50) -> dict[str, Any]:
    """A page of the bureau's cases, newest first; ``overdue`` keeps those with an overdue duty."""
    with Session(engine) as session:
        query = select(Case).where(Case.bureau_code == actor.bureau)
        if state:
            query = query.where(Case.state == state)
        if item:
            query = query.where(Case.item_code == item)
        if flow:
            query = query.where(Case.flow_key == flow)
        if overdue:
            late = select(Clock.case_id).where(col(Clock.open), col(Clock.party).is_(False),
                                               col(Clock.due_at) < datetime.now().astimezone())
            query = query.where(col(Case.id).in_(late))
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(query.order_by(col(Case.id).desc()).offset((page - 1) * size).limit(size)).all()
        items = []
        for row in rows:
            flow_spec = library.flow(row.flow_key, row.flow_version)
            catalogue_item = library.item(row.bureau_code, row.item_code)
            items.append({
                "id": row.id, "number": row.number, "item": row.item_code, "item_name": catalogue_item.name,
                "flow": row.flow_key, "state": row.state, "state_label": flow_spec.state(row.state).label,
                "final": row.final, "party": row.party.get("name"), "opened_at": row.opened_at.isoformat(),
                "version": row.version,
            })
        return {"items": items, "total": total, "page": page, "size": size}


def dashboard(engine: Engine, library: Library, actor: Actor, as_of: datetime, *, department: str | None = None,
              officer: str | None = None, item: str | None = None, flow: str | None = None) -> dict[str, Any]:
    """Overdue and due-soon duties of the bureau's open cases as of a moment, most late first."""
    with Session(engine) as session:
        calendar = load_calendar(session)
        rows = session.exec(
            select(Clock, Case).join(Case, col(Case.id) == col(Clock.case_id))
            .where(Case.bureau_code == actor.bureau, col(Clock.open), col(Clock.party).is_(False),
                   col(Case.final).is_(False))
        ).all()
        entries: list[dict[str, Any]] = []
        for clock_row, case_row in rows:
            from engine.cases import clock_state_of

            view = view_clock(clock_state_of(clock_row), calendar, as_of)
            if view.status not in ALERT:
                continue
            catalogue_item = library.item(case_row.bureau_code, case_row.item_code)
            names = [o.get("name") for o in case_row.officers if not o.get("recused")]
            certs = [str(o.get("cert_no")) for o in case_row.officers if not o.get("recused")]
            if department and catalogue_item.department != department:
                continue
            if officer and officer not in names and officer not in certs:
                continue
            if item and case_row.item_code != item:
                continue
            if flow and case_row.flow_key != flow:
                continue
            flow_spec = library.flow(case_row.flow_key, case_row.flow_version)
            entries.append({
                "case_id": case_row.id, "number": case_row.number, "item": case_row.item_code,
                "item_name": catalogue_item.name, "flow": case_row.flow_key, "department": catalogue_item.department,
                "state": case_row.state, "state_label": flow_spec.state(case_row.state).label,
                "officers": names, "party": case_row.party.get("name"),
                "clock": clock_row.key, "step": clock_row.label, "due_at": view.deadline.due_at.isoformat(),
                "status": view.status.value, "days_late": view.days_late, "source": clock_row.law,
                "accountability": clock_row.accountability,
                "accountability_items": [a for a in catalogue_item.accountability
                                         if clock_row.accountability and clock_row.accountability in a]
                or ([clock_row.accountability] if clock_row.accountability else []),
                "explanation": view.deadline.explanation, "provisional": view.deadline.provisional,
            })
        entries.sort(key=lambda e: (e["status"] != "overdue", -e["days_late"], e["due_at"]))
        return {
            "as_of": as_of.isoformat(),
            "overdue": sum(1 for e in entries if e["status"] == "overdue"),
            "due_soon": sum(1 for e in entries if e["status"] == "due_soon"),
            "items": entries,
        }


def document_pdf(engine: Engine, actor: Actor, case_id: int, doc_id: int) -> Document:
    with Session(engine) as session:
        case = session.get(Case, case_id)
        doc = session.get(Document, doc_id)
        if case is None or case.bureau_code != actor.bureau or doc is None or doc.case_id != case_id:
            raise NotFound("DOCUMENT_NOT_FOUND", f"本案没有编号为{doc_id}的文书", doc_id=doc_id)
        return doc
