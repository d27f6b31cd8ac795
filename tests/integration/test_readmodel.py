"""The read model: kept by every action, equal to a rebuild, and agreeing with the clocks' own status."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from engine import readmodel
from engine.clockwork import view_clock
from engine.read_tables import CaseActor, CaseOfficer, CaseSummary, OpenDuty
from engine.snapshot import clock_state_of
from engine.tables import Clock
from engine.workcalendar import load_calendar
from tests.api.test_penalty_walk import ok, open_case
from tests.conftest import Api, at

OTHER_PARTY = {"name": "辛集市某诊所", "type": "organisation", "credit_code": "91130181MA0ABCDE1X"}


def rows(api: Api) -> dict[str, list[dict[str, Any]]]:
    engine = api.app.state.caseflow.engine
    with Session(engine) as session:
        return {
            table.__tablename__: sorted(
                (r.model_dump() for r in session.exec(select(table)).all()),  # type: ignore[attr-defined]
                key=lambda d: sorted((k, str(v)) for k, v in d.items()),
            )
            for table in (CaseSummary, CaseOfficer, OpenDuty, CaseActor)
        }


def walk_some_cases(api: Api) -> list[int]:
    """Cases in different states: a lead, a filed case with evidence, a proposal, a hall application."""
    lead = open_case(api, when="2026-03-02 09:00")["id"]
    filed = open_case(api, when="2026-03-02 10:00", party=OTHER_PARTY)["id"]
    ok(api.fire("zhang", filed, "propose_filing", {"opinion": "建议立案"}, at("2026-03-03 10:00")))
    ok(api.fire("head", filed, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-04 09:00")))
    ok(api.fire("zhang", filed, "record_evidence", {"kind": "party_statement", "record": "inquiry", "summary": "询问负责人"},
                at("2026-03-05 10:00")))
    proposed = open_case(api, when="2026-03-02 11:00")["id"]
    ok(api.fire("zhang", proposed, "propose_filing", {"opinion": "建议立案"}, at("2026-03-03 10:00")))
    return [lead, filed, proposed]


def test_a_rebuilt_read_model_equals_the_one_actions_kept(api: Api) -> None:
    walk_some_cases(api)
    kept = rows(api)
    assert len(kept["case_summary"]) == 3 and kept["open_duty"]
    app_state = api.app.state.caseflow
    readmodel.rebuild(app_state.engine, app_state.library)
    assert rows(api) == kept


def test_lists_search_filter_and_page_in_the_database(api: Api) -> None:
    lead, filed, proposed = walk_some_cases(api)
    listed = ok(api.get("zhang", "/api/cases", params={"size": 2}))
    assert listed["total"] == 3 and len(listed["items"]) == 2
    assert ok(api.get("zhang", "/api/cases", params={"page": 2, "size": 2}))["items"][0]["id"] in {lead, filed, proposed}
    by_name = ok(api.get("zhang", "/api/cases", params={"q": "某诊所"}))
    assert [c["id"] for c in by_name["items"]] == [filed]
    by_code = ok(api.get("zhang", "/api/cases", params={"q": "91130181"}))  # prefix of the credit code
    assert [c["id"] for c in by_code["items"]] == [filed]
    number = by_name["items"][0]["number"]
    assert [c["id"] for c in ok(api.get("zhang", "/api/cases", params={"q": number}))["items"]] == [filed]
    case = ok(api.get("zhang", f"/api/cases/{filed}"))
    issued = case["documents"][0]["number"]
    assert filed in [c["id"] for c in ok(api.get("zhang", "/api/cases", params={"q": issued}))["items"]]
    in_review = ok(api.get("zhang", "/api/cases", params={"state": "filing_review"}))
    assert [c["id"] for c in in_review["items"]] == [proposed]
    assert in_review["items"][0]["awaiting_role"] == "head"
    assert ok(api.get("zhang", "/api/cases", params={"stage": "调查"}))["total"] == 1
    gaoyi = ok(api.get("gy_officer", "/api/cases"))
    assert gaoyi["total"] == 0  # another bureau's cases are never listed


def test_lists_of_who_acted_fuzzy_names_and_clock_status(api: Api) -> None:
    lead, filed, proposed = walk_some_cases(api)
    assert {r["username"] for r in rows(api)["case_actor"] if r["case_id"] == filed} == {"zhang", "head"}
    done_by_head = ok(api.get("zhang", "/api/cases", params={"acted_by": "head"}))
    assert [c["id"] for c in done_by_head["items"]] == [filed]  # 我的已办 of the head
    assert ok(api.get("zhang", "/api/cases", params={"acted_by": "zhang"}))["total"] == 3
    fuzzy = ok(api.get("zhang", "/api/cases", params={"q": "辛集诊所"}))  # the characters in order
    assert [c["id"] for c in fuzzy["items"]] == [filed]
    moment = "2026-03-05T12:00:00+08:00"
    running = ok(api.get("zhang", "/api/cases", params={"clock": "running", "as_of": moment}))
    overdue = ok(api.get("zhang", "/api/cases", params={"clock": "overdue", "as_of": "2026-12-31T12:00:00+08:00"}))
    # the 立案审批 keeps the lead period running until the head decides (issue 12 rule 23)
    assert {c["id"] for c in running["items"]} == {c["id"] for c in overdue["items"]} == {lead, filed, proposed}
    no_deadline = ok(api.get("zhang", "/api/cases", params={"clock": "none", "as_of": moment}))
    assert no_deadline["items"] == []
    assert api.get("zhang", "/api/cases", params={"clock": "late"}).status_code == 422


def test_overdue_and_due_soon_are_the_clocks_own_status_at_every_moment(api: Api) -> None:
    walk_some_cases(api)
    engine = api.app.state.caseflow.engine
    with Session(engine) as session:
        calendar = load_calendar(session)
        clocks = [clock_state_of(c) for c in session.exec(select(Clock)).all()]
    start = at("2026-03-05 00:00")
    for hours in range(0, 24 * 60, 7):
        as_of = start + timedelta(hours=hours)
        expected = {
            (c.id, view.status.value)
            for c in clocks
            if not c.party and (view := view_clock(c, calendar, as_of)).status.value in ("overdue", "due_soon")
        }
        board = ok(api.get("head", "/api/dashboard/overdue", params={"as_of": as_of.isoformat(), "size": 200}))
        shown = {(e["clock_id"], e["status"]) for e in board["items"]}
        assert shown == expected, as_of
        assert board["overdue"] == sum(1 for _, s in expected if s == "overdue")
