"""Executing a penalty decision through the HTTP API: 简易程序备案 and 当场收缴, deferred payment,
release on termination or referral, 公告送达, 催告 and the court, the end of a review, 决定公开 and
the 信用记录. Each rule's refusal names its article and changes nothing; then the lawful path."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.api.test_flows_catalogue import officers, staff
from tests.api.test_penalty_rules import filed
from tests.api.test_penalty_walk import clock, ok, open_case, refused
from tests.conftest import Api, at

PERSON = {"name": "王小明", "type": "individual", "address": "辛集市建设路2号", "id_no": "130181199001011234"}
ARTICLE = "医疗保障基金使用监督管理条例"


def unchanged(api: Api, cid: int, before: dict[str, Any]) -> None:
    """A refusal left the case as it was: state, data, clocks, documents, events."""
    after = ok(api.get("head", f"/api/cases/{cid}"))
    for key in ("version", "state", "data", "events_total"):
        assert after[key] == before[key], key
    assert len(after["documents"]) == len(before["documents"])
    assert len(after["clocks"]) == len(before["clocks"])


def assert_audit_clean(api: Api) -> None:
    """Replaying every case's events gives what is stored (links, linked cases, records included)."""
    from engine.audit import verify_database

    report = verify_database(api.app.state.caseflow.engine, api.app.state.caseflow.library)
    assert report.clean, str(report)


def case_of(api: Api, cid: int) -> dict[str, Any]:
    return ok(api.get("head", f"/api/cases/{cid}"))


def refused_here(api: Api, cid: int, response: Any, code: str, article: str) -> dict[str, Any]:
    before = case_of(api, cid)
    body = refused(response(), 409, code)
    assert article in body["message"], body
    unchanged(api, cid, before)
    return body


def decided(api: Api, fine: int = 3000, month: str = "2026-03", **decision: Any) -> int:
    """An ordinary penalty case filed on the 2nd and decided on the 5th of ``month`` (no hearing,
    legal review or collective discussion needed for this fine)."""
    ended = "2024-12-01" if month < "2026" else "2026-02-01"
    cid = int(open_case(api, item="2", party=PERSON, when=f"{month}-02 09:00", violation_ended_on=ended)["id"])
    ok(api.fire("zhang", cid, "propose_filing", {}, at(f"{month}-02 09:10")))
    ok(api.fire("head", cid, "approve_filing", {"jurisdiction": "violation_place"}, at(f"{month}-02 09:20")))
    ok(api.fire("zhang", cid, "finish_investigation", {"report": "终结"}, at(f"{month}-02 10:00")))
    proposal = {"facts": "出借医保凭证", "grounds": "依法", "kinds": ["fine"], "fine": fine, "article": ARTICLE}
    ok(api.fire("zhang", cid, "propose_penalty", proposal, at(f"{month}-02 11:00")))
    ok(api.fire("zhang", cid, "notify", {}, at(f"{month}-04 10:00")))
    ok(api.fire("zhang", cid, "waive_statement", {"signed_by": "王小明"}, at(f"{month}-04 11:00")))
    body = {"kinds": ["fine"], "fine": fine, "basis_article": ARTICLE, "facts": "出借医保凭证",
            "discretion_reasons": "依本局行政处罚裁量基准，初次违法，按低档处罚", **decision}
    ok(api.fire("head", cid, "decide_penalty", body, at(f"{month}-05 10:00")))
    return cid


def served(api: Api, fine: int = 3000, month: str = "2026-03") -> int:
    cid = decided(api, fine, month)
    ok(api.fire("zhang", cid, "serve", {"method": "direct", "recipient": "王小明"}, at(f"{month}-06 10:00")))
    return cid


def test_summary_decisions_are_filed_and_on_spot_collection_records_the_fiscal_receipt(api: Api) -> None:
    cid = open_case(api, item="2", party=PERSON)["id"]
    spot = {"kinds": ["fine"], "fine": 50, "article": ARTICLE, "facts": "出借医保凭证"}
    case = ok(api.fire("zhang", cid, "decide_on_spot", spot, at("2026-03-02 10:00")))
    assert clock(case, "summary_filing")["due_at"].startswith("2026-03-05")  # 3 working days (bureau setting)
    refused_here(api, cid, lambda: api.fire("zhang", cid, "collect_on_spot", {"amount": 50}, at("2026-03-02 10:05")),
                 "FISCAL_RECEIPT_REQUIRED", "第七十条")
    case = ok(api.fire("zhang", cid, "collect_on_spot", {"amount": 50, "receipt": "冀财罚000123"},
                       at("2026-03-02 10:05")))
    assert case["data"]["payments"][0]["fiscal_receipt"] == "冀财罚000123"
    assert clock(case, "collection_handover")["due_at"].startswith("2026-03-04")  # 2 working days
    refused_here(api, cid, lambda: api.fire("head", cid, "close", {}, at("2026-03-03 10:00")),
                 "SUMMARY_NOT_FILED", "第五十二条")
    ok(api.fire("zhang", cid, "hand_over_collection", {}, at("2026-03-03 09:00")))
    case = ok(api.fire("head", cid, "deposit_collection", {"bank": "农业银行"}, at("2026-03-04 09:00")))
    assert clock(case, "collection_deposit")["status"] == "satisfied"
    case = ok(api.fire("zhang", cid, "file_summary_decision", {"filed_with": "辛集市医疗保障局"},
                       at("2026-03-04 10:00")))
    assert clock(case, "summary_filing")["status"] == "satisfied"
    assert ok(api.fire("head", cid, "close", {}, at("2026-03-04 11:00")))["state"] == "closed"

    ordinary = served(api)
    refused_here(api, ordinary, lambda: api.fire("zhang", ordinary, "file_summary_decision", {},
                                                 at("2026-03-07 10:00")), "SUMMARY_FILING_NOT_APPLICABLE", "第五十二条")


def test_deferred_and_instalment_payment_only_after_the_heads_approval(api: Api) -> None:
    cid = served(api)
    refused_here(api, cid, lambda: api.fire("head", cid, "approve_deferral", {}, at("2026-03-10 10:00")),
                 "DEFERRAL_NOT_APPLIED", "第六十六条")
    application = {"deferral_kind": "instalment", "schedule": ["2026-04-10 1000", "2026-05-11 2000"],
                   "reasons": "经营困难"}
    refused(api.fire("zhang", cid, "apply_deferral", {**application, "schedule": ["2026-04-10 1000"]},
                     at("2026-03-10 10:00")), 422, "INVALID_SCHEDULE")
    ok(api.fire("zhang", cid, "apply_deferral", application, at("2026-03-10 10:00")))
    refused(api.fire("zhang", cid, "approve_deferral", {}, at("2026-03-11 10:00")), 403, "ROLE_NOT_ALLOWED")
    case = ok(api.fire("head", cid, "approve_deferral", {"opinion": "同意分期"}, at("2026-03-11 10:00")))
    instalments = [c for c in case["clocks"] if c["key"] == "instalment"]
    assert [c["due_at"][:10] for c in instalments] == ["2026-04-10", "2026-05-11"]
    assert clock(case, "payment")["status"] == "cancelled"
    refused_here(api, cid, lambda: api.fire("zhang", cid, "issue_demand", {}, at("2026-04-08 10:00")),
                 "PAYMENT_PERIOD_RUNNING", "第五十四条")
    case = ok(api.fire("zhang", cid, "record_payment", {"amount": 1000}, at("2026-04-09 10:00")))
    assert [c["status"] for c in case["clocks"] if c["key"] == "instalment"][0] == "satisfied"
    refused(api.fire("zhang", cid, "issue_demand", {}, at("2026-04-20 10:00")), 409, "PAYMENT_PERIOD_RUNNING")
    case = ok(api.fire("zhang", cid, "issue_demand", {}, at("2026-05-13 10:00")))
    assert case["data"]["surcharge"]["amount"] == "180.00"  # 3% × 3000 × 2 days after the second instalment
    assert_audit_clean(api)


def test_termination_and_referral_release_every_seal_and_the_linked_sealing_cases(api: Api) -> None:
    from tests.api.test_flows_sealing import SEAL, open_sealing

    cid = filed(api)
    refused_here(api, cid, lambda: api.fire("zhang", cid, "release_evidence_seal", {"reason": "查清"},
                                            at("2026-03-03 10:00")), "NO_SEAL_OPEN", "第二十八条")
    ok(api.fire("head", cid, "approve_evidence_measure", {"measure": "seal", "opinion": "同意"}, at("2026-03-03 09:30")))
    ok(api.fire("zhang", cid, "seal_evidence", {"items": ["处方"], "reasons": "防止灭失"}, at("2026-03-03 10:00")))
    ok(api.fire("head", cid, "approve_evidence_measure", {"measure": "preservation", "opinion": "同意"},
                at("2026-03-03 10:30")))
    ok(api.fire("zhang", cid, "register_preservation", {"items": ["账册"]}, at("2026-03-03 11:00")))
    sealing = open_sealing(api, "2026-03-03 12:00", links=[{"case_id": cid, "kind": "serves"}])["id"]
    ok(api.fire("head", sealing, "approve", {"opinion": "同意"}, at("2026-03-03 13:00")))
    ok(api.fire("zhang", sealing, "seal", SEAL, at("2026-03-03 14:00")))
    case = ok(api.fire("head", cid, "refer", {"receiver": "辛集市公安局", "reasons": "涉嫌诈骗罪"},
                       at("2026-03-04 10:00")))
    assert case["state"] == "referred"
    assert {"referral", "release_decision"} <= {d["kind"] for d in case["documents"]}
    assert clock(case, "evidence_seal")["status"] == "satisfied"
    assert clock(case, "preservation")["status"] == "satisfied"
    assert case["lists"]["preservation_disposals"]["latest"][0]["disposal"].startswith("解除先行登记保存")
    assert [(link["id"], link["state"]) for link in case["links"]] == [(sealing, "ended")]
    other = case_of(api, sealing)
    assert other["state"] == "ended" and clock(other, "evidence_seal")["status"] == "satisfied"
    assert "release_decision" in {d["kind"] for d in other["documents"]}
    assert other["events"][-1]["actor"] == "head" and "案件移送" in other["data"]["release"]["reason"]

    terminated = filed(api)
    ok(api.fire("head", terminated, "approve_evidence_measure", {"measure": "seal"}, at("2026-03-03 09:30")))
    ok(api.fire("zhang", terminated, "seal_evidence", {"items": ["病历"], "reasons": "防止篡改"},
                at("2026-03-03 10:00")))
    case = ok(api.fire("head", terminated, "terminate", {"reason": "违法事实不成立"}, at("2026-03-05 10:00")))
    assert case["state"] == "terminated" and case["lists"]["seal_releases"]["latest"][0]["items"] == ["病历"]
    assert "release_decision" in {d["kind"] for d in case["documents"]}
    assert_audit_clean(api)


def test_internal_procedures_are_outside_the_list_and_refusals_state_reasons(api: Api) -> None:
    listed = ok(api.get("zhang", "/api/catalogue"))
    internal = ok(api.get("zhang", "/api/catalogue", params={"internal": "true"}))
    codes = {i["code"] for i in internal["items"]}
    assert codes == {"internal-entrustment", "internal-assistance-request", "internal-assistance-response"}
    assert not codes & {i["code"] for i in listed["items"]}

    body = {"item": "internal-entrustment", "party": {"name": "某镇卫生院", "type": "organisation"},
            "officers": [], "occurred_at": at("2026-03-02 09:00").isoformat(),
            "data": {"matters": ["对冒名就医的警告"], "valid_from": "2026-03-01", "valid_to": "2026-12-31",
                     "qualifications": "依法成立、具有管理公共事务职能，有熟悉法律法规的工作人员"}}
    r = api.post("zhang", "/api/cases", json=body)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    case = ok(api.fire("head", cid, "sign", {"opinion": "同意委托"}, at("2026-03-02 10:00")))
    assert case["state"] == "in_force" and "entrustment_letter" in {d["kind"] for d in case["documents"]}
    act = {"matter": "对冒名就医的警告", "summary": "对李某警告", "acted_on": "2026-03-03"}
    refused_here(api, cid, lambda: api.fire("zhang", cid, "record_entrusted_act", act, at("2026-03-03 10:00")),
                 "ENTRUSTMENT_NOT_PUBLISHED", "第二十条")
    ok(api.fire("zhang", cid, "publish_entrustment", {"channel": "局门户网站"}, at("2026-03-03 10:00")))
    refused_here(api, cid, lambda: api.fire("zhang", cid, "record_entrusted_act", {**act, "matter": "罚款"},
                                            at("2026-03-03 11:00")), "ENTRUSTMENT_OUT_OF_SCOPE", "第二十条")
    ok(api.fire("zhang", cid, "record_entrusted_act", act, at("2026-03-03 11:00")))

    asked = {"item": "internal-assistance-response", "party": {"name": "晋州市医疗保障局", "type": "organisation"},
             "officers": [], "occurred_at": at("2026-03-02 09:00").isoformat(),
             "data": {"matters": "核查某药店的进销存记录", "letter_no": "晋医保协〔2026〕1号"}}
    r = api.post("gy_officer", "/api/cases", json=asked)  # every bureau has the internal procedures
    assert r.status_code == 201, r.text
    other = r.json()["id"]
    r = api.post("zhang", "/api/cases", json=asked)
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    refused_here(api, rid, lambda: api.fire("head", rid, "refuse_assistance", {}, at("2026-03-03 10:00")),
                 "ASSISTANCE_REFUSAL_WITHOUT_REASONS", "第二十六条")
    case = ok(api.fire("head", rid, "refuse_assistance", {"reasons": "该药店不在本局辖区"}, at("2026-03-03 10:00")))
    assert case["state"] == "replied" and "assistance_reply" in {d["kind"] for d in case["documents"]}
    assert ok(api.fire("gy_officer", other, "assist", {"result": "进销存记录一致"}, at("2026-03-03 10:00")))[
        "state"] == "replied"

    request = {"item": "internal-assistance-request", "party": {"name": "辛集市卫生健康局", "type": "organisation"},
               "officers": [], "occurred_at": at("2026-03-02 09:00").isoformat(),
               "data": {"matters": "提供某医院的执业登记", "reasons": "查处串换项目", "source_case": "XINJI-2026-00001"}}
    r = api.post("zhang", "/api/cases", json=request)
    assert r.status_code == 201, r.text
    qid = r.json()["id"]
    case = ok(api.fire("head", qid, "send", {}, at("2026-03-02 10:00")))
    assert "assistance_request" in {d["kind"] for d in case["documents"]}
    assert clock(case, "assistance_reply")["due_at"].startswith("2026-03-23")  # 15 working days (bureau setting)
    refused_here(api, qid, lambda: api.fire("zhang", qid, "record_reply", {"assisted": False},
                                            at("2026-03-05 10:00")), "ASSISTANCE_REFUSAL_WITHOUT_REASONS", "第二十六条")
    ok(api.fire("zhang", qid, "record_reply", {"assisted": False, "reasons": "不属本机关职权"}, at("2026-03-05 10:00")))
    assert_audit_clean(api)


def test_public_service_is_deemed_made_thirty_days_after_publication(api: Api) -> None:
    cid = decided(api)
    public = {"method": "public", "publication": "辛集日报"}
    refused_here(api, cid, lambda: api.fire("zhang", cid, "serve", public, at("2026-03-06 10:00")),
                 "PUBLIC_SERVICE_NOT_ALLOWED", "第九十五条")
    case = ok(api.fire("zhang", cid, "serve", {**public, "public_ground": "whereabouts_unknown"},
                       at("2026-03-06 10:00")))
    for key in ("payment", "review_window", "litigation_window", "court_application"):
        assert datetime.fromisoformat(clock(case, key)["started_at"]) == at("2026-04-05 10:00"), key
    assert clock(case, "payment")["due_at"].startswith("2026-04-20")  # 15 days after deemed service
    assert case["data"]["service"]["deemed_served_at"].startswith("2026-04-05")


def test_demand_after_the_payment_period_and_court_after_the_remedy_periods(api: Api) -> None:
    cid = served(api)  # payment due 2026-03-21, a Saturday: rolls to Monday 03-23
    refused_here(api, cid, lambda: api.fire("zhang", cid, "issue_demand", {}, at("2026-03-23 10:00")),
                 "PAYMENT_PERIOD_RUNNING", "第五十四条")
    ok(api.fire("zhang", cid, "issue_demand", {}, at("2026-03-24 10:00")))
    refused_here(api, cid, lambda: api.fire("head", cid, "apply_to_court", {"court": "辛集市人民法院"},
                                            at("2026-04-20 10:00")), "REMEDY_PERIOD_RUNNING", "第五十三条")
    ok(api.fire("zhang", cid, "record_appeal", {"kind": "诉讼", "filed_at": "2026-08-01"}, at("2026-08-01 10:00")))
    refused_here(api, cid, lambda: api.fire("head", cid, "apply_to_court", {"court": "辛集市人民法院"},
                                            at("2026-09-10 10:00")), "APPEAL_PENDING", "第五十三条")
    ok(api.fire("zhang", cid, "record_appeal_outcome", {"outcome": "upheld", "concluded_at": "2026-09-01"},
                at("2026-09-10 10:00")))
    case = ok(api.fire("head", cid, "apply_to_court", {"court": "辛集市人民法院"}, at("2026-09-10 11:00")))
    assert clock(case, "court_application")["status"] == "satisfied"

    late = served(api, month="2025-03")  # litigation period ends 2025-09-08; three months more: 2025-12-06
    ok(api.fire("zhang", late, "issue_demand", {}, at("2025-03-24 10:00")))
    refused_here(api, late, lambda: api.fire("head", late, "apply_to_court", {"court": "辛集市人民法院"},
                                             at("2025-12-10 10:00")), "COURT_APPLICATION_LATE", "第五十三条")


def test_the_surcharge_pause_ends_when_the_review_ends(api: Api) -> None:
    cid = served(api)  # payment due 2026-03-23
    refused_here(api, cid, lambda: api.fire("zhang", cid, "record_appeal_outcome", {"outcome": "upheld"},
                                            at("2026-03-10 10:00")), "NO_APPEAL_PENDING", "第七十三条")
    ok(api.fire("zhang", cid, "record_appeal", {"kind": "复议", "filed_at": "2026-03-10"}, at("2026-03-10 10:00")))
    refused(api.fire("zhang", cid, "record_appeal_outcome", {"outcome": "upheld", "concluded_at": "2026-03-01"},
                     at("2026-04-03 10:00")), 422, "INVALID_DATE")
    case = ok(api.fire("zhang", cid, "record_appeal_outcome", {"outcome": "upheld", "concluded_at": "2026-04-02"},
                       at("2026-04-03 10:00")))
    assert case["lists"]["appeals"]["latest"][0]["outcome"] == "upheld"
    case = ok(api.fire("zhang", cid, "issue_demand", {}, at("2026-04-12 10:00")))
    # 20 days after the period, 10 of them paused by the review (03-23 → 04-02): 3% × 3000 × 10
    assert case["data"]["surcharge"]["amount"] == "900.00"
    assert_audit_clean(api)


def test_decisions_with_social_impact_are_published_masked_and_withdrawn_when_revoked(api: Api) -> None:
    cid = decided(api)
    case = case_of(api, cid)
    assert clock(case, "disclosure")["due_at"].startswith("2026-03-16")  # 7 working days from 03-05
    board = ok(api.get("super", "/api/dashboard/overdue", params={"as_of": "2026-03-18T10:00:00+08:00"}))
    assert [e for e in board["items"] if e["case_id"] == cid and e["clock"] == "disclosure"]
    refused_here(api, cid, lambda: api.fire("head", cid, "withdraw_publication", {"reasons": "x"},
                                            at("2026-03-06 10:00")), "DISCLOSURE_WITHDRAWAL_NOT_ALLOWED", "第四十八条")
    case = ok(api.fire("zhang", cid, "publish_decision", {"channel": "辛集市人民政府网站"}, at("2026-03-06 10:00")))
    assert case["data"]["disclosure"]["party"] == {"name": "王某", "id_no": "1301**********1234"}
    assert "disclosure_record" in {d["kind"] for d in case["documents"]}
    assert clock(case, "disclosure")["status"] == "satisfied"
    refused(api.fire("zhang", cid, "publish_decision", {"channel": "x"}, at("2026-03-06 11:00")), 409,
            "ALREADY_PUBLISHED")
    ok(api.fire("zhang", cid, "serve", {"method": "direct", "recipient": "王小明"}, at("2026-03-06 12:00")))
    ok(api.fire("zhang", cid, "record_appeal", {"kind": "复议", "filed_at": "2026-03-10"}, at("2026-03-10 10:00")))
    case = ok(api.fire("zhang", cid, "record_appeal_outcome", {"outcome": "revoked", "concluded_at": "2026-04-01"},
                       at("2026-04-01 10:00")))
    assert clock(case, "disclosure_withdrawal")["due_at"].startswith("2026-04-07")  # 3 working days (清明 04-06)
    assert ok(api.fire("head", cid, "close", {}, at("2026-04-02 09:00")))["state"] == "closed"
    # the file is not closed while the revoked decision still stands published
    refused_here(api, cid, lambda: api.fire("zhang", cid, "archive", {}, at("2026-04-02 09:30")),
                 "DISCLOSURE_WITHDRAWAL_PENDING", "第四十八条")
    case = ok(api.fire("head", cid, "withdraw_publication", {"reasons": "复议机关撤销"}, at("2026-04-02 10:00")))
    assert case["data"]["disclosure"]["withdrawn_at"]
    assert ok(api.fire("zhang", cid, "archive", {}, at("2026-04-02 11:00")))["state"] == "archived"

    quiet = decided(api, social_impact="no")
    refused_here(api, quiet, lambda: api.fire("zhang", quiet, "publish_decision", {"channel": "网站"},
                                              at("2026-03-06 10:00")), "DISCLOSURE_NOT_REQUIRED", "第四十八条")
    assert not [c for c in case_of(api, quiet)["clocks"] if c["key"] == "disclosure"]
    assert_audit_clean(api)


def test_a_penalty_decision_writes_the_credit_record(api: Api) -> None:
    cid = decided(api)
    records = case_of(api, cid)["data"]["credit_records"]  # 辛集's list has no credit item
    assert len(records) == 1 and records[0]["source_case"] == case_of(api, cid)["number"]

    spared = int(open_case(api, item="2", party=PERSON)["id"])
    ok(api.fire("zhang", spared, "propose_filing", {}, at("2026-03-02 09:10")))
    ok(api.fire("head", spared, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-02 09:20")))
    ok(api.fire("zhang", spared, "finish_investigation", {"report": "终结"}, at("2026-03-02 10:00")))
    case = ok(api.fire("head", spared, "decide_no_penalty", {"reasons": "违法行为轻微并及时改正"},
                       at("2026-03-03 10:00")))
    assert "credit_records" not in case["data"] and case["links"] == []

    u = staff(api, "xiangdu", "officer", "officer2", "head")  # both officers named hold registered 执法证
    body = {"item": "2", "party": PERSON, "officers": officers("xiangdu"), "occurred_at": at("2026-03-02 09:00").isoformat(),
            "data": {"lead_summary": "冒名就医", "violation_ended_on": "2026-02-01"}}
    r = api.post(u["officer"], "/api/cases", json=body)
    assert r.status_code == 201, r.text
    xid = r.json()["id"]
    spot = {"kinds": ["warning"], "article": ARTICLE, "facts": "冒名就医"}
    case = ok(api.fire(u["officer"], xid, "decide_on_spot", spot, at("2026-03-02 10:00")))
    credit = [link for link in case["links"] if link["flow"] == "credit_record"]
    assert len(credit) == 1 and credit[0]["item"] == "12"
    opened = ok(api.get(u["head"], f"/api/cases/{credit[0]['id']}"))
    assert opened["data"]["source_case"] == case["number"] and opened["party"]["name"] == PERSON["name"]
    before = ok(api.get(u["head"], f"/api/cases/{opened['id']}"))
    body = refused(api.fire(u["head"], opened["id"], "dismiss", {"reasons": "不予记录"}, at("2026-03-03 10:00")), 409,
                   "CREDIT_RECORD_REQUIRED")
    assert "第三十三条" in body["message"]
    after = ok(api.get(u["head"], f"/api/cases/{opened['id']}"))
    assert (after["version"], after["state"], after["data"]) == (before["version"], before["state"], before["data"])
    assert ok(api.fire(u["officer"], opened["id"], "verify", {"evidence": case["number"]},
                       at("2026-03-03 10:00")))["state"] == "verified"
    assert_audit_clean(api)


def test_whistleblower_rewards_within_the_bounds_notified_and_claimed_in_time(api: Api) -> None:
    from tests.api.test_flows_other import open_item, walk

    u = staff(api, "shandan")
    informant = {"name": "举报人甲", "type": "individual"}
    cid = open_item(api, u["clerk"], "shandan", "4620836001000", {"report_summary": "某药店串换药品"}, party=informant)["id"]
    walk(api, cid, [
        (u["clerk"], "accept", {}, "2026-03-02 10:00"),
        (u["officer"], "confirm", {"facts": "查实骗取基金2万元", "recovered_amount": 20000}, "2026-03-20 10:00"),
        (u["clerk"], "publish", {"place": "局门户网站"}, "2026-03-20 11:00"),
    ])
    for amount in (100, 200001):
        before = ok(api.get(u["head"], f"/api/cases/{cid}"))
        body = refused(api.fire(u["head"], cid, "grant", {"amount": amount}, at("2026-03-30 10:00")), 409,
                       "REWARD_OUT_OF_BOUNDS")
        assert "举报奖励办法" in body["message"]
        after = ok(api.get(u["head"], f"/api/cases/{cid}"))
        assert (after["version"], after["data"]) == (before["version"], before["data"])
    ok(api.fire(u["head"], cid, "grant", {"amount": 1000}, at("2026-03-30 10:00")))
    refused(api.fire(u["clerk"], cid, "pay", {"amount": 1000}, at("2026-03-30 11:00")), 409,
            "WHISTLEBLOWER_NOT_NOTIFIED")
    case = ok(api.fire(u["clerk"], cid, "notify_whistleblower", {"method": "phone"}, at("2026-03-30 11:00")))
    assert clock(case, "reward_claim")["due_at"].startswith("2026-05-14")  # 30 working days (bureau setting)
    refused(api.fire(u["clerk"], cid, "forfeit", {}, at("2026-04-30 10:00")), 409, "REWARD_CLAIM_RUNNING")
    body = refused(api.fire(u["clerk"], cid, "pay", {"amount": 1000}, at("2026-05-20 10:00")), 409,
                   "REWARD_CLAIM_EXPIRED")
    assert "举报奖励办法" in body["message"]
    assert ok(api.fire(u["clerk"], cid, "forfeit", {}, at("2026-05-20 10:00")))["state"] == "completed"
    assert_audit_clean(api)


def test_the_flow_page_shows_the_bureau_settings_that_await_verification(api: Api) -> None:
    from tests.browser.test_pages_render import login

    login(api, "zhang")
    page = api.client.get("/flows/penalty").text
    assert "本局设置" in page and "行政处罚决定公开期限（工作日）" in page and "依据尚待核实" in page
    assert "disclosure_days" not in page and "summary_filing_days" not in page
    reward = api.client.get("/flows/reward").text
    assert "举报奖励每起最高金额（元）" in reward and "200000" in reward
    cid = decided(api)
    case_page = api.client.get(f"/cases/{cid}").text
    assert "依据尚待核实" not in case_page and "公开具有一定社会影响的行政处罚决定" in case_page
    assert "信用记录" in case_page and "credit_records" not in case_page and "source_case" not in case_page
    mine = {"disclosure", "summary_filing", "payment", "instalment", "reward_claim", "assistance_reply"}
    assert all("verify" not in c["source"] for c in case_of(api, cid)["clocks"] if c["key"] in mine)
