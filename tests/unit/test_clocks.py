from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.calendar import WorkCalendar, parse_schedule
from engine.clocks import (
    STATUS_LABELS,
    ClockStatus,
    Span,
    add_months,
    compute_due,
    days_late,
    status_of,
    surcharge,
)
from engine.definitions import Unit
from engine.timeutil import TZ, end_of_day

CALENDAR = WorkCalendar()


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


# --- working days ------------------------------------------------------------------------


def test_working_days_over_national_day_2026() -> None:
    deadline = compute_due(at(2026, 9, 25, 10), 20, Unit.working_days, CALENDAR)
    assert deadline.due_at == end_of_day(date(2026, 10, 29))
    assert not deadline.provisional
    assert deadline.explanation == (
        "自2026年9月25日起算（当日不计入），20个工作日（含调休上班日，扣除法定节假日），"
        "至2026年10月29日24时届满"
    )


def test_working_days_start_day_not_counted_even_late_at_night() -> None:
    assert compute_due(at(2026, 3, 6, 23, 59), 1, Unit.working_days, CALENDAR).due_at == end_of_day(
        date(2026, 3, 9)
    )
    # 2026-03-06 17:00 UTC is already Saturday 01:00 in Shanghai
    naive_utc = datetime(2026, 3, 6, 17, 0)
    assert compute_due(naive_utc, 1, Unit.working_days, CALENDAR).due_at == end_of_day(date(2026, 3, 9))


def test_extension_and_span_in_working_days() -> None:
    suspension = Span(at(2026, 10, 12), at(2026, 10, 15))  # (12th, 15th] = 3 working days
    deadline = compute_due(at(2026, 9, 25), 20, Unit.working_days, CALENDAR, extension=10, spans=[suspension])
    assert deadline.due_at == end_of_day(CALENDAR.add_working_days(date(2026, 9, 25), 33))
    assert "加延长10个工作日" in deadline.explanation
    assert "扣除中止/不计入期间3个工作日" in deadline.explanation


def test_span_within_one_day_does_not_shift_working_days() -> None:
    same_day = Span(at(2026, 3, 3, 9), at(2026, 3, 3, 17))
    plain = compute_due(at(2026, 3, 2), 5, Unit.working_days, CALENDAR)
    assert compute_due(at(2026, 3, 2), 5, Unit.working_days, CALENDAR, spans=[same_day]) == plain


# --- natural days ------------------------------------------------------------------------


def test_natural_days_start_day_not_counted() -> None:
    deadline = compute_due(at(2026, 3, 2, 23, 59), 1, Unit.natural_days, CALENDAR)
    assert deadline.due_at == datetime(2026, 3, 3, 23, 59, 59, tzinfo=TZ)
    assert deadline.explanation == "自2026年3月2日起算（当日不计入），1日，至2026年3月3日24时届满"


def test_roll_forward_for_party_but_not_for_agency() -> None:
    start = at(2026, 6, 1)  # Monday; +5 days is Saturday 6 June
    party = compute_due(start, 5, Unit.natural_days, CALENDAR, roll_forward=True)
    agency = compute_due(start, 5, Unit.natural_days, CALENDAR)
    assert party.due_at == end_of_day(date(2026, 6, 8))
    assert agency.due_at == end_of_day(date(2026, 6, 6))
    assert "2026年6月6日为休息日，顺延至下一工作日" in party.explanation
    assert "顺延" not in agency.explanation


def test_roll_forward_over_national_day_and_not_on_workday() -> None:
    rolled = compute_due(at(2026, 9, 24), 7, Unit.natural_days, CALENDAR, roll_forward=True)
    assert rolled.due_at == end_of_day(date(2026, 10, 8))
    # 2026-10-10 is a 调休 Saturday: a working day, so no roll
    worked = compute_due(at(2026, 10, 3), 7, Unit.natural_days, CALENDAR, roll_forward=True)
    assert worked.due_at == end_of_day(date(2026, 10, 10))


def test_spans_shift_natural_days() -> None:
    start = at(2026, 3, 2)
    plain = compute_due(start, 30, Unit.natural_days, CALENDAR)
    assert plain.due_at == end_of_day(date(2026, 4, 1))
    span = Span(at(2026, 3, 5, 10), at(2026, 3, 8, 9))  # covers 3 local days
    shifted = compute_due(start, 30, Unit.natural_days, CALENDAR, spans=[span])
    assert shifted.due_at == end_of_day(date(2026, 4, 4))
    assert "扣除中止/不计入期间3日" in shifted.explanation


def test_overlapping_spans_count_once_and_start_is_clipped() -> None:
    start = at(2026, 3, 2)
    spans = [
        Span(at(2026, 3, 5), at(2026, 3, 8)),
        Span(at(2026, 3, 6), at(2026, 3, 7)),
        Span(at(2026, 2, 1), at(2026, 3, 2, 12)),  # before the clock started
    ]
    deadline = compute_due(start, 30, Unit.natural_days, CALENDAR, spans=spans)
    assert deadline.due_at == end_of_day(date(2026, 4, 4))


def test_open_span_moves_the_due_date() -> None:
    start = at(2026, 3, 2)
    open_span = [Span(at(2026, 3, 5))]
    early = compute_due(start, 30, Unit.natural_days, CALENDAR, spans=open_span, as_of=at(2026, 3, 6))
    later = compute_due(start, 30, Unit.natural_days, CALENDAR, spans=open_span, as_of=at(2026, 3, 15))
    assert early.due_at == end_of_day(date(2026, 4, 2))
    assert later.due_at == end_of_day(date(2026, 4, 11))
    assert "中止尚未结束" in later.explanation


# --- hours and months --------------------------------------------------------------------


def test_hours_across_midnight() -> None:
    deadline = compute_due(at(2026, 3, 10, 23, 30), 2, Unit.hours, CALENDAR)
    assert deadline.due_at == at(2026, 3, 11, 1, 30)
    assert deadline.explanation == "自2026年3月10日23时30分起算，2小时，至2026年3月11日1时30分届满"
    assert not deadline.provisional


def test_hours_extension_and_span() -> None:
    span = Span(at(2026, 3, 11, 0), at(2026, 3, 11, 2, 30))
    deadline = compute_due(at(2026, 3, 10, 22), 24, Unit.hours, CALENDAR, extension=24, spans=[span])
    assert deadline.due_at == at(2026, 3, 13, 0, 30)
    assert "加延长24小时" in deadline.explanation
    assert "扣除中止/不计入期间2小时30分钟" in deadline.explanation


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2026, 1, 15), 12, date(2027, 1, 15)),
        (date(2026, 11, 30), 1, date(2026, 12, 30)),
        (date(2026, 5, 20), 0, date(2026, 5, 20)),
    ],
)
def test_add_months_clamps(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_months_period() -> None:
    deadline = compute_due(at(2026, 1, 31), 1, Unit.months, CALENDAR)
    assert deadline.due_at == end_of_day(date(2026, 2, 28))
    assert "1个月" in deadline.explanation
    extended = compute_due(at(2026, 1, 31), 1, Unit.months, CALENDAR, extension=1)
    assert extended.due_at == end_of_day(date(2026, 3, 31))
    assert "加延长1个月" in extended.explanation


def test_months_roll_forward() -> None:
    rolled = compute_due(at(2026, 2, 7), 1, Unit.months, CALENDAR, roll_forward=True)
    assert rolled.due_at == end_of_day(date(2026, 3, 9))  # Saturday 7 March → Monday
    # Saturday 2026-02-28 is a 调休 working day: nothing to roll
    kept = compute_due(at(2026, 1, 31), 1, Unit.months, CALENDAR, roll_forward=True)
    assert kept.due_at == end_of_day(date(2026, 2, 28))


# --- provisional years -------------------------------------------------------------------


def test_provisional_in_2027_then_official_after_loading() -> None:
    start = at(2026, 12, 20)
    provisional = compute_due(start, 20, Unit.working_days, CALENDAR)
    assert provisional.provisional
    assert provisional.explanation.endswith("（2027年无官方节假日安排，暂按周末与固定节日推算）")

    schedule = parse_schedule(
        {"year": 2027, "holidays": ["2027-01-01", "2027-01-04", "2027-01-05"], "workdays": ["2027-01-09"]}
    )
    official = compute_due(start, 20, Unit.working_days, CALENDAR.with_schedule(schedule))
    assert not official.provisional
    assert "暂按" not in official.explanation
    assert official.due_at != provisional.due_at


def test_natural_days_without_roll_do_not_depend_on_the_calendar() -> None:
    assert not compute_due(at(2027, 3, 1), 10, Unit.natural_days, CALENDAR).provisional
    assert not compute_due(at(2027, 3, 1), 10, Unit.hours, CALENDAR).provisional
    assert compute_due(at(2027, 3, 1), 10, Unit.natural_days, CALENDAR, roll_forward=True).provisional


def test_negative_amount_rejected() -> None:
    with pytest.raises(ValueError):
        compute_due(at(2026, 3, 2), -1, Unit.natural_days, CALENDAR)


# --- status ------------------------------------------------------------------------------

DUE = end_of_day(date(2026, 10, 29))


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (at(2026, 10, 27, 23, 59), ClockStatus.running),
        (at(2026, 10, 28, 0, 0), ClockStatus.due_soon),
        (DUE, ClockStatus.due_soon),
        (DUE + timedelta(seconds=1), ClockStatus.overdue),
    ],
)
def test_status_of_day_clock_at_boundaries(as_of: datetime, expected: ClockStatus) -> None:
    assert status_of(DUE, as_of=as_of, unit=Unit.working_days) is expected


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (at(2026, 3, 11, 11, 59), ClockStatus.running),
        (at(2026, 3, 11, 12, 0), ClockStatus.due_soon),
        (at(2026, 3, 11, 14, 0), ClockStatus.due_soon),
        (at(2026, 3, 11, 14, 1), ClockStatus.overdue),
    ],
)
def test_status_of_hour_clock_at_boundaries(as_of: datetime, expected: ClockStatus) -> None:
    assert status_of(at(2026, 3, 11, 14), as_of=as_of, unit=Unit.hours) is expected


def test_status_precedence() -> None:
    late = DUE + timedelta(days=3)
    assert status_of(DUE, as_of=late, satisfied_at=DUE, unit=Unit.natural_days) is ClockStatus.satisfied
    assert (
        status_of(DUE, as_of=late, satisfied_at=DUE + timedelta(seconds=1), unit=Unit.natural_days)
        is ClockStatus.satisfied_late
    )
    assert (
        status_of(DUE, as_of=late, satisfied_at=DUE, cancelled=True, unit=Unit.natural_days)
        is ClockStatus.cancelled
    )
    assert status_of(DUE, as_of=late, suspended=True, unit=Unit.natural_days) is ClockStatus.suspended
    assert status_of(DUE, as_of=at(2026, 10, 28), due_soon=0, unit=Unit.natural_days) is ClockStatus.running
    assert set(STATUS_LABELS) == set(ClockStatus)
    assert STATUS_LABELS[ClockStatus.satisfied_late] == "逾期完成"


def test_days_late() -> None:
    assert days_late(DUE, DUE) == 0
    assert days_late(DUE, at(2026, 10, 20)) == 0
    assert days_late(DUE, at(2026, 10, 30, 0, 1)) == 1
    assert days_late(DUE, at(2026, 11, 8)) == 10


# --- 加处罚款 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fine", "paid", "paused", "expected"),
    [
        ("1000", date(2026, 5, 10), 0, "0.00"),  # paid on the last day
        ("1000", date(2026, 5, 1), 0, "0.00"),
        ("1000", date(2026, 5, 11), 0, "30.00"),
        ("1000", date(2026, 5, 20), 0, "300.00"),
        ("1000", date(2026, 5, 20), 4, "180.00"),
        ("1000", date(2026, 5, 20), 30, "0.00"),
        ("1000", date(2026, 6, 12), 0, "990.00"),  # 33 days
        ("1000", date(2026, 6, 13), 0, "1000.00"),  # 34 days: capped at the fine
        ("1000", date(2027, 5, 10), 0, "1000.00"),
        ("333.33", date(2026, 5, 11), 0, "10.00"),  # 9.9999 rounds half up to the fen
    ],
)
def test_surcharge(fine: str, paid: date, paused: int, expected: str) -> None:
    assert surcharge(Decimal(fine), date(2026, 5, 10), paid, paused_days=paused) == Decimal(expected)


def test_surcharge_rejects_negative() -> None:
    with pytest.raises(ValueError):
        surcharge(Decimal("-1"), date(2026, 5, 10), date(2026, 5, 11))


# --- properties --------------------------------------------------------------------------

STARTS = st.builds(
    lambda d, t: datetime.combine(d, t, tzinfo=TZ),
    st.dates(min_value=date(2004, 1, 1), max_value=date(2030, 6, 30)),
    st.times(),
)


@given(
    STARTS,
    st.integers(min_value=0, max_value=90),
    st.sampled_from(list(Unit)),
    st.booleans(),
)
def test_compute_due_is_monotonic_in_amount(start: datetime, amount: int, unit: Unit, roll: bool) -> None:
    shorter = compute_due(start, amount, unit, CALENDAR, roll_forward=roll)
    longer = compute_due(start, amount + 1, unit, CALENDAR, roll_forward=roll)
    assert start <= shorter.due_at <= longer.due_at
    if unit is not Unit.hours:
        assert shorter.due_at.time() == time(23, 59, 59)


@given(STARTS, st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=400))
def test_spans_never_shorten_a_period(start: datetime, amount: int, span_hours: int) -> None:
    span = Span(start + timedelta(hours=5), start + timedelta(hours=5 + span_hours))
    for unit in Unit:
        plain = compute_due(start, amount, unit, CALENDAR)
        paused = compute_due(start, amount, unit, CALENDAR, spans=[span])
        assert paused.due_at >= plain.due_at


@given(STARTS, st.integers(min_value=1, max_value=60))
def test_rolled_period_ends_on_a_working_day(start: datetime, amount: int) -> None:
    deadline = compute_due(start, amount, Unit.natural_days, CALENDAR, roll_forward=True)
    assert CALENDAR.is_workday(deadline.due_at.date())
