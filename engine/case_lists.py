"""Case lists over the read model: one paginated statement per page, built once per filter shape.

Each list is one SQL statement over ``case_summary`` within one bureau, its total a subquery of it;
due soon and overdue are comparisons of stored moments with ``as_of``. A filter becomes the shape of
its WHERE clause plus its parameters' values (``case_filter_values``); the statement of a shape is
compiled once (``engine.persistence.prepared``) and runs on the driver's cursor, and its plain rows
are mapped to what the API and the pages show (``case_row``). Nothing here builds a case in Python.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import bindparam, false, func, literal_column, or_, true, tuple_
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine

from engine.model import Actor
from engine.persistence import prepared
from engine.read_tables import CaseActor, CaseOfficer, CaseSummary
from engine.timeutil import TZ, local, sqlite_text_iso, to_db, utc_iso

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
        values["q_id_no"] = escape_like(needle.upper()) + "%"
        values["q_text"] = "%" + escape_like(needle.lower()) + "%"
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
    if f.closed is not None:  # two values: each its own statement, written into it (see case_conditions)
        shape.append(f"closed={f.closed}")
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


def escape_like(text: str) -> str:
    """``text`` matched literally by LIKE … ESCAPE '/' (as SQLAlchemy's autoescape)."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def shape_count(shape: tuple[str, ...], prefix: str) -> int:
    return next((int(s.removeprefix(prefix)) for s in shape if s.startswith(prefix)), 0)


def one_of(column: Any, name: str, count: int) -> Any:
    """``column IN (:name_0, … :name_{count-1})``; none to be one of matches nothing."""
    return column.in_([bindparam(f"{name}_{i}") for i in range(count)]) if count else false()


def case_conditions(shape: tuple[str, ...]) -> list[Any]:
    """The WHERE clause of a case list of this shape (``case_filter_values``), with bound parameters."""
    s = SUMMARY.c
    o = OFFICER.c
    where: list[Any] = [s.bureau_code == bindparam("bureau")]
    if any(p.startswith("reads=") for p in shape):
        where.append(one_of(s.flow_key, "read", shape_count(shape, "reads=")))
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
        where.append(one_of(s.flow_key, "flows", shape_count(shape, "flows=")))
    if any(p.startswith("states=") for p in shape):
        pairs = [tuple_(bindparam(f"states_flow_{i}"), bindparam(f"states_state_{i}"))
                 for i in range(shape_count(shape, "states="))]
        where.append(tuple_(s.flow_key, s.state).in_(pairs) if pairs else false())
    # "=", not "IS": an index serves it. Written in, not bound: with "final = $n" PostgreSQL's generic
    # plan of the prepared statement could not know the value and never won against a custom plan,
    # so every call was planned afresh (待我审批 at 1 M cases: 1.0 ms against 0.6 ms for the SQL).
    if "closed=True" in shape:
        where.append(s.final == true())
    if "closed=False" in shape:
        where.append(s.final == false())
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


def written(n: int) -> Any:
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
        .limit(written(size))
        .offset(written(skip))
    )


def _caseshape_count(shape: tuple[str, ...]) -> Any:
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
    today, utc = local(moment).date(), moment.astimezone(UTC)  # compared with every row's moments: once
    rows = prepared(engine, ("case_page", shape, size, skip), lambda: _case_page(shape, size, skip)).rows(engine, values)
    if rows:
        total = rows[0][-1]
    elif page > 1:
        total = prepared(engine, ("case_count", shape), lambda: _caseshape_count(shape)).rows(engine, values)[0][0]
    else:
        total = 0
    return {
        "items": [case_row(r, utc, today) for r in rows],
        "total": total,
        "page": page,
        "size": size,
        "as_of": moment.isoformat(),
    }


def count_cases(engine: Engine, actor: Actor, f: CaseFilter, as_of: datetime | None = None) -> int:
    """How many of the bureau's cases the filter matches: the lists' count statement alone (a card's figure)."""
    shape, values = case_filter_values(actor.bureau, f, as_of or datetime.now().astimezone(), actor.reads)
    return int(prepared(engine, ("case_count", shape), lambda: _caseshape_count(shape)).rows(engine, values)[0][0])


def iter_cases(engine: Engine, actor: Actor, f: CaseFilter, as_of: datetime) -> Iterator[dict[str, Any]]:
    """Every matching case, streamed in chunks (for exports: no row cap, constant memory)."""
    shape, values = case_filter_values(actor.bureau, f, as_of, actor.reads)
    today, utc = local(as_of).date(), as_of.astimezone(UTC)
    with engine.connect() as connection:  # in a transaction: PostgreSQL streams through a server-side cursor
        for row in connection.execute(case_query(shape).execution_options(yield_per=500), values):
            yield case_row(row, utc, today)


def stored_utc(value: Any) -> datetime:
    """A stored moment as aware UTC: SQLite's driver gives naive UTC text, SQLAlchemy naive datetimes."""
    moment: datetime = datetime.fromisoformat(value) if value.__class__ is str else value
    if moment.tzinfo is UTC:
        return moment
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def stored_iso(value: Any) -> str:
    """A stored moment as ISO text in UTC, as ``stored_utc(value).isoformat()`` writes it.

    SQLite's text is rewritten, not parsed (``sqlite_text_iso``), and PostgreSQL's moments written
    by ``utc_iso``: a list shows a few moments per row and writing them was a fair part of its time.
    """
    if value.__class__ is str and (text := sqlite_text_iso(value)) is not None:
        return text
    return utc_iso(stored_utc(value))


def money_text(value: Any) -> str | None:
    """A Numeric(16, 2) as text with its two decimals (SQLite's driver gives a float or an int)."""
    if value is None:
        return None
    return str(value) if isinstance(value, Decimal) else f"{value:.2f}"


def case_row(r: Any, as_of: datetime, today: date) -> dict[str, Any]:
    """A summary row (``LIST_COLUMNS`` first) as the API and the pages show it, its deadline's status as of a moment.

    ``today`` is the local day of ``as_of`` (days late count local calendar days, as ``clocks.days_late``).
    A list maps 30 to 200 rows per page, and this mapping was most of a small list's time beyond its
    SQL: only what a row has (a deadline, money, the party's periods) is computed.
    """
    (case_id, number, item_code, item_name, power_type, department, flow_key, flow_label, state, state_label, stage,
     awaiting_role, final, party_name, party_type, party_id_no, officer_names, opened_at, closed_at, version,
     next_due_at, next_due_soon_at, next_clock_label, party_due_at, party_clock_label, fine, paid,
     extras) = r[:28]
    status, days_late, due_text = "none", 0, None
    if next_due_at is not None:
        due = stored_utc(next_due_at)
        due_text = utc_iso(due)
        if due < as_of:
            status, days_late = "overdue", (today - due.astimezone(TZ).date()).days
        elif next_due_soon_at is not None and stored_utc(next_due_soon_at) <= as_of:
            status = "due_soon"
        else:
            status = "running"
    party_due_text, party_elapsed = None, False
    if party_due_at is not None:
        party_due = stored_utc(party_due_at)
        party_due_text, party_elapsed = utc_iso(party_due), party_due < as_of
    if extras.__class__ is str:
        extras = orjson.loads(extras)
    periods = extras.get("party_periods") if extras else None
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
        "opened_at": stored_iso(opened_at),
        "closed_at": stored_iso(closed_at) if closed_at else None,
        "version": version,
        "next_due_at": due_text,
        "next_clock": next_clock_label,
        "status": status,
        "days_late": days_late,
        "party_due_at": party_due_text,
        "party_clock": party_clock_label,
        "party_period_elapsed": party_elapsed,
        "party_elapsed": _elapsed_periods(periods, as_of) if periods else [],
        "fine": money_text(fine),
        "paid": money_text(paid),
        "missing": extras.get("missing", []) if extras else [],
    }


def _elapsed_periods(periods: list[list[str]], as_of: datetime) -> list[str]:
    """Keys of the party's open periods that have run out as of a moment, the latest first."""
    moment = to_db(as_of)
    ran_out = [(due, key) for key, due in periods if datetime.fromisoformat(due) < moment]
    return [key for _, key in sorted(ran_out, reverse=True)]
