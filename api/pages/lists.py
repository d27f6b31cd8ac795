"""Lists the pages show: my cases by urgency, cases awaiting a role, cases opened/closed per month."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from api.deps import AppState
from engine.definitions import Role
from engine.errors import DomainError
from engine.model import Actor
from engine.tables import Case, Event
from engine.timeutil import from_db, local

SEVERITY = {"overdue": 0, "due_soon": 1, "suspended": 3, "running": 2}


def open_cases(state: AppState, actor: Actor) -> list[Case]:
    with Session(state.engine) as session:
        return list(
            session.exec(
                select(Case)
                .where(Case.bureau_code == actor.bureau, col(Case.final).is_(False))
                .order_by(col(Case.id))
            ).all()
        )


def is_my_case(row: Case, actor: Actor) -> bool:
    for officer in row.officers:
        if officer.get("recused"):
            continue
        if actor.cert_no and str(officer.get("cert_no") or "") == actor.cert_no:
            return True
    return row.opened_by == actor.username


def state_role(state: AppState, row: Case) -> Role | None:
    try:
        return state.library.flow(row.flow_key, row.flow_version).state(row.state).role
    except (DomainError, KeyError):
        return None


def summarise(state: AppState, actor: Actor, rows: list[Case]) -> list[dict[str, Any]]:
    """Each case with its state, allowed actions and nearest duty deadline, most urgent first."""
    now = datetime.now().astimezone()
    result = []
    for row in rows:
        assert row.id is not None
        view = state.cases.view(actor, row.id, now)
        duties = [c for c in view["clocks"] if not c.get("party") and c["status"] in SEVERITY]
        duties.sort(key=lambda c: (SEVERITY[c["status"]], c["due_at"]))
        nearest = duties[0] if duties else None
        result.append(
            {
                "id": view["id"],
                "number": view["number"],
                "item": view["item"],
                "flow": view["flow"],
                "state_label": view["state_label"],
                "party": (view["party"] or {}).get("name", ""),
                "next": [a["label"] for a in view["actions"] if a["allowed"]],
                "nearest": nearest,
                "status": nearest["status"] if nearest else "none",
            }
        )
    result.sort(
        key=lambda c: (
            SEVERITY.get(c["status"], 9),
            c["nearest"]["due_at"] if c["nearest"] else "9999",
            c["id"],
        )
    )
    return result


def awaiting_role(state: AppState, actor: Actor, role: Role) -> list[Case]:
    return [row for row in open_cases(state, actor) if state_role(state, row) == role]


def monthly(state: AppState, actor: Actor, months: int = 12) -> list[dict[str, Any]]:
    """Cases opened and closed (reached a final state) per month, the last ``months`` months."""
    with Session(state.engine) as session:
        rows = session.exec(select(Case).where(Case.bureau_code == actor.bureau)).all()
        opened = Counter(f"{local(from_db(r.opened_at)):%Y-%m}" for r in rows)
        closed: Counter[str] = Counter()
        finals = {r.id: r.state for r in rows if r.final}
        if finals:
            events = session.exec(
                select(Event).where(col(Event.case_id).in_(list(finals))).order_by(col(Event.seq))
            ).all()
            when: dict[int, datetime] = {}
            for event in events:
                if event.to_state == finals[event.case_id] and event.case_id not in when:
                    when[event.case_id] = from_db(event.occurred_at)
            closed.update(f"{local(m):%Y-%m}" for m in when.values())
    today = local(datetime.now().astimezone())
    keys = []
    year, month = today.year, today.month
    for _ in range(months):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    keys.reverse()
    return [{"month": k, "opened": opened.get(k, 0), "closed": closed.get(k, 0)} for k in keys]
