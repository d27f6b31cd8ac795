"""Moments and their time zones.

The database stores aware UTC (SQLModel's UTCDateTime; SQLite keeps it without an offset); the law counts in Asia/Shanghai wall-clock time (a day ends at
local midnight). Everything inside the engine is an aware datetime; these helpers are the
only places where a naive value is given a meaning.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import orjson

TZ = ZoneInfo("Asia/Shanghai")
MIN_YEAR, MAX_YEAR = 1900, 2100  # the moments a case can have; beyond them date arithmetic overflows


def local(dt: datetime) -> datetime:
    """The same moment in Asia/Shanghai time; a naive ``dt`` is taken as UTC (as stored)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(TZ)


def to_db(dt: datetime) -> datetime:
    """Aware UTC for storage; a naive ``dt`` is taken as already UTC."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def from_db(dt: datetime) -> datetime:
    """An aware UTC moment from a stored naive UTC value (an aware value is converted to UTC)."""
    if dt.tzinfo is UTC:  # as the database layer gives it: every view converts dozens
        return dt
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def utc_iso(moment: datetime) -> str:
    """An aware UTC moment as ``moment.isoformat()`` writes it ('2026-05-08T11:46:33.592924+00:00',
    without the fraction when it is zero), in a third of the time: lists write a few per row."""
    if moment.tzinfo is not UTC:
        return moment.isoformat()
    return orjson.dumps(moment)[1:-1].decode()


def sqlite_text_iso(text: str) -> str | None:
    """A moment as SQLite keeps it ('2026-05-08 11:46:33.592924': naive UTC, always with microseconds,
    as SQLAlchemy stores it) written as ``from_db(moment).isoformat()`` writes it, without parsing
    (lists and views write a few per row); None for text of another form."""
    if len(text) != 26 or text[10] != " " or text[19] != ".":
        return None
    if text.endswith("000000"):
        return f"{text[:10]}T{text[11:19]}+00:00"
    return f"{text[:10]}T{text[11:]}+00:00"


def end_of_day(d: date) -> datetime:
    """23:59:59 Asia/Shanghai on ``d``: the last moment of a period that ends that day."""
    return datetime.combine(d, time(23, 59, 59), tzinfo=TZ)


def parse_moment(s: str) -> datetime:
    """Parse ISO 8601 text into an aware datetime.

    A date alone means local midnight at the start of that day; a time without an offset is
    Asia/Shanghai local time (what a clerk types); an offset or ``Z`` is respected. Years
    outside ``MIN_YEAR``..``MAX_YEAR`` are refused.
    """
    text = s.strip()
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time(0), tzinfo=TZ)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"时间格式不正确：{s!r}（应为 ISO 8601，如 2026-09-25 或 2026-09-25T14:30）"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TZ)
    return check_moment(moment)


def check_moment(moment: datetime) -> datetime:
    """``moment`` if its year lies in the range a case can have, else a ValueError.

    Outside it, deadline arithmetic and time-zone conversion overflow (year 1 or 9999).
    """
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise ValueError(f"时间超出可办理的范围：{moment.isoformat()}（应在{MIN_YEAR}年至{MAX_YEAR}年之间）")
    return moment


def local_midnight(d: date | None, *, next_day: bool = False) -> datetime | None:
    """Local (Beijing) midnight at the start of ``d`` (or of the day after, for an inclusive end)."""
    if d is None:
        return None
    return datetime.combine(d + timedelta(days=1) if next_day else d, datetime.min.time(), tzinfo=TZ)
