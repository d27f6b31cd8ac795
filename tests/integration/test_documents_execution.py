"""The documents of execution and of the internal procedures render with their contents: the
公开记录 with the party's name and ID number masked, the 解除封存决定书 of a referral, the 委托书
and the 协查函 and its reply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.api.test_execution_rules import decided
from tests.api.test_penalty_rules import filed
from tests.api.test_penalty_walk import ok
from tests.conftest import Api, at
from tests.integration.test_documents_walk import get_pdf, pdf_text, rendered_documents, squeeze


def text_of(api: Api, cid: int, kind: str, tmp_path: Path) -> str:
    document = [d for d in rendered_documents(api, cid) if d["kind"] == kind][-1]
    assert document["sha256"], document
    return squeeze(pdf_text(get_pdf(api, cid, document["id"]), tmp_path))


def opened(api: Api, item: str, party: str, data: dict[str, Any]) -> int:
    body = {"item": item, "party": {"name": party, "type": "organisation"}, "officers": [],
            "occurred_at": at("2026-03-02 09:00").isoformat(), "data": data}
    r = api.post("zhang", "/api/cases", json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_disclosure_record_masks_the_person(api: Api, tmp_path: Path) -> None:
    cid = decided(api)
    ok(api.fire("zhang", cid, "publish_decision", {"channel": "辛集市人民政府网站"}, at("2026-03-06 10:00")))
    text = text_of(api, cid, "disclosure_record", tmp_path)
    assert "行政处罚决定信息公开记录" in text and "王某" in text and "1301**********1234" in text
    assert "王小明" not in text and "130181199001011234" not in text
    assert "辛集市人民政府网站" in text and "罚款" in text


def test_disclosure_record_states_the_amount_ordered_returned(api: Api, tmp_path: Path) -> None:
    """The 公开记录 publishes what the decision ordered: 责令退回 with its amount, as the decision states it."""
    from tests.api.test_execution_rules import ARTICLE, PERSON
    from tests.api.test_penalty_walk import open_case

    cid = int(open_case(api, item="2", party=PERSON, when="2026-03-02 09:00", violation_ended_on="2026-02-01")["id"])
    ok(api.fire("zhang", cid, "propose_filing", {}, at("2026-03-02 09:10")))
    ok(api.fire("head", cid, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-02 09:20")))
    ok(api.fire("zhang", cid, "finish_investigation", {"report": "终结"}, at("2026-03-02 10:00")))
    penalty = {"kinds": ["fine", "return"], "fine": 3000, "return_amount": 1500}
    ok(api.fire("zhang", cid, "propose_penalty", {**penalty, "facts": "串换药品", "grounds": "依法", "article": ARTICLE},
                at("2026-03-02 11:00")))
    ok(api.fire("zhang", cid, "notify", {}, at("2026-03-04 10:00")))
    ok(api.fire("zhang", cid, "waive_statement", {"signed_by": "王小明"}, at("2026-03-04 11:00")))
    ok(api.fire("head", cid, "decide_penalty", {**penalty, "basis_article": ARTICLE, "facts": "串换药品",
                                                "discretion_reasons": "初次违法，按低档处罚"}, at("2026-03-05 10:00")))
    ok(api.fire("zhang", cid, "publish_decision", {"channel": "辛集市人民政府网站"}, at("2026-03-06 10:00")))
    text = text_of(api, cid, "disclosure_record", tmp_path)
    assert "责令退回医疗保障基金人民币1,500.00元" in text and "罚款人民币3,000.00元" in text, text


def test_approved_instalments_are_told_in_a_decision(api: Api, tmp_path: Path) -> None:
    from tests.api.test_execution_rules import served

    cid = served(api)
    ok(api.fire("zhang", cid, "apply_deferral", {"deferral_kind": "instalment", "reasons": "经营困难",
                                                 "schedule": ["2026-04-10 1000", "2026-05-11 2000"]},
                at("2026-03-10 10:00")))
    ok(api.fire("head", cid, "approve_deferral", {}, at("2026-03-11 10:00")))
    text = text_of(api, cid, "deferral_decision", tmp_path)
    assert "延期（分期）缴纳罚款决定书" in text and "第2期：2026年5月11日前缴纳2000.00元" in text
    assert "分期缴纳" in text and "第六十六条" in text


def test_referral_issues_the_release_decision(api: Api, tmp_path: Path) -> None:
    cid = filed(api)
    ok(api.fire("head", cid, "approve_evidence_measure", {"measure": "seal"}, at("2026-03-03 09:30")))
    ok(api.fire("zhang", cid, "seal_evidence", {"items": ["门诊处方"], "reasons": "防止灭失"}, at("2026-03-03 10:00")))
    ok(api.fire("head", cid, "refer", {"receiver": "辛集市公安局", "reasons": "涉嫌诈骗罪"}, at("2026-03-04 10:00")))
    text = text_of(api, cid, "release_decision", tmp_path)
    assert "解除封存决定书" in text and "门诊处方" in text and "案件移送" in text


def test_internal_procedures_issue_their_letters(api: Api, tmp_path: Path) -> None:
    entrusted = opened(api, "internal-entrustment", "某镇卫生院",
                       {"matters": ["对冒名就医的警告"], "valid_from": "2026-03-01", "valid_to": "2026-12-31",
                        "qualifications": "依法成立、具有管理公共事务职能"})
    ok(api.fire("head", entrusted, "sign", {}, at("2026-03-02 10:00")))
    text = text_of(api, entrusted, "entrustment_letter", tmp_path)
    assert "行政处罚委托书" in text and "对冒名就医的警告" in text and "2026年3月1日" in text

    request = opened(api, "internal-assistance-request", "辛集市卫生健康局",
                     {"matters": "提供某医院的执业登记", "reasons": "查处串换项目"})
    ok(api.fire("head", request, "send", {}, at("2026-03-02 10:00")))
    text = text_of(api, request, "assistance_request", tmp_path)
    assert "协助调查函" in text and "提供某医院的执业登记" in text and "2026年3月23日" in text

    asked = opened(api, "internal-assistance-response", "晋州市医疗保障局", {"matters": "核查某药店的进销存记录"})
    ok(api.fire("head", asked, "refuse_assistance", {"reasons": "该药店不在本局辖区"}, at("2026-03-03 10:00")))
    text = text_of(api, asked, "assistance_reply", tmp_path)
    assert "不予协助" in text and "该药店不在本局辖区" in text
