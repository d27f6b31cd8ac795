"""Read-side queries over the read model: the overdue dashboard, its figures, monthly figures, filters.

Each is one SQL statement over ``open_duty`` (joined to ``case_summary`` for what a row shows) or
``case_summary``, always within one bureau, built once per filter shape as the case lists are
(``engine.case_lists``, whose names are re-exported here). Nothing here builds a case in Python.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Integer, and_, bindparam, case, cast, func, or_, text, true
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from engine.case_lists import (
    CLOCK_FILTERS,
    LIST_COLUMNS,
    MAX_PAGE_SIZE,
    OFFICER,
    SUMMARY,
    CaseFilter,
    case_conditions,
    case_filter_values,
    case_query,
    case_row,
    escape_like,
    iter_cases,
    list_cases,
    one_of,
    shape_count,
    stored_iso,
    stored_utc,
    written,
)
from engine.errors import Forbidden, NotFound
from engine.library import Library
from engine.model import Actor
from engine.persistence import prepared, reading
from engine.read_tables import OpenDuty
from engine.tables import Case, Document
from engine.timeutil import TZ, local, to_db

__all__ = [
    "CLOCK_FILTERS", "LIST_COLUMNS", "MAX_PAGE_SIZE", "CaseFilter", "case_conditions", "case_filter_values",
    "case_query", "case_row", "iter_cases", "list_cases",
    "DutyFilter", "dashboard", "dashboard_groups", "document_pdf", "duty_row", "iter_duties", "monthly",
    "officer_names", "unit_groups",
]


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
        where.append(one_of(d.flow_key, "read", shape_count(shape, "reads=")))
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
# A dashboard row: the open duty (every column, in the table's order) and what the list shows of its case,
# in the order ``duty_row`` unpacks. Every column: PostgreSQL then sorts the duties' own rows, while a
# subset is projected row by row first (measured: a fifth of the dashboard statement's time).
CASE_FIELDS = ("number", "item_name", "flow_label", "state", "state_label", "officer_names", "party_name")
DUTY_COLUMNS = (*DUTY.c, *(SUMMARY.c[n] for n in CASE_FIELDS))
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
        sa_select(DUTY).where(*where).order_by(*DUTY_ORDER)
        .limit(written(size)).offset(written(skip)).subquery("first")
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
    (clock_id, case_id, bureau_code, department, item_code, flow_key, key, label, _party, due_at, _due_soon_at,
     provisional, law, accountability, explanation, number, item_name, flow_label, state, state_label, officer_names,
     party_name) = d
    assert due_at is not None
    due = stored_utc(due_at)
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
        "clock": key, "step": label, "due_at": stored_iso(due_at),
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
        # from ix_case_officer_bureau_name instead of hashing the whole table. SQLite, told so, walks
        # that index for every duty (seconds at 10,000 cases): it finds each duty's officers by case.
        joined = OFFICER.c.case_id == DUTY.c.case_id
        if shape[0] == "postgresql":
            joined = and_(joined, OFFICER.c.bureau_code == DUTY.c.bureau_code)
        return (
            sa_select(OFFICER.c.name, *sums)
            .select_from(DUTY)
            .join(OFFICER, joined)
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
    # months + 1 boundaries: the first month's start … this month's start, then next month's
    index = today.year * 12 + today.month - 1  # this month, counted from year 0
    starts = [datetime(i // 12, i % 12 + 1, 1, tzinfo=TZ) for i in range(index - months + 1, index + 2)]
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
    values.update((f"unit_{i}", "%" + escape_like(unit) + "%") for i, unit in enumerate(units))
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
