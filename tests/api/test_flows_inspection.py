"""Inspections and audits through the HTTP API: notice or unannounced, on-site check by two,
report, correction with re-check, a linked penalty case, referral, objection and re-check."""

from __future__ import annotations

from typing import Any

from tests.api.test_flows_catalogue import officers, staff
from tests.api.test_penalty_walk import OFFICERS, clock, ok, refused
from tests.conftest import Api, at

PARTY = {"name": "辛集市某大药房", "type": "organisation", "address": "辛集市建设路1号"}


def open_inspection(api: Api, item: str = "11", when: str = "2026-03-02 09:00", **data: Any) -> dict[str, Any]:
    body = {"item": item, "party": PARTY, "officers": data.pop("officers", OFFICERS),
            "data": {"plan": "2026年度定点医药机构监督检查方案", **data}, "occurred_at": at(when).isoformat()}
    r = api.post("zhang", "/api/cases", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def checked(api: Api, cid: int, problems: list[str], when: str = "2026-03-05") -> dict[str, Any]:
    ok(api.fire("zhang", cid, "send_notice", {"check_at": f"{when} 09:00", "scope": "2025年医保结算"},
                at("2026-03-02 10:00")))
    ok(api.fire("zhang", cid, "start_check", {}, at(f"{when} 09:00")))
    ok(api.fire("zhang", cid, "record_finding", {"summary": "查阅进销存台账"}, at(f"{when} 10:00")))
    return ok(api.fire("zhang", cid, "finish_check", {"report": "检查报告", "problems": problems}, at(f"{when} 16:00")))


def test_no_problem_result_told_and_archived(api: Api) -> None:
    cid = open_inspection(api)["id"]
    case = checked(api, cid, [])
    assert case["state"] == "reported"
    refused(api.fire("zhang", cid, "order_correction", {"correction_days": 10, "requirements": "x"},
                     at("2026-03-06 09:00")), 409, "NO_PROBLEMS")
    case = ok(api.fire("zhang", cid, "close_no_problem", {"conclusion": "未发现违法违规问题"}, at("2026-03-06 09:00")))
    assert case["state"] == "concluded"
    assert "inspection_decision" in [d["kind"] for d in case["documents"]]
    assert ok(api.fire("zhang", cid, "archive", {}, at("2026-03-06 10:00")))["final"]


def test_on_site_check_needs_two_officers(api: Api) -> None:
    cid = open_inspection(api, officers=OFFICERS[:1])["id"]
    refused(api.fire("zhang", cid, "start_unannounced", {"reason": "举报线索"}, at("2026-03-03 09:00")), 409,
            "OFFICERS_INSUFFICIENT")


def test_correction_not_made_opens_a_linked_penalty_case(api: Api) -> None:
    cid = open_inspection(api)["id"]
    ok(api.fire("zhang", cid, "start_unannounced", {"reason": "举报线索，暗访"}, at("2026-03-03 09:00")))
    ok(api.fire("zhang", cid, "finish_check", {"report": "发现串换药品", "problems": ["串换药品结算"]},
                at("2026-03-03 16:00")))
    case = ok(api.fire("zhang", cid, "order_correction", {"correction_days": 15, "requirements": "停止串换并整改"},
                       at("2026-03-04 09:00")))
    assert case["state"] == "correcting"
    correction = clock(case, "correction")
    assert correction["amount"] == 15 and correction["due_at"].startswith("2026-03-19") and correction["party"]
    assert "correction_order" in [d["kind"] for d in case["documents"]]
    refused(api.fire("zhang", cid, "recheck", {"corrected": False, "findings": "仍在串换"}, at("2026-03-19 09:00")),
            409, "CORRECTION_PERIOD_RUNNING")
    case = ok(api.fire("zhang", cid, "recheck", {"corrected": False, "findings": "仍在串换"}, at("2026-03-20 09:00")))
    assert case["state"] == "reported" and clock(case, "correction")["status"] == "elapsed"
    refused(api.fire("zhang", cid, "close_no_problem", {"conclusion": "x"}, at("2026-03-20 10:00")), 409,
            "PROBLEMS_OPEN")

    # only a penalty item of this bureau may be opened; nothing changes when refused
    refused(api.fire("zhang", cid, "open_penalty", {"penalty_item": "17"}, at("2026-03-20 10:00")), 409,
            "LINKED_ITEM_WRONG_FLOW")
    refused(api.fire("zhang", cid, "open_penalty", {"penalty_item": "99"}, at("2026-03-20 10:00")), 404,
            "ITEM_NOT_FOUND")
    assert ok(api.get("zhang", "/api/cases"))["total"] == 1

    case = ok(api.fire("zhang", cid, "open_penalty",
                       {"penalty_item": "3", "violation_ended_on": "2026-03-20", "lead_summary": "逾期不改正，串换药品"},
                       at("2026-03-20 10:00")))
    assert case["state"] == "handled"
    [link] = case["links"]
    assert link["item"] == "3" and link["flow"] == "penalty" and link["kind"] == "opened_from"
    penalty = ok(api.get("zhang", f"/api/cases/{link['id']}"))
    assert penalty["state"] == "lead_check" and penalty["party"]["name"] == PARTY["name"]
    assert penalty["data"]["lead_summary"] == "逾期不改正，串换药品"
    assert [(x["id"], x["flow"]) for x in penalty["links"]] == [(cid, "inspection")]
    assert ok(api.fire("zhang", cid, "archive", {}, at("2026-03-21 10:00")))["final"]


def test_objection_upheld_on_re_check_then_archived(api: Api) -> None:
    cid = open_inspection(api)["id"]
    checked(api, cid, ["病历书写不规范"])
    ok(api.fire("zhang", cid, "record_interview", {"record": "约谈院长"}, at("2026-03-06 09:00")))
    case = ok(api.fire("zhang", cid, "raise_objection", {"objection": "病历已补正", "materials": ["病历复印件"]},
                       at("2026-03-06 10:00")))
    assert case["state"] == "objection"
    refused(api.fire("zhang", cid, "decide_objection", {"opinion": "x"}, at("2026-03-09 10:00")), 403,
            "ROLE_NOT_ALLOWED")
    case = ok(api.fire("head", cid, "decide_objection", {"upheld": True, "opinion": "异议成立"}, at("2026-03-09 10:00")))
    assert case["state"] == "reported"
    ok(api.fire("zhang", cid, "close_no_problem", {"conclusion": "经复核问题不成立"}, at("2026-03-09 11:00")))
    assert ok(api.fire("zhang", cid, "archive", {}, at("2026-03-09 12:00")))["final"]


def test_serious_problems_are_referred(api: Api) -> None:
    cid = open_inspection(api)["id"]
    checked(api, cid, ["伪造医疗文书骗取基金"])
    refused(api.fire("head", cid, "refer", {"receiver": "辛集市公安局"}, at("2026-03-06 09:00")), 422, "FIELD_REQUIRED")
    case = ok(api.fire("head", cid, "refer", {"receiver": "辛集市公安局", "reasons": "涉嫌诈骗罪"},
                       at("2026-03-06 09:00")))
    assert case["state"] == "handled" and "referral" in [d["kind"] for d in case["documents"]]


def test_zhaoxian_designated_institution_checks_on_site_or_over_the_network(api: Api) -> None:
    user = staff(api, "zhaoxian", "officer")

    def open_403(variant: str) -> Any:
        return api.post(user["officer"], "/api/cases", json={
            "item": "4-3", "party": PARTY, "officers": officers("zhaoxian"),
            "data": {"plan": "门诊费用网络检查", "variant": variant}, "occurred_at": at("2026-03-02 09:00").isoformat()})

    r = open_403("general")
    assert r.status_code == 422 and r.json()["code"] == "INVALID_CHOICE"
    network = open_403("network").json()
    assert network["data"]["variant"] == "network"
    refused(api.fire(user["officer"], network["id"], "send_notice", {}, at("2026-03-02 10:00")), 409, "VARIANT_MISMATCH")
    ok(api.fire(user["officer"], network["id"], "start_network_screening", {"period": "2026年2月"},
                at("2026-03-02 10:00")))
    case = ok(api.fire(user["officer"], network["id"], "finish_check",
                       {"report": "筛查可疑违规项目", "problems": ["超量开药"]}, at("2026-03-03 10:00")))
    assert case["state"] == "reported"

    onsite = open_403("onsite").json()
    refused(api.fire(user["officer"], onsite["id"], "start_network_screening", {}, at("2026-03-02 10:00")), 409,
            "VARIANT_MISMATCH")
    ok(api.fire(user["officer"], onsite["id"], "start_unannounced", {"reason": "现场检查不通知"},
                at("2026-03-02 10:00")))


# --- audit (稽核) ----------------------------------------------------------------------------


def open_audit(api: Api) -> int:
    body = {"item": "16", "party": PARTY, "officers": OFFICERS, "data": {"scope": "2025年度门诊统筹结算"},
            "occurred_at": at("2026-03-02 09:00").isoformat()}
    r = api.post("zhang", "/api/cases", json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_audit_with_statement_objection_result_refund_and_linked_penalty(api: Api) -> None:
    cid = open_audit(api)
    case = ok(api.fire("zhang", cid, "issue_audit_notice", {"scope": "2025年度", "audit_at": "2026-03-05 09:00"},
                       at("2026-03-02 10:00")))
    assert "audit_notice" in [d["kind"] for d in case["documents"]]
    ok(api.fire("zhang", cid, "record_review", {"summary": "核对结算数据"}, at("2026-03-05 10:00")))
    case = ok(api.fire("zhang", cid, "issue_statement_notice",
                       {"findings": "重复收费12次，金额3600元", "amount": 3600}, at("2026-03-06 10:00")))
    assert case["state"] == "statement"
    assert clock(case, "statement")["due_at"].startswith("2026-03-13")  # five working days (bureau setting)
    refused(api.fire("zhang", cid, "issue_result", {"conclusion": "违规"}, at("2026-03-09 10:00")), 409,
            "STATEMENT_PERIOD_RUNNING")
    ok(api.fire("zhang", cid, "raise_objection", {"objection": "部分为合理收费"}, at("2026-03-09 10:00")))
    case = ok(api.fire("head", cid, "complete_recheck", {"upheld": False, "opinion": "异议不成立，维持"},
                       at("2026-03-10 10:00")))
    assert case["state"] == "statement"
    case = ok(api.fire("zhang", cid, "issue_result", {"conclusion": "重复收费3600元，责令退还"}, at("2026-03-10 11:00")))
    assert case["state"] == "result_issued"
    case = ok(api.fire("zhang", cid, "deliver", {"method": "direct", "recipient": "王院长"}, at("2026-03-11 10:00")))
    assert case["state"] == "delivered"
    assert {"audit_statement_notice", "audit_result_notice", "service_receipt"} <= {d["kind"] for d in case["documents"]}
    case = ok(api.fire("zhang", cid, "stop_and_recover", {"amount": 3600, "deadline": "2026-03-31"},
                       at("2026-03-11 11:00")))
    assert case["state"] == "executed" and case["data"]["recovery"]["payment_stopped"]
    case = ok(api.fire("zhang", cid, "open_penalty", {"penalty_item": "3", "violation_ended_on": "2025-12-31"},
                       at("2026-03-12 10:00")))
    assert case["state"] == "executed" and case["links"][0]["flow"] == "penalty"
    ok(api.fire("zhang", cid, "record_refund", {"amount": 3600, "receipt": "R-1"}, at("2026-03-20 10:00")))
    assert ok(api.fire("zhang", cid, "archive", {}, at("2026-03-21 10:00")))["final"]


def test_clean_audit_is_delivered_and_archived(api: Api) -> None:
    cid = open_audit(api)
    ok(api.fire("zhang", cid, "issue_audit_notice", {}, at("2026-03-02 10:00")))
    case = ok(api.fire("zhang", cid, "conclude_clean", {"conclusion": "未发现违规"}, at("2026-03-05 10:00")))
    assert case["state"] == "result_issued"
    ok(api.fire("zhang", cid, "deliver", {"method": "post", "recipient": "财务科"}, at("2026-03-06 10:00")))
    refused(api.fire("zhang", cid, "stop_and_recover", {}, at("2026-03-07 10:00")), 409, "OUTCOME_MISMATCH")
    refused(api.fire("head", cid, "refer", {"receiver": "公安", "reasons": "x"}, at("2026-03-07 10:00")), 409,
            "OUTCOME_MISMATCH")
    assert ok(api.fire("zhang", cid, "archive", {}, at("2026-03-07 10:00")))["final"]


def test_audit_objection_upheld_clears_the_findings(api: Api) -> None:
    cid = open_audit(api)
    ok(api.fire("zhang", cid, "issue_audit_notice", {}, at("2026-03-02 10:00")))
    ok(api.fire("zhang", cid, "issue_statement_notice", {"findings": "超标准收费"}, at("2026-03-03 10:00")))
    ok(api.fire("zhang", cid, "raise_objection", {"objection": "收费有物价批文"}, at("2026-03-04 10:00")))
    case = ok(api.fire("head", cid, "complete_recheck", {"upheld": True, "opinion": "异议成立"}, at("2026-03-05 10:00")))
    assert case["data"]["outcome"] == "clean"
    ok(api.fire("zhang", cid, "issue_result", {"conclusion": "经复核未发现违规"}, at("2026-03-05 11:00")))
    ok(api.fire("zhang", cid, "deliver", {"method": "direct", "recipient": "院长"}, at("2026-03-06 10:00")))
    assert ok(api.fire("zhang", cid, "archive", {}, at("2026-03-06 11:00")))["final"]
