"""The statistics' period: what was asked for, else the current year so far."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from engine.errors import InvalidInput
from engine.statistics import period
from engine.timeutil import TZ


@pytest.mark.parametrize(
    ("start", "end", "today", "expected"),
    [
        ("", "", date(2026, 12, 6), (date(2026, 1, 1), date(2026, 12, 6))),
        ("", "", date(2027, 1, 2), (date(2027, 1, 1), date(2027, 1, 2))),
        ("2025-01-01", "2025-12-31", date(2026, 12, 6), (date(2025, 1, 1), date(2025, 12, 31))),
        ("2026-06-01", "", date(2026, 12, 6), (date(2026, 6, 1), date(2026, 12, 6))),
    ],
)
def test_the_period_defaults_to_the_current_year_so_far(
    start: str, end: str, today: date, expected: tuple[date, date]
) -> None:
    assert period(start, end, today) == expected


def test_the_default_year_is_today_s_in_beijing() -> None:
    lo, hi = period("", "")
    assert lo == date(hi.year, 1, 1) and hi == datetime.now(TZ).date()


def test_a_period_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        period("2026-12-01", "2026-01-01")
    assert refused.value.code == "PERIOD_REVERSED"
