"""The lists and the dashboard read through prebuilt statements on the driver's cursor (``engine.queries``).

A page is mapped from the driver's own values (SQLite: text and integers; PostgreSQL: typed values)
while an export streams SQLAlchemy's typed rows: both must show a case alike, on both databases.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from engine.definitions import Role
from engine.model import Actor
from engine.queries import (
    CaseFilter,
    DutyFilter,
    dashboard,
    dashboard_groups,
    iter_cases,
    iter_duties,
    list_cases,
    monthly,
    officer_names,
)
from engine.read_tables import CaseOfficer, CaseSummary
from tests.api.test_penalty_walk import ok
from tests.conftest import Api, at
from tests.integration.test_readmodel import walk_some_cases

HEAD = Actor(2, "head", "局长", frozenset({Role.head}), "xinji")


def test_a_page_shows_the_rows_an_export_streams_and_the_total_past_the_end(api: Api) -> None:
    lead, filed, proposed = walk_some_cases(api)
    ok(api.fire("head", proposed, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-04 10:00")))
    engine = api.app.state.caseflow.engine
    as_of = at("2026-03-06 12:00")
    filters = [
        CaseFilter(),
        CaseFilter(closed=False, clock="running"),
        CaseFilter(q="某诊所"),
        CaseFilter(flows=("penalty",), opened_from=at("2026-03-02 09:30")),
        CaseFilter(flows=()),  # no flow at all: nothing, not everything
        CaseFilter(states=[("penalty", "investigation"), ("penalty", "lead")]),
        CaseFilter(states=[]),
        CaseFilter(overdue=True),
    ]
    for actor in (HEAD, Actor(2, "head", "局长", frozenset({Role.head}), "xinji", reads=frozenset())):
        for f in filters:
            streamed = list(iter_cases(engine, actor, f, as_of))
            first = list_cases(engine, actor, f, size=2, as_of=as_of)
            assert first["total"] == len(streamed) and first["items"] == streamed[:2], f
            past = list_cases(engine, actor, f, page=5, size=2, as_of=as_of)
            assert past["items"] == [] and past["total"] == len(streamed), f
    everything = list(iter_cases(engine, HEAD, CaseFilter(), as_of))
    assert {c["id"] for c in everything} == {lead, filed, proposed}
    assert [c["id"] for c in list(iter_cases(engine, HEAD, CaseFilter(flows=()), as_of))] == []
    late = list_cases(engine, HEAD, CaseFilter(), as_of=at("2026-12-31 12:00"))["items"]
    assert {c["status"] for c in late} == {"overdue"} and all(c["days_late"] > 0 for c in late)
    assert all(c["opened_at"].endswith("+00:00") and c["final"] is False for c in late)


def test_the_dashboard_page_and_its_figures_agree_with_its_export(api: Api) -> None:
    walk_some_cases(api)
    state = api.app.state.caseflow
    as_of = at("2026-12-31 12:00")
    streamed = list(iter_duties(state.engine, state.library, HEAD, as_of, DutyFilter()))
    assert streamed and {d["status"] for d in streamed} == {"overdue"}
    board = dashboard(state.engine, state.library, HEAD, as_of, size=1)
    assert board["items"] == streamed[:1]
    assert (board["total"], board["overdue"], board["due_soon"]) == (len(streamed), len(streamed), 0)
    past = dashboard(state.engine, state.library, HEAD, as_of, page=50, size=1)
    assert past["items"] == [] and (past["total"], past["overdue"]) == (len(streamed), len(streamed))
    for group in ("flow", "item", "department"):
        figures = dashboard_groups(state.engine, HEAD, as_of, group)
        assert sum(g["overdue"] for g in figures) == len(streamed), group
        assert sum(g["days_late"] for g in figures) == sum(d["days_late"] for d in streamed), group
    per_officer = dashboard_groups(state.engine, HEAD, as_of, "officer")
    named = [name for d in streamed for name in d["officers"]]
    assert {g["key"]: g["overdue"] for g in per_officer} == {n: named.count(n) for n in set(named)}


def test_the_officer_filter_names_the_officers_of_open_cases(api: Api) -> None:
    walk_some_cases(api)
    engine = api.app.state.caseflow.engine
    with Session(engine) as session:
        expected = sorted({
            name for name in session.exec(
                select(CaseOfficer.name)
                .join(CaseSummary, col(CaseSummary.case_id) == col(CaseOfficer.case_id))
                .where(CaseOfficer.bureau_code == "xinji", col(CaseSummary.final).is_(False))
            ).all() if name
        })
    assert expected and officer_names(engine, HEAD) == expected
    assert officer_names(engine, Actor(9, "gy", "高邑", frozenset({Role.head}), "gaoyi")) == []


def test_a_stored_moment_is_shown_as_its_iso_text_whatever_the_driver_gives() -> None:
    from datetime import UTC, datetime

    from engine.case_lists import stored_iso

    for moment in (datetime(2026, 5, 8, 11, 46, 33, 592924, tzinfo=UTC), datetime(2026, 5, 8, 11, 46, 33, tzinfo=UTC),
                   datetime(2026, 12, 31, 23, 59, 59, 100, tzinfo=UTC)):
        stored = moment.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLite's text, as SQLAlchemy writes it
        assert stored_iso(stored) == stored_iso(moment) == stored_iso(moment.replace(tzinfo=None)) == moment.isoformat()


def test_the_monthly_figures_are_the_last_twelve_months_this_one_included(api: Api) -> None:
    """The chart's last column is the month of ``as_of``: cases opened in it are counted there, not
    in the month before (which once spanned two months) nor dropped."""
    walk_some_cases(api)
    engine = api.app.state.caseflow.engine
    opened = list_cases(engine, HEAD, CaseFilter(opened_from=at("2026-03-01 00:00")), as_of=at("2026-03-06 12:00"))
    march = monthly(engine, HEAD, as_of=at("2026-03-06 12:00"))
    assert [m["month"] for m in march] == [f"2025-{m:02d}" for m in range(4, 13)] + ["2026-01", "2026-02", "2026-03"]
    assert march[-1]["opened"] == opened["total"] > 0 and sum(m["opened"] for m in march[:-1]) == 0
    april = monthly(engine, HEAD, as_of=at("2026-04-01 00:30"))  # 1 April in Beijing
    assert [m["month"] for m in april][-2:] == ["2026-03", "2026-04"]
    assert (april[-2]["opened"], april[-1]["opened"]) == (opened["total"], 0)
