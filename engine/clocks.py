"""Deadline arithmetic for statutory clocks (时限): when a period ends, and where a clock stands.

Counting follows LEGAL.md "How periods are counted": the start day is not counted (民诉法 85,
行政诉讼法 83); a day-period ends at the end of its last day, Asia/Shanghai time; months are
calendar months, the corresponding day of the last month or that month's last day (民法典 202);
a natural-day period for the party's own act that ends on a rest day ends on the next working
day (民诉法 85), chosen per clock with ``roll_forward``. Suspended or excluded spans
(中止、不计入期间) are not counted and push the end later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from engine.calendar import WorkCalendar
from engine.definitions import UNIT_LABELS, Unit
from engine.timeutil import end_of_day, local


@dataclass(frozen=True)
class Span:
    """A span of time not counted (suspension, excluded period); ``end`` None while open."""

    start: datetime
    end: datetime | None = None


@dataclass(frozen=True)
class Deadline:
    due_at: datetime  # aware, Asia/Shanghai
    provisional: bool  # depends on a year whose official holiday schedule is not loaded
    explanation: str  # one Chinese line: how the date was reached


class ClockStatus(StrEnum):
    running = "running"
    due_soon = "due_soon"
    overdue = "overdue"
    satisfied = "satisfied"
    satisfied_late = "satisfied_late"
    suspended = "suspended"
    cancelled = "cancelled"
    elapsed = "elapsed"  # a period for the party's own acts that has run out: not the agency's delay


STATUS_LABELS = {
    ClockStatus.running: "进行中",
    ClockStatus.due_soon: "即将到期",
    ClockStatus.overdue: "已超期",
    ClockStatus.satisfied: "已完成",
    ClockStatus.satisfied_late: "逾期完成",
    ClockStatus.suspended: "已中止",
    ClockStatus.cancelled: "已撤销",
    ClockStatus.elapsed: "已届满",
}

SURCHARGE_RATE = Decimal("0.03")  # 加处罚款: 3% of the fine per day (处罚法 72)
_CENT = Decimal("0.01")


def add_months(d: date, n: int) -> date:
    """The corresponding day ``n`` calendar months later, clamped to that month's last day."""
    months = d.year * 12 + d.month - 1 + n
    year, month = divmod(months, 12)
    month += 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(d.day, (next_month - timedelta(days=1)).day))


def _fmt_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _fmt_moment(dt: datetime) -> str:
    minute = f"{dt.minute}分" if dt.minute else ""
    return f"{_fmt_date(dt.date())}{dt.hour}时{minute}"


def _fmt_duration(delta: timedelta) -> str:
    hours, minutes = divmod(int(delta.total_seconds()) // 60, 60)
    if not minutes:
        return f"{hours}小时"
    return f"{hours}小时{minutes}分钟" if hours else f"{minutes}分钟"


def _resolved_spans(
    spans: Sequence[Span], start: datetime, until: datetime
) -> list[tuple[datetime, datetime]]:
    """Spans in local time, open ones ending at ``until``, clipped to the clock start, merged.

    Merging keeps overlapping records (e.g. two suspensions logged for one stop) from being
    counted twice.
    """
    intervals = sorted(
        (max(local(s.start), start), local(s.end) if s.end is not None else until) for s in spans
    )
    merged: list[tuple[datetime, datetime]] = []
    for low, high in intervals:
        if high <= low:
            continue
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def compute_due(
    start: datetime,
    amount: int,
    unit: Unit,
    calendar: WorkCalendar,
    *,
    roll_forward: bool = False,
    extension: int = 0,
    spans: Sequence[Span] = (),
    as_of: datetime | None = None,
) -> Deadline:
    """When a period of ``amount`` (+ ``extension``) ``unit`` started at ``start`` ends.

    Hours are wall-clock hours from the moment; day and month periods skip the start day and
    end at 23:59:59 local on their last day. Spans are not counted: their duration for hours,
    the whole local days they cover for natural days and months, the working days in
    ``(span start day, span end day]`` for working days. An open span runs to ``as_of`` (now if
    not given), so the due date moves while it stays open. ``roll_forward`` moves a natural-day
    or month period that ends on a rest day to the next working day. ``provisional`` is set only
    when the result depends on the working-day calendar of a year without official data. A
    naive ``start`` is taken as UTC (as stored).
    """
    if amount < 0 or extension < 0:
        raise ValueError(f"期限和延长期限不能为负数：{amount}，{extension}")
    begin = local(start)
    until = local(as_of) if as_of is not None else datetime.now(UTC).astimezone(begin.tzinfo)
    excluded = _resolved_spans(spans, begin, until)
    is_open = any(s.end is None for s in spans)
    label = UNIT_LABELS[unit]
    start_day = begin.date()
    checked: list[tuple[date, date]] = []  # date ranges whose working-day status was consulted
    rolled_from: date | None = None

    if unit is Unit.hours:
        paused = sum((high - low for low, high in excluded), timedelta())
        due_at = local(begin.astimezone(UTC) + timedelta(hours=amount + extension) + paused)
        paused_text = _fmt_duration(paused) if paused else ""
        parts = [f"自{_fmt_moment(begin)}起算", f"{amount}{label}"]
    else:
        if unit is Unit.working_days:
            paused_days = sum(
                calendar.working_days_between(low.date(), high.date()) for low, high in excluded
            )
            last_day = calendar.add_working_days(start_day, amount + extension + paused_days)
            checked.append((start_day, last_day))
            checked.extend((low.date(), high.date()) for low, high in excluded)
        else:
            paused_days = sum((high.date() - low.date()).days for low, high in excluded)
            if unit is Unit.months:
                last_day = add_months(start_day, amount + extension) + timedelta(days=paused_days)
            else:
                last_day = start_day + timedelta(days=amount + extension + paused_days)
            if roll_forward:
                rolled = calendar.next_workday(last_day)
                checked.append((last_day, rolled))
                if rolled != last_day:
                    rolled_from, last_day = last_day, rolled
        due_at = end_of_day(last_day)
        paused_text = f"{paused_days}{'日' if unit is Unit.months else label}" if paused_days else ""
        period = f"{amount}{label}"
        if unit is Unit.working_days:
            period += "（含调休上班日，扣除法定节假日）"
        parts = [f"自{_fmt_date(start_day)}起算（当日不计入）", period]

    if extension:
        parts.append(f"加延长{extension}{label}")
    if paused_text:
        parts.append(f"扣除中止/不计入期间{paused_text}")
    if is_open:
        parts.append("中止尚未结束，届满时间随之后移")
    if rolled_from is not None:
        parts.append(f"{_fmt_date(rolled_from)}为休息日，顺延至下一工作日")
    parts.append(
        f"至{_fmt_moment(due_at)}届满" if unit is Unit.hours else f"至{_fmt_date(due_at.date())}24时届满"
    )
    explanation = "，".join(parts)

    years = sorted({y for low, high in checked for y in calendar.provisional_years(low, high)})
    if years:
        listed = "、".join(str(y) for y in years)
        explanation += f"（{listed}年无官方节假日安排，暂按周末与固定节日推算）"
    return Deadline(due_at=due_at, provisional=bool(years), explanation=explanation)


def status_of(
    due_at: datetime,
    *,
    as_of: datetime,
    satisfied_at: datetime | None = None,
    cancelled: bool = False,
    suspended: bool = False,
    due_soon: int = 2,
    unit: Unit,
) -> ClockStatus:
    """Where a clock stands at ``as_of``.

    Precedence: cancelled, satisfied (late when after ``due_at``), suspended, overdue (strictly
    after ``due_at``), due soon, running. An hour clock is due soon in its last ``due_soon``
    hours (inclusive); a day clock on its last ``due_soon`` local calendar days, the due day
    included (so the default 2 means the day before and the due day).
    """
    if cancelled:
        return ClockStatus.cancelled
    due = local(due_at)
    if satisfied_at is not None:
        return ClockStatus.satisfied_late if local(satisfied_at) > due else ClockStatus.satisfied
    if suspended:
        return ClockStatus.suspended
    now = local(as_of)
    if now > due:
        return ClockStatus.overdue
    if unit is Unit.hours:
        soon = due - now <= timedelta(hours=due_soon)
    else:
        soon = (due.date() - now.date()).days < due_soon
    return ClockStatus.due_soon if soon else ClockStatus.running


def due_soon_from(due_at: datetime, unit: Unit, due_soon: int) -> datetime:
    """The first moment at which ``status_of`` calls a running clock due soon.

    Stored beside ``due_at`` so that lists compare two stored moments with ``as_of`` in SQL:
    a running clock is due soon when ``due_soon_from <= as_of <= due_at`` and overdue when
    ``as_of > due_at``. Hours: the last ``due_soon`` hours; days: local midnight of the
    ``due_soon``-th calendar day before the due day, counting the due day.
    """
    if unit is Unit.hours:
        return due_at - timedelta(hours=due_soon)
    due = local(due_at)
    first_day = due.date() - timedelta(days=due_soon - 1)
    return datetime.combine(first_day, datetime.min.time(), tzinfo=due.tzinfo)


def days_late(due_at: datetime, as_of: datetime) -> int:
    """Local calendar days from the due day to ``as_of``'s day; 0 when not past ``due_at``."""
    due, now = local(due_at), local(as_of)
    if now <= due:
        return 0
    return (now.date() - due.date()).days


def surcharge(fine: Decimal, due_date: date, paid_or_as_of: date, *, paused_days: int = 0) -> Decimal:
    """加处罚款 (处罚法 72): 3% of the fine for each day after ``due_date`` up to the payment day.

    Days of ``paused_days`` (during review or litigation, when the surcharge is not imposed)
    are left out; the total never exceeds the fine itself. Rounded half up to the fen.
    """
    if fine < 0 or paused_days < 0:
        raise ValueError(f"罚款数额和暂停天数不能为负数：{fine}，{paused_days}")
    days = max(0, (paid_or_as_of - due_date).days - paused_days)
    return min(fine * SURCHARGE_RATE * days, fine).quantize(_CENT, rounding=ROUND_HALF_UP)
