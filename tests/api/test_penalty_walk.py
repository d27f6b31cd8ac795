"""A penalty case walked from lead to archive through the HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api, at

OFFICERS = [{"name": "张三", "cert_no": "JZ-001"}, {"name": "李四", "cert_no": "JZ-002"}]
PARTY = {"name": "辛集市某大药房", "type": "organisation", "address": "辛集市建设路1号"}


def open_case(api: Api, item: str = "3", when: str = "2026-03-02 09:00", **data: Any) -> dict[str, Any]:
    body = {
        "item": item,
        "party": data.pop("party", PARTY),
        "officers": data.pop("officers", OFFICERS),
        "data": {"lead_summary": "智能监控发现串换药品", "violation_ended_on": "2026-02-01", **data},
        "occurred_at": at(when).isoformat(),
    }
    r = api.post("zhang", "/api/cases", json=body)
    assert r.status_code == 201, r.text
    return r.json()


# 听证笔录 checked and signed by the party and the host (处罚法第六十四条第八项)
HEARING_RECORD = {"record": "当事人对事实无异议，请求从轻处罚", "clerk": "孙记录", "party_signed": True, "host_signed": True}


def review_after_hearing(api: Api, cid: int, day: str = "2026-04-02") -> dict[str, Any]:
    """After a hearing, 法制审核 and 集体讨论 again on the hearing record (处罚法第五十八条、第六十五条)."""
    ok(api.fire("zhang", cid, "submit_legal_review", {}, at(f"{day} 09:00")))
    ok(api.fire("reviewer", cid, "complete_legal_review", {"opinion": "听证后审核：同意"}, at(f"{day} 09:10")))
    ok(api.fire("zhang", cid, "submit_collective_discussion", {}, at(f"{day} 09:20")))
    return ok(api.fire("head", cid, "record_collective_discussion",
                       {"participants": "局长、副局长", "conclusion": "听证后讨论：同意"}, at(f"{day} 09:30")))


def ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code, body
    assert body["message"], body
    return body


def clock(case: dict[str, Any], key: str) -> dict[str, Any]:
    return [c for c in case["clocks"] if c["key"] == key][-1]


def test_ordinary_procedure_from_lead_to_archive(api: Api) -> None:
    case = open_case(api)
    cid = case["id"]
    assert case["state"] == "lead_check"
    assert clock(case, "lead_check")["due_at"].startswith("2026-03-23")  # 15 working days

    ok(api.fire("zhang", cid, "propose_filing", {"opinion": "建议立案"}, at("2026-03-03 10:00")))
    refused(api.fire("zhang", cid, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-04 09:00")), 403, "ROLE_NOT_ALLOWED")
    case = ok(api.fire("head", cid, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-04 09:00")))
    assert case["state"] == "investigation"
    assert clock(case, "lead_check")["status"] == "satisfied"
    assert clock(case, "decision")["due_at"].startswith("2026-06-02")  # 90 natural days, not rolled

    ok(
        api.fire(
            "zhang",
            cid,
            "record_evidence",
            {"kind": "party_statement", "record": "inquiry", "summary": "询问负责人"},
            at("2026-03-05 10:00"),
        )
    )
    refused(api.fire("zhang", cid, "notify", {}, at("2026-03-06 10:00")), 409, "ACTION_NOT_ALLOWED_IN_STATE")
    ok(api.fire("zhang", cid, "finish_investigation", {"report": "事实清楚"}, at("2026-03-10 10:00")))
    case = ok(
        api.fire(
            "zhang",
            cid,
            "propose_penalty",
            {
                "facts": "串换药品骗取基金20000元",
                "grounds": "社会保险法第八十七条",
                "kinds": ["fine"],
                "fine": 60000,
                "article": "社会保险法第八十七条",
            },
            at("2026-03-11 10:00"),
        )
    )
    assert case["data"]["hearing_entitled"] is True

    ok(api.fire("zhang", cid, "submit_legal_review", {}, at("2026-03-12 10:00")))
    refused(
        api.fire("zhang", cid, "complete_legal_review", {"opinion": "同意"}, at("2026-03-13 10:00")),
        403,
        "ROLE_NOT_ALLOWED",
    )
    ok(
        api.fire(
            "reviewer",
            cid,
            "complete_legal_review",
            {"opinion": "事实清楚，适用法律正确"},
            at("2026-03-13 10:00"),
        )
    )
    ok(api.fire("zhang", cid, "submit_collective_discussion", {}, at("2026-03-16 10:00")))
    ok(
        api.fire(
            "head",
            cid,
            "record_collective_discussion",
            {"participants": "局长、副局长", "conclusion": "同意拟处罚"},
            at("2026-03-17 10:00"),
        )
    )
    case = ok(api.fire("zhang", cid, "notify", {}, at("2026-03-18 10:00")))
    assert case["state"] == "notified"
    assert clock(case, "hearing_request")["due_at"].startswith("2026-03-25")  # 5 working days

    decision = {"kinds": ["fine"], "fine": 60000, "article": "社会保险法第八十七条", "base_amount": 20000, "discretion_reasons": "依本局行政处罚裁量基准，按违法情节从轻"}
    refused(
        api.fire("head", cid, "decide_penalty", decision, at("2026-03-19 10:00")),
        409,
        "STATEMENT_PERIOD_RUNNING",
    )
    ok(api.fire("zhang", cid, "request_hearing", {}, at("2026-03-20 10:00")))
    body = refused(
        api.fire(
            "zhang",
            cid,
            "schedule_hearing",
            {"hearing_at": "2026-03-27", "place": "三楼"},
            at("2026-03-20 11:00"),
        ),
        409,
        "HEARING_NOTICE_TOO_LATE",
    )
    assert "第六十四条" in body["message"]
    ok(
        api.fire(
            "zhang",
            cid,
            "schedule_hearing",
            {"hearing_at": "2026-04-01", "place": "三楼", "host": "赵听证"},
            at("2026-03-20 11:00"),
        )
    )
    refused(
        api.fire("head", cid, "decide_penalty", decision, at("2026-03-30 10:00")),
        409,
        "ACTION_NOT_ALLOWED_IN_STATE",
    )
    case = ok(api.fire("zhang", cid, "hold_hearing", HEARING_RECORD, at("2026-04-01 15:00")))
    # the hearing span (2026-03-20 → 2026-04-01, 12 days) is not counted in the 90 days
    assert clock(case, "decision")["due_at"].startswith("2026-06-14")
    assert case["state"] == "review"
    # the 法制审核 and 集体讨论 before the hearing do not count for the decision after it
    refused(api.fire("head", cid, "decide_penalty", decision, at("2026-04-01 16:00")), 409, "LEGAL_REVIEW_REQUIRED")
    review_after_hearing(api, cid)

    refused(
        api.fire("head", cid, "decide_penalty", {**decision, "fine": 70000}, at("2026-04-02 10:00")),
        409,
        "DECISION_HEAVIER_THAN_NOTIFIED",
    )
    refused(
        api.fire("head", cid, "decide_penalty", {**decision, "base_amount": 10000}, at("2026-04-02 10:00")),
        409,
        "FINE_OUT_OF_RANGE",
    )
    refused(
        api.fire(
            "head",
            cid,
            "decide_penalty",
            {k: v for k, v in decision.items() if k != "base_amount"},
            at("2026-04-02 10:00"),
        ),
        422,
        "FIELD_REQUIRED",
    )
    case = ok(api.fire("head", cid, "decide_penalty", decision, at("2026-04-02 10:00")))
    assert case["state"] == "decided"
    assert clock(case, "decision")["status"] == "satisfied"

    refused(
        api.fire(
            "zhang", cid, "serve", {"method": "left", "recipient": "药房负责人"}, at("2026-04-03 10:00")
        ),
        422,
        "FIELD_REQUIRED",
    )
    case = ok(
        api.fire(
            "zhang",
            cid,
            "serve",
            {"method": "left", "recipient": "药房负责人", "witness": "社区主任"},
            at("2026-04-03 10:00"),
        )
    )
    assert case["state"] == "executing"
    # 15 days from 2026-04-03 end on Saturday 04-18: the party's period rolls to Monday 04-20
    assert clock(case, "payment")["due_at"].startswith("2026-04-20")

    refused(api.fire("head", cid, "close", {}, at("2026-04-05 10:00")), 409, "NOT_EXECUTED")
    ok(api.fire("zhang", cid, "record_payment", {"amount": 30000}, at("2026-04-08 10:00")))
    case = ok(api.fire("zhang", cid, "record_payment", {"amount": 30000}, at("2026-04-09 10:00")))
    assert clock(case, "payment")["status"] == "satisfied"
    ok(api.fire("head", cid, "close", {"summary": "执行完毕"}, at("2026-04-10 10:00")))
    # the decision has a social impact (the bureau's default) and is not yet published: no archiving
    refused(api.fire("zhang", cid, "archive", {}, at("2026-04-11 09:00")), 409, "DISCLOSURE_PENDING")
    ok(api.fire("zhang", cid, "publish_decision", {"channel": "辛集市人民政府网站"}, at("2026-04-11 09:30")))
    case = ok(api.fire("zhang", cid, "archive", {}, at("2026-04-11 10:00")))
    assert case["state"] == "archived" and case["final"] is True
    assert all(not a["allowed"] for a in case["actions"])
    refused(
        api.fire("zhang", cid, "record_payment", {"amount": 1}, at("2026-04-12 10:00")),
        409,
        "ACTION_NOT_ALLOWED_IN_STATE",
    )

    events = ok(api.get("zhang", f"/api/cases/{cid}/events"))["items"]
    assert [e["trigger"] for e in events][:3] == ["open", "propose_filing", "approve_filing"]
    assert events[-1]["trigger"] == "archive"
    assert len({e["hash"] for e in events}) == len(events)


def test_refusal_changes_nothing(api: Api) -> None:
    case = open_case(api, violation_ended_on="2023-01-10")
    cid = case["id"]
    ok(api.fire("zhang", cid, "propose_filing", {}, at("2026-03-03 10:00")))
    before = ok(api.get("zhang", f"/api/cases/{cid}"))
    body = refused(
        api.fire("head", cid, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-04 10:00")), 409, "LIMITATION_EXPIRED"
    )
    assert "第三十六条" in body["message"]
    after = ok(api.get("zhang", f"/api/cases/{cid}"))
    assert after["state"] == before["state"] == "filing_review"
    assert after["events"] == before["events"]
    assert [c["key"] for c in after["clocks"]] == [c["key"] for c in before["clocks"]]
    assert after["version"] == before["version"]


def test_officers_must_be_two_with_distinct_certificates(api: Api) -> None:
    body = {"item": "3", "party": PARTY, "data": {"lead_summary": "x", "violation_ended_on": "2026-02-01"}}
    one = [{"name": "张三", "cert_no": "JZ-001"}]
    same = [{"name": "张三", "cert_no": "JZ-001"}, {"name": "李四", "cert_no": "JZ-001"}]
    for officers in (one, same):
        r = api.post("zhang", "/api/cases", json={**body, "officers": officers})
        refused(r, 409, "OFFICERS_INSUFFICIENT")
    assert ok(api.get("zhang", "/api/cases"))["total"] == 0

    cid = open_case(api)["id"]
    refused(
        api.fire("head", cid, "recuse", {"cert_no": "JZ-001", "reason": "亲属关系"}, at("2026-03-02 12:00")),
        409,
        "OFFICERS_INSUFFICIENT_AFTER_RECUSAL",
    )
    case = ok(
        api.fire(
            "head",
            cid,
            "recuse",
            {"cert_no": "JZ-001", "reason": "亲属关系", "replacement": {"name": "吴五", "cert_no": "JZ-003"}},
            at("2026-03-02 12:00"),
        )
    )
    active = [o["cert_no"] for o in case["officers"] if not o.get("recused")]
    assert active == ["JZ-002", "JZ-003"]


def test_other_bureau_sees_nothing(api: Api) -> None:
    cid = open_case(api)["id"]
    refused(api.get("gy_officer", f"/api/cases/{cid}"), 404, "CASE_NOT_FOUND")
    refused(api.fire("gy_head", cid, "decline_filing", {"reasons": "x"}), 404, "CASE_NOT_FOUND")
    assert ok(api.get("gy_officer", "/api/cases"))["total"] == 0
    assert api.client.get("/api/cases").status_code == 401


def test_summary_procedure_limits_and_on_spot_collection(api: Api) -> None:
    person = {"name": "王某", "type": "individual", "address": "辛集市"}
    cid = open_case(api, item="2", party=person)["id"]
    spot = {
        "kinds": ["fine"],
        "fine": 300,
        "article": "医疗保障基金使用监督管理条例",
        "facts": "出借医保凭证",
    }
    body = refused(
        api.fire("zhang", cid, "decide_on_spot", spot, at("2026-03-02 10:00")), 409, "SUMMARY_LIMIT_EXCEEDED"
    )
    assert "第五十一条" in body["message"]
    case = ok(api.fire("zhang", cid, "decide_on_spot", {**spot, "fine": 150}, at("2026-03-02 10:00")))
    assert case["state"] == "executing"
    refused(
        api.fire("zhang", cid, "collect_on_spot", {"amount": 150}, at("2026-03-02 10:05")),
        409,
        "ON_SPOT_COLLECTION_LIMIT",
    )
    ok(api.fire("zhang", cid, "record_payment", {"amount": 150}, at("2026-03-05 10:00")))
    ok(api.fire("zhang", cid, "file_summary_decision", {"filed_with": "辛集市医疗保障局"}, at("2026-03-05 11:00")))
    case = ok(api.fire("head", cid, "close", {}, at("2026-03-06 10:00")))
    assert case["state"] == "closed"


def test_stale_version_is_refused(api: Api) -> None:
    case = open_case(api)
    r = api.post(
        "zhang",
        f"/api/cases/{case['id']}/actions/propose_filing",
        json={"data": {}, "expected_version": case["version"] + 1},
    )
    refused(r, 409, "CASE_CHANGED")
