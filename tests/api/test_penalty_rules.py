"""The penalty rules of LEGAL.md, each refused with its code and article and changing nothing."""

from __future__ import annotations

from typing import Any

from tests.api.test_penalty_walk import clock, ok, open_case, refused
from tests.conftest import Api, at


def filed(api: Api, when: str = "2026-03-02 09:00", **data: Any) -> int:
    cid = int(open_case(api, when=when, **data)["id"])
    ok(api.fire("zhang", cid, "propose_filing", {}, at(when)))
    ok(api.fire("head", cid, "approve_filing", {"jurisdiction": "violation_place"}, at(when)))
    return cid


def test_suspension_shifts_the_decision_clock_and_termination_releases_seals(api: Api) -> None:
    cid = filed(api)  # decision due 2026-05-31
    ok(api.fire("head", cid, "approve_evidence_measure", {"measure": "seal"}, at("2026-03-05 09:00")))
    case = ok(
        api.fire(
            "zhang", cid, "seal_evidence", {"items": ["处方"], "reasons": "防止灭失"}, at("2026-03-05 10:00")
        )
    )
    assert clock(case, "evidence_seal")["due_at"].startswith("2026-04-04")  # 30 natural days
    ok(api.fire("head", cid, "suspend", {"reason": "当事人下落不明"}, at("2026-03-10 10:00")))
    case = ok(api.fire("head", cid, "resume", {"reason": "已找到"}, at("2026-03-20 10:00")))
    assert clock(case, "decision")["due_at"].startswith("2026-06-10")  # 10 suspended days added
    case = ok(api.fire("head", cid, "terminate", {"reason": "违法事实不成立"}, at("2026-03-25 10:00")))
    assert case["state"] == "terminated"
    assert clock(case, "evidence_seal")["status"] == "satisfied"
    assert clock(case, "decision")["status"] == "cancelled"


def test_excluded_spans_may_not_overlap(api: Api) -> None:
    cid = filed(api)
    ok(api.fire("zhang", cid, "start_excluded_span", {"reason": "appraisal"}, at("2026-03-05 10:00")))
    body = refused(
        api.fire("zhang", cid, "start_excluded_span", {"reason": "testing"}, at("2026-03-06 10:00")),
        409,
        "EXCLUDED_SPAN_OVERLAP",
    )
    assert "鉴定" in body["message"]
    refused(
        api.fire("head", cid, "suspend", {"reason": "x"}, at("2026-03-06 10:00")),
        409,
        "EXCLUDED_SPAN_OVERLAP",
    )
    case = ok(api.fire("zhang", cid, "end_excluded_span", {}, at("2026-03-15 10:00")))
    assert clock(case, "decision")["due_at"].startswith("2026-06-10")  # 2026-05-31 + 10 days of appraisal
    refused(
        api.fire("zhang", cid, "start_excluded_span", {"reason": "holiday"}, at("2026-03-16 10:00")),
        422,
        "INVALID_CHOICE",
    )


def test_decision_period_extensions(api: Api) -> None:
    cid = filed(api)
    refused(
        api.fire(
            "zhang", cid, "extend_decision_period", {"days": 10, "reason": "复杂"}, at("2026-03-10 10:00")
        ),
        403,
        "ROLE_NOT_ALLOWED",
    )
    refused(
        api.fire(
            "head", cid, "extend_decision_period", {"days": 40, "reason": "复杂"}, at("2026-03-10 10:00")
        ),
        409,
        "EXTENSION_TOO_LONG",
    )
    case = ok(
        api.fire(
            "head", cid, "extend_decision_period", {"days": 30, "reason": "复杂"}, at("2026-03-10 10:00")
        )
    )
    assert clock(case, "decision")["due_at"].startswith("2026-06-30")
    refused(
        api.fire(
            "head", cid, "extend_decision_period", {"days": 10, "reason": "仍复杂"}, at("2026-03-11 10:00")
        ),
        409,
        "EXTENSION_NEEDS_COLLECTIVE_DISCUSSION",
    )
    refused(
        api.fire(
            "head",
            cid,
            "extend_decision_period",
            {"days": 40, "reason": "仍复杂", "collective_discussion": "2026-03-11 局长办公会"},
            at("2026-03-11 10:00"),
        ),
        409,
        "EXTENSION_CAP_EXCEEDED",
    )
    case = ok(
        api.fire(
            "head",
            cid,
            "extend_decision_period",
            {"days": 30, "reason": "仍复杂", "collective_discussion": "2026-03-11 局长办公会"},
            at("2026-03-11 10:00"),
        )
    )
    assert clock(case, "decision")["extension"] == 60


def test_decision_after_ninety_days_is_refused(api: Api) -> None:
    cid = filed(api, when="2026-01-05 09:00", violation_ended_on="2025-12-01")  # due 2026-04-05
    ok(api.fire("zhang", cid, "finish_investigation", {"report": "终结"}, at("2026-01-20 10:00")))
    ok(
        api.fire(
            "zhang",
            cid,
            "propose_penalty",
            {
                "facts": "骗保",
                "grounds": "依法",
                "kinds": ["fine"],
                "fine": 5000,
                "article": "社会保险法第八十七条",
            },
            at("2026-01-21 10:00"),
        )
    )
    ok(api.fire("zhang", cid, "notify", {}, at("2026-01-22 10:00")))
    body = refused(
        api.fire(
            "head",
            cid,
            "decide_penalty",
            {"kinds": ["fine"], "fine": 5000, "base_amount": 2000, "discretion_reasons": "依本局行政处罚裁量基准，按违法情节从轻", "article": "社会保险法第八十七条"},
            at("2026-04-10 10:00"),
        ),
        409,
        "DECISION_PERIOD_EXPIRED",
    )
    assert "第六十条" in body["message"]


def test_small_fines_give_no_hearing_and_need_no_legal_review(api: Api) -> None:
    person = {"name": "王某", "type": "individual", "address": "辛集市"}
    cid = filed(api, party=person, item="4")
    ok(
        api.fire(
            "zhang",
            cid,
            "record_evidence",
            {"kind": "party_statement", "record": "inquiry", "summary": "当事人承认冒领"},
            at("2026-03-02 15:00"),
        )
    )
    ok(api.fire("zhang", cid, "finish_investigation", {"report": "终结"}, at("2026-03-03 10:00")))
    case = ok(
        api.fire(
            "zhang",
            cid,
            "propose_penalty",
            {
                "facts": "骗取待遇1000元",
                "grounds": "社会保险法第八十八条",
                "kinds": ["fine"],
                "fine": 2000,
                "article": "社会保险法第八十八条",
            },
            at("2026-03-03 11:00"),
        )
    )
    assert case["data"]["hearing_entitled"] is False
    ok(api.fire("zhang", cid, "notify", {}, at("2026-03-04 10:00")))
    body = refused(
        api.fire("zhang", cid, "request_hearing", {}, at("2026-03-05 10:00")), 409, "HEARING_NOT_AVAILABLE"
    )
    assert "第六十三条" in body["message"]
    ok(api.fire("zhang", cid, "waive_statement", {"signed_by": "王某"}, at("2026-03-05 10:00")))
    case = ok(
        api.fire(
            "head",
            cid,
            "decide_penalty",
            {"kinds": ["fine"], "fine": 2000, "base_amount": 1000, "discretion_reasons": "依本局行政处罚裁量基准，按违法情节从轻", "article": "社会保险法第八十八条"},
            at("2026-03-05 11:00"),
        )
    )
    assert case["state"] == "decided"


def test_large_fines_need_legal_review_and_collective_discussion(api: Api) -> None:
    cid = filed(api)
    ok(api.fire("zhang", cid, "finish_investigation", {"report": "终结"}, at("2026-03-03 10:00")))
    ok(
        api.fire(
            "zhang",
            cid,
            "propose_penalty",
            {
                "facts": "骗保",
                "grounds": "依法",
                "kinds": ["fine"],
                "fine": 60000,
                "article": "社会保险法第八十七条",
            },
            at("2026-03-03 11:00"),
        )
    )
    ok(api.fire("zhang", cid, "notify", {}, at("2026-03-04 10:00")))
    ok(api.fire("zhang", cid, "waive_statement", {"signed_by": "负责人"}, at("2026-03-05 10:00")))
    decision = {"kinds": ["fine"], "fine": 60000, "base_amount": 20000, "discretion_reasons": "依本局行政处罚裁量基准，按违法情节从轻", "article": "社会保险法第八十七条"}
    body = refused(
        api.fire("head", cid, "decide_penalty", decision, at("2026-03-06 10:00")),
        409,
        "LEGAL_REVIEW_REQUIRED",
    )
    assert "第五十八条" in body["message"]
    case = ok(api.get("head", f"/api/cases/{cid}"))
    decide = [a for a in case["actions"] if a["trigger"] == "decide_penalty"][0]
    assert decide["allowed"] is False and decide["code"] == "LEGAL_REVIEW_REQUIRED"


def test_reviewer_may_not_be_an_investigator(api: Api) -> None:
    from api.users import create_user

    engine = api.app.state.caseflow.engine
    create_user(
        engine,
        "zhang_review",
        bureau="xinji",
        roles=["reviewer"],
        password="password-123",
        cert_no="JZ-001",
        name="张三",
    )
    cid = filed(api)
    ok(api.fire("zhang", cid, "finish_investigation", {"report": "终结"}, at("2026-03-03 10:00")))
    ok(
        api.fire(
            "zhang",
            cid,
            "propose_penalty",
            {
                "facts": "骗保",
                "grounds": "依法",
                "kinds": ["fine"],
                "fine": 20000,
                "article": "社会保险法第八十七条",
            },
            at("2026-03-03 11:00"),
        )
    )
    case = ok(api.fire("zhang", cid, "submit_legal_review", {}, at("2026-03-04 10:00")))
    assert clock(case, "legal_review")["due_at"].startswith("2026-03-18")  # 10 working days
    refused(
        api.fire("zhang_review", cid, "complete_legal_review", {"opinion": "同意"}, at("2026-03-05 10:00")),
        409,
        "REVIEWER_IS_INVESTIGATOR",
    )


def test_dashboard_shows_overdue_duties_with_accountability(api: Api) -> None:
    cid = filed(api)
    ok(api.fire("head", cid, "approve_evidence_measure", {"measure": "preservation"}, at("2026-03-05 09:00")))
    ok(api.fire("zhang", cid, "register_preservation", {"items": ["账册"]}, at("2026-03-05 10:00")))
    board = ok(api.get("super", "/api/dashboard/overdue", params={"as_of": "2026-03-20T10:00:00+08:00"}))
    late = [e for e in board["items"] if e["case_id"] == cid and e["clock"] == "preservation"]
    assert late and late[0]["status"] == "overdue"
    assert late[0]["days_late"] == 4  # due 2026-03-16: 7 working days from Thursday 03-05
    assert late[0]["due_at"].startswith("2026-03-16")
    assert late[0]["accountability"] == "违反法定的行政处罚程序的"
    assert "第五十六条" in late[0]["source"]
    early = ok(api.get("super", "/api/dashboard/overdue", params={"as_of": "2026-03-12T10:00:00+08:00"}))
    soon = [e for e in early["items"] if e["case_id"] == cid and e["clock"] == "preservation"]
    assert soon == [] or soon[0]["status"] == "due_soon"
    other = ok(api.get("gy_head", "/api/dashboard/overdue", params={"as_of": "2026-03-20T10:00:00+08:00"}))
    assert other["items"] == []
    refused(api.get("super", "/api/dashboard/overdue", params={"as_of": "next tuesday"}), 422, "INVALID_DATE")


def test_moments_must_be_in_order_and_not_in_the_future(api: Api) -> None:
    cid = filed(api, when="2026-03-02 09:00")
    refused(
        api.fire("zhang", cid, "record_evidence", {"summary": "x"}, at("2026-03-01 09:00")),
        422,
        "OCCURRED_BEFORE_PREVIOUS",
    )
    refused(
        api.fire("zhang", cid, "record_evidence", {"summary": "x"}, at("2099-01-01 09:00")),
        422,
        "OCCURRED_IN_FUTURE",
    )
    refused(
        api.post("zhang", f"/api/cases/{cid}/actions/record_evidence", json={"data": {}, "bogus": 1}),
        422,
        "MALFORMED_REQUEST",
    )
    refused(api.fire("zhang", cid, "fly_away", {}), 409, "UNKNOWN_ACTION")


def test_late_payment_owes_the_surcharge_before_closing(api: Api) -> None:
    person = {"name": "王某", "type": "individual", "address": "辛集市"}
    cid = filed(api, party=person, item="4")
    ok(
        api.fire(
            "zhang",
            cid,
            "record_evidence",
            {"kind": "party_statement", "record": "inquiry", "summary": "当事人承认冒领"},
            at("2026-03-02 15:00"),
        )
    )
    ok(api.fire("zhang", cid, "finish_investigation", {"report": "终结"}, at("2026-03-03 10:00")))
    ok(
        api.fire(
            "zhang",
            cid,
            "propose_penalty",
            {
                "facts": "骗取待遇",
                "grounds": "依法",
                "kinds": ["fine"],
                "fine": 2000,
                "article": "社会保险法第八十八条",
            },
            at("2026-03-03 11:00"),
        )
    )
    ok(api.fire("zhang", cid, "notify", {}, at("2026-03-04 10:00")))
    ok(api.fire("zhang", cid, "waive_statement", {"signed_by": "王某"}, at("2026-03-04 11:00")))
    ok(
        api.fire(
            "head",
            cid,
            "decide_penalty",
            {"kinds": ["fine"], "fine": 2000, "base_amount": 1000, "discretion_reasons": "依本局行政处罚裁量基准，按违法情节从轻", "article": "社会保险法第八十八条"},
            at("2026-03-05 10:00"),
        )
    )
    case = ok(
        api.fire("zhang", cid, "serve", {"method": "direct", "recipient": "王某"}, at("2026-03-05 11:00"))
    )
    assert clock(case, "payment")["due_at"].startswith("2026-03-20")
    # ten days late: 3% × 2000 × 10 = 600 yuan of 加处罚款 (处罚法第七十二条)
    case = ok(api.fire("zhang", cid, "issue_demand", {}, at("2026-03-30 10:00")))
    assert case["data"]["surcharge"]["amount"] == "600.00"
    case = ok(api.fire("zhang", cid, "record_payment", {"amount": 2000}, at("2026-03-30 11:00")))
    assert not case["data"].get("fully_executed")
    refused(api.fire("head", cid, "close", {}, at("2026-03-30 12:00")), 409, "NOT_EXECUTED")
    case = ok(api.fire("zhang", cid, "record_payment", {"amount": 600}, at("2026-03-30 13:00")))
    assert case["data"]["fully_executed"] is True
    refused(
        api.fire("head", cid, "apply_to_court", {"court": "辛集市人民法院"}, at("2026-04-20 10:00")),
        409,
        "ALREADY_EXECUTED",
    )


def test_filing_states_the_ground_of_jurisdiction(api: Api) -> None:
    cid = int(open_case(api)["id"])  # the party is an organisation
    ok(api.fire("zhang", cid, "propose_filing", {}, at("2026-03-02 10:00")))
    refused(api.fire("head", cid, "approve_filing", {}, at("2026-03-02 11:00")), 422, "INVALID_CHOICE")
    body = refused(
        api.fire("head", cid, "approve_filing", {"jurisdiction": "insured_place"}, at("2026-03-02 11:00")),
        409,
        "JURISDICTION_INVALID",
    )
    assert "参保" in body["message"]
    case = ok(
        api.fire("head", cid, "approve_filing", {"jurisdiction": "treatment_place"}, at("2026-03-02 11:00"))
    )
    assert case["state"] == "investigation"
