from datetime import date, timedelta
from typing import Any

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.calendar import CalendarError, WorkCalendar, YearSchedule, parse_schedule

CALENDAR = WorkCalendar()

# An illustrative 2027 schedule (not the real notice): 春节 5–11 Feb, 调休 Saturday 13 Feb.
SCHEDULE_2027 = {
    "year": 2027,
    "holidays": ["2027-01-01"] + [f"2027-02-{day:02d}" for day in range(5, 12)],
    "workdays": ["2027-02-13"],
}


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 14), True),  # Saturday, 春节 调休
        (date(2026, 9, 20), True),  # Sunday, 国庆 调休
        (date(2026, 10, 10), True),  # Saturday, 国庆 调休
        (date(2026, 10, 1), False),
        (date(2026, 10, 7), False),  # Wednesday inside the National Day holiday
        (date(2026, 10, 8), True),
        (date(2026, 10, 11), False),  # an ordinary Sunday
        (date(2026, 9, 25), False),  # 中秋节, a Friday
        (date(2026, 3, 2), True),
    ],
)
def test_official_2026(day: date, working: bool) -> None:
    assert CALENDAR.is_workday(day) is working
    assert not CALENDAR.is_provisional(day)


def test_twenty_working_days_over_national_day_2026() -> None:
    due = CALENDAR.add_working_days(date(2026, 9, 25), 20)
    assert due == date(2026, 10, 29)
    # 9-28..9-30, 10-08, 10-09, 10-10 (调休 Saturday), then the weeks of 10-12, 10-19, 10-26
    assert CALENDAR.add_working_days(date(2026, 9, 25), 6) == date(2026, 10, 10)
    assert CALENDAR.add_working_days(date(2026, 9, 25), 4) == date(2026, 10, 8)


def test_start_day_not_counted() -> None:
    assert CALENDAR.add_working_days(date(2026, 3, 2), 1) == date(2026, 3, 3)  # Monday → Tuesday
    assert CALENDAR.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Friday → Monday
    assert CALENDAR.add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)  # Saturday → Monday
    assert CALENDAR.add_working_days(date(2026, 3, 2), 0) == date(2026, 3, 2)


def test_add_working_days_rejects_negative() -> None:
    with pytest.raises(ValueError):
        CALENDAR.add_working_days(date(2026, 3, 2), -1)


def test_next_workday() -> None:
    assert CALENDAR.next_workday(date(2026, 3, 2)) == date(2026, 3, 2)
    assert CALENDAR.next_workday(date(2026, 10, 1)) == date(2026, 10, 8)
    assert CALENDAR.next_workday(date(2026, 10, 10)) == date(2026, 10, 10)


def test_working_days_between_is_half_open() -> None:
    assert CALENDAR.working_days_between(date(2026, 9, 25), date(2026, 10, 29)) == 20
    assert CALENDAR.working_days_between(date(2026, 3, 2), date(2026, 3, 2)) == 0
    assert CALENDAR.working_days_between(date(2026, 3, 2), date(2026, 3, 3)) == 1
    assert CALENDAR.working_days_between(date(2026, 3, 3), date(2026, 3, 2)) == 0
    assert CALENDAR.working_days_between(date(2026, 10, 1), date(2026, 10, 7)) == 0


def test_across_years() -> None:
    # 2025-12-31 is worked, 2026-01-01..03 are 元旦, 2026-01-04 is a 调休 Sunday
    assert CALENDAR.add_working_days(date(2025, 12, 30), 2) == date(2026, 1, 4)
    assert CALENDAR.working_days_between(date(2004, 1, 1), date(2026, 12, 31)) > 5000


def test_provisional_year_uses_weekends_and_fixed_holidays() -> None:
    assert CALENDAR.is_provisional(date(2027, 6, 1))
    assert not CALENDAR.is_provisional(date(2026, 12, 31))
    assert CALENDAR.is_provisional(date(2003, 6, 1))
    assert not CALENDAR.is_workday(date(2027, 1, 1))  # Friday, 元旦
    assert CALENDAR.is_workday(date(2027, 5, 3))  # Monday: no guess beyond 1–2 May
    assert not CALENDAR.is_workday(date(2027, 10, 1))
    assert CALENDAR.is_workday(date(2027, 10, 4))
    assert not CALENDAR.is_workday(date(2027, 2, 13))  # Saturday; 调休 cannot be guessed
    assert CALENDAR.provisional_in(date(2026, 12, 20), date(2027, 1, 5))
    assert not CALENDAR.provisional_in(date(2026, 1, 1), date(2026, 12, 31))
    assert CALENDAR.provisional_years(date(2028, 3, 1), date(2026, 3, 1)) == [2027, 2028]
    assert CALENDAR.official_years() == list(range(2004, 2027))


def test_loaded_schedule_takes_precedence() -> None:
    schedule = parse_schedule(SCHEDULE_2027)
    loaded = WorkCalendar({2027: schedule})
    assert not loaded.is_provisional(date(2027, 6, 1))
    assert not loaded.provisional_in(date(2026, 12, 20), date(2027, 3, 1))
    assert loaded.is_workday(date(2027, 2, 13))
    assert not loaded.is_workday(date(2027, 2, 8))
    assert loaded.is_workday(date(2027, 10, 1))  # not listed: this schedule says it is worked
    assert loaded.official_years()[-1] == 2027
    assert CALENDAR.with_schedule(schedule).is_workday(date(2027, 2, 13))
    assert not CALENDAR.is_workday(date(2027, 2, 13))  # the original calendar is unchanged


def test_loaded_schedule_can_override_package_year() -> None:
    schedule = YearSchedule(year=2026, holidays=frozenset({date(2026, 3, 2)}), workdays=frozenset())
    calendar = WorkCalendar({2026: schedule})
    assert not calendar.is_workday(date(2026, 3, 2))
    assert not calendar.is_workday(date(2026, 2, 14))  # no 调休 in this replacement


def test_schedule_under_wrong_year_is_rejected() -> None:
    with pytest.raises(CalendarError, match="2028"):
        WorkCalendar({2028: parse_schedule(SCHEDULE_2027)})


def test_parse_schedule_accepts_yaml_dates() -> None:
    schedule = parse_schedule({"year": 2027, "holidays": [date(2027, 1, 1)], "workdays": []})
    assert schedule == YearSchedule(2027, frozenset({date(2027, 1, 1)}), frozenset())


@pytest.mark.parametrize(
    ("data", "names"),
    [
        ({"year": 2027, "holidays": ["2026-12-31"]}, "2026-12-31"),
        ({"year": 2027, "holidays": ["2027-01-01"], "workdays": ["2028-01-08"]}, "2028-01-08"),
        ({"year": 2027, "holidays": ["2027-02-13"], "workdays": ["2027-02-13"]}, "2027-02-13"),
        ({"year": 2027, "holidays": ["2027-13-01"]}, "2027-13-01"),
        ({"year": 2027, "holidays": ["2027/01/01"]}, "2027/01/01"),
        ({"year": 2027, "holidays": [20270101]}, "20270101"),
        ({"year": 2027, "holidays": "2027-01-01"}, "2027-01-01"),
        ({"year": 2027, "holidays": ["2027-01-01"], "workdays": ["2027-02-10"]}, "2027-02-10"),
        ({"year": "2027", "holidays": []}, "2027"),
        ({"holidays": ["2027-01-01"]}, "year"),
        ({"year": 2027}, "holidays"),
        ({"year": 2027, "holidays": ["2027-01-01"], "holiday": []}, "holiday"),
    ],
)
def test_parse_schedule_errors(data: dict[str, Any], names: str) -> None:
    with pytest.raises(CalendarError, match=names) as raised:
        parse_schedule(data)
    assert isinstance(raised.value, ValueError)


DAYS = st.dates(min_value=date(2004, 1, 1), max_value=date(2030, 12, 31))


@given(DAYS, st.integers(min_value=1, max_value=60))
def test_add_working_days_properties(start: date, n: int) -> None:
    result = CALENDAR.add_working_days(start, n)
    assert result > start
    assert CALENDAR.is_workday(result)
    assert CALENDAR.working_days_between(start, result) == n
    assert CALENDAR.working_days_between(start, result - timedelta(days=1)) == n - 1


@given(DAYS)
def test_next_workday_properties(day: date) -> None:
    result = CALENDAR.next_workday(day)
    assert result >= day
    assert CALENDAR.is_workday(result)
    assert CALENDAR.working_days_between(day, result - timedelta(days=1)) == 0


@given(st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31)))
def test_matches_package_data(day: date) -> None:
    assert CALENDAR.is_workday(day) is chinese_calendar.is_workday(day)


@given(DAYS, DAYS, DAYS)
def test_working_days_between_adds_up(a: date, b: date, c: date) -> None:
    a, b, c = sorted((a, b, c))
    assert CALENDAR.working_days_between(a, c) == CALENDAR.working_days_between(
        a, b
    ) + CALENDAR.working_days_between(b, c)
