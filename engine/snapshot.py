"""A case's current snapshot: what an action reads and writes back, never its history.

An action loads the case row (state, data, the head of its hash chain) and its clocks, runs,
and writes back the row, the clocks it changed (only those are recomputed) and one event.
Nothing here reads the case's events, so an action costs the same at the 1,000th event as at
the first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, NamedTuple, TypeAlias

import orjson
from sqlalchemy import JSON, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session

from engine.calendar import WorkCalendar
from engine.clocks import Deadline, Span
from engine.clockwork import deadline_of
from engine.definitions import Unit
from engine.model import CaseModel, ClockState
from engine.persistence import Prebuilt, run_write, write_returning
from engine.tables import Bureau, CalendarYear, Case, CaseLink, Clock
from engine.timeutil import from_db, sqlite_text_iso, to_db
from engine.workcalendar import calendar_for

CASE = Case.__table__  # type: ignore[attr-defined]
CLOCK = Clock.__table__  # type: ignore[attr-defined]
BUREAU = Bureau.__table__  # type: ignore[attr-defined]
CALENDAR = CalendarYear.__table__  # type: ignore[attr-defined]
LINK = CaseLink.__table__  # type: ignore[attr-defined]


@dataclass(slots=True)
class CaseRow:
    """A case row as read by an action: plain values, written back by statements, never by the ORM.

    Its fields are the ``case`` table's columns (a test keeps them equal), so a function that reads
    a case row takes either this or an ORM ``Case``.
    """

    id: int
    bureau_code: str
    number: str
    item_code: str
    flow_key: str
    flow_version: int
    state: str
    final: bool
    party: dict[str, Any]
    officers: list[dict[str, Any]]
    data: dict[str, Any]
    opened_at: datetime
    opened_by: str
    updated_at: datetime
    version: int
    last_seq: int
    head_hash: str
    last_occurred_at: datetime | None
    closed_at: datetime | None
    acted_by: dict[str, str]

    @classmethod
    def of(cls, values: Any) -> CaseRow:
        """From a result row's mapping or an ORM ``Case``."""
        if isinstance(values, Case):
            return cls(**{name: getattr(values, name) for name in ROW_FIELDS})
        return cls(**{name: values[name] for name in ROW_FIELDS})


ROW_FIELDS = tuple(f.name for f in fields(CaseRow))
CaseLike: TypeAlias = Case | CaseRow


@dataclass
class Snapshot:
    """What an action or a view reads first, in one statement: the case, its bureau's settings, the calendar."""

    row: CaseRow
    bureau_settings: dict[str, Any]
    calendar: WorkCalendar
    linked: bool = False  # some case is linked to this one (either way): the view lists them
    clocks: list[ClockRow] | None = None  # its clocks, read with it
    viewed: Any = None  # what a view shows beside (its latest events and documents), when read with it


def _per_dialect(element: type[FunctionElement[Any]], sqlite: str, postgresql: str) -> None:
    """Compile ``element`` as ``sqlite`` or ``postgresql``, ``{}`` standing for its arguments."""
    for dialect, template in (("sqlite", sqlite), ("postgresql", postgresql)):

        def render(e: FunctionElement[Any], compiler: Any, template: str = template, **kw: Any) -> str:
            return template.format(compiler.process(e.clauses, **kw))

        compiles(element, dialect)(render)


class json_rows(FunctionElement[Any]):  # noqa: N801 - named like the SQL functions it stands for
    """An aggregate: the rows' values as one JSON array of arrays (``[]`` or NULL when there are none).

    A case's clocks come with its row in the snapshot's one statement this way, not in a second one."""

    type = JSON()
    inherit_cache = True
    name = "json_rows"


class json_value(FunctionElement[Any]):  # noqa: N801 - named like the SQL function it stands for
    """A JSON column inside ``json_rows``: embedded as JSON (SQLite keeps JSON as text, which
    ``json_array`` would quote as a string; PostgreSQL's json is JSON already)."""

    type = JSON()
    inherit_cache = True
    name = "json_value"


_per_dialect(json_rows, "json_group_array(json_array({}))", "json_agg(json_build_array({}))")
_per_dialect(json_value, "json({})", "{}")


# A clock as the snapshot carries it (``json_rows``): what ``clock_state_of`` reads, in this order.
_CLOCK_NAMES = (
    "id", "key", "label", "unit", "amount", "extension", "started_at", "spans", "satisfied_at", "cancelled_at",
    "due_at", "provisional", "explanation", "law", "accountability", "roll_forward", "due_soon", "party", "note",
)
_CLOCK_FIELDS = [json_value(CLOCK.c.spans) if name == "spans" else CLOCK.c[name] for name in _CLOCK_NAMES]


@dataclass(slots=True)
class ClockRow:
    """A stored clock as read with its case's snapshot: JSON values, turned back into Python ones."""

    id: int
    key: str
    label: str
    unit: str
    amount: int
    extension: int
    started_at: datetime
    spans: list[list[str | None]]
    satisfied_at: datetime | None
    cancelled_at: datetime | None
    due_at: datetime
    provisional: bool
    explanation: str
    law: str
    accountability: str | None
    roll_forward: bool
    due_soon: int
    party: bool
    note: str | None

    @classmethod
    def of(cls, values: list[Any]) -> ClockRow:
        (id_, key, label, unit, amount, extension, started, spans, satisfied, cancelled, due, provisional,
         explanation, law, accountability, roll_forward, due_soon, party, note) = values
        return cls(
            id_, key, label, unit, amount, extension, json_moment(started),
            orjson.loads(spans) if isinstance(spans, str) else spans,  # SQLite's json_array quotes JSON text
            json_moment(satisfied) if satisfied else None, json_moment(cancelled) if cancelled else None, json_moment(due),
            bool(provisional), explanation, law, accountability, bool(roll_forward), due_soon, bool(party), note,
        )


def json_moment(text: str) -> datetime:
    """A stored moment as JSON gives it (ISO text; naive on SQLite, where moments are stored in UTC)."""
    return from_db(datetime.fromisoformat(text))


def json_iso(text: str) -> str:
    """``json_moment(text).isoformat()``, as the API writes a moment (aware UTC), without parsing
    SQLite's text (``sqlite_text_iso``) or PostgreSQL's in UTC: a view writes two for each of its events."""
    if (sqlite := sqlite_text_iso(text)) is not None:
        return sqlite
    if text.endswith("+00:00") and text[10] == "T" and (len(text) == 25 or (len(text) == 32 and text[19] == ".")):
        return text  # PostgreSQL's, in UTC, with all six digits of its microseconds (or none): already so
    return json_moment(text).isoformat()


def clock_rows(values: list[list[Any]] | None) -> list[ClockRow]:
    """The clocks of a snapshot, in the order they were started."""
    return sorted((ClockRow.of(v) for v in values or ()), key=lambda c: c.id)


# Built once: an action runs the same few statements, and building them is most of SQLAlchemy's cost.
_SNAPSHOT = (
    select(
        CASE,
        BUREAU.c.settings.label("bureau_settings"),
        select(func.count()).select_from(CALENDAR).scalar_subquery().label("calendar_years"),
        select(func.max(CALENDAR.c.loaded_at)).scalar_subquery().label("calendar_loaded_at"),
        exists()
        .where(or_(LINK.c.from_case_id == CASE.c.id, LINK.c.to_case_id == CASE.c.id))
        .label("linked"),
        select(json_rows(*_CLOCK_FIELDS)).where(CLOCK.c.case_id == CASE.c.id).scalar_subquery().label("clocks"),
    )
    .join(BUREAU, BUREAU.c.code == CASE.c.bureau_code)
    .where(CASE.c.id == bindparam("case_id"))
)


class SnapshotQuery(NamedTuple):
    """The snapshot's statement as a view reads it, and as an action does: with the case row locked
    (``FOR UPDATE`` on PostgreSQL, until the action commits; on SQLite the action's transaction holds
    the write lock from its start), so nothing changes the case between its read and its write."""

    read: Prebuilt
    locked: Prebuilt


def _query(statement: Any) -> SnapshotQuery:
    return SnapshotQuery(Prebuilt(statement), Prebuilt(statement.with_for_update(of=CASE)))


SNAPSHOT = _query(_SNAPSHOT)
_CLOCKS = select(CLOCK).where(CLOCK.c.case_id == bindparam("case_id")).order_by(CLOCK.c.id)
_INSERT_CLOCK = Prebuilt(insert(CLOCK).returning(CLOCK.c.id))
_UPDATE_CLOCK = Prebuilt(update(CLOCK).where(CLOCK.c.id == bindparam("b_id")))


def load_snapshot(
    session: Session,
    case_id: int,
    query: SnapshotQuery = SNAPSHOT,
    viewed: Callable[[Any], Any] | None = None,
    *,
    for_change: bool = False,
) -> Snapshot | None:
    """The case row with its bureau's settings, the calendar and its clocks, in one statement.

    ``query``: the snapshot's with more columns (``snapshot_with``), which ``viewed`` reads;
    ``for_change``: the case row stays locked until the session's transaction ends."""
    values = (query.locked if for_change else query.read).first(session, {"case_id": case_id})
    if values is None:
        return None
    calendar = calendar_for(session, (int(values["calendar_years"]), values["calendar_loaded_at"]))
    return Snapshot(
        CaseRow.of(values),
        dict(values["bureau_settings"] or {}),
        calendar,
        bool(values["linked"]),
        clock_rows(values["clocks"]),
        viewed(values) if viewed is not None else None,
    )


def snapshot_with(*columns: Any) -> SnapshotQuery:
    """The snapshot's statement with more columns (e.g. scalar subqueries of the case's other rows)."""
    return _query(_SNAPSHOT.add_columns(*columns))


def model_of(session: Session, row: CaseLike, clocks: list[ClockRow] | None = None) -> CaseModel:
    """The plain case object an action drives, from the row and its clocks (read here unless given)."""
    assert row.id is not None
    stored = clocks if clocks is not None else session.connection().execute(_CLOCKS, {"case_id": row.id}).all()
    return CaseModel(
        id=row.id,
        number=row.number,
        state=row.state,
        bureau=row.bureau_code,
        item_code=row.item_code,
        flow_key=row.flow_key,
        flow_version=row.flow_version,
        party=dict(row.party),
        officers=[dict(o) for o in row.officers],
        # No copy: the row was just loaded by this session and is written back (or discarded) by it.
        data=row.data,
        opened_at=from_db(row.opened_at),
        last_occurred_at=from_db(row.last_occurred_at) if row.last_occurred_at else None,
        last_seq=row.last_seq,
        clocks=[clock_state_of(c) for c in stored],
        acted_by=dict(row.acted_by or {}),
    )


def clock_state_of(row: Clock | Any) -> ClockState:
    """The engine's view of a stored clock, with its due moment as last stored."""
    return ClockState(
        id=row.id,
        key=row.key,
        label=row.label,
        unit=Unit(row.unit),
        amount=row.amount,
        started_at=from_db(row.started_at),
        law=row.law,
        accountability=row.accountability,
        roll_forward=row.roll_forward,
        due_soon=row.due_soon,
        party=row.party,
        extension=row.extension,
        spans=[
            Span(datetime.fromisoformat(str(s)), datetime.fromisoformat(e) if e else None)
            for s, e in row.spans
        ],
        satisfied_at=from_db(row.satisfied_at) if row.satisfied_at else None,
        cancelled_at=from_db(row.cancelled_at) if row.cancelled_at else None,
        note=row.note,
        deadline=Deadline(from_db(row.due_at), row.provisional, row.explanation),
    )


def fingerprints(model: CaseModel) -> dict[int, tuple[object, ...]]:
    """Each stored clock's fingerprint before an action, to find the clocks it changed."""
    return {c.id: c.fingerprint() for c in model.clocks if c.id is not None}


def write_clocks(
    session: Session,
    case_id: int,
    model: CaseModel,
    calendar: WorkCalendar,
    before: dict[int, tuple[object, ...]],
) -> list[ClockState]:
    """Insert new clocks and rewrite changed ones (recomputing their due moment); returns those written."""
    now = datetime.now().astimezone()
    written: list[ClockState] = []
    for clock in model.clocks:
        if clock.id is not None and before.get(clock.id) == clock.fingerprint():
            continue
        clock.deadline = deadline_of(clock, calendar, now)
        values = _clock_values(clock, clock.deadline)
        if clock.id is None:
            clock.id = write_returning(
                session,
                _INSERT_CLOCK,
                dict(
                    case_id=case_id,
                    key=clock.key,
                    label=clock.label,
                    started_at=to_db(clock.started_at),
                    law=clock.law,
                    accountability=clock.accountability,
                    roll_forward=clock.roll_forward,
                    due_soon=clock.due_soon,
                    party=clock.party,
                    **values,
                ),
            )
        else:
            run_write(session, _UPDATE_CLOCK, {"b_id": clock.id, **values})
        written.append(clock)
    return written


def _clock_values(clock: ClockState, deadline: Deadline) -> dict[str, Any]:
    return dict(
        amount=clock.amount,
        unit=clock.unit.value,
        extension=clock.extension,
        spans=[[s.start.isoformat(), s.end.isoformat() if s.end else None] for s in clock.spans],
        satisfied_at=to_db(clock.satisfied_at) if clock.satisfied_at else None,
        cancelled_at=to_db(clock.cancelled_at) if clock.cancelled_at else None,
        open=clock.open,
        due_at=to_db(deadline.due_at),
        provisional=deadline.provisional,
        explanation=deadline.explanation[:500],
        note=clock.note,
    )
