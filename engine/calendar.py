"""Working days (工作日) per the State Council's yearly holiday notice.

Three sources, in order of precedence: a schedule an administrator loaded for a year (the
notice as published, file format of ``caseflow calendar load``); the ``chinese_calendar``
package (official data 2004–2026, including 调休 make-up working days on weekends); and for any
other year a *provisional* rule — weekends and fixed-date holidays off, no 调休 — so deadlines
still compute but are marked provisional until the official schedule is loaded.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any

import chinese_calendar

# Fixed-date holidays used for a year without official data: 元旦 1 Jan, 劳动节 1–2 May,
# 国庆节 1–3 Oct. Lunar holidays (春节, 清明, 端午, 中秋) cannot be guessed without the notice.
PROVISIONAL_HOLIDAYS = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))

PACKAGE_YEARS = frozenset(d.year for d in chinese_calendar.holidays)

_SCHEDULE_KEYS = frozenset({"year", "holidays", "workdays"})


class CalendarError(ValueError):
    """A holiday schedule is malformed; the message names the offending value."""

    def __init__(self, message: str, value: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.value = value


@dataclass(frozen=True)
class YearSchedule:
    """One year's official schedule: holidays off, and 调休 weekend days that are worked."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]  # 调休上班日: weekend days that are working days


def _parse_date(value: object, key: str, year: int) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):  # YAML parses dates itself
        day = value
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise CalendarError(f"{key} 中的日期格式不正确：{value!r}（应为 YYYY-MM-DD）", value) from None
    else:
        raise CalendarError(f"{key} 中的日期格式不正确：{value!r}（应为 YYYY-MM-DD）", value)
    if day.year != year:
        raise CalendarError(f"{key} 中的日期 {day.isoformat()} 不在 {year} 年内", day)
    return day


def _parse_dates(data: Mapping[str, Any], key: str, year: int) -> frozenset[date]:
    values = data.get(key, [])
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise CalendarError(f"{key} 应为日期列表，收到：{values!r}", values)
    return frozenset(_parse_date(v, key, year) for v in values)


def parse_schedule(data: Mapping[str, Any]) -> YearSchedule:
    """Validate a loaded holiday file: ``{"year": 2027, "holidays": [...], "workdays": [...]}``.

    ``holidays`` are the days off of the notice (weekend days inside a holiday may be listed);
    ``workdays`` are the 调休 weekend days worked and must be Saturdays or Sundays. Raises
    :class:`CalendarError` naming the bad key or value.
    """
    unknown = sorted(set(data) - _SCHEDULE_KEYS)
    if unknown:
        raise CalendarError(f"节假日安排含有未知字段：{', '.join(map(str, unknown))}", unknown)
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2200:
        raise CalendarError(f"year 应为年份（如 2027），收到：{year!r}", year)
    if "holidays" not in data:
        raise CalendarError(f"{year} 年节假日安排缺少 holidays", None)
    holidays = _parse_dates(data, "holidays", year)
    workdays = _parse_dates(data, "workdays", year)
    both = sorted(holidays & workdays)
    if both:
        listed = "、".join(d.isoformat() for d in both)
        raise CalendarError(f"日期 {listed} 同时列在 holidays 和 workdays 中", both)
    weekdays = sorted(d for d in workdays if d.weekday() < 5)
    if weekdays:
        listed = "、".join(d.isoformat() for d in weekdays)
        raise CalendarError(f"workdays 只应列出调休上班的周末，{listed} 本是工作日", weekdays)
    return YearSchedule(year=year, holidays=holidays, workdays=workdays)


@dataclass(frozen=True)
class _Year:
    provisional: bool
    ordinals: tuple[int, ...]  # working days of the year as date ordinals, ascending
    lookup: frozenset[int]


_NO_SCHEDULES: Mapping[int, YearSchedule] = MappingProxyType({})


class WorkCalendar:
    """Answers which days are working days; built once, read by every deadline computation.

    Immutable: after an administrator loads a year, build a new calendar (``with_schedule``)
    and recompute the open deadlines that were provisional for that year.
    """

    def __init__(self, loaded: Mapping[int, YearSchedule] = _NO_SCHEDULES) -> None:
        for year, schedule in loaded.items():
            if schedule.year != year:
                raise CalendarError(f"{year} 年的位置上放了 {schedule.year} 年的节假日安排", schedule.year)
        self._loaded: Mapping[int, YearSchedule] = MappingProxyType(dict(loaded))
        self._years: dict[int, _Year] = {}

    def with_schedule(self, schedule: YearSchedule) -> WorkCalendar:
        """A new calendar with ``schedule`` loaded (replacing any earlier one for its year)."""
        return WorkCalendar({**self._loaded, schedule.year: schedule})

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is None:
            cached = self._years[year] = self._build(year)
        return cached

    def _build(self, year: int) -> _Year:
        first = date(year, 1, 1)
        days = [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]
        schedule = self._loaded.get(year)
        provisional = False
        if schedule is not None:
            working = [
                d for d in days if d in schedule.workdays or (d.weekday() < 5 and d not in schedule.holidays)
            ]
        elif year in PACKAGE_YEARS:
            working = [d for d in days if bool(chinese_calendar.is_workday(d))]
        else:
            provisional = True
            working = [d for d in days if d.weekday() < 5 and (d.month, d.day) not in PROVISIONAL_HOLIDAYS]
        ordinals = tuple(d.toordinal() for d in working)
        return _Year(provisional=provisional, ordinals=ordinals, lookup=frozenset(ordinals))

    def is_workday(self, d: date) -> bool:
        return d.toordinal() in self._year(d.year).lookup

    def is_provisional(self, d: date) -> bool:
        """True when ``d``'s year has no official schedule (loaded or packaged)."""
        return d.year not in self._loaded and d.year not in PACKAGE_YEARS

    def official_years(self) -> list[int]:
        return sorted(set(self._loaded) | PACKAGE_YEARS)

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (the start day itself is not counted).

        ``n == 0`` returns ``start`` unchanged.
        """
        if n < 0:
            raise ValueError(f"工作日数不能为负数：{n}")
        if n == 0:
            return start
        year = start.year
        index = bisect_right(self._year(year).ordinals, start.toordinal())
        while True:
            ordinals = self._year(year).ordinals
            available = len(ordinals) - index
            if n <= available:
                return date.fromordinal(ordinals[index + n - 1])
            n -= available
            year += 1
            index = 0

    def next_workday(self, d: date) -> date:
        """``d`` itself when it is a working day, else the first working day after it."""
        return d if self.is_workday(d) else self.add_working_days(d, 1)

    def working_days_between(self, a: date, b: date) -> int:
        """Number of working days in ``(a, b]``; 0 when ``b <= a``."""
        if b <= a:
            return 0
        total = 0
        for year in range(a.year, b.year + 1):
            ordinals = self._year(year).ordinals
            low = bisect_right(ordinals, a.toordinal()) if year == a.year else 0
            high = bisect_right(ordinals, b.toordinal()) if year == b.year else len(ordinals)
            total += high - low
        return total

    def provisional_years(self, a: date, b: date) -> list[int]:
        """Years touched by ``[a, b]`` (either order) that have no official schedule."""
        low, high = min(a, b), max(a, b)
        return [y for y in range(low.year, high.year + 1) if self.is_provisional(date(y, 1, 1))]

    def provisional_in(self, a: date, b: date) -> bool:
        """True when any day of ``[a, b]`` lies in a year without an official schedule."""
        return bool(self.provisional_years(a, b))
