"""Sealing (封存) as a case of its own through the HTTP API: normal and emergency procedure,
the 24-hour report clock on the overdue dashboard, extension, release, 中止/终结, links."""

from __future__ import annotations

from typing import Any

from tests.api.test_penalty_walk import OFFICERS, clock, ok, open_case, refused
from tests.conftest import Api, at

PARTY = {"name": "辛集市某医院", "type": "organisation", "address": "辛集市建设路1号"}
ITEMS = [{"name": "住院病历", "quantity": 35, "unit": "份"}, {"name": "收费票据存根", "quantity": 2, "unit": "本"}]
SEAL = {"items": ITEMS, "reasons": "病历资料可能被篡改、转移", "basis": "医疗保障基金使用监督管理条例第二十七条",
        "place": "病案室", "party_present": True}


def open_sealing(api: Api, when: str, links: list[dict[str, Any]] | None = None, **data: Any) -> dict[str, Any]:
    body = {
        "item": "8",
        "party": data.pop("party", PARTY),
        "officers": OFFICERS,
        "data": {"reasons": "病历资料可能被篡改、转移", "basis": "医疗保障基金使用监督管理条例第二十七条", **data},
        "occurred_at": at(when).isoformat(),
        "links": links or [],
    }
    r = api.post("zhang", "/api/cases", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def kinds(case: dict[str, Any]) -> list[str]:
    return [d["kind"] for d in case["documents"]]


def test_normal_sealing_serving_a_penalty_case_extended_once_then_released(api: Api) -> None:
    penalty = open_case(api, when="2026-03-02 09:00")
    case = open_sealing(api, "2026-03-02 10:00", links=[{"case_id": penalty["id"], "kind": "serves"}])
    cid = case["id"]
    assert case["state"] == "pending_approval"
    assert case["links"][0]["id"] == penalty["id"] and case["links"][0]["kind"] == "serves"
    served = ok(api.get("zhang", f"/api/cases/{penalty['id']}"))
    assert [link["id"] for link in served["links"]] == [cid]

    refused(api.fire("zhang", cid, "seal", SEAL, at("2026-03-02 10:30")), 409, "ACTION_NOT_ALLOWED_IN_STATE")
    refused(api.fire("zhang", cid, "approve", {}, at("2026-03-02 10:30")), 403, "ROLE_NOT_ALLOWED")
    ok(api.fire("head", cid, "approve", {"opinion": "同意封存"}, at("2026-03-02 11:00")))
    refused(api.fire("zhang", cid, "seal", {**SEAL, "items": [{"name": "病历"}]}, at("2026-03-02 14:00")), 422,
            "SEALING_LIST_INCOMPLETE")
    case = ok(api.fire("zhang", cid, "seal", SEAL, at("2026-03-02 14:00")))
    assert case["state"] == "sealed"
    assert {"sealing_decision", "sealing_list"} <= set(kinds(case))
    assert case["data"]["sealing"]["copies"] == 2 and case["data"]["sealing"]["procedure"] == "normal"
    period = clock(case, "evidence_seal")
    assert period["due_at"].startswith("2026-04-01")  # 30 natural days, not rolled forward

    refused(api.fire("head", cid, "extend", {"days": 30, "reason": "需进一步核查"}, at("2026-03-25 09:00")), 422,
            "FIELD_REQUIRED")
    refused(
        api.fire("head", cid, "extend", {"days": 31, "reason": "需进一步核查", "written_notice": "已书面告知"},
                 at("2026-03-25 09:00")),
        409,
        "EXTENSION_TOO_LONG",
    )
    case = ok(api.fire("head", cid, "extend", {"days": 30, "reason": "需进一步核查", "written_notice": "已书面告知"},
                       at("2026-03-25 09:00")))
    assert clock(case, "evidence_seal")["due_at"].startswith("2026-05-01")
    assert "extension_approval" in kinds(case)
    refused(
        api.fire("head", cid, "extend", {"days": 5, "reason": "再延", "written_notice": "已书面告知"},
                 at("2026-03-26 09:00")),
        409,
        "EXTENSION_ALREADY_GRANTED",
    )
    refused(api.fire("zhang", cid, "release", {"ground": "lost", "reason": "x"}, at("2026-04-10 09:00")), 422,
            "INVALID_CHOICE")
    refused(api.fire("zhang", cid, "release", {"ground": "expired", "reason": "期限届满"}, at("2026-04-10 09:00")),
            409, "SEALING_PERIOD_RUNNING")
    case = ok(api.fire("zhang", cid, "release", {"ground": "clarified", "reason": "违法事实已查清"},
                       at("2026-04-10 09:00")))
    assert case["state"] == "released"
    assert clock(case, "evidence_seal")["status"] == "satisfied"
    assert "release_decision" in kinds(case)
    case = ok(api.fire("zhang", cid, "archive", {}, at("2026-04-11 09:00")))
    assert case["final"]


def test_emergency_sealing_reported_after_24_hours_is_flagged_overdue(api: Api) -> None:
    case = open_sealing(api, "2026-03-02 10:00")
    cid = case["id"]
    refused(api.fire("zhang", cid, "seal_emergency", SEAL, at("2026-03-02 10:05")), 422, "FIELD_REQUIRED")
    case = ok(api.fire("zhang", cid, "seal_emergency", {**SEAL, "urgency": "当事人正在销毁票据"},
                       at("2026-03-02 10:05")))
    assert case["state"] == "sealed_pending"
    report = clock(case, "emergency_report")
    assert report["unit"] == "hours" and report["due_at"].startswith("2026-03-03T10:05")
    assert report["source"].startswith("强制法第十九条")

    def flagged(as_of: str) -> list[dict[str, Any]]:
        board = ok(api.get("super", "/api/dashboard/overdue", params={"as_of": as_of}))
        return [e for e in board["items"] if e["case_id"] == cid and e["clock"] == "emergency_report"]

    assert flagged("2026-03-03T09:00:00+08:00")[0]["status"] == "due_soon"
    late = flagged("2026-03-03T12:00:00+08:00")
    assert late[0]["status"] == "overdue"
    assert late[0]["accountability"] == "违反法定权限、程序实施行政强制的"

    case = ok(api.fire("head", cid, "ratify", {"opinion": "补办批准"}, at("2026-03-03 12:00")))
    assert case["state"] == "sealed"
    assert clock(case, "emergency_report")["status"] == "satisfied_late"
    assert flagged("2026-03-03T13:00:00+08:00") == []


def test_emergency_sealing_released_at_once_when_the_head_disapproves(api: Api) -> None:
    case = open_sealing(api, "2026-03-02 10:00")
    cid = case["id"]
    ok(api.fire("zhang", cid, "seal_emergency", {**SEAL, "urgency": "资料可能灭失"}, at("2026-03-02 10:05")))
    case = ok(api.fire("head", cid, "disapprove", {"reason": "不符合采取封存措施的条件"}, at("2026-03-02 18:00")))
    assert case["state"] == "released"
    assert case["data"]["release"]["ground"] == "disapproved"
    assert clock(case, "emergency_report")["status"] == "satisfied"
    assert clock(case, "evidence_seal")["status"] == "satisfied"
    assert "release_decision" in kinds(case)


def test_sealing_released_when_its_period_runs_out(api: Api) -> None:
    case = open_sealing(api, "2026-03-02 10:00")
    cid = case["id"]
    ok(api.fire("head", cid, "approve", {}, at("2026-03-02 11:00")))
    ok(api.fire("zhang", cid, "seal", SEAL, at("2026-03-02 14:00")))
    board = ok(api.get("super", "/api/dashboard/overdue", params={"as_of": "2026-04-02T09:00:00+08:00"}))
    assert [e["clock"] for e in board["items"] if e["case_id"] == cid] == ["evidence_seal"]
    refused(api.fire("head", cid, "extend", {"days": 10, "reason": "x", "written_notice": "已告知"},
                     at("2026-04-02 09:00")), 409, "SEALING_PERIOD_EXPIRED")
    case = ok(api.fire("zhang", cid, "release", {"ground": "expired", "reason": "封存期限届满"}, at("2026-04-02 09:00")))
    assert case["data"]["release"]["label"] == "封存期限届满"
    assert clock(case, "evidence_seal")["status"] == "satisfied_late"


def test_sealing_declined_suspended_and_terminated(api: Api) -> None:
    declined = open_sealing(api, "2026-03-02 10:00")
    refused(api.fire("head", declined["id"], "decline", {}, at("2026-03-02 11:00")), 422, "FIELD_REQUIRED")
    case = ok(api.fire("head", declined["id"], "decline", {"reasons": "证据已固定"}, at("2026-03-02 11:00")))
    assert case["state"] == "dropped" and case["final"]

    case = open_sealing(api, "2026-03-02 10:00")
    cid = case["id"]
    ok(api.fire("head", cid, "approve", {}, at("2026-03-02 11:00")))
    ok(api.fire("zhang", cid, "seal", SEAL, at("2026-03-02 14:00")))
    ok(api.fire("zhang", cid, "start_testing", {"reason": "票据真伪鉴定"}, at("2026-03-03 09:00")))
    case = ok(api.fire("zhang", cid, "end_testing", {}, at("2026-03-13 09:00")))
    assert clock(case, "evidence_seal")["due_at"].startswith("2026-04-11")  # ten days of testing not counted
    case = ok(api.fire("head", cid, "suspend_execution", {"reason": "当事人申请复议"}, at("2026-03-16 09:00")))
    assert case["state"] == "suspended"
    ok(api.fire("head", cid, "resume_execution", {"reason": "复议维持"}, at("2026-03-20 09:00")))
    case = ok(api.fire("head", cid, "terminate_execution", {"reason": "当事人死亡，无遗产可供执行"},
                       at("2026-03-21 09:00")))
    assert case["state"] == "ended"
    assert case["data"]["release"]["ground"] == "terminated"
    ok(api.fire("zhang", cid, "archive", {}, at("2026-03-22 09:00")))


def test_sealing_decision_names_the_party_address(api: Api) -> None:
    case = open_sealing(api, "2026-03-02 10:00", party={"name": "某药店", "type": "organisation"})
    ok(api.fire("head", case["id"], "approve", {}, at("2026-03-02 11:00")))
    refused(api.fire("zhang", case["id"], "seal", SEAL, at("2026-03-02 14:00")), 422, "FIELD_REQUIRED")


def test_an_absent_party_needs_a_witness(api: Api) -> None:
    cid = open_sealing(api, "2026-03-02 10:00")["id"]
    ok(api.fire("head", cid, "approve", {}, at("2026-03-02 11:00")))
    absent = {**SEAL, "party_present": False}
    refused(api.fire("zhang", cid, "seal", absent, at("2026-03-02 14:00")), 422, "WITNESS_REQUIRED")
    case = ok(api.fire("zhang", cid, "seal", {**absent, "witness": "社区干部赵某"}, at("2026-03-02 14:00")))
    assert case["data"]["sealing"]["witness"] == "社区干部赵某"
