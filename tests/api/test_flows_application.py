"""Applications through the HTTP API: acceptance, one-time notice, review levels, public notice,
decision, notice of the result, payout and archive; immediate items in one visit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import chinese_calendar

from tests.api.test_flows_catalogue import staff
from tests.api.test_penalty_walk import clock, ok, refused
from tests.conftest import Api, at

APPLICANT = {"name": "王某", "type": "individual", "id_no": "130101199001010011", "phone": "13800000000"}


def apply(api: Api, user: str, item: str, materials: list[str], when: str) -> dict[str, Any]:
    body = {"item": item, "party": APPLICANT, "data": {"materials_received": materials},
            "occurred_at": at(when).isoformat()}
    r = api.post(user, "/api/cases", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def materials_of(api: Api, bureau: str, code: str) -> list[str]:
    return list(api.app.state.caseflow.library.item(bureau, code).settings["materials"])


def kinds(case: dict[str, Any]) -> list[str]:
    return [d["kind"] for d in case["documents"]]


def test_incomplete_application_one_time_notice_then_supplement_then_payout(api: Api) -> None:
    """零星报销 (高邑 17): 30 working days to the result, then payout."""
    user = staff(api, "gaoyi", "clerk", "head")
    needed = materials_of(api, "gaoyi", "17")
    case = apply(api, user["clerk"], "17", needed[:2], "2026-03-02 09:00")
    cid = case["id"]
    assert case["state"] == "received"
    assert case["data"]["materials_missing"] == needed[2:]
    assert clock(case, "intake")["due_at"].startswith("2026-03-09")  # five working days

    body = refused(api.fire(user["clerk"], cid, "accept", {}, at("2026-03-02 09:10")), 409, "MATERIALS_INCOMPLETE")
    assert body["detail"]["missing"] == needed[2:]
    refused(
        api.fire(user["clerk"], cid, "supplement", {"materials_received": ["户口本"]}, at("2026-03-02 09:10")),
        409,
        "ACTION_NOT_ALLOWED_IN_STATE",
    )
    case = ok(api.fire(user["clerk"], cid, "notify_supplement", {"method": "on_spot"}, at("2026-03-02 09:15")))
    assert case["state"] == "awaiting_supplement"
    assert case["data"]["supplement_notice"]["missing"] == needed[2:]  # everything missing, at once
    assert "supplement_notice" in kinds(case)
    assert clock(case, "intake")["status"] == "satisfied"

    refused(
        api.fire(user["clerk"], cid, "supplement", {"materials_received": ["户口本"]}, at("2026-03-04 09:00")),
        422,
        "MATERIAL_NOT_ON_CHECKLIST",
    )
    case = ok(api.fire(user["clerk"], cid, "supplement", {"materials_received": needed[2:3]}, at("2026-03-04 09:00")))
    assert case["state"] == "awaiting_supplement"
    assert case["data"]["materials_missing"] == needed[3:]
    refused(api.fire(user["clerk"], cid, "accept", {}, at("2026-03-04 09:01")), 409, "MATERIALS_INCOMPLETE")
    # 一次性告知: no second notice asking for more
    refused(api.fire(user["clerk"], cid, "notify_supplement", {}, at("2026-03-04 09:05")), 409,
            "SUPPLEMENT_ALREADY_NOTIFIED")
    ok(api.fire(user["clerk"], cid, "supplement", {"materials_received": needed[3:]}, at("2026-03-05 09:00")))
    case = ok(api.fire(user["clerk"], cid, "accept", {}, at("2026-03-05 09:10")))
    assert case["state"] == "review"
    assert "acceptance_notice" in kinds(case)
    result = clock(case, "result")
    assert (result["amount"], result["unit"]) == (30, "working_days")
    assert result["due_at"].startswith("2026-04-17")  # 30 working days; 清明 2026-04-04..06
    assert "社会保险经办条例第二十条" in result["source"]

    case = ok(api.fire(user["clerk"], cid, "review", {"opinion": "票据齐全，符合报销范围"}, at("2026-03-10 10:00")))
    assert case["state"] == "reviewed"
    case = ok(api.fire(user["head"], cid, "grant", {"amount": "1234.50"}, at("2026-03-11 10:00")))
    assert case["state"] == "decided"
    assert clock(case, "result")["status"] == "satisfied"
    assert "grant_notice" in kinds(case)
    case = ok(api.fire(user["clerk"], cid, "inform", {"method": "sms"}, at("2026-03-11 11:00")))
    assert case["state"] == "payout"
    refused(api.fire(user["clerk"], cid, "pay", {"amount": 0}, at("2026-03-12 10:00")), 422, "INVALID_AMOUNT")
    case = ok(api.fire(user["clerk"], cid, "pay", {"amount": "1234.50", "account": "6222"}, at("2026-03-12 10:00")))
    assert case["state"] == "completed"
    case = ok(api.fire(user["clerk"], cid, "archive", {}, at("2026-03-13 10:00")))
    assert case["state"] == "archived" and case["final"]


def _working_days_after(start: date, count: int) -> date:
    day = start
    while count:
        day += timedelta(days=1)
        if chinese_calendar.is_workday(day):
            count -= 1
    return day


def test_chronic_disease_result_clock_crosses_national_day_2026(api: Api) -> None:
    """慢特病认定 (高邑 21): 初审 → 复审 by different people; result 20 working days after acceptance."""
    user = staff(api, "gaoyi", "clerk", "clerk2", "head")
    case = apply(api, user["clerk"], "21", materials_of(api, "gaoyi", "21"), "2026-09-25 09:00")
    cid = case["id"]
    case = ok(api.fire(user["clerk"], cid, "accept", {}, at("2026-09-25 09:30")))
    due = clock(case, "result")["due_at"][:10]
    # The official calendar: 10-01..10-07 off, Saturday 2026-10-10 is a 调休 working day.
    assert chinese_calendar.is_workday(date(2026, 10, 10)) and not chinese_calendar.is_workday(date(2026, 10, 5))
    assert due == _working_days_after(date(2026, 9, 25), 20).isoformat() == "2026-10-29"
    assert not clock(case, "result")["provisional"]

    case = ok(api.fire(user["clerk"], cid, "review", {"opinion": "初审：符合病种认定标准"}, at("2026-09-28 10:00")))
    assert case["state"] == "review" and case["data"]["review_level"] == 1
    refused(api.fire(user["clerk"], cid, "review", {"opinion": "复审"}, at("2026-09-29 10:00")), 409, "SAME_REVIEWER")
    refused(api.fire(user["clerk2"], cid, "review", {}, at("2026-09-29 10:00")), 422, "FIELD_REQUIRED")
    case = ok(api.fire(user["clerk2"], cid, "review", {"opinion": "复审：同意认定"}, at("2026-09-29 10:00")))
    assert case["state"] == "reviewed"
    assert [r["level"] for r in case["data"]["reviews"]] == ["初审", "复审"]

    overdue = ok(api.get(user["clerk"], "/api/dashboard/overdue", params={"as_of": "2026-10-30T09:00:00+08:00"}))
    assert [e["clock"] for e in overdue["items"] if e["case_id"] == cid] == ["result"]
    case = ok(api.fire(user["head"], cid, "deny", {"reasons": "不符合门诊慢特病认定标准"}, at("2026-10-29 16:00")))
    assert clock(case, "result")["status"] == "satisfied"
    assert "denial_notice" in kinds(case)
    case = ok(api.fire(user["clerk"], cid, "inform", {"method": "app"}, at("2026-10-29 17:00")))
    assert case["state"] == "completed"


def test_zhaoxian_chronic_disease_item_has_the_same_clock(api: Api) -> None:
    user = staff(api, "zhaoxian", "clerk")
    case = apply(api, user["clerk"], "6-5", materials_of(api, "zhaoxian", "6-5"), "2026-09-25 09:00")
    case = ok(api.fire(user["clerk"], case["id"], "accept", {}, at("2026-09-25 09:30")))
    assert clock(case, "result")["due_at"].startswith("2026-10-29")


def test_notice_too_late_means_the_application_counts_as_accepted(api: Api) -> None:
    user = staff(api, "xinji", "clerk")
    needed = materials_of(api, "xinji", "17")
    case = apply(api, user["clerk"], "17", needed[:1], "2026-03-02 09:00")
    cid = case["id"]
    refused(api.fire(user["clerk"], cid, "deem_accepted", {}, at("2026-03-09 09:00")), 409, "NOTICE_PERIOD_RUNNING")
    overdue = ok(api.get(user["clerk"], "/api/dashboard/overdue", params={"as_of": "2026-03-10T09:00:00+08:00"}))
    assert any(e["case_id"] == cid and e["clock"] == "intake" for e in overdue["items"])
    refused(api.fire(user["clerk"], cid, "notify_supplement", {}, at("2026-03-10 09:00")), 409,
            "SUPPLEMENT_NOTICE_LATE")
    case = ok(api.fire(user["clerk"], cid, "deem_accepted", {}, at("2026-03-10 09:05")))
    assert case["state"] == "review"
    assert case["data"]["deemed_accepted"] is True
    assert clock(case, "intake")["status"] == "satisfied_late"
    result = clock(case, "result")  # 15 days from receipt (社会保险法第五十七条), not from today
    assert result["started_at"].startswith("2026-03-02")
    assert result["due_at"].startswith("2026-03-17") and result["unit"] == "natural_days"


def test_refusal_to_accept_needs_reasons(api: Api) -> None:
    user = staff(api, "xiangdu", "clerk")
    case = apply(api, user["clerk"], "17", [], "2026-03-02 09:00")
    cid = case["id"]
    refused(api.fire(user["clerk"], cid, "refuse", {}, at("2026-03-02 10:00")), 422, "FIELD_REQUIRED")
    case = ok(api.fire(user["clerk"], cid, "refuse", {"reasons": "非本统筹区参保人员"}, at("2026-03-02 10:00")))
    assert case["state"] == "not_accepted"
    assert "refusal_notice" in kinds(case)
    assert clock(case, "intake")["status"] == "satisfied"
    case = ok(api.fire(user["clerk"], cid, "archive", {}, at("2026-03-03 10:00")))
    assert case["final"]


def test_immediate_items_complete_in_one_visit(api: Api) -> None:
    user = staff(api, "gaoyi", "clerk")
    case = apply(api, user["clerk"], "14", materials_of(api, "gaoyi", "14"), "2026-03-02 09:00")
    case = ok(api.fire(user["clerk"], case["id"], "complete_on_spot", {}, at("2026-03-02 09:20")))
    assert case["state"] == "completed"
    assert case["data"]["outcome"] == "granted" and case["data"]["result_notice"]["method"] == "on_spot"
    assert clock(case, "intake")["status"] == "satisfied"
    assert "grant_notice" in kinds(case)

    # incomplete on the first visit: told at once, completed when the applicant comes back with the rest
    needed = materials_of(api, "gaoyi", "16")
    case = apply(api, user["clerk"], "16", needed[:1], "2026-03-02 10:00")
    refused(api.fire(user["clerk"], case["id"], "complete_on_spot", {}, at("2026-03-02 10:05")), 409,
            "MATERIALS_INCOMPLETE")
    ok(api.fire(user["clerk"], case["id"], "notify_supplement", {"method": "on_spot"}, at("2026-03-02 10:05")))
    ok(api.fire(user["clerk"], case["id"], "supplement", {"materials_received": needed[1:]}, at("2026-03-03 09:00")))
    case = ok(api.fire(user["clerk"], case["id"], "complete_on_spot", {}, at("2026-03-03 09:05")))
    assert case["state"] == "completed"

    # not an immediate item: 零星报销 must be reviewed
    other = apply(api, user["clerk"], "17", materials_of(api, "gaoyi", "17"), "2026-03-02 09:30")
    refused(api.fire(user["clerk"], other["id"], "complete_on_spot", {}, at("2026-03-02 09:40")), 409, "SETTING_OFF")

    zx = staff(api, "zhaoxian", "clerk")  # 6-4 个人账户一次性支取: on the spot, then paid out
    case = apply(api, zx["clerk"], "6-4", materials_of(api, "zhaoxian", "6-4"), "2026-03-02 09:00")
    case = ok(api.fire(zx["clerk"], case["id"], "complete_on_spot", {}, at("2026-03-02 09:20")))
    assert case["state"] == "payout"
    case = ok(api.fire(zx["clerk"], case["id"], "pay", {"amount": 800}, at("2026-03-03 09:20")))
    assert case["state"] == "completed"


def test_payout_clock_of_one_time_withdrawal(api: Api) -> None:
    """个人账户一次性支取 (高邑 20): paid out within 15 working days of the grant."""
    user = staff(api, "gaoyi", "clerk", "head")
    case = apply(api, user["clerk"], "20", materials_of(api, "gaoyi", "20"), "2026-03-02 09:00")
    cid = case["id"]
    ok(api.fire(user["clerk"], cid, "accept", {}, at("2026-03-02 09:10")))
    ok(api.fire(user["clerk"], cid, "review", {"opinion": "符合支取条件"}, at("2026-03-03 09:10")))
    case = ok(api.fire(user["head"], cid, "grant", {"amount": 5000}, at("2026-03-04 09:10")))
    payout = clock(case, "payout")
    assert payout["due_at"].startswith("2026-03-25") and payout["unit"] == "working_days"
    refused(api.fire(user["clerk"], cid, "archive", {}, at("2026-03-04 10:00")), 409, "ACTION_NOT_ALLOWED_IN_STATE")
    ok(api.fire(user["clerk"], cid, "inform", {"method": "post"}, at("2026-03-05 09:10")))
    case = ok(api.fire(user["clerk"], cid, "pay", {"amount": 5000}, at("2026-03-20 09:10")))
    assert clock(case, "payout")["status"] == "satisfied"


def test_medical_assistance_township_then_county_review_then_public_notice(api: Api) -> None:
    """医疗救助 (山丹): 乡镇初审 → 县级复核 → 公示 → 决定 → 拨付."""
    user = staff(api, "shandan", "clerk", "head")
    code = "4620536002000"
    case = apply(api, user["clerk"], code, materials_of(api, "shandan", code), "2026-03-02 09:00")
    cid = case["id"]
    ok(api.fire(user["clerk"], cid, "accept", {}, at("2026-03-02 09:10")))
    ok(api.fire(user["clerk"], cid, "review", {"opinion": "乡镇初审同意"}, at("2026-03-03 09:00")))
    case = ok(api.fire(user["head"], cid, "review", {"opinion": "县级复核同意"}, at("2026-03-04 09:00")))
    assert case["state"] == "reviewed"
    refused(api.fire(user["head"], cid, "grant", {"amount": 3000}, at("2026-03-04 10:00")), 409, "SETTING_ON")
    case = ok(api.fire(user["clerk"], cid, "publish", {"place": "村务公开栏"}, at("2026-03-04 10:00")))
    assert case["state"] == "public_notice"
    assert clock(case, "public_notice")["due_at"].startswith("2026-03-11")
    refused(api.fire(user["head"], cid, "grant", {"amount": 3000}, at("2026-03-06 10:00")), 409,
            "PUBLIC_NOTICE_RUNNING")
    ok(api.fire(user["clerk"], cid, "record_objection", {"objection": "有人反映家庭收入情况"}, at("2026-03-06 11:00")))
    case = ok(api.fire(user["head"], cid, "grant", {"amount": 3000}, at("2026-03-12 10:00")))
    assert case["state"] == "decided"
    ok(api.fire(user["clerk"], cid, "inform", {"method": "phone"}, at("2026-03-12 11:00")))
    case = ok(api.fire(user["clerk"], cid, "pay", {"amount": 3000}, at("2026-03-13 11:00")))
    assert case["state"] == "completed"


def test_withdrawal_stops_the_clocks(api: Api) -> None:
    user = staff(api, "xinji", "clerk")
    case = apply(api, user["clerk"], "9", materials_of(api, "xinji", "9"), "2026-03-02 09:00")
    ok(api.fire(user["clerk"], case["id"], "accept", {}, at("2026-03-02 09:10")))
    case = ok(api.fire(user["clerk"], case["id"], "withdraw", {"reason": "申请人撤回"}, at("2026-03-03 09:10")))
    assert case["state"] == "withdrawn" and case["final"]
    assert clock(case, "result")["status"] == "cancelled"
