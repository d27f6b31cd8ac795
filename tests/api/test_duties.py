"""Who may act and who may read, through the API: separation of duties and reading scopes."""

from __future__ import annotations

from api.users import create_user
from tests.api.test_flows_catalogue import open_data
from tests.api.test_penalty_walk import ok, open_case, refused
from tests.conftest import Api, at


def test_an_officer_who_is_also_head_cannot_approve_his_own_filing(api: Api) -> None:
    engine = api.app.state.caseflow.engine
    create_user(engine, "chief", bureau="xinji", roles=["officer", "head"], password="password-123",
                cert_no="JZ-009", name="赵六")
    officers = [{"name": "赵六", "cert_no": "JZ-009"}, {"name": "李四", "cert_no": "JZ-002"}]
    cid = open_case(api, officers=officers)["id"]
    ok(api.fire("chief", cid, "propose_filing", {"opinion": "建议立案"}, at("2026-03-03 10:00")))

    case = ok(api.get("chief", f"/api/cases/{cid}"))
    approve = next(a for a in case["actions"] if a["trigger"] == "approve_filing")
    assert (approve["allowed"], approve["code"]) == (False, "SAME_ACTOR_FORBIDDEN")
    body = refused(
        api.fire("chief", cid, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-04 09:00")),
        409, "SAME_ACTOR_FORBIDDEN",
    )
    assert "批准立案" in body["message"] and "提请立案" in body["message"]
    assert ok(api.get("chief", f"/api/cases/{cid}"))["state"] == "filing_review"  # nothing changed

    case = ok(api.fire("head", cid, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-04 09:00")))
    assert case["state"] == "investigation"


def test_an_officer_not_on_the_case_cannot_act_on_it(api: Api) -> None:
    cid = open_case(api)["id"]  # 张三 and 李四
    body = refused(api.fire("wu", cid, "propose_filing", {"opinion": "建议立案"}, at("2026-03-03 10:00")),
                   403, "NOT_CASE_OFFICER")
    assert "本案" in body["message"]
    listed = next(a for a in ok(api.get("wu", f"/api/cases/{cid}"))["actions"] if a["trigger"] == "propose_filing")
    assert listed["code"] == "NOT_CASE_OFFICER"

    # 张三 is recused and 吴五 takes his place: now 吴五 acts and 张三 does not.
    ok(api.fire("head", cid, "recuse", {"cert_no": "JZ-001", "reason": "亲属关系",
                                        "replacement": {"name": "吴五", "cert_no": "JZ-003"}}, at("2026-03-02 12:00")))
    refused(api.fire("zhang", cid, "propose_filing", {}, at("2026-03-03 10:00")), 403, "NOT_CASE_OFFICER")
    assert ok(api.fire("wu", cid, "propose_filing", {}, at("2026-03-03 10:00")))["state"] == "filing_review"


def test_a_clerk_reads_the_halls_cases_and_not_penalty_files(api: Api) -> None:
    penalty = open_case(api)
    library = api.app.state.caseflow.library
    item = next(i for i in library.catalogue("xinji").items if i.flow == "application")
    r = api.post("clerk", "/api/cases", json=open_data(library, "xinji", item.code))
    assert r.status_code == 201, r.text
    application = r.json()

    body = refused(api.get("clerk", f"/api/cases/{penalty['id']}"), 403, "CASE_OUT_OF_SCOPE")
    assert "行政处罚" in body["message"]
    refused(api.get("clerk", f"/api/cases/{penalty['id']}/events"), 403, "CASE_OUT_OF_SCOPE")
    listed = {c["id"] for c in ok(api.get("clerk", "/api/cases"))["items"]}
    assert application["id"] in listed and penalty["id"] not in listed
    found = ok(api.get("clerk", "/api/cases", params={"q": penalty["number"]}))
    assert found["total"] == 0

    supervised = {c["id"] for c in ok(api.get("super", "/api/cases"))["items"]}
    assert {application["id"], penalty["id"]} <= supervised
    ok(api.get("super", f"/api/cases/{penalty['id']}"))
