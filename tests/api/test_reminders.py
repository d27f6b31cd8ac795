"""督办 and messages through the HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

from api.users import create_user
from tests.api.test_penalty_walk import ok, open_case, refused
from tests.conftest import Api


def test_a_supervisor_reminds_the_officers_of_an_overdue_step(api: Api) -> None:
    engine = api.app.state.caseflow.engine
    create_user(engine, "sup", bureau="xinji", roles=["supervisor"], password="password-123", name="督办员")
    case = open_case(api, when="2026-01-05 09:00")  # the 15-working-day lead check is long overdue
    cid = case["id"]
    before = ok(api.get("zhang", f"/api/cases/{cid}"))

    refused(api.post("zhang", f"/api/cases/{cid}/reminders", json={"note": "请尽快办理"}), 403, "REMINDER_NOT_ALLOWED")
    refused(api.post("sup", f"/api/cases/{cid}/reminders", json={"note": "  "}), 422, "FIELD_REQUIRED")
    refused(api.post("sup", f"/api/cases/{cid}/reminders", json={"note": "x", "clock": "decision"}), 409,
            "REMINDER_NO_STEP")
    assert ok(api.get("sup", f"/api/cases/{cid}"))["version"] == before["version"]  # nothing changed

    r = api.post("sup", f"/api/cases/{cid}/reminders", json={"note": "线索核查已超期，请本周内提请立案"})
    assert r.status_code == 201, r.text
    sent = r.json()
    assert sent["clock"] == "lead_check" and {"zhang", "li"} <= set(sent["recipients"])
    after = ok(api.get("zhang", f"/api/cases/{cid}"))
    assert after["events"][-1]["label"] == "督办" and after["state"] == before["state"]
    inbox = ok(api.get("li", "/api/messages"))
    assert inbox["unread"] == 1 and "线索核查已超期" in inbox["items"][0]["body"]
    assert ok(api.get("sup", "/api/messages"))["total"] == 0
    assert "wu" not in sent["recipients"]  # not an officer of this case


def test_a_reminder_keeps_the_case_chain_and_the_audit_clean(api: Api) -> None:
    from engine.audit import verify_database

    engine = api.app.state.caseflow.engine
    create_user(engine, "sup", bureau="xinji", roles=["supervisor"], password="password-123", name="督办员")
    cid = open_case(api, when="2026-01-05 09:00")["id"]
    r = api.post("sup", f"/api/cases/{cid}/reminders", json={"note": "请尽快办理"})
    assert r.status_code == 201, r.text
    report = verify_database(engine, api.app.state.caseflow.library)
    assert report.clean, [str(d) for d in report.discrepancies]
