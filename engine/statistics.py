"""A period's enforcement figures, as a bureau publishes them each January (行政执法数据年度报告).

Every figure is an aggregate computed in the database: case counts from the read model
(``case_summary``), decisions, hearings, appeals and payments from the events that recorded
them in the period, lateness from the clocks satisfied in it. Only the per-stage durations are
finished in Python, from one streamed query, because working days follow the calendar.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, and_, case, cast, func
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from engine.errors import InvalidInput
from engine.library import Library
from engine.model import Actor
from engine.read_tables import CaseSummary
from engine.tables import Case, Clock, Event
from engine.timeutil import from_db, local, local_midnight, to_db
from engine.workcalendar import load_calendar

SUMMARY = CaseSummary.__table__  # type: ignore[attr-defined]
EVENT = Event.__table__  # type: ignore[attr-defined]
CASE = Case.__table__  # type: ignore[attr-defined]
CLOCK = Clock.__table__  # type: ignore[attr-defined]

# The recorded acts the report counts, by trigger (the flows' own names).
COUNTED = {
    "decide_penalty": "作出行政处罚决定",
    "decide_no_penalty": "作出不予行政处罚决定",
    "decline_filing": "不予立案",
    "approve_filing": "立案",
    "refer": "移送司法机关或其他机关",
    "hold_hearing": "举行听证",
    "seal": "实施封存",
    "seal_emergency": "当场封存",
    "accept": "受理申请",
    "deem_accepted": "视为受理",
    "refuse": "不予受理",
    "complete_on_spot": "当场办结（即办）",
    "grant": "准予",
    "deny": "不予（办理）",
    "notify_supplement": "一次性告知补正",
    "remind": "督办",
}
PAYMENTS = ("record_payment", "collect_on_spot")
APPEAL_KINDS = {"review": "行政复议", "litigation": "行政诉讼"}


def this_year(today: date | None = None) -> tuple[date, date]:
    """The default period: the current year so far, from 1 January to today (Beijing time)."""
    day = today or local(datetime.now().astimezone()).date()
    return date(day.year, 1, 1), day


MAX_SPAN_DAYS = 3 * 366


def period(start: str, end: str, today: date | None = None) -> tuple[date, date]:
    """The period asked for (both days included); default: the current year so far."""
    default = this_year(today)
    try:
        lo = date.fromisoformat(start) if start else default[0]
        hi = date.fromisoformat(end) if end else default[1]
    except ValueError:
        raise InvalidInput("INVALID_DATE", "统计期间的日期格式应为 年-月-日（如 2025-01-01）", start=start, end=end) from None
    if hi < lo:
        raise InvalidInput("PERIOD_REVERSED", f"统计期间的结束日期{hi}早于开始日期{lo}", start=start, end=end)
    if (hi - lo).days > MAX_SPAN_DAYS:
        raise InvalidInput("PERIOD_TOO_LONG", "统计期间不能超过三年", start=start, end=end)
    return lo, hi


def statistics(engine: Engine, library: Library, actor: Actor, start: date, end: date) -> dict[str, Any]:
    """The figures of one bureau from ``start`` to ``end`` (both days included)."""
    lo, hi = to_db(local_midnight(start)), to_db(local_midnight(end, next_day=True))  # type: ignore[arg-type]
    bureau = actor.bureau
    with Session(engine) as session:
        conn = session.connection()
        by_type = _by_power_type(conn, bureau, lo, hi)
        acts = _acts(conn, bureau, lo, hi)
        money = _money(conn, bureau, lo, hi)
        appeals = _appeals(conn, bureau, lo, hi)
        late = _lateness(conn, bureau, lo, hi)
        stages = _stage_days(conn, session, library, bureau, lo, hi)
    return {
        "from": start.isoformat(), "to": end.isoformat(), "bureau": bureau,
        "by_power_type": by_type, "acts": acts, "money": money, "appeals": appeals,
        "late": late, "stages": stages,
    }


def _in_period(column: Any, lo: datetime, hi: datetime) -> Any:
    return and_(column >= lo, column < hi)


def _by_power_type(conn: Any, bureau: str, lo: datetime, hi: datetime) -> list[dict[str, Any]]:
    """Cases opened and closed in the period per power type, and the closed ones by outcome (final state)."""
    s = SUMMARY.c
    opened = conn.execute(
        sa_select(s.power_type, func.count()).where(s.bureau_code == bureau, _in_period(s.opened_at, lo, hi))
        .group_by(s.power_type)
    ).all()
    closed = conn.execute(
        sa_select(s.power_type, s.state_label, func.count()).where(
            s.bureau_code == bureau, _in_period(s.closed_at, lo, hi)
        ).group_by(s.power_type, s.state_label)
    ).all()
    rows: dict[str, dict[str, Any]] = defaultdict(lambda: {"opened": 0, "closed": 0, "outcomes": {}})
    for power_type, count in opened:
        rows[power_type or "其他"]["opened"] = int(count)
    for power_type, outcome, count in closed:
        row = rows[power_type or "其他"]
        row["closed"] += int(count)
        row["outcomes"][outcome] = int(count)
    return [{"power_type": k, **v} for k, v in sorted(rows.items(), key=lambda kv: -kv[1]["opened"])]


def _events_in(bureau: str, lo: datetime, hi: datetime) -> Any:
    return and_(EVENT.c.case_id == CASE.c.id, CASE.c.bureau_code == bureau, _in_period(EVENT.c.occurred_at, lo, hi))


def _acts(conn: Any, bureau: str, lo: datetime, hi: datetime) -> list[dict[str, Any]]:
    found = dict(conn.execute(
        sa_select(EVENT.c.trigger, func.count()).select_from(EVENT.join(CASE, EVENT.c.case_id == CASE.c.id))
        .where(_events_in(bureau, lo, hi), EVENT.c.trigger.in_(list(COUNTED))).group_by(EVENT.c.trigger)
    ).all())
    return [{"act": label, "count": int(found.get(trigger, 0))} for trigger, label in COUNTED.items()]


def _amount(key: str) -> Any:
    return func.coalesce(func.sum(cast(EVENT.c.payload[key].as_string(), Numeric(16, 2))), 0)


def _money(conn: Any, bureau: str, lo: datetime, hi: datetime) -> dict[str, str]:
    """Fines and fund returns (责令退回) decided by the decisions and collected by payments in the period."""
    joined = EVENT.join(CASE, EVENT.c.case_id == CASE.c.id)
    decided = conn.execute(
        sa_select(_amount("fine")).select_from(joined)
        .where(_events_in(bureau, lo, hi), EVENT.c.trigger == "decide_penalty")
    ).scalar_one()
    towards = func.coalesce(EVENT.c.payload["towards"].as_string(), "fine")
    paid = dict(conn.execute(
        sa_select(towards, _amount("amount")).select_from(joined)
        .where(_events_in(bureau, lo, hi), EVENT.c.trigger.in_(PAYMENTS)).group_by(towards)
    ).all())
    returns = conn.execute(  # 责令退回: what the decisions ordered returned to the fund
        sa_select(_amount("return_amount")).select_from(joined)
        .where(_events_in(bureau, lo, hi), EVENT.c.trigger == "decide_penalty")
    ).scalar_one()

    def yuan(value: Any) -> str:
        return str(Decimal(value or 0).quantize(Decimal("0.01")))

    return {"fines_decided": yuan(decided), "fines_collected": yuan(paid.get("fine")),
            "returns_decided": yuan(returns), "returns_collected": yuan(paid.get("return"))}


def _appeals(conn: Any, bureau: str, lo: datetime, hi: datetime) -> list[dict[str, Any]]:
    """行政复议 and 行政诉讼 recorded in the period, by kind and, where recorded, outcome."""
    kind = EVENT.c.payload["kind"].as_string()
    outcome = EVENT.c.payload["outcome"].as_string()
    rows = conn.execute(
        sa_select(kind, outcome, func.count()).select_from(EVENT.join(CASE, EVENT.c.case_id == CASE.c.id))
        .where(_events_in(bureau, lo, hi), EVENT.c.trigger == "record_appeal").group_by(kind, outcome)
    ).all()
    return [{"kind": APPEAL_KINDS.get(k or "", k or "未注明"), "outcome": o or "未审结或未登记", "count": int(n)}
            for k, o, n in rows]


def _lateness(conn: Any, bureau: str, lo: datetime, hi: datetime) -> dict[str, Any]:
    """Of the agency's deadlines met in the period, how many were met late (party periods excluded)."""
    c = CLOCK.c
    total, late = conn.execute(
        sa_select(func.count(), func.coalesce(func.sum(case((c.satisfied_at > c.due_at, 1), else_=0)), 0))
        .select_from(CLOCK.join(CASE, c.case_id == CASE.c.id))
        .where(CASE.c.bureau_code == bureau, c.party.is_(False), _in_period(c.satisfied_at, lo, hi))
    ).one()
    total, late = int(total), int(late)
    return {"steps": total, "late": late, "share": round(late * 100 / total, 1) if total else 0.0}


def _stage_days(
    conn: Any, session: Session, library: Library, bureau: str, lo: datetime, hi: datetime
) -> list[dict[str, Any]]:
    """Average working days a case spent in each stage, over the stays that ended in the period.

    A stay in a state runs from the event that entered it to the event that left it (LAG over the
    case's events); its stage is the state's 责任事项 stage in the case's own flow version.
    """
    previous = func.lag(EVENT.c.occurred_at, type_=EVENT.c.occurred_at.type).over(partition_by=EVENT.c.case_id, order_by=EVENT.c.seq)
    inner = (
        sa_select(CASE.c.flow_key, CASE.c.flow_version, EVENT.c.from_state, EVENT.c.to_state,
                  previous.label("entered"), EVENT.c.occurred_at)
        .select_from(EVENT.join(CASE, EVENT.c.case_id == CASE.c.id))
        .where(CASE.c.bureau_code == bureau, EVENT.c.case_id.in_(
            sa_select(EVENT.c.case_id).where(_in_period(EVENT.c.occurred_at, lo, hi))
        ))
        .subquery()
    )
    rows = conn.execute(
        sa_select(inner).where(
            inner.c.from_state.is_not(None), inner.c.from_state != inner.c.to_state,
            _in_period(inner.c.occurred_at, lo, hi),
        ).execution_options(yield_per=2000)
    )
    calendar = load_calendar(session)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for flow_key, version, state, _to, entered, left in rows:
        if entered is None:
            continue
        try:
            stage = library.flow(flow_key, version).state(state).stage or "其他"
        except Exception:  # a state no longer in any loaded flow: counted under 其他
            stage = "其他"
        days = calendar.working_days_between(local(from_db(entered)).date(), local(from_db(left)).date())
        totals[stage][0] += days
        totals[stage][1] += 1
    return [{"stage": stage, "stays": n, "average_working_days": round(total / n, 1)}
            for stage, (total, n) in sorted(totals.items(), key=lambda kv: -kv[1][1])]
