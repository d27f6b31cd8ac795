"""Calendar years and audit: load an official schedule and recompute open clocks; verify chains."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from engine import readmodel
from engine.calendar import PACKAGE_YEARS, parse_schedule
from engine.clockwork import deadline_of
from engine.events import BrokenLink, verify_chain
from engine.library import Library
from engine.persistence import unit_of_work
from engine.snapshot import clock_state_of
from engine.tables import CalendarYear, Case, Clock, Event
from engine.workcalendar import load_calendar


def load_year(engine: Engine, library: Library, data: Any, loaded_by: str) -> tuple[int, int]:
    """Store a year's official schedule and recompute every open clock; returns (year, clocks changed).

    The read model of every case whose deadline moved is rewritten in the same transaction.
    """
    schedule = parse_schedule(data)
    with unit_of_work(engine) as session:
        row = session.get(CalendarYear, schedule.year) or CalendarYear(
            year=schedule.year, loaded_at=datetime.now(UTC), loaded_by=loaded_by
        )
        row.holidays = sorted(d.isoformat() for d in schedule.holidays)
        row.workdays = sorted(d.isoformat() for d in schedule.workdays)
        row.loaded_at, row.loaded_by = datetime.now(UTC), loaded_by
        session.add(row)
        session.flush()
        cases = recompute_open_clocks(session)
        readmodel.refresh(session, library, sorted(cases))
    return schedule.year, sum(cases.values())


def recompute_open_clocks(session: Session) -> dict[int, int]:
    """Recompute the due moment of every open clock with the current calendar; clocks changed per case."""
    calendar = load_calendar(session)
    now = datetime.now(UTC)
    changed: dict[int, int] = {}
    for row in session.exec(select(Clock).where(col(Clock.open))).all():
        deadline = deadline_of(clock_state_of(row), calendar, now)
        due = deadline.due_at.astimezone(UTC)
        stored = row.due_at if row.due_at.tzinfo else row.due_at.replace(tzinfo=UTC)
        if due != stored or deadline.provisional != row.provisional:
            row.due_at, row.provisional, row.explanation = (
                due,
                deadline.provisional,
                deadline.explanation[:500],
            )
            session.add(row)
            changed[row.case_id] = changed.get(row.case_id, 0) + 1
    session.flush()
    return changed


def calendar_summary(engine: Engine, year: int | None) -> dict[str, Any]:
    with Session(engine) as session:
        loaded = {r.year: r for r in session.exec(select(CalendarYear)).all()}
    this_year = datetime.now(UTC).year
    years = sorted(set(PACKAGE_YEARS) | set(loaded) | {this_year, this_year + 1})
    result: dict[str, Any] = {
        "years": [
            {
                "year": y,
                "source": "管理员载入"
                if y in loaded
                else ("chinese-calendar" if y in PACKAGE_YEARS else "无"),
                "provisional": y not in loaded and y not in PACKAGE_YEARS,
            }
            for y in years
            if y >= 2020
        ]
    }
    if year is not None:
        from datetime import date, timedelta

        with Session(engine) as session:
            calendar = load_calendar(session)
        day, holidays, workdays = date(year, 1, 1), [], []
        while day.year == year:
            if day.weekday() < 5 and not calendar.is_workday(day):
                holidays.append(day.isoformat())
            if day.weekday() >= 5 and calendar.is_workday(day):
                workdays.append(day.isoformat())
            day += timedelta(days=1)
        result.update(holidays=holidays, workdays=workdays)
    return result


def verify_all(engine: Engine) -> tuple[int, BrokenLink | None]:
    """Verify each case's chain in id order; returns (cases checked, first broken link or None)."""
    with Session(engine) as session:
        case_ids = session.exec(select(Case.id).order_by(col(Case.id))).all()
        for index, case_id in enumerate(case_ids, start=1):
            events = session.exec(
                select(Event).where(Event.case_id == case_id).order_by(col(Event.seq))
            ).all()
            broken = verify_chain(events)
            if broken is not None:
                return index, broken
        return len(case_ids), None
