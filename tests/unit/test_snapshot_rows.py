"""The plain rows an action reads and writes carry exactly their tables' columns."""

from dataclasses import fields

from engine.cases import NewEvent
from engine.snapshot import CaseRow
from engine.tables import Case, Event


def test_case_row_has_the_case_table_columns() -> None:
    assert [f.name for f in fields(CaseRow)] == [c.name for c in Case.__table__.c]  # type: ignore[attr-defined]


def test_new_event_has_the_event_table_columns() -> None:
    assert {f.name for f in fields(NewEvent)} == {c.name for c in Event.__table__.c}  # type: ignore[attr-defined]


def test_a_moment_from_json_is_written_as_the_api_writes_it() -> None:
    """SQLite's stored text is rewritten without parsing; it must read as the parsed moment would."""
    from engine.snapshot import json_iso, json_moment

    for text in ("2026-03-03 02:00:00.123456", "2026-03-03 02:00:00.000000", "2026-12-31 23:59:59.000001",
                 "2026-03-03T02:00:00.5+00:00", "2026-03-03T10:00:00+08:00", "2026-03-03T02:00:00",
                 "2026-03-03T02:00:00.123456+00:00", "2026-03-03T02:00:00+00:00", "2026-03-03T02:00:00.120000+00:00"):
        assert json_iso(text) == json_moment(text).isoformat(), text
