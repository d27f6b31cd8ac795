"""The other powers of the lists through the HTTP API: reward, price setting, designated agreement,
credit record, budget and commercial insurance — main paths and refusals."""

from __future__ import annotations

from typing import Any

from tests.api.test_flows_catalogue import PARTY, officers, staff
from tests.api.test_penalty_walk import clock, ok, refused
from tests.conftest import Api, at


def open_item(api: Api, user: str, bureau: str, item: str, data: dict[str, Any], when: str = "2026-03-02 09:00",
              party: dict[str, Any] | None = None) -> dict[str, Any]:
    body = {"item": item, "party": party or PARTY, "officers": officers(bureau), "data": data,
            "occurred_at": at(when).isoformat()}
    r = api.post(user, "/api/cases", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def walk(api: Api, cid: int, steps: list[tuple[str, str, dict[str, Any], str]]) -> dict[str, Any]:
    case: dict[str, Any] = {}
    for user, trigger, data, when in steps:
        case = ok(api.fire(user, cid, trigger, data, at(when)))
    return case


def test_whistleblower_reward_accept_verify_notice_decide_pay(api: Api) -> None:
    u = staff(api, "shandan")
    item = "4620836001000"
    informant = {"name": "匿名举报人甲", "type": "individual"}
    case = open_item(api, u["clerk"], "shandan", item, {"report_summary": "某药店串换药品"}, party=informant)
    cid = case["id"]
    walk(api, cid, [
        (u["clerk"], "accept", {}, "2026-03-02 10:00"),
        (u["officer"], "confirm", {"facts": "查实串换药品骗取基金2万元", "recovered_amount": 20000}, "2026-03-20 10:00"),
        (u["clerk"], "publish", {"place": "局门户网站"}, "2026-03-20 11:00"),
    ])
    refused(api.fire(u["head"], cid, "grant", {"amount": 1000}, at("2026-03-23 10:00")), 409, "PUBLIC_NOTICE_RUNNING")
    case = walk(api, cid, [
        (u["head"], "grant", {"amount": 1000}, "2026-03-30 10:00"),
        (u["clerk"], "notify_whistleblower", {"method": "phone"}, "2026-03-30 11:00"),
        (u["clerk"], "pay", {"amount": 1000, "account": "6222"}, "2026-03-31 10:00"),
        (u["clerk"], "archive", {}, "2026-04-01 10:00"),
    ])
    assert case["final"] and case["data"]["payout"]["amount"] == "1000.00"

    unfounded = open_item(api, u["clerk"], "shandan", item, {"report_summary": "举报内容"}, party=informant)
    ok(api.fire(u["clerk"], unfounded["id"], "accept", {}, at("2026-03-02 10:00")))
    case = ok(api.fire(u["head"], unfounded["id"], "deny", {"reasons": "查无实据"}, at("2026-03-10 10:00")))
    refused(api.fire(u["clerk"], unfounded["id"], "pay", {"amount": 1}, at("2026-03-11 10:00")), 409, "NO_PAYOUT")
    case = ok(api.fire(u["clerk"], unfounded["id"], "inform", {"method": "phone"}, at("2026-03-11 10:00")))
    assert case["state"] == "completed"


def test_price_setting_from_application_to_issued_document(api: Api) -> None:
    u = staff(api, "zhaoxian", "officer", "head")
    cid = open_item(api, u["officer"], "zhaoxian", "6-9", {"items": ["中医针灸"], "reasons": "成本变化"})["id"]
    refused(api.fire(u["officer"], cid, "approve_by_leader", {}, at("2026-03-03 09:00")), 409,
            "ACTION_NOT_ALLOWED_IN_STATE")
    case = walk(api, cid, [
        (u["officer"], "preliminary_review", {"opinion": "符合定调价条件"}, "2026-03-03 09:00"),
        (u["officer"], "finish_joint_review", {"opinion": "卫健委同意"}, "2026-03-10 09:00"),
        (u["officer"], "finish_cost_survey", {"report": "第三方成本调查报告"}, "2026-04-10 09:00"),
        (u["officer"], "propose_plan", {"plan": "上调10%"}, "2026-04-15 09:00"),
        (u["head"], "return_for_revision", {"reason": "幅度过大"}, "2026-04-16 09:00"),
        (u["officer"], "propose_plan", {"plan": "上调5%"}, "2026-04-17 09:00"),
        (u["head"], "approve_by_leader", {"opinion": "同意"}, "2026-04-18 09:00"),
        (u["head"], "approve_by_director", {"opinion": "同意"}, "2026-04-20 09:00"),
        (u["head"], "pass_party_group", {"minutes": "党组会纪要第5期"}, "2026-04-22 09:00"),
        (u["officer"], "issue_document", {"document_no": "赵医保〔2026〕8号"}, "2026-04-23 09:00"),
        (u["officer"], "archive", {}, "2026-04-24 09:00"),
    ])
    assert case["final"] and len(case["lists"]["returns"]["latest"]) == 1

    other = open_item(api, u["officer"], "zhaoxian", "6-9", {"items": ["项目"]})["id"]
    case = ok(api.fire(u["head"], other, "reject", {"reasons": "不属于县级定价范围"}, at("2026-03-03 09:00")))
    assert case["state"] == "rejected" and "denial_notice" in [d["kind"] for d in case["documents"]]


def test_designated_agreement_from_application_to_signed_agreement(api: Api) -> None:
    u = staff(api, "zhaoxian")
    materials = list(api.app.state.caseflow.library.flow("designated_agreement").settings["materials"])
    case = open_item(api, u["clerk"], "zhaoxian", "6-7",
                     {"conditions_notice": "赵县医保局2026年第1号公告", "materials_received": materials[:2]})
    cid = case["id"]
    case = ok(api.fire(u["clerk"], cid, "notify_supplement", {}, at("2026-03-03 09:00")))
    assert case["data"]["supplement_notice"]["missing"] == materials[2:]
    case = walk(api, cid, [
        (u["clerk"], "supplement", {"materials_received": materials[2:]}, "2026-03-05 09:00"),
        (u["clerk"], "accept", {}, "2026-03-05 09:10"),
        (u["clerk"], "pass_review", {"opinion": "资料齐全"}, "2026-03-10 09:00"),
        (u["officer"], "finish_site_visit", {"record": "现场考察记录"}, "2026-03-12 09:00"),
        (u["officer"], "pass_expert_review", {"result": "评估合格"}, "2026-03-20 09:00"),
        (u["officer"], "announce", {"place": "局门户网站"}, "2026-03-23 09:00"),
        (u["clerk"], "pass_training", {"score": 92}, "2026-03-30 09:00"),
        (u["clerk"], "pass_network_test", {"report": "联网测试通过"}, "2026-04-02 09:00"),
        (u["head"], "sign_agreement", {"agreement_no": "ZX-2026-001"}, "2026-04-08 09:00"),
        (u["clerk"], "archive", {}, "2026-04-09 09:00"),
    ])
    assert case["final"]

    failed = open_item(api, u["clerk"], "zhaoxian", "6-7",
                       {"conditions_notice": "2026年第1号公告", "materials_received": materials})["id"]
    walk(api, failed, [(u["clerk"], "accept", {}, "2026-03-02 10:00"),
                       (u["clerk"], "pass_review", {"opinion": "资料齐全"}, "2026-03-03 10:00")])
    case = ok(api.fire(u["head"], failed, "reject", {"reasons": "现场考察不符合条件"}, at("2026-03-05 10:00")))
    assert case["state"] == "rejected"


def test_credit_record_with_objection_then_recorded_and_sanctioned(api: Api) -> None:
    u = staff(api, "xiangdu")
    cid = open_item(api, u["officer"], "xiangdu", "12", {"conduct": "骗取医保基金被处罚"})["id"]
    case = walk(api, cid, [
        (u["officer"], "verify", {"evidence": "襄医保罚决〔2026〕1号"}, "2026-03-03 09:00"),
        (u["officer"], "notify_party", {"method": "post"}, "2026-03-04 09:00"),
    ])
    assert clock(case, "objection")["due_at"].startswith("2026-03-11")
    refused(api.fire(u["officer"], cid, "record_on_platform", {}, at("2026-03-05 09:00")), 409,
            "OBJECTION_PERIOD_RUNNING")
    case = walk(api, cid, [
        (u["clerk"], "raise_objection", {"objection": "已全额退回"}, "2026-03-05 09:00"),
        (u["head"], "decide_objection", {"opinion": "退回不影响失信记录，维持"}, "2026-03-06 09:00"),
        (u["officer"], "record_on_platform", {"platform_ref": "CN-2026-1"}, "2026-03-12 09:00"),
        (u["head"], "apply_sanctions", {"measures": "暂停新增定点申请"}, "2026-03-13 09:00"),
        (u["head"], "repair", {"reasons": "整改完成满一年"}, "2026-03-20 09:00"),
        (u["officer"], "archive", {}, "2026-03-21 09:00"),
    ])
    assert case["final"]
    other = open_item(api, u["officer"], "xiangdu", "12", {"conduct": "线索"})["id"]
    assert ok(api.fire(u["head"], other, "dismiss", {"reasons": "证据不足"}, at("2026-03-03 09:00")))["state"] == "dismissed"


def test_budget_draft_collected_reviewed_and_approved(api: Api) -> None:
    u = staff(api, "shandan", "clerk", "head")
    item = "4621036002000"
    r = api.post(u["clerk"], "/api/cases", json={"item": item, "party": PARTY,
                                                 "data": {"kind": "plan", "year": 2027, "data_requested": "x"}})
    assert r.status_code == 422 and r.json()["code"] == "INVALID_CHOICE"
    cid = open_item(api, u["clerk"], "shandan", item,
                    {"kind": "budget", "year": 2027, "data_requested": "参保人数、缴费基数", "submit_by": "2026-09-30"})["id"]
    case = walk(api, cid, [
        (u["clerk"], "summarise", {"summary": "数据已汇总并确认合理"}, "2026-03-10 09:00"),
        (u["clerk"], "submit_to_bureau", {}, "2026-03-11 09:00"),
        (u["head"], "return_for_revision", {"reason": "支出测算偏低"}, "2026-03-12 09:00"),
        (u["clerk"], "summarise", {"summary": "修订后汇总"}, "2026-03-16 09:00"),
        (u["clerk"], "submit_to_bureau", {}, "2026-03-16 10:00"),
        (u["head"], "bureau_sign", {"opinion": "同意上报"}, "2026-03-17 09:00"),
        (u["clerk"], "finance_approve", {"reference": "财政审核意见"}, "2026-03-25 09:00"),
        (u["clerk"], "government_approve", {"document_no": "山政发〔2026〕3号"}, "2026-04-10 09:00"),
        (u["clerk"], "archive", {}, "2026-04-11 09:00"),
    ])
    assert case["final"]


def test_commercial_insurance_project_tendered_and_contracted(api: Api) -> None:
    u = staff(api, "gaoyi", "officer", "head")
    cid = open_item(api, u["officer"], "gaoyi", "27", {"business": "城乡居民大病保险", "problems": "大病保障"})["id"]
    case = walk(api, cid, [
        (u["head"], "approve_project", {"opinion": "同意立项"}, "2026-03-03 09:00"),
        (u["officer"], "finish_draft", {"draft": "采购需求"}, "2026-03-10 09:00"),
        (u["head"], "return_draft", {"reason": "补充服务标准"}, "2026-03-11 09:00"),
        (u["officer"], "finish_draft", {"draft": "采购需求（修订）"}, "2026-03-12 09:00"),
        (u["head"], "pass_examination", {"opinion": "同意"}, "2026-03-13 09:00"),
        (u["officer"], "award_tender", {"winner": "某人寿保险公司"}, "2026-04-13 09:00"),
        (u["officer"], "record_interpretation", {"question": "赔付率", "answer": "按合同"}, "2026-04-14 09:00"),
        (u["head"], "sign_contract", {"contract_no": "GY-2026-01"}, "2026-04-20 09:00"),
        (u["officer"], "archive", {}, "2026-04-21 09:00"),
    ])
    assert case["final"]
    other = open_item(api, u["officer"], "gaoyi", "27", {"business": "长期护理保险", "problems": "试点"})["id"]
    assert ok(api.fire(u["head"], other, "drop", {"reasons": "政策调整"}, at("2026-03-03 09:00")))["state"] == "dropped"
