"""The working calendar as stored: the package's official years plus schedules an administrator loaded.

Building a year of working days is the costliest part of a deadline, so each process keeps the
calendar it built and asks the database only for a version stamp of the loaded schedules (the
number of rows and their latest load moment, one indexed aggregate). A year loaded through any
process changes the stamp, so every process rebuilds on its next read: nothing goes stale.
"""

from __future__ import annotations

import threading
from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy.engine import URL
from sqlmodel import Session, select

from engine.calendar import WorkCalendar, YearSchedule
from engine.persistence import connection_of, in_unit_of_work
from engine.tables import CalendarYear

Stamp = tuple[int, datetime | None]

_lock = threading.Lock()
# per database: by its URL object's identity (an engine and its option engines share it; hashing a URL
# writes it as text, which cost every action), the URL kept to tell a reused id from the same URL
_cached: dict[int, tuple[URL, Stamp, WorkCalendar]] = {}


def calendar_stamp(session: Session) -> Stamp:
    """Changes whenever a year is loaded or reloaded, in any process."""
    count, latest = session.exec(select(func.count(), func.max(CalendarYear.loaded_at))).one()
    return int(count), latest


def load_calendar(session: Session) -> WorkCalendar:
    """A calendar with every loaded year's official schedule taking precedence over the package."""
    return calendar_for(session, calendar_stamp(session))


def calendar_for(session: Session, stamp: Stamp) -> WorkCalendar:
    """The calendar of a stamp already read (e.g. with the case): rebuilt only when the stamp changed."""
    # of the unit of work's connection if there is one (asking the session for its bind costs every action)
    database = (connection_of(session) if in_unit_of_work(session) else session.get_bind()).engine.url
    cached = _cached.get(id(database))
    if cached is not None and cached[0] is database and cached[1] == stamp:
        return cached[2]
    rows = session.exec(select(CalendarYear)).all()
    calendar = WorkCalendar({row.year: _schedule(row) for row in rows})
    with _lock:
        _cached[id(database)] = (database, stamp, calendar)
    return calendar


def _schedule(row: CalendarYear) -> YearSchedule:
    return YearSchedule(
        year=row.year,
        holidays=frozenset(date.fromisoformat(d) for d in row.holidays),
        workdays=frozenset(date.fromisoformat(d) for d in row.workdays),
    )
