from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.timeutil import TZ, end_of_day, from_db, local, parse_moment, to_db, utc_iso


def test_local_takes_naive_as_utc() -> None:
    assert local(datetime(2026, 3, 10, 16, 30)) == datetime(2026, 3, 11, 0, 30, tzinfo=TZ)
    assert local(datetime(2026, 3, 10, 16, 30)).tzinfo is TZ


def test_local_converts_aware() -> None:
    moment = datetime(2026, 3, 10, 9, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert local(moment) == datetime(2026, 3, 10, 22, 0, tzinfo=TZ)


def test_db_round_trip() -> None:
    moment = datetime(2026, 3, 11, 0, 30, tzinfo=TZ)
    stored = to_db(moment)
    assert stored == datetime(2026, 3, 10, 16, 30, tzinfo=UTC)
    assert stored.tzinfo is UTC
    assert from_db(stored.replace(tzinfo=None)) == moment  # SQLite returns it without an offset
    assert from_db(stored).tzinfo is UTC
    assert to_db(stored) == stored


def test_end_of_day_is_local() -> None:
    assert end_of_day(date(2026, 10, 29)) == datetime(2026, 10, 29, 23, 59, 59, tzinfo=TZ)
    assert to_db(end_of_day(date(2026, 10, 29))) == datetime(2026, 10, 29, 15, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-09-25", datetime(2026, 9, 25, 0, 0, tzinfo=TZ)),
        ("2026-09-25T14:30", datetime(2026, 9, 25, 14, 30, tzinfo=TZ)),
        (" 2026-09-25 14:30:05 ", datetime(2026, 9, 25, 14, 30, 5, tzinfo=TZ)),
        ("2026-09-25T06:30:00Z", datetime(2026, 9, 25, 14, 30, tzinfo=TZ)),
        ("2026-09-25T14:30:00+08:00", datetime(2026, 9, 25, 14, 30, tzinfo=TZ)),
    ],
)
def test_parse_moment(text: str, expected: datetime) -> None:
    parsed = parse_moment(text)
    assert parsed == expected
    assert parsed.tzinfo is not None


@pytest.mark.parametrize("text", ["", "2026-13-01", "25/09/2026", "tomorrow"])
def test_parse_moment_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="时间格式不正确"):
        parse_moment(text)


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31), timezones=st.just(UTC)))
def test_utc_iso_writes_what_isoformat_writes(moment: datetime) -> None:
    assert utc_iso(moment) == moment.isoformat()


@given(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2100, 12, 30), timezones=st.sampled_from(
    [TZ, timezone(timedelta(hours=-5)), timezone(timedelta(0), "零时区")])))
def test_utc_iso_of_another_zone_is_still_isoformat(moment: datetime) -> None:
    assert utc_iso(moment) == moment.isoformat()
