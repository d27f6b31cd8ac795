"""Migrations match the models; events are append-only and hash-chained; calendars recompute clocks."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from engine.persistence import make_engine
from engine.recompute import load_year, verify_all
from tests.api.test_penalty_walk import OFFICERS, PARTY, ok, open_case
from tests.conftest import Api, at


def _has_expression(index: Any) -> bool:
    return any(not hasattr(e, "name") or not hasattr(e, "table") for e in index.expressions)


def test_migrations_match_the_models(database_url: str) -> None:
    """Alembic cannot compare indexes with an expression (``case_id DESC``): those by name."""
    expression_indexes = {
        index.name for table in SQLModel.metadata.tables.values() for index in table.indexes if _has_expression(index)
    }

    def compared(obj: Any, name: Any, type_: str, reflected: bool, other: Any) -> bool:
        return not (type_ == "index" and name in expression_indexes)

    engine = make_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": compared})
        diff = compare_metadata(context, SQLModel.metadata)
        present = {i["name"] for t in ("case_summary",) for i in inspect(conn).get_indexes(t)}
    engine.dispose()
    assert diff == []
    assert expression_indexes and expression_indexes <= present


def _walk_a_little(api: Api) -> int:
    cid = open_case(api)["id"]
    ok(api.fire("zhang", cid, "propose_filing", {"opinion": "建议立案"}, at("2026-03-03 10:00")))
    ok(api.fire("head", cid, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-04 10:00")))
    return int(cid)


def test_events_are_append_only_and_tampering_is_found(api: Api) -> None:
    first = _walk_a_little(api)
    second = _walk_a_little(api)
    engine = api.app.state.caseflow.engine
    assert verify_all(engine) == (2, None)
    with pytest.raises(Exception, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text("UPDATE event SET actor = 'mallory' WHERE case_id = :c"), {"c": first})
    with engine.begin() as conn:  # someone with the database's owner rights drops the guard
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER event_no_update"))
        else:
            conn.execute(text("DROP TRIGGER event_no_change ON event"))
        conn.execute(text("UPDATE event SET actor = 'mallory' WHERE case_id = :c AND seq = 2"), {"c": second})
    checked, broken = verify_all(engine)
    assert broken is not None
    assert (broken.case_id, broken.seq) == (second, 2)
    assert "哈希" in broken.reason


def test_loading_an_official_year_recomputes_provisional_clocks(api: Api) -> None:
    engine = api.app.state.caseflow.engine
    cid = open_case(api, when="2026-11-20 10:00")["id"]
    # 15 working days, extended once by 15: from Friday 2026-11-20 the 30th working day falls in 2027
    case = ok(api.fire("head", cid, "extend_lead_check", {"days": 15, "reason": "线索复杂"}, at("2026-11-20 11:00")))
    lead = [c for c in case["clocks"] if c["key"] == "lead_check"][0]
    assert lead["provisional"] is True  # 2027 has no official data: weekends and 1 January only
    assert lead["due_at"].startswith("2027-01-04")
    assert "2027" in lead["explanation"]
    schedule: dict[str, Any] = {"year": 2027, "holidays": ["2027-01-01", "2027-01-04", "2027-01-05"],
                                "workdays": ["2027-01-09"]}
    year, changed = load_year(engine, api.app.state.caseflow.library, schedule, loaded_by="test")
    assert year == 2027 and changed >= 1
    case = ok(api.get("zhang", f"/api/cases/{cid}"))
    lead = [c for c in case["clocks"] if c["key"] == "lead_check"][0]
    assert lead["provisional"] is False
    assert lead["due_at"].startswith("2027-01-06")
    refused = api.fire("head", cid, "extend_lead_check", {"days": 5, "reason": "再次"}, at("2026-11-20 12:00"))
    assert refused.status_code == 409 and refused.json()["code"] == "EXTENSION_ALREADY_GRANTED"


def test_parallel_actions_on_one_case_one_wins(api: Api) -> None:
    results: list[Any] = []
    cases = [open_case(api)["id"] for _ in range(3)]
    for cid in cases:
        barrier = threading.Barrier(2)

        def act(cid: int = cid, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            results.append(api.fire("zhang", cid, "propose_filing", {"opinion": "并发"}, at("2026-03-03 10:00")))

        threads = [threading.Thread(target=act) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = sorted(r.status_code for r in results[-2:])
        assert codes == [200, 409], [r.text for r in results[-2:]]
        case = ok(api.get("zhang", f"/api/cases/{cid}"))
        assert [e["trigger"] for e in case["events"]] == ["open", "propose_filing"]
        assert case["version"] == 2


def test_parallel_facts_on_one_case_both_land_one_after_the_other(api: Api) -> None:
    """An action reads its case locked: a second one at the same moment waits, then acts on the case
    as the first left it (no refusal for having raced), and the hash chain stays one line."""
    from engine.audit import verify_database

    cid = _walk_a_little(api)
    barrier = threading.Barrier(4)
    results: list[Any] = []

    def record(i: int) -> None:
        barrier.wait()
        results.append(api.fire("zhang", cid, "record_evidence", {
            "kind": "documentary", "record": "inspection", "summary": f"并发取证{i}"}, at("2026-03-05 10:00")))

    threads = [threading.Thread(target=record, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in results] == [200] * 4, [r.text for r in results]
    case = ok(api.get("zhang", f"/api/cases/{cid}"))
    assert case["lists"]["evidence"]["count"] == 4 and case["version"] == 3 + 4
    assert sorted(e["seq"] for e in case["events"]) == list(range(1, 8))
    assert sorted(e["payload"]["summary"] for e in case["events"][-4:]) == [f"并发取证{i}" for i in range(4)]
    assert verify_database(api.app.state.caseflow.engine, api.app.state.caseflow.library).clean


def test_case_numbers_are_per_bureau_and_year(api: Api) -> None:
    a = open_case(api)
    b = open_case(api)
    from api.users import create_user

    create_user(api.app.state.caseflow.engine, "gy_second", bureau="gaoyi", roles=["officer"],
                password="password-123", cert_no="G2", name="乙")  # two registered 执法证 (处罚法第四十二条)
    r = api.post("gy_officer", "/api/cases", json={
        "item": "1", "party": PARTY, "officers": [{"name": "高邑执法", "cert_no": "GY-001"}, {"name": "乙", "cert_no": "G2"}],
        "data": {"lead_summary": "x", "violation_ended_on": "2026-02-01"}})
    assert r.status_code == 201, r.text
    assert a["number"].endswith("-00001") and b["number"].endswith("-00002")
    assert r.json()["number"] == "GAOYI-2026-00001"
    assert OFFICERS


def test_clocks_read_with_the_snapshot_equal_those_read_on_their_own(api: Api) -> None:
    """The snapshot's one statement carries the case's clocks as JSON: they must come back as stored."""
    from sqlmodel import Session

    from engine.snapshot import load_snapshot, model_of

    cid = _walk_a_little(api)
    ok(api.fire("zhang", cid, "finish_investigation", {"report": "调查终结"}, at("2026-03-05 10:00")))
    engine = api.app.state.caseflow.engine
    with Session(engine) as session:
        snapshot = load_snapshot(session, cid)
        assert snapshot is not None and snapshot.clocks
        with_row = model_of(session, snapshot.row, snapshot.clocks).clocks
        on_their_own = model_of(session, snapshot.row).clocks
    assert len(with_row) >= 2 and any(c.satisfied_at for c in with_row)  # ended ones too, with their moments
    assert with_row == on_their_own
    assert all(c.started_at.tzinfo is not None and c.deadline.due_at.tzinfo is not None for c in with_row)


def test_a_view_read_in_one_statement_shows_what_its_own_statements_read(api: Api) -> None:
    """The view reads the latest events and the documents with the snapshot (JSON aggregates), and the
    answer to an action brings them up to date without reading them: both equal a separate read."""
    cid = _walk_a_little(api)
    answered = ok(api.fire("zhang", cid, "finish_investigation", {"report": "调查终结"}, at("2026-03-05 10:00")))
    viewed = ok(api.get("zhang", f"/api/cases/{cid}"))
    history = ok(api.get("zhang", f"/api/cases/{cid}/events?size=500"))["items"]
    with api.app.state.caseflow.engine.connect() as conn:
        documents = conn.execute(text(
            "SELECT d.id, d.kind, d.title, d.number, d.replaces_id, p.sha256 FROM document d"
            " LEFT JOIN document_pdf p ON p.document_id = d.id WHERE d.case_id = :c ORDER BY d.id"
        ), {"c": cid}).all()
    assert viewed["documents"] and viewed["events"] and viewed["events"] == history[-20:]
    assert [(d["id"], d["kind"], d["title"], d["number"], d["replaces_id"], d["sha256"]) for d in viewed["documents"]] == [
        tuple(row) for row in documents
    ]
    assert answered["events"] == viewed["events"]
    assert [d["id"] for d in answered["documents"]] == [d["id"] for d in viewed["documents"]]
