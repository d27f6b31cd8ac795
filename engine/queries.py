"""Read-side queries over the read model: case lists, the overdue dashboard, monthly figures.

Each list is one paginated SQL query over ``case_summary`` (and ``open_duty`` for the
dashboard), always within one bureau; due soon and overdue are comparisons of stored moments
with ``as_of``. Nothing here builds a case in Python.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Integer, and_, bindparam, case, cast, func, literal, or_, tuple_
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from engine.clocks import days_late
from engine.errors import Forbidden, NotFound
from engine.library import Library
from engine.model import Actor
from engine.persistence import prepared, reading
from engine.read_tables import CaseActor, CaseOfficer, CaseSummary, OpenDuty
from engine.tables import Case, Document
from engine.timeutil import TZ, from_db, local, to_db

MAX_PAGE_SIZE = 200


@dataclass
class CaseFilter:
    """What a case list may be narrowed by; every field is optional."""

    q: str | None = None  # 案号, 文号, party name, ID number or 统一社会信用代码
    state: str | None = None
    stage: str | None = None
    item: str | None = None
    flow: str | None = None
    officer: str | None = None  # certificate number or name of an assigned officer
    awaiting_role: str | None = None
    mine: Actor | None = None  # cases the actor is an officer of or opened
    closed: bool | None = None  # True: archived/finished only; False: open only
    overdue: bool = False
    due_soon: bool = False
    due_soon_or_overdue: bool = False  # the nearest duty is due soon or overdue
    opened_from: datetime | None = None
    opened_to: datetime | None = None  # exclusive
    flows: tuple[str, ...] | None = None  # one of these flows (e.g. the hall's intake flows)
    states: list[tuple[str, str]] | None = None  # one of these (flow, state) pairs
    due_before: datetime | None = None  # the nearest duty falls due before this moment (messages: next N days)
    clock: str | None = None  # overdue | due_soon | running | none | party_elapsed (see CLOCK_FILTERS)
    acted_by: str | None = None  # cases this user took a step in (我的已办)


CLOCK_FILTERS = ("overdue", "due_soon", "running", "none", "party_elapsed")


def case_filter_values(
    bureau: str, f: CaseFilter, as_of: datetime, reads: frozenset[str] | None = None
) -> tuple[tuple[str, ...], dict[str, Any]]:
    """A case filter as the shape of its WHERE clause (which conditions) and the values of its parameters.

    The shape picks a statement built once (``case_conditions``); only the values change per call.
    ``reads`` is the reader's scope (``Actor.reads``): only cases of those flows; None: all.
    """
    moment = to_db(as_of)
    shape: list[str] = []
    values: dict[str, Any] = {"bureau": bureau}
    if reads is not None:
        shape.append(f"reads={len(reads)}")
        values.update((f"read_{i}", flow) for i, flow in enumerate(sorted(reads)))
    if f.q:
        needle = f.q.strip()
        shape.append("q")
        values["q_number"] = needle
        values["q_id_no"] = _escape_like(needle.upper()) + "%"
        values["q_text"] = "%" + _escape_like(needle.lower()) + "%"
        if 2 <= len(needle) <= 20 and not any(c in needle for c in "%_\\ "):
            # fuzzy on names: the characters in order with anything between (某某大药房 finds 某某市大药房)
            shape.append("q_name")
            values["q_name"] = "%" + "%".join(needle) + "%"
    for name in ("state", "stage", "item", "flow", "awaiting_role"):
        value = getattr(f, name)
        if value:
            shape.append(name)
            values[name] = value
    if f.flows is not None:
        shape.append(f"flows={len(f.flows)}")
        values.update((f"flows_{i}", flow) for i, flow in enumerate(f.flows))
    if f.states is not None:
        shape.append(f"states={len(f.states)}")
        for i, (flow, state) in enumerate(f.states):
            values[f"states_flow_{i}"], values[f"states_state_{i}"] = flow, state
    if f.closed is not None:
        shape.append("closed")
        values["closed"] = f.closed
    if f.officer:
        shape.append("officer")
        values["officer"] = f.officer
    if f.mine is not None:
        shape.append("mine")
        values["mine_user"] = f.mine.username
        if f.mine.cert_no:
            shape.append("mine_cert")
            values["mine_cert"] = f.mine.cert_no
    if f.acted_by:
        shape.append("acted_by")
        values["acted_by"] = f.acted_by
    if f.clock in CLOCK_FILTERS:
        shape.append(f"clock={f.clock}")
    if f.overdue:
        shape.append("overdue")
    if f.due_soon:
        shape.append("due_soon")
    if f.due_soon_or_overdue:
        shape.append("due_soon_or_overdue")
    if f.clock or f.overdue or f.due_soon or f.due_soon_or_overdue:
        values["as_of"] = moment
    if f.due_before:
        shape.append("due_before")
        values["due_before"] = to_db(f.due_before)
    if f.opened_from:
        shape.append("opened_from")
        values["opened_from"] = to_db(f.opened_from)
    if f.opened_to:
        shape.append("opened_to")
        values["opened_to"] = to_db(f.opened_to)
    return tuple(shape), values


def _escape_like(text: str) -> str:
    """``text`` matched literally by LIKE … ESCAPE '/' (as SQLAlchemy's autoescape)."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _count(shape: tuple[str, ...], prefix: str) -> int:
    return next((int(s.removeprefix(prefix)) for s in shape if s.startswith(prefix)), 0)


def case_conditions(shape: tuple[str, ...]) -> list[Any]:
    """The WHERE clause of a case list of this shape (``case_filter_values``), with bound parameters."""
    s = SUMMARY.c
    o = OFFICER.c
    where: list[Any] = [s.bureau_code == bindparam("bureau")]
    if any(p.startswith("reads=") for p in shape):
        where.append(s.flow_key.in_([bindparam(f"read_{i}") for i in range(_count(shape, "reads="))]))
    if "q" in shape:
        found = [
            s.number == bindparam("q_number"),
            s.party_id_no.like(bindparam("q_id_no"), escape="/"),
            s.search_text.like(bindparam("q_text"), escape="/"),
        ]
        if "q_name" in shape:
            found.append(s.party_name.like(bindparam("q_name")))
        where.append(or_(*found))
    for name, column in (("state", s.state), ("stage", s.stage), ("item", s.item_code), ("flow", s.flow_key),
                         ("awaiting_role", s.awaiting_role)):
        if name in shape:
            where.append(column == bindparam(name))
    if any(p.startswith("flows=") for p in shape):
        where.append(s.flow_key.in_([bindparam(f"flows_{i}") for i in range(_count(shape, "flows="))]))
    if any(p.startswith("states=") for p in shape):
        pairs = [tuple_(bindparam(f"states_flow_{i}"), bindparam(f"states_state_{i}"))
                 for i in range(_count(shape, "states="))]
        where.append(tuple_(s.flow_key, s.state).in_(pairs))
    if "closed" in shape:
        where.append(s.final == bindparam("closed"))  # "=", not "IS": an index serves it
    if "officer" in shape:
        assigned = sa_select(o.case_id).where(
            o.bureau_code == bindparam("bureau"),
            or_(o.cert_no == bindparam("officer"), o.name == bindparam("officer")),
        )
        where.append(s.case_id.in_(assigned))
    if "mine" in shape:
        mine: list[Any] = [s.opened_by == bindparam("mine_user")]
        if "mine_cert" in shape:
            assigned = sa_select(o.case_id).where(o.bureau_code == bindparam("bureau"),
                                                  o.cert_no == bindparam("mine_cert"))
            mine.append(s.case_id.in_(assigned))
        where.append(or_(*mine))
    if "acted_by" in shape:
        acted = sa_select(ACTOR.c.case_id).where(
            ACTOR.c.bureau_code == bindparam("bureau"), ACTOR.c.username == bindparam("acted_by")
        )
        where.append(s.case_id.in_(acted))
    moment = bindparam("as_of", type_=SUMMARY.c.next_due_at.type)
    if "clock=overdue" in shape or "overdue" in shape:
        where.append(s.next_due_at < moment)
    if "clock=due_soon" in shape or "due_soon" in shape:
        where.extend([s.next_due_soon_at <= moment, s.next_due_at >= moment])
    if "clock=running" in shape:
        where.append(s.next_due_soon_at > moment)
    if "clock=none" in shape:
        where.append(s.next_due_at.is_(None))
    if "clock=party_elapsed" in shape:
        where.extend([s.party_due_at < moment, s.final == False])  # noqa: E712
    if "due_soon_or_overdue" in shape:
        where.append(s.next_due_soon_at <= moment)
    if "due_before" in shape:
        where.append(s.next_due_at < bindparam("due_before"))
    if "opened_from" in shape:
        where.append(s.opened_at >= bindparam("opened_from"))
    if "opened_to" in shape:
        where.append(s.opened_at < bindparam("opened_to"))
    return where


SUMMARY = CaseSummary.__table__  # type: ignore[attr-defined]
OFFICER = CaseOfficer.__table__  # type: ignore[attr-defined]
ACTOR = CaseActor.__table__  # type: ignore[attr-defined]

# What a list shows of a case (``case_row``), in the order ``case_row`` unpacks: never the search text,
# which only filters, nor what no list shows (who opened it, when it last changed).
LIST_COLUMNS = tuple(SUMMARY.c[name] for name in (
    "case_id", "number", "item_code", "item_name", "power_type", "department", "flow_key", "flow_label", "state",
    "state_label", "stage", "awaiting_role", "final", "party_name", "party_type", "party_id_no", "officer_names",
    "opened_at", "closed_at", "version", "next_due_at", "next_due_soon_at", "next_clock_label", "party_due_at",
    "party_clock_label", "fine", "paid", "extras",
))
CASE_ORDER = (SUMMARY.c.sort_due, SUMMARY.c.case_id.desc())  # an index order (ix_case_summary_bureau_*order)


def case_query(shape: tuple[str, ...]) -> Any:
    """The matching summary rows of a filter of this shape, most pressing first: an index order."""
    return sa_select(*LIST_COLUMNS).where(*case_conditions(shape)).order_by(*CASE_ORDER)


def _case_page(shape: tuple[str, ...]) -> Any:
    """One page of the list and, in the same statement, the total: one round trip, two index scans."""
    where = case_conditions(shape)
    total = sa_select(func.count()).select_from(SUMMARY).where(*where).scalar_subquery()
    return (
        sa_select(*LIST_COLUMNS, total)
        .where(*where)
        .order_by(*CASE_ORDER)
        .limit(bindparam("size"))
        .offset(bindparam("skip"))
    )


def _case_count(shape: tuple[str, ...]) -> Any:
    return sa_select(func.count()).select_from(SUMMARY).where(*case_conditions(shape))


def list_cases(
    engine: Engine,
    actor: Actor,
    f: CaseFilter | None = None,
    *,
    page: int = 1,
    size: int = 50,
    as_of: datetime | None = None,
) -> dict[str, Any]:
    """A page of the bureau's cases with the total count; each row as the lists show it.

    One statement per page (the count is a subquery of it), built once per filter shape; a page past
    the end asks for the count alone.
    """
    f = f or CaseFilter()
    moment = as_of or datetime.now().astimezone()
    size = min(max(size, 1), MAX_PAGE_SIZE)
    page = max(page, 1)
    shape, values = case_filter_values(actor.bureau, f, moment, actor.reads)
    values["size"], values["skip"] = size, (page - 1) * size
    rows = prepared(engine, ("case_page", shape), lambda: _case_page(shape)).rows(engine, values)
    if rows:
        total = rows[0][-1]
    elif page > 1:
        total = prepared(engine, ("case_count", shape), lambda: _case_count(shape)).rows(engine, values)[0][0]
    else:
        total = 0
    return {
        "items": [case_row(r, moment) for r in rows],
        "total": total,
        "page": page,
        "size": size,
        "as_of": moment.isoformat(),
    }


def iter_cases(engine: Engine, actor: Actor, f: CaseFilter, as_of: datetime) -> Iterator[dict[str, Any]]:
    """Every matching case, streamed in chunks (for exports: no row cap, constant memory)."""
    shape, values = case_filter_values(actor.bureau, f, as_of, actor.reads)
    with reading(engine).connect() as connection:
        for row in connection.execute(case_query(shape).execution_options(yield_per=500), values):
            yield case_row(row, as_of)


def _utc(value: Any) -> datetime:
    """A stored moment as aware UTC: SQLite's driver gives naive UTC text, SQLAlchemy naive datetimes."""
    moment: datetime = datetime.fromisoformat(value) if value.__class__ is str else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _money(value: Any) -> str | None:
    """A Numeric(16, 2) as text with its two decimals (SQLite's driver gives a float or an int)."""
    if value is None:
        return None
    return str(value) if isinstance(value, Decimal) else f"{value:.2f}"


def case_row(r: Any, as_of: datetime) -> dict[str, Any]:
    """A summary row (``LIST_COLUMNS`` first) as the API and the pages show it, its deadline's status as of a moment."""
    (case_id, number, item_code, item_name, power_type, department, flow_key, flow_label, state, state_label, stage,
     awaiting_role, final, party_name, party_type, party_id_no, officer_names, opened_at, closed_at, version,
     next_due_at, next_due_soon_at, next_clock_label, party_due_at, party_clock_label, fine, paid,
     extras) = r[:28]
    if extras.__class__ is str:
        extras = orjson.loads(extras)
    due = _utc(next_due_at) if next_due_at is not None else None
    party_due = _utc(party_due_at) if party_due_at is not None else None
    if due is None:
        status = "none"
    elif due < as_of:
        status = "overdue"
    elif next_due_soon_at is not None and _utc(next_due_soon_at) <= as_of:
        status = "due_soon"
    else:
        status = "running"
    return {
        "id": case_id,
        "number": number,
        "item": item_code,
        "item_name": item_name,
        "power_type": power_type,
        "department": department,
        "flow": flow_key,
        "flow_label": flow_label,
        "state": state,
        "state_label": state_label,
        "stage": stage,
        "awaiting_role": awaiting_role,
        "final": bool(final),
        "party": party_name,
        "party_type": party_type,
        "party_id_no": party_id_no,
        "officers": officer_names,
        "opened_at": _utc(opened_at).isoformat(),
        "closed_at": _utc(closed_at).isoformat() if closed_at else None,
        "version": version,
        "next_due_at": due.isoformat() if due else None,
        "next_clock": next_clock_label,
        "status": status,
        "days_late": days_late(due, as_of) if due is not None and status == "overdue" else 0,
        "party_due_at": party_due.isoformat() if party_due else None,
        "party_clock": party_clock_label,
        "party_period_elapsed": bool(party_due and party_due < as_of),
        "party_elapsed": _elapsed_periods(extras.get("party_periods") or [], as_of) if extras else [],
        "fine": _money(fine),
        "paid": _money(paid),
        "missing": extras.get("missing", []) if extras else [],
    }


def _elapsed_periods(periods: list[list[str]], as_of: datetime) -> list[str]:
    """Keys of the party's open periods that have run out as of a moment, the latest first."""
    moment = to_db(as_of)
    ran_out = [(due, key) for key, due in periods if datetime.fromisoformat(due) < moment]
    return [key for _, key in sorted(ran_out, reverse=True)]


@dataclass
class DutyFilter:
    department: str | None = None
    officer: str | None = None
    item: str | None = None
    flow: str | None = None
    status: str | None = None  # overdue | due_soon; both when None


def _duty_conditions(
    bureau: str, f: DutyFilter, as_of: datetime, reads: frozenset[str] | None = None
) -> list[Any]:
    moment = to_db(as_of)
    d = OpenDuty
    where: list[Any] = [col(d.bureau_code) == bureau, col(d.party) == False, col(d.due_soon_at) <= moment]  # noqa: E712
    if reads is not None:
        where.append(col(d.flow_key).in_(sorted(reads)))
    if f.status == "overdue":
        where.append(col(d.due_at) < moment)
    elif f.status == "due_soon":
        where.append(col(d.due_at) >= moment)
    if f.department:
        where.append(d.department == f.department)
    if f.item:
        where.append(d.item_code == f.item)
    if f.flow:
        where.append(d.flow_key == f.flow)
    if f.officer:
        assigned = select(CaseOfficer.case_id).where(
            CaseOfficer.bureau_code == bureau, or_(col(CaseOfficer.cert_no) == f.officer, col(CaseOfficer.name) == f.officer)
        )
        where.append(col(d.case_id).in_(assigned))
    return where


DUTY = OpenDuty.__table__  # type: ignore[attr-defined]
# A dashboard row: the open duty and what the list shows of its case (plain rows, not ORM objects).
DUTY_COLUMNS = (
    *DUTY.c,
    SUMMARY.c.number, SUMMARY.c.item_name, SUMMARY.c.flow_label, SUMMARY.c.state, SUMMARY.c.state_label,
    SUMMARY.c.officer_names, SUMMARY.c.party_name,
)


def _duty_query(bureau: str, f: DutyFilter, as_of: datetime, reads: frozenset[str] | None) -> Any:
    return (
        sa_select(*DUTY_COLUMNS)
        .join(SUMMARY, SUMMARY.c.case_id == DUTY.c.case_id)
        .where(*_duty_conditions(bureau, f, as_of, reads))
        .order_by(DUTY.c.due_at, DUTY.c.clock_id)
    )


def dashboard(
    engine: Engine,
    library: Library,
    actor: Actor,
    as_of: datetime,
    f: DutyFilter | None = None,
    *,
    page: int = 1,
    size: int = 50,
) -> dict[str, Any]:
    """Overdue and due-soon duties of the bureau's open cases as of a moment, most late first."""
    f = f or DutyFilter()
    size = min(max(size, 1), MAX_PAGE_SIZE)
    page = max(page, 1)
    moment = to_db(as_of)
    late = func.sum(case((DUTY.c.due_at < moment, 1), else_=0))
    with reading(engine).connect() as connection:
        counted = connection.execute(
            sa_select(func.count(), late).select_from(DUTY).where(*_duty_conditions(actor.bureau, f, as_of, actor.reads))
        ).one()
        total, overdue = int(counted[0]), int(counted[1] or 0)
        rows = connection.execute(
            _duty_query(actor.bureau, f, as_of, actor.reads).offset((page - 1) * size).limit(size)
        ).all()
        return {
            "as_of": as_of.isoformat(),
            "overdue": overdue,
            "due_soon": total - overdue,
            "total": total,
            "page": page,
            "size": size,
            "items": [duty_row(library, row, as_of) for row in rows],
        }


def iter_duties(
    engine: Engine, library: Library, actor: Actor, as_of: datetime, f: DutyFilter
) -> Iterator[dict[str, Any]]:
    with reading(engine).connect() as connection:
        query = _duty_query(actor.bureau, f, as_of, actor.reads).execution_options(yield_per=500)
        for row in connection.execute(query):
            yield duty_row(library, row, as_of)


def duty_row(library: Library, d: Any, as_of: datetime) -> dict[str, Any]:
    """A dashboard row (a row of ``DUTY_COLUMNS``) as the API and the pages show it."""
    assert d.due_at is not None
    due = from_db(d.due_at)
    clauses: list[str] = []
    if d.accountability:
        try:
            listed = library.item(d.bureau_code, d.item_code).accountability
        except NotFound:
            listed = []
        clauses = [a for a in listed if d.accountability in a] or [d.accountability]
    return {
        "case_id": d.case_id, "clock_id": d.clock_id, "number": d.number, "item": d.item_code,
        "item_name": d.item_name,
        "flow": d.flow_key, "flow_label": d.flow_label, "department": d.department,
        "state": d.state, "state_label": d.state_label,
        "officers": [n for n in d.officer_names.split("、") if n], "party": d.party_name,
        "clock": d.key, "step": d.label, "due_at": due.isoformat(),
        "status": "overdue" if due < as_of else "due_soon", "days_late": days_late(due, as_of),
        "source": d.law, "accountability": d.accountability, "accountability_items": clauses,
        "explanation": d.explanation, "provisional": d.provisional,
    }


GROUP_COLUMNS = {"department": OpenDuty.department, "item": OpenDuty.item_code, "flow": OpenDuty.flow_key}


def dashboard_groups(
    engine: Engine, actor: Actor, as_of: datetime, group: str, f: DutyFilter | None = None
) -> list[dict[str, Any]]:
    """Overdue and due-soon counts (and days late) per department, officer, item or flow."""
    f = f or DutyFilter()
    moment = to_db(as_of)
    where = _duty_conditions(actor.bureau, f, as_of, actor.reads)
    late = col(OpenDuty.due_at) < moment
    with Session(reading(engine)) as session:
        days = _days_late_sql(session.get_bind().dialect.name, local(as_of).date())
        sums = (
            func.sum(case((late, 1), else_=0)),
            func.sum(case((late, 0), else_=1)),
            func.sum(case((late, days), else_=0)),
        )
        if group == "officer":
            grouped = (
                select(CaseOfficer.name, *sums)
                .select_from(OpenDuty)
                .join(CaseOfficer, col(CaseOfficer.case_id) == col(OpenDuty.case_id))
                .where(*where)
                .group_by(CaseOfficer.name)
            )
        else:
            column = GROUP_COLUMNS[group]
            grouped = select(column, *sums).where(*where).group_by(column)
        rows = session.exec(grouped).all()
    counts = sorted((-int(o or 0), -int(s or 0), k or "", int(d or 0)) for k, o, s, d in rows)
    return [{"key": k, "overdue": -o, "due_soon": -s, "days_late": d} for o, s, k, d in counts]


def _days_late_sql(dialect: str, today: date) -> Any:
    """Local calendar days from a duty's due day to ``today`` (as ``engine.clocks.days_late``), in SQL."""
    if dialect == "postgresql":
        due_day = func.date(func.timezone("Asia/Shanghai", OpenDuty.due_at))
        return literal(today) - due_day
    due_day = func.julianday(func.date(OpenDuty.due_at, "+8 hours"))  # Beijing has no daylight saving
    return cast(func.julianday(today.isoformat()) - due_day, Integer)


def monthly(engine: Engine, actor: Actor, months: int = 12, as_of: datetime | None = None) -> list[dict[str, Any]]:
    """Cases opened and closed per local month, the last ``months`` months: one query."""
    today = local(as_of or datetime.now().astimezone())
    starts: list[datetime] = []
    year, month = today.year, today.month
    for _ in range(months + 1):
        starts.append(datetime(year, month, 1, tzinfo=TZ))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    starts.reverse()  # months + 1 boundaries: the first month's start … the start of next month
    starts[-1] = starts[-1] + timedelta(days=32)
    starts[-1] = starts[-1].replace(day=1)
    counts: dict[str, list[int]] = {}
    with Session(reading(engine)) as session:
        for name in ("opened_at", "closed_at"):  # each an index range of its own
            field = col(getattr(CaseSummary, name))
            months_of = [
                func.sum(case((and_(field >= to_db(a), field < to_db(b)), 1), else_=0))
                for a, b in zip(starts, starts[1:], strict=False)
            ]
            row = session.exec(
                select(*months_of).where(
                    col(CaseSummary.bureau_code) == actor.bureau,
                    field >= to_db(starts[0]),
                    field < to_db(starts[-1]),
                )
            ).one()
            counts[name] = [int(v or 0) for v in row]
    return [
        {"month": f"{a:%Y-%m}", "opened": counts["opened_at"][i], "closed": counts["closed_at"][i]}
        for i, a in enumerate(starts[:-1])
    ]


def officer_names(engine: Engine, actor: Actor) -> list[str]:
    """Names of the officers assigned to the bureau's open cases (for filters)."""
    with Session(reading(engine)) as session:
        rows = session.exec(
            select(CaseOfficer.name).distinct()
            .join(CaseSummary, col(CaseSummary.case_id) == col(CaseOfficer.case_id))
            .where(CaseOfficer.bureau_code == actor.bureau, col(CaseSummary.final).is_(False))
        ).all()
    return sorted(n for n in rows if n)


def document_pdf(engine: Engine, actor: Actor, case_id: int, doc_id: int) -> Document:
    with Session(reading(engine)) as session:
        row = session.get(Case, case_id)
        doc = session.get(Document, doc_id)
        if row is None or row.bureau_code != actor.bureau or doc is None or doc.case_id != case_id:
            raise NotFound("DOCUMENT_NOT_FOUND", f"本案没有编号为{doc_id}的文书", doc_id=doc_id)
        if not actor.may_read(row.flow_key):
            raise Forbidden("CASE_OUT_OF_SCOPE", "您的岗位不能查阅此类案件的文书", case_id=case_id)
        return doc


def unit_groups(
    engine: Engine, actor: Actor, as_of: datetime, units: list[str], f: DutyFilter | None = None
) -> list[dict[str, Any]]:
    """Overdue and due-soon counts per 承办机构 of the bureau's own register (its settings).

    A catalogue item may name several departments ("基金监管科、医疗保险服务中心"): its steps
    count for each registered department its text names; steps naming none are one more row.
    One query, one conditional sum per department (a bureau has a handful).
    """
    f = f or DutyFilter()
    moment = to_db(as_of)
    where = _duty_conditions(actor.bureau, f, as_of, actor.reads)
    late = col(OpenDuty.due_at) < moment
    named = [col(OpenDuty.department).contains(unit, autoescape=True) for unit in units]
    rows: list[tuple[str, Any]] = [(unit, cond) for unit, cond in zip(units, named, strict=True)]
    if named:
        rows.append(("", ~or_(*named)))
    with Session(reading(engine)) as session:
        days = _days_late_sql(session.get_bind().dialect.name, local(as_of).date())
        sums = []
        for _, cond in rows:
            sums += [
                func.sum(case((and_(cond, late), 1), else_=0)),
                func.sum(case((and_(cond, ~late), 1), else_=0)),
                func.sum(case((and_(cond, late), days), else_=0)),
            ]
        found = session.exec(select(*sums).where(*where)).one() if sums else ()
    result = []
    for i, (unit, _) in enumerate(rows):
        overdue, soon, late_days = (int(v or 0) for v in found[i * 3 : i * 3 + 3])
        if unit or overdue or soon:
            result.append({"key": unit, "overdue": overdue, "due_soon": soon, "days_late": late_days})
    return sorted(result, key=lambda r: (-r["overdue"], -r["due_soon"], r["key"]))
