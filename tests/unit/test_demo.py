"""The demo's day (``api.demo.demo_day``): the demo and the tests that load it agree whenever they run."""

from datetime import UTC, date, datetime

from api.demo import demo_day


def test_the_demo_s_today_is_a_day_whose_office_hours_have_begun() -> None:
    """Its walks of today take steps from 09:00: started at night, the demo sets them on the day before."""
    assert demo_day(datetime(2026, 12, 6, 18, 3, tzinfo=UTC)) == date(2026, 12, 6)  # 02:03 on the 7th in Beijing
    assert demo_day(datetime(2026, 12, 7, 1, 59, tzinfo=UTC)) == date(2026, 12, 6)  # 09:59
    assert demo_day(datetime(2026, 12, 7, 2, 0, tzinfo=UTC)) == date(2026, 12, 7)  # 10:00
    assert demo_day(datetime(2026, 12, 7, 15, 59, tzinfo=UTC)) == date(2026, 12, 7)  # 23:59
