"""The plain rows an action reads and writes carry exactly their tables' columns."""

from dataclasses import fields

from engine.cases import NewEvent
from engine.snapshot import CaseRow
from engine.tables import Case, Event


def test_case_row_has_the_case_table_columns() -> None:
    assert [f.name for f in fields(CaseRow)] == [c.name for c in Case.__table__.c]  # type: ignore[attr-defined]


def test_new_event_has_the_event_table_columns() -> None:
    assert {f.name for f in fields(NewEvent)} == {c.name for c in Event.__table__.c}  # type: ignore[attr-defined]
