"""The penalty procedure up to the decision (issue 12, rules 1–11 and 23), through the HTTP API.

Each rule: the wrong move is refused with its code and a message naming the article, and the case
is unchanged; then the lawful path goes through.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from api.users import create_user
from tests.api.test_penalty_walk import HEARING_RECORD, clock, ok, open_case, refused
from tests.conftest import Api, at

INDIVIDUAL = {"name": "王某", "type": "individual", "id_no": "130181199001011234"}


def case_of(api: Api, cid: int) -> dict[str, Any]:
    return ok(api.get("head", f"/api/cases/{cid}"))


def refused_unchanged(
    api: Api, user: str, cid: int, trigger: str, data: dict[str, Any], when: str, code: str, article: str
) -> dict[str, Any]:
    """Fire a move the law forbids: 409, the code, the article in the message, and nothing changed."""
    before = case_of(api, cid)
    body = refused(api.fire(user, cid, trigger, data, at(when)), 409, code)
    assert article in body["message"], body
    after = case_of(api, cid)
    for key in ("version", "state", "data", "officers", "clocks"):
        assert after[key] == before[key], key
    assert [(d["id"], d["number"]) for d in after["documents"]] == [(d["id"], d["number"]) for d in before["documents"]]
    return body


def cases_total(api: Api) -> int:
    return int(ok(api.get("head", "/api/cases"))["total"])


def filed(api: Api, when: str = "2026-03-02 09:00", **data: Any) -> int:
    cid = int(open_case(api, when=when, **data)["id"])
    ok(api.fire("zhang", cid, "propose_filing", {}, at(when)))
    ok(api.fire("head", cid, "approve_filing", {"jurisdiction": "violation_place"}, at(when)))
    return cid


def proposal(fine: int = 60000, **extra: Any) -> dict[str, Any]:
    return {"facts": "串换药品骗取基金20000元", "grounds": "违反社会保险法第八十七条", "kinds": ["fine"],
            "fine": fine, "article": "社会保险法第八十七条", **extra}


def notified(api: Api, fine: int = 60000, day: str = "2026-03-10", **extra: Any) -> int:
    """A filed case notified of a proposed penalty, with legal review and collective discussion done."""
    cid = filed(api)
    ok(api.fire("zhang", cid, "finish_investigation", {"report": "事实清楚"}, at(f"{day} 09:00")))
    ok(api.fire("zhang", cid, "propose_penalty", proposal(fine, **extra), at(f"{day} 09:10")))
    ok(api.fire("zhang", cid, "submit_legal_review", {}, at(f"{day} 09:20")))
    ok(api.fire("reviewer", cid, "complete_legal_review", {"opinion": "同意"}, at(f"{day} 09:30")))
    ok(api.fire("zhang", cid, "submit_collective_discussion", {}, at(f"{day} 09:40")))
    ok(api.fire("head", cid, "record_collective_discussion", {"participants": "局长", "conclusion": "同意"},
                at(f"{day} 09:50")))
    ok(api.fire("zhang", cid, "notify", {}, at(f"{day} 10:00")))
    return cid


DECISION = {"kinds": ["fine"], "fine": 60000, "basis_article": "社会保险法第八十七条", "base_amount": 20000,
            "discretion_reasons": "依本局裁量基准，违法金额较大，按中档处罚"}


# --- 1. limitation counted to discovery --------------------------------------------------------


def test_limitation_is_counted_to_the_discovery_not_to_the_filing(api: Api) -> None:
    # ended 2024-02-01; registered 2026-03-02: more than two years → refused at 立案
    late = int(open_case(api, violation_ended_on="2024-02-01")["id"])
    ok(api.fire("zhang", late, "propose_filing", {}, at("2026-03-03 09:00")))
    body = refused_unchanged(api, "head", late, "approve_filing", {"jurisdiction": "violation_place"},
                             "2026-03-04 09:00", "LIMITATION_EXPIRED", "第三十六条")
    assert "2026-03-02" in body["message"]  # counted to the lead's registration
    # discovered 2026-01-20 (recorded with the lead), within two years; filed later: allowed
    found = int(open_case(api, violation_ended_on="2024-02-01", discovered_on="2026-01-20")["id"])
    ok(api.fire("zhang", found, "propose_filing", {}, at("2026-03-03 09:00")))
    case = ok(api.fire("head", found, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-04 09:00")))
    assert case["state"] == "investigation"
    bad = int(open_case(api, violation_ended_on="2024-02-01", discovered_on="2026-03-05")["id"])
    ok(api.fire("zhang", bad, "propose_filing", {}, at("2026-03-05 09:00")))
    refused(api.fire("head", bad, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-06 09:00")),
            422, "INVALID_DATE")  # discovered after the lead was registered


# --- 2. the party fits the item's subjects ------------------------------------------------------


def test_an_institutions_item_is_not_opened_against_a_person(api: Api) -> None:
    total = cases_total(api)
    body = {"item": "3", "party": INDIVIDUAL, "officers": [{"name": "张三", "cert_no": "JZ-001"},
            {"name": "李四", "cert_no": "JZ-002"}], "data": {"lead_summary": "线索", "violation_ended_on": "2026-02-01"},
            "occurred_at": at("2026-03-02 09:00").isoformat()}
    r = refused(api.post("zhang", "/api/cases", json=body), 409, "PARTY_TYPE_NOT_SUBJECT")
    assert "单位" in r["message"] and "社会保险法第八十七条" in r["message"]
    assert cases_total(api) == total
    # item 4 (骗取医疗保险待遇) is an individual's: against an organisation refused, a person allowed
    refused(api.post("zhang", "/api/cases", json={**body, "item": "4", "party": {"name": "某公司", "type": "organisation"}}),
            409, "PARTY_TYPE_NOT_SUBJECT")
    assert open_case(api, item="4", party=INDIVIDUAL)["state"] == "lead_check"
    items = ok(api.get("head", "/api/catalogue", params={"bureau": "xinji"}))
    penalty = [i for i in items["items"] if i["flow"] == "penalty"]
    assert penalty and all(i["subjects"] for i in penalty)


# --- 3. officers with registered, valid certificates -------------------------------------------


def test_officers_need_registered_valid_certificates_on_the_day(api: Api) -> None:
    engine = api.app.state.caseflow.engine
    create_user(engine, "chen", bureau="xinji", roles=["officer"], password="password-123", cert_no="JZ-050",
                name="陈七", cert_valid_from=date(2020, 1, 1), cert_valid_to=date(2026, 3, 4))
    total = cases_total(api)
    for officers, code in (
        ([{"name": "张三", "cert_no": "JZ-001"}, {"name": "赵六", "cert_no": "JZ-999"}], "CERT_NOT_REGISTERED"),
        ([{"name": "张三", "cert_no": "JZ-001"}, {"name": "王五", "cert_no": "JZ-002"}], "CERT_HOLDER_MISMATCH"),
    ):
        body = {"item": "3", "party": {"name": "某药房", "type": "organisation"}, "officers": officers,
                "data": {"lead_summary": "线索", "violation_ended_on": "2026-02-01"},
                "occurred_at": at("2026-03-02 09:00").isoformat()}
        assert "第四十二条" in refused(api.post("zhang", "/api/cases", json=body), 409, code)["message"]
    assert cases_total(api) == total

    officers = [{"name": "张三", "cert_no": "JZ-001"}, {"name": "陈七", "cert_no": "JZ-050"}]
    cid = filed(api, officers=officers)  # 2026-03-02: 陈七's certificate still valid
    body = refused_unchanged(api, "zhang", cid, "record_evidence",
                             {"kind": "documentary", "record": "inspection", "summary": "调取处方"},
                             "2026-03-05 10:00", "CERT_NOT_VALID", "第四十二条")
    assert "已过期" in body["message"]
    listed = next(a for a in ok(api.get("zhang", f"/api/cases/{cid}"))["actions"] if a["trigger"] == "record_evidence")
    assert (listed["allowed"], listed["code"]) == (False, "CERT_NOT_VALID")  # the case page says why
    ok(api.fire("head", cid, "recuse", {"cert_no": "JZ-050", "reason": "证件过期",
                                        "replacement": {"name": "吴五", "cert_no": "JZ-003"}}, at("2026-03-05 11:00")))
    case = ok(api.fire("wu", cid, "record_evidence", {"kind": "documentary", "record": "inspection",
                                                      "summary": "调取处方"}, at("2026-03-05 12:00")))
    assert case["lists"]["evidence"]["latest"][-1]["kind"] == "documentary"
    # the recused officer may no longer act, a replacement must hold a registered certificate
    refused(api.fire("chen", cid, "record_evidence", {"kind": "documentary", "record": "inspection",
                                                      "summary": "x"}, at("2026-03-05 13:00")), 403, "NOT_CASE_OFFICER")
    refused_unchanged(api, "head", cid, "recuse", {"cert_no": "JZ-003", "reason": "亲属",
                                                   "replacement": {"name": "钱八", "cert_no": "JZ-777"}},
                      "2026-03-05 14:00", "CERT_NOT_REGISTERED", "第四十二条")


# --- 4. evidence kinds ----------------------------------------------------------------------------


def test_evidence_kind_is_chosen_from_article_46(api: Api) -> None:
    cid = filed(api)
    before = case_of(api, cid)
    body = refused(api.fire("zhang", cid, "record_evidence", {"kind": "询问笔录", "record": "inquiry", "summary": "x"},
                            at("2026-03-05 10:00")), 422, "INVALID_CHOICE")
    assert "第四十六条" in body["message"] and "当事人的陈述" in body["message"]
    refused(api.fire("zhang", cid, "record_evidence", {"kind": "party_statement", "record": "书证", "summary": "x"},
                     at("2026-03-05 10:00")), 422, "INVALID_CHOICE")
    assert case_of(api, cid)["version"] == before["version"]
    case = ok(api.fire("zhang", cid, "record_evidence", {"kind": "party_statement", "record": "inquiry",
                                                         "summary": "询问负责人"}, at("2026-03-05 10:00")))
    assert case["lists"]["evidence"]["latest"][-1]["record"] == "inquiry"
    assert case["documents"][-1]["kind"] == "inquiry_record"
    form = next(a for a in case["actions"] if a["trigger"] == "record_evidence")
    assert {"kind", "record"} <= set(form["fields"])


# --- 5. head's approval before preservation and sealing -----------------------------------------


def test_preservation_and_sealing_need_the_heads_approval_first(api: Api) -> None:
    cid = filed(api)
    refused_unchanged(api, "zhang", cid, "register_preservation", {"items": ["账册"]}, "2026-03-05 10:00",
                      "MEASURE_NOT_APPROVED", "第五十六条")
    refused_unchanged(api, "zhang", cid, "seal_evidence", {"items": ["处方"], "reasons": "防止灭失"},
                      "2026-03-05 10:00", "MEASURE_NOT_APPROVED", "第十八条")
    ok(api.fire("head", cid, "approve_evidence_measure", {"measure": "seal", "opinion": "同意"}, at("2026-03-05 10:30")))
    case = ok(api.fire("zhang", cid, "seal_evidence", {"items": ["处方"], "reasons": "防止灭失"}, at("2026-03-05 11:00")))
    assert case["lists"]["seals"]["latest"][-1]["approval"]["approved_by"] == "head"
    # one approval, one act
    refused_unchanged(api, "zhang", cid, "seal_evidence", {"items": ["账册"], "reasons": "防止灭失"},
                      "2026-03-05 12:00", "MEASURE_NOT_APPROVED", "第十八条")
    # extending a seal: within its period, told to the party in writing (延长封存期限通知书)
    case = ok(api.fire("head", cid, "extend_evidence_seal", {"days": 10, "reason": "待检验结果"}, at("2026-03-05 12:30")))
    notice = case["documents"][-1]
    assert (notice["kind"], notice["title"]) == ("seal_extension_notice", "延长封存期限通知书")
    assert clock(case, "evidence_seal")["due_at"].startswith("2026-04-14")  # 30 + 10 days from 03-05
    # the emergency path: sealed on the spot, reported and approved within 24 hours
    case = ok(api.fire("zhang", cid, "seal_evidence_emergency",
                       {"items": ["电脑主机"], "reasons": "防止删除数据", "urgency": "当事人正在删除数据"},
                       at("2026-03-05 13:00")))
    assert clock(case, "emergency_seal_report")["due_at"].startswith("2026-03-06T13:00")
    case = ok(api.fire("head", cid, "disapprove_emergency_seal", {"reason": "无需封存"}, at("2026-03-06 09:00")))
    assert clock(case, "emergency_seal_report")["status"] == "satisfied"
    assert case["documents"][-1]["kind"] == "release_decision"
    refused_unchanged(api, "head", cid, "ratify_emergency_seal", {}, "2026-03-06 10:00", "NO_EMERGENCY_SEAL", "第十九条")


def test_an_expired_seal_is_not_extended(api: Api) -> None:
    cid = filed(api)
    ok(api.fire("head", cid, "approve_evidence_measure", {"measure": "seal"}, at("2026-03-05 10:30")))
    ok(api.fire("zhang", cid, "seal_evidence", {"items": ["处方"], "reasons": "防止灭失"}, at("2026-03-05 11:00")))
    refused_unchanged(api, "head", cid, "extend_evidence_seal", {"days": 10, "reason": "检验"}, "2026-04-06 10:00",
                      "SEALING_PERIOD_EXPIRED", "第二十五条")


# --- 6, 7. the hearing and the review after it ---------------------------------------------------


def test_hearing_host_day_record_recusal_and_review_after_it(api: Api) -> None:
    cid = notified(api)  # 2026-03-10; fine 60000: hearing rights, legal review, collective discussion
    ok(api.fire("zhang", cid, "request_hearing", {}, at("2026-03-11 10:00")))
    hearing = {"hearing_at": "2026-03-25", "place": "三楼", "host": "张三"}
    refused_unchanged(api, "zhang", cid, "schedule_hearing", hearing, "2026-03-12 10:00",
                      "HEARING_HOST_IS_INVESTIGATOR", "第六十四条第四项")
    ok(api.fire("zhang", cid, "schedule_hearing", {**hearing, "host": "赵听证"}, at("2026-03-12 10:00")))
    # the party asks for the host's recusal: a new host who is an investigator is refused
    refused_unchanged(api, "head", cid, "decide_host_recusal", {"reason": "利害关系", "granted": True, "new_host": "李四"},
                      "2026-03-13 10:00", "HEARING_HOST_IS_INVESTIGATOR", "第六十四条第四项")
    case = ok(api.fire("head", cid, "decide_host_recusal", {"reason": "利害关系", "granted": True, "new_host": "钱主持"},
                       at("2026-03-13 10:00")))
    assert case["data"]["hearing"]["host"] == "钱主持"
    refused_unchanged(api, "zhang", cid, "hold_hearing", HEARING_RECORD, "2026-03-24 10:00",
                      "HEARING_BEFORE_NOTIFIED_DAY", "第六十四条第二项")
    refused_unchanged(api, "zhang", cid, "hold_hearing", {"record": "笔录", "host_signed": True}, "2026-03-25 15:00",
                      "HEARING_RECORD_UNSIGNED", "第六十四条第八项")
    case = ok(api.fire("zhang", cid, "hold_hearing", {"record": "笔录", "refusal_note": "当事人拒绝签字，主持人注明",
                                                      "host_signed": True}, at("2026-03-25 15:00")))
    assert case["state"] == "review"
    record = next(d for d in case["documents"] if d["kind"] == "hearing_record")
    assert record["title"] == "听证笔录" and record["number"]
    # 6. the decision rests on the hearing: 法制审核 and 集体讨论 again, none skipped
    refused_unchanged(api, "head", cid, "decide_penalty", DECISION, "2026-03-26 10:00", "LEGAL_REVIEW_REQUIRED", "第五十八条")
    ok(api.fire("zhang", cid, "submit_legal_review", {}, at("2026-03-26 10:10")))
    ok(api.fire("reviewer", cid, "complete_legal_review", {"opinion": "同意"}, at("2026-03-26 10:20")))
    refused_unchanged(api, "head", cid, "decide_penalty", DECISION, "2026-03-26 10:30",
                      "COLLECTIVE_DISCUSSION_REQUIRED", "第五十七条")
    ok(api.fire("zhang", cid, "submit_collective_discussion", {}, at("2026-03-26 10:40")))
    ok(api.fire("head", cid, "record_collective_discussion", {"participants": "局长", "conclusion": "同意"},
                at("2026-03-26 10:50")))
    assert ok(api.fire("head", cid, "decide_penalty", DECISION, at("2026-03-26 11:00")))["state"] == "decided"


def test_an_absent_party_ends_the_hearing_and_the_clock_resumes(api: Api) -> None:
    cid = notified(api)
    ok(api.fire("zhang", cid, "request_hearing", {}, at("2026-03-11 10:00")))
    ok(api.fire("zhang", cid, "schedule_hearing", {"hearing_at": "2026-03-25", "place": "三楼", "host": "赵听证"},
                at("2026-03-12 10:00")))
    refused_unchanged(api, "zhang", cid, "end_hearing", {"reason": "absent"}, "2026-03-24 10:00",
                      "HEARING_BEFORE_NOTIFIED_DAY", "第六十四条")
    case = ok(api.fire("zhang", cid, "end_hearing", {"reason": "absent", "note": "无正当理由未到场"}, at("2026-03-25 10:00")))
    assert case["state"] == "notified" and case["data"]["hearing_waived"] is True
    # the decision clock (90 days from 2026-03-02, due 05-31) resumes after 14 suspended days
    assert clock(case, "decision")["due_at"].startswith("2026-06-14")
    assert ok(api.fire("head", cid, "decide_penalty", DECISION, at("2026-03-26 10:00")))["state"] == "decided"


def test_a_party_may_withdraw_before_the_hearing_day(api: Api) -> None:
    cid = notified(api)
    ok(api.fire("zhang", cid, "request_hearing", {}, at("2026-03-11 10:00")))
    ok(api.fire("zhang", cid, "schedule_hearing", {"hearing_at": "2026-03-25", "place": "三楼", "host": "赵听证"},
                at("2026-03-12 10:00")))
    case = ok(api.fire("zhang", cid, "end_hearing", {"reason": "withdrew"}, at("2026-03-16 10:00")))
    assert case["state"] == "notified"


# --- 8. no hearing rights, no waiting for a hearing request -----------------------------------


def test_without_hearing_rights_the_decision_waits_only_for_the_statement_period(api: Api) -> None:
    cid = notified(api, fine=2000, day="2026-03-10")  # organisation: threshold 50000
    case = case_of(api, cid)
    assert not [c for c in case["clocks"] if c["key"] == "hearing_request"]
    refused_unchanged(api, "zhang", cid, "request_hearing", {}, "2026-03-11 10:00", "HEARING_NOT_AVAILABLE", "第六十三条")
    decision = {**DECISION, "fine": 2000, "base_amount": 1000}
    # statement period: 3 working days (to 03-13); the 5-day hearing period (03-17) is not waited for
    refused_unchanged(api, "head", cid, "decide_penalty", decision, "2026-03-13 10:00",
                      "STATEMENT_PERIOD_RUNNING", "第四十四条")
    assert ok(api.fire("head", cid, "decide_penalty", decision, at("2026-03-16 10:00")))["state"] == "decided"


# --- 9. a heavier new notice states what changed ----------------------------------------------


def test_a_heavier_new_notice_states_what_changed(api: Api) -> None:
    cid = notified(api, fine=2000)
    refused_unchanged(api, "zhang", cid, "renotify", proposal(4000), "2026-03-11 10:00",
                      "HEAVIER_NOTICE_WITHOUT_CHANGES", "第四十五条")
    refused_unchanged(api, "zhang", cid, "renotify", proposal(2000, kinds=["fine", "warning"]), "2026-03-11 10:00",
                      "HEAVIER_NOTICE_WITHOUT_CHANGES", "第四十五条")
    ok(api.fire("zhang", cid, "renotify", proposal(1500), at("2026-03-11 10:00")))  # lighter: no reason needed
    case = ok(api.fire("zhang", cid, "renotify", proposal(4000, changes="补充调查查实骗取金额增至2000元"),
                       at("2026-03-12 10:00")))
    assert case["data"]["proposal"]["changes"].startswith("补充调查")
    decision = {**DECISION, "fine": 4000, "base_amount": 2000}
    assert ok(api.fire("head", cid, "decide_penalty", decision, at("2026-03-18 10:00")))["state"] == "decided"


# --- 10, 11. the decision: reasons, notified basis, 条例 ranges, 责令退回 and closing ----------


REGULATION = "《医疗保障基金使用监督管理条例》第四十条第一款"


def test_the_decision_states_reasons_cites_the_notified_article_and_returns_the_money(api: Api) -> None:
    cid = notified(api, fine=60000, kinds=["fine", "return"], return_amount=20000, article=REGULATION)
    decision = {"kinds": ["fine", "return"], "fine": 60000, "return_amount": 20000, "basis_article": REGULATION,
                "base_amount": 20000, "discretion_reasons": "依本局裁量基准：骗取金额2万元，情节一般，处三倍罚款"}
    when = "2026-03-18 10:00"  # after the statement and hearing-request periods
    refused_unchanged(api, "head", cid, "decide_penalty", {k: v for k, v in decision.items() if k != "discretion_reasons"},
                      when, "DISCRETION_REASONS_REQUIRED", "第三十四条")
    refused_unchanged(api, "head", cid, "decide_penalty", {**decision, "basis_article": "社会保险法第八十七条"},
                      when, "DECISION_BASIS_NOT_NOTIFIED", "第四十五条")
    body = refused_unchanged(api, "head", cid, "decide_penalty", {**decision, "fine": 30000}, when,
                             "FINE_OUT_OF_RANGE", "医疗保障基金使用监督管理条例第四十条")
    assert "40000" in body["message"] and "100000" in body["message"]
    refused_unchanged(api, "head", cid, "decide_penalty", {**decision, "return_amount": 25000}, when,
                      "DECISION_HEAVIER_THAN_NOTIFIED", "第四十五条")
    case = ok(api.fire("head", cid, "decide_penalty", decision, at(when)))
    decided = case["data"]["decision"]
    assert (decided["return_amount"], decided["basis_article"]) == ("20000.00", REGULATION)
    assert decided["discretion_reasons"].startswith("依本局裁量基准")
    ok(api.fire("zhang", cid, "serve", {"method": "direct", "recipient": "药房负责人"}, at("2026-03-19 10:00")))
    ok(api.fire("zhang", cid, "record_payment", {"amount": 60000, "receipt": "罚没票据001"}, at("2026-03-20 10:00")))
    body = refused_unchanged(api, "head", cid, "close", {"summary": "执行完毕"}, "2026-03-21 10:00",
                             "NOT_EXECUTED", "第三十八条至第四十一条")
    assert body["detail"]["return_amount"] == "20000.00"
    ok(api.fire("zhang", cid, "record_payment", {"amount": 20000, "towards": "return", "receipt": "基金专户001"},
                at("2026-03-22 10:00")))
    assert ok(api.fire("head", cid, "close", {"summary": "执行完毕"}, at("2026-03-23 10:00")))["state"] == "closed"


def test_a_decision_needs_a_notice_and_suspension_kinds_need_no_payment(api: Api) -> None:
    cid = filed(api)
    ok(api.fire("zhang", cid, "finish_investigation", {"report": "事实清楚"}, at("2026-03-10 09:00")))
    ok(api.fire("zhang", cid, "propose_penalty", proposal(0, kinds=["suspend_service"], article=REGULATION),
                at("2026-03-10 09:10")))
    refused_unchanged(api, "head", cid, "decide_penalty", {**DECISION, "kinds": ["suspend_service"], "fine": 0,
                                                           "basis_article": REGULATION},
                      "2026-03-10 10:00", "NOTICE_REQUIRED", "第四十四条")
    case = case_of(api, cid)
    assert case["data"]["hearing_entitled"] is True  # 暂停医药服务 is a heavy penalty (处罚法第六十三条)


# --- 23. the filing approval waits on the head with the lead clock running ---------------------


def test_a_case_waiting_for_filing_approval_goes_overdue(api: Api) -> None:
    cid = int(open_case(api, when="2026-03-02 09:00")["id"])
    case = ok(api.fire("zhang", cid, "propose_filing", {"opinion": "建议立案"}, at("2026-03-03 10:00")))
    assert case["state"] == "filing_review" and clock(case, "lead_check")["status"] != "satisfied"
    late = ok(api.get("head", f"/api/cases/{cid}", params={"as_of": "2026-03-25T10:00:00+08:00"}))
    assert clock(late, "lead_check")["status"] == "overdue"  # 15 working days: due 2026-03-23
    board = ok(api.get("super", "/api/dashboard/overdue", params={"as_of": "2026-03-25T10:00:00+08:00"}))
    assert any(e["case_id"] == cid and e["clock"] == "lead_check" for e in board["items"])
    case = ok(api.fire("head", cid, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-04 09:00")))
    assert clock(case, "lead_check")["status"] == "satisfied"


# --- rules from secondary sources: bureau settings, shown as such on the flow page only --------


def test_rules_to_be_verified_show_as_bureau_settings_on_the_flow_page_not_the_case_page(api: Api) -> None:
    from tests.api.test_hostile_input import _page_login

    cid = int(open_case(api)["id"])
    _page_login(api, "zhang")
    flow_page = api.client.get("/flows/penalty").text
    assert "依据有待核实，按本局设置" in flow_page
    assert "15个工作日（本局设置：线索核查至决定立案的期限（工作日））" in flow_page
    case_page = api.client.get(f"/cases/{cid}").text
    assert "令4号第十八条" in case_page and "按本局设置" not in case_page
    for page in (flow_page, case_page):
        assert "verify" not in page and "setting:" not in page
