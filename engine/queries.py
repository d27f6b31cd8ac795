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
from sqlalchemy import (
    Date,
    Integer,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal_column,
    or_,
    text,
    true,
    tuple_,
)
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from engine.errors import Forbidden, NotFound
from engine.library import Library
from engine.model import Actor
from engine.persistence import prepared, reading
from engine.read_tables import CaseActor, CaseOfficer, CaseSummary, OpenDuty
from engine.tables import Case, Document
from engine.timeutil import TZ, local, to_db

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


def _one_of(column: Any, name: str, count: int) -> Any:
    """``column IN (:name_0, … :name_{count-1})``; none to be one of matches nothing."""
    return column.in_([bindparam(f"{name}_{i}") for i in range(count)]) if count else false()


def case_conditions(shape: tuple[str, ...]) -> list[Any]:
    """The WHERE clause of a case list of this shape (``case_filter_values``), with bound parameters."""
    s = SUMMARY.c
    o = OFFICER.c
    where: list[Any] = [s.bureau_code == bindparam("bureau")]
    if any(p.startswith("reads=") for p in shape):
        where.append(_one_of(s.flow_key, "read", _count(shape, "reads=")))
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
        where.append(_one_of(s.flow_key, "flows", _count(shape, "flows=")))
    if any(p.startswith("states=") for p in shape):
        pairs = [tuple_(bindparam(f"states_flow_{i}"), bindparam(f"states_state_{i}"))
                 for i in range(_count(shape, "states="))]
        where.append(tuple_(s.flow_key, s.state).in_(pairs) if pairs else false())
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


def _written(n: int) -> Any:
    """A page's LIMIT or OFFSET written into the statement, not bound: with a bound LIMIT, PostgreSQL's
    generic plan of a prepared statement cannot know the page is small, keeps planning each call
    afresh (custom plans), and planning the dashboard's statement cost as much as running it."""
    return literal_column(str(int(n)))


def _case_page(shape: tuple[str, ...], size: int, skip: int) -> Any:
    """One page of the list and, in the same statement, the total: one round trip, two index scans."""
    where = case_conditions(shape)
    total = sa_select(func.count()).select_from(SUMMARY).where(*where).scalar_subquery()
    return (
        sa_select(*LIST_COLUMNS, total)
        .where(*where)
        .order_by(*CASE_ORDER)
        .limit(_written(size))
        .offset(_written(skip))
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
    skip = (page - 1) * size
    today = local(moment).date()
    rows = prepared(engine, ("case_page", shape, size, skip), lambda: _case_page(shape, size, skip)).rows(engine, values)
    if rows:
        total = rows[0][-1]
    elif page > 1:
        total = prepared(engine, ("case_count", shape), lambda: _case_count(shape)).rows(engine, values)[0][0]
    else:
        total = 0
    return {
        "items": [case_row(r, moment, today) for r in rows],
        "total": total,
        "page": page,
        "size": size,
        "as_of": moment.isoformat(),
    }


def iter_cases(engine: Engine, actor: Actor, f: CaseFilter, as_of: datetime) -> Iterator[dict[str, Any]]:
    """Every matching case, streamed in chunks (for exports: no row cap, constant memory)."""
    shape, values = case_filter_values(actor.bureau, f, as_of, actor.reads)
    today = local(as_of).date()
    with engine.connect() as connection:  # in a transaction: PostgreSQL streams through a server-side cursor
        for row in connection.execute(case_query(shape).execution_options(yield_per=500), values):
            yield case_row(row, as_of, today)


def _utc(value: Any) -> datetime:
    """A stored moment as aware UTC: SQLite's driver gives naive UTC text, SQLAlchemy naive datetimes."""
    moment: datetime = datetime.fromisoformat(value) if value.__class__ is str else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _iso(value: Any) -> str:
    """A stored moment as ISO text in UTC, as ``_utc(value).isoformat()`` writes it.

    SQLite's text ('2026-05-08 11:46:33.592924', as SQLAlchemy stores it) is rewritten, not parsed:
    a list shows a few moments per row and parsing them was a fair part of its time.
    """
    if value.__class__ is str and len(value) == 26 and value[10] == " " and value[19] == ".":
        if value.endswith("000000"):
            return f"{value[:10]}T{value[11:19]}+00:00"
        return f"{value[:10]}T{value[11:]}+00:00"
    return _utc(value).isoformat()


def _money(value: Any) -> str | None:
    """A Numeric(16, 2) as text with its two decimals (SQLite's driver gives a float or an int)."""
    if value is None:
        return None
    return str(value) if isinstance(value, Decimal) else f"{value:.2f}"


def case_row(r: Any, as_of: datetime, today: date) -> dict[str, Any]:
    """A summary row (``LIST_COLUMNS`` first) as the API and the pages show it, its deadline's status as of a moment.

    ``today`` is the local day of ``as_of`` (days late count local calendar days, as ``clocks.days_late``).
    """
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
        "opened_at": _iso(opened_at),
        "closed_at": _iso(closed_at) if closed_at else None,
        "version": version,
        "next_due_at": _iso(next_due_at) if due else None,
        "next_clock": next_clock_label,
        "status": status,
        "days_late": (today - due.astimezone(TZ).date()).days if due is not None and status == "overdue" else 0,
        "party_due_at": _iso(party_due_at) if party_due else None,
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


def duty_filter_values(
    bureau: str, f: DutyFilter, as_of: datetime, reads: frozenset[str] | None = None
) -> tuple[tuple[str, ...], dict[str, Any]]:
    """A duty filter as the shape of its WHERE clause and its parameters' values (as ``case_filter_values``)."""
    shape: list[str] = []
    values: dict[str, Any] = {"bureau": bureau, "as_of": to_db(as_of)}
    if reads is not None:
        shape.append(f"reads={len(reads)}")
        values.update((f"read_{i}", flow) for i, flow in enumerate(sorted(reads)))
    if f.status in ("overdue", "due_soon"):
        shape.append(f"status={f.status}")
    for name, value in (("department", f.department), ("item", f.item), ("flow", f.flow), ("officer", f.officer)):
        if value:
            shape.append(name)
            values[name] = value
    return tuple(shape), values


def _duty_conditions(shape: tuple[str, ...]) -> list[Any]:
    d = DUTY.c
    moment = bindparam("as_of", type_=d.due_at.type)
    where: list[Any] = [d.bureau_code == bindparam("bureau"), d.party == False, d.due_soon_at <= moment]  # noqa: E712
    if any(p.startswith("reads=") for p in shape):
        where.append(_one_of(d.flow_key, "read", _count(shape, "reads=")))
    if "status=overdue" in shape:
        where.append(d.due_at < moment)
    elif "status=due_soon" in shape:
        where.append(d.due_at >= moment)
    for name, column in (("department", d.department), ("item", d.item_code), ("flow", d.flow_key)):
        if name in shape:
            where.append(column == bindparam(name))
    if "officer" in shape:
        o = OFFICER.c
        assigned = sa_select(o.case_id).where(
            o.bureau_code == bindparam("bureau"), or_(o.cert_no == bindparam("officer"), o.name == bindparam("officer"))
        )
        where.append(d.case_id.in_(assigned))
    return where


DUTY = OpenDuty.__table__  # type: ignore[attr-defined]
# A dashboard row: the open duty and what the list shows of its case, in the order ``duty_row`` unpacks.
DUTY_FIELDS = ("clock_id", "case_id", "bureau_code", "department", "item_code", "flow_key", "key", "label", "due_at",
               "provisional", "law", "accountability", "explanation")
CASE_FIELDS = ("number", "item_name", "flow_label", "state", "state_label", "officer_names", "party_name")
DUTY_COLUMNS = (*(DUTY.c[n] for n in DUTY_FIELDS), *(SUMMARY.c[n] for n in CASE_FIELDS))
DUTY_ORDER = (DUTY.c.due_at, DUTY.c.clock_id)


def _duty_query(shape: tuple[str, ...]) -> Any:
    return (
        sa_select(*DUTY_COLUMNS)
        .join(SUMMARY, SUMMARY.c.case_id == DUTY.c.case_id)
        .where(*_duty_conditions(shape))
        .order_by(*DUTY_ORDER)
    )


def _duty_page(shape: tuple[str, ...], size: int, skip: int) -> Any:
    """The counts and one page in one statement: the page's duties are found first (an index range and a
    top-N sort of the bureau's pressing duties), and only they are joined to their cases."""
    where = _duty_conditions(shape)
    late = func.sum(case((DUTY.c.due_at < bindparam("as_of", type_=DUTY.c.due_at.type), 1), else_=0))
    counted = sa_select(func.count().label("total"), late.label("overdue")).where(*where).subquery("counted")
    first = (
        sa_select(*(DUTY.c[n] for n in DUTY_FIELDS)).where(*where).order_by(*DUTY_ORDER)
        .limit(_written(size)).offset(_written(skip)).subquery("first")
    )
    shown = (
        sa_select(*first.c, *(SUMMARY.c[n] for n in CASE_FIELDS))
        .join_from(first, SUMMARY, SUMMARY.c.case_id == first.c.case_id)
        .subquery("shown")
    )
    return (
        sa_select(counted.c.total, counted.c.overdue, *shown.c)
        .select_from(counted.outerjoin(shown, true()))
        .order_by(shown.c.due_at, shown.c.clock_id)
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
    """Overdue and due-soon duties of the bureau's open cases as of a moment, most late first: one statement."""
    f = f or DutyFilter()
    size = min(max(size, 1), MAX_PAGE_SIZE)
    page = max(page, 1)
    shape, values = duty_filter_values(actor.bureau, f, as_of, actor.reads)
    skip = (page - 1) * size
    today = local(as_of).date()
    rows = prepared(engine, ("duty_page", shape, size, skip), lambda: _duty_page(shape, size, skip)).rows(engine, values)
    total, overdue = int(rows[0][0]), int(rows[0][1] or 0)
    return {
        "as_of": as_of.isoformat(),
        "overdue": overdue,
        "due_soon": total - overdue,
        "total": total,
        "page": page,
        "size": size,
        "items": [duty_row(library, row[2:], as_of, today) for row in rows if row[2] is not None],
    }


def iter_duties(
    engine: Engine, library: Library, actor: Actor, as_of: datetime, f: DutyFilter
) -> Iterator[dict[str, Any]]:
    shape, values = duty_filter_values(actor.bureau, f, as_of, actor.reads)
    today = local(as_of).date()
    with engine.connect() as connection:  # in a transaction: PostgreSQL streams through a server-side cursor
        for row in connection.execute(_duty_query(shape).execution_options(yield_per=500), values):
            yield duty_row(library, row, as_of, today)


def duty_row(library: Library, d: Any, as_of: datetime, today: date) -> dict[str, Any]:
    """A dashboard row (a row of ``DUTY_COLUMNS``) as the API and the pages show it; ``today``: ``as_of``'s local day."""
    (clock_id, case_id, bureau_code, department, item_code, flow_key, key, label, due_at, provisional, law,
     accountability, explanation, number, item_name, flow_label, state, state_label, officer_names,
     party_name) = d
    assert due_at is not None
    due = _utc(due_at)
    clauses: list[str] = []
    if accountability:
        try:
            listed = library.item(bureau_code, item_code).accountability
        except NotFound:
            listed = []
        clauses = [a for a in listed if accountability in a] or [accountability]
    return {
        "case_id": case_id, "clock_id": clock_id, "number": number, "item": item_code,
        "item_name": item_name,
        "flow": flow_key, "flow_label": flow_label, "department": department,
        "state": state, "state_label": state_label,
        "officers": [n for n in officer_names.split("、") if n], "party": party_name,
        "clock": key, "step": label, "due_at": _iso(due_at),
        "status": "overdue" if due < as_of else "due_soon",
        "days_late": (today - due.astimezone(TZ).date()).days if due < as_of else 0,  # as clocks.days_late
        "source": law, "accountability": accountability, "accountability_items": clauses,
        "explanation": explanation, "provisional": bool(provisional),
    }


GROUP_COLUMNS = {"department": DUTY.c.department, "item": DUTY.c.item_code, "flow": DUTY.c.flow_key}


def _late_sums(shape: tuple[str, ...], *conditions: Any) -> list[Any]:
    """Overdue count, due-soon count and days late summed, of the duties matching ``conditions`` too."""
    late = DUTY.c.due_at < bindparam("as_of", type_=DUTY.c.due_at.type)
    days = _days_late_sql(shape[0])
    return [
        func.sum(case((and_(*conditions, late), 1), else_=0)),
        func.sum(case((and_(*conditions, ~late), 1), else_=0)),
        func.sum(case((and_(*conditions, late), days), else_=0)),
    ] if conditions else [
        func.sum(case((late, 1), else_=0)),
        func.sum(case((late, 0), else_=1)),
        func.sum(case((late, days), else_=0)),
    ]


def _grouped(shape: tuple[str, ...], group: str) -> Any:
    """``shape`` is (dialect, *duty filter shape)."""
    where = _duty_conditions(shape[1:])
    sums = _late_sums(shape)
    if group == "officer":
        # A case's officers are of its bureau: said in the join, PostgreSQL reads the bureau's officers
        # from ix_case_officer_bureau_name instead of hashing the whole table.
        return (
            sa_select(OFFICER.c.name, *sums)
            .select_from(DUTY)
            .join(OFFICER, and_(OFFICER.c.case_id == DUTY.c.case_id, OFFICER.c.bureau_code == DUTY.c.bureau_code))
            .where(*where)
            .group_by(OFFICER.c.name)
        )
    column = GROUP_COLUMNS[group]
    return sa_select(column, *sums).where(*where).group_by(column)


def dashboard_groups(
    engine: Engine, actor: Actor, as_of: datetime, group: str, f: DutyFilter | None = None
) -> list[dict[str, Any]]:
    """Overdue and due-soon counts (and days late) per department, officer, item or flow."""
    if group != "officer" and group not in GROUP_COLUMNS:
        raise KeyError(group)
    shape, values = duty_filter_values(actor.bureau, f or DutyFilter(), as_of, actor.reads)
    values["today"] = local(as_of).date()
    key = (engine.dialect.name, *shape)
    rows = prepared(engine, ("duty_groups", group, key), lambda: _grouped(key, group)).rows(engine, values)
    counts = sorted((-int(o or 0), -int(s or 0), k or "", int(d or 0)) for k, o, s, d in rows)
    return [{"key": k, "overdue": -o, "due_soon": -s, "days_late": d} for o, s, k, d in counts]


def _days_late_sql(dialect: str) -> Any:
    """Local calendar days from a duty's due day to the ``today`` parameter (as ``engine.clocks.days_late``), in SQL."""
    if dialect == "postgresql":
        due_day = func.date(func.timezone("Asia/Shanghai", DUTY.c.due_at))
        return bindparam("today", type_=Date()) - due_day
    due_day = func.julianday(func.date(DUTY.c.due_at, "+8 hours"))  # Beijing has no daylight saving
    return cast(func.julianday(bindparam("today", type_=Date())) - due_day, Integer)


def monthly(engine: Engine, actor: Actor, months: int = 12, as_of: datetime | None = None) -> list[dict[str, Any]]:
    """Cases opened and closed per local month, the last ``months`` months: one statement."""
    today = local(as_of or datetime.now().astimezone())
    starts: list[datetime] = []
    year, month = today.year, today.month
    for _ in range(months + 1):
        starts.append(datetime(year, month, 1, tzinfo=TZ))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    starts.reverse()  # months + 1 boundaries: the first month's start … the start of next month
    starts[-1] = starts[-1] + timedelta(days=32)
    starts[-1] = starts[-1].replace(day=1)
    values: dict[str, Any] = {"bureau": actor.bureau}
    values.update((f"start_{i}", to_db(start)) for i, start in enumerate(starts))
    row = prepared(engine, ("monthly", months), lambda: _monthly(months)).rows(engine, values)[0]
    counts = [int(v or 0) for v in row]
    return [
        {"month": f"{a:%Y-%m}", "opened": counts[i], "closed": counts[months + i]}
        for i, a in enumerate(starts[:-1])
    ]


def _monthly(months: int) -> Any:
    """Per month, the cases opened and those closed: two index ranges (opened_at, closed_at), one statement."""
    bound = [bindparam(f"start_{i}", type_=SUMMARY.c.opened_at.type) for i in range(months + 1)]
    per_column = []
    for name in ("opened_at", "closed_at"):
        field = SUMMARY.c[name]
        per_column.append(
            sa_select(*(func.sum(case((and_(field >= a, field < b), 1), else_=0)).label(f"{name}_{i}")
                        for i, (a, b) in enumerate(zip(bound, bound[1:], strict=False))))
            .where(SUMMARY.c.bureau_code == bindparam("bureau"), field >= bound[0], field < bound[-1])
            .subquery(name)
        )
    opened, closed = per_column
    return sa_select(*opened.c, *closed.c).select_from(opened.join(closed, true()))


# The distinct names of a bureau's officers, one index probe each (a loose index scan of
# ix_case_officer_bureau_name), kept where an open case of the bureau has that officer.
_OFFICER_NAMES = text("""
WITH RECURSIVE names(name) AS (
    SELECT min(name) FROM case_officer WHERE bureau_code = :bureau
    UNION ALL
    SELECT (SELECT min(o.name) FROM case_officer o WHERE o.bureau_code = :bureau AND o.name > names.name)
    FROM names WHERE names.name IS NOT NULL
)
SELECT name FROM names
WHERE name IS NOT NULL AND name <> '' AND EXISTS (
    SELECT 1 FROM case_officer o JOIN case_summary s ON s.case_id = o.case_id
    WHERE o.bureau_code = :bureau AND o.name = names.name AND s.final = :closed
)
""")


def officer_names(engine: Engine, actor: Actor) -> list[str]:
    """Names of the officers assigned to the bureau's open cases (for filters)."""
    found = prepared(engine, "officer_names", lambda: _OFFICER_NAMES)
    return sorted(name for (name,) in found.rows(engine, {"bureau": actor.bureau, "closed": False}))


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
    shape, values = duty_filter_values(actor.bureau, f or DutyFilter(), as_of, actor.reads)
    values["today"] = local(as_of).date()
    values.update((f"unit_{i}", "%" + _escape_like(unit) + "%") for i, unit in enumerate(units))
    key = (engine.dialect.name, *shape)
    rows = [*units, ""] if units else []
    found = prepared(engine, ("unit_groups", len(units), key), lambda: _per_unit(key, len(units))).rows(
        engine, values)[0] if units else ()
    result = []
    for i, unit in enumerate(rows):
        overdue, soon, late_days = (int(v or 0) for v in found[i * 3 : i * 3 + 3])
        if unit or overdue or soon:
            result.append({"key": unit, "overdue": overdue, "due_soon": soon, "days_late": late_days})
    return sorted(result, key=lambda r: (-r["overdue"], -r["due_soon"], r["key"]))


def _per_unit(shape: tuple[str, ...], units: int) -> Any:
    """One row of conditional sums: per registered department (``unit_i``) and for duties naming none."""
    named = [DUTY.c.department.like(bindparam(f"unit_{i}"), escape="/") for i in range(units)]
    sums = [s for cond in [*named, ~or_(*named)] for s in _late_sums(shape, cond)]
    return sa_select(*sums).where(*_duty_conditions(shape[1:]))
