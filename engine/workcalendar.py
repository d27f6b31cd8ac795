"""The working calendar as stored: the package's official years plus schedules an administrator loaded."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from engine.calendar import WorkCalendar, YearSchedule
from engine.tables import CalendarYear


def load_calendar(session: Session) -> WorkCalendar:
    """A calendar with every loaded year's official schedule taking precedence over the package."""
    rows = session.exec(select(CalendarYear)).all()
    return WorkCalendar({row.year: _schedule(row) for row in rows})


def _schedule(row: CalendarYear) -> YearSchedule:
    return YearSchedule(
        year=row.year,
        holidays=frozenset(date.fromisoformat(d) for d in row.holidays),
        workdays=frozenset(date.fromisoformat(d) for d in row.workdays),
    )
