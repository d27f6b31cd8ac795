"""Refusals for missing contents, preview without a number, immutability and correction of issued documents."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from engine.tables import Counter, Document, DocumentPdf
from tests.api.test_penalty_walk import ok, refused
from tests.conftest import Api, at
from tests.integration.test_documents_walk import (
    DECISION,
    get_pdf,
    pdf_text,
    rendered_documents,
    squeeze,
    walk_to_notified,
)

NO_ADDRESS = {"name": "辛集市某诊所", "type": "organisation"}


def counters(api: Api) -> dict[str, int]:
    with Session(api.app.state.caseflow.engine) as session:
        return {c.kind: c.value for c in session.exec(select(Counter)).all()}


def decided_after_hearing_waiver(api: Api, **open_data: Any) -> int:
    cid = walk_to_notified(api, **open_data)
    ok(api.fire("zhang", cid, "waive_statement", {"signed_by": "负责人"}, at("2026-03-19 10:00")))
    return cid


def test_a_required_field_empty_refuses_the_action_and_changes_nothing(api: Api) -> None:
    cid = decided_after_hearing_waiver(api, party=NO_ADDRESS)
    rendered_documents(api, cid)  # the render worker has nothing left to change in between
    before = ok(api.get("zhang", f"/api/cases/{cid}"))
    numbers_before = counters(api)
    body = refused(
        api.fire("head", cid, "decide_penalty", DECISION, at("2026-03-20 10:00")),
        422,
        "DOCUMENT_FIELD_MISSING",
    )
    assert "当事人住所或地址" in body["message"] and "处罚法第五十九条" in body["message"]
    assert "行政处罚决定书" in body["message"]
    assert body["detail"]["field"] == "party_address"
    after = ok(api.get("zhang", f"/api/cases/{cid}"))
    assert after["state"] == before["state"] == "notified"
    assert after["events"] == before["events"]
    assert after["documents"] == before["documents"]
    assert after["version"] == before["version"]
    assert [c["status"] for c in after["clocks"]] == [c["status"] for c in before["clocks"]]
    assert counters(api) == numbers_before
    assert "doc:penalty_decision" not in numbers_before


def test_a_decision_is_not_issued_before_the_bureau_has_filled_in_its_account(api: Api, tmp_path: Path) -> None:
    """处罚法第五十九条: the decision states where to pay; a note to the bureau in its place would go to the party."""
    from api.bureaus import save_settings, settings_of

    engine = api.app.state.caseflow.engine
    filled = settings_of(engine, "xinji")
    save_settings(engine, "xinji", {k: v for k, v in filled.items() if not k.startswith("fine_")}, by="system")
    cid = decided_after_hearing_waiver(api)
    rendered_documents(api, cid)
    before = ok(api.get("zhang", f"/api/cases/{cid}"))
    numbers_before = counters(api)
    body = refused(
        api.fire("head", cid, "decide_penalty", DECISION, at("2026-03-20 10:00")), 409, "DOCUMENT_SETTING_MISSING"
    )
    assert body["message"] == (
        "不能出具《行政处罚决定书》：文书须载明的“罚没款缴款银行”、“罚没款缴款账户户名”、“罚没款缴款账号”"
        "尚未在“本局设置”中填写，请系统管理员填写后再办理"
    )
    assert [s["key"] for s in body["detail"]["settings"]] == ["fine_bank", "fine_account_name", "fine_account_no"]
    after = ok(api.get("zhang", f"/api/cases/{cid}"))
    assert after["state"] == before["state"] == "notified" and after["version"] == before["version"]
    assert after["events"] == before["events"] and after["documents"] == before["documents"]
    assert counters(api) == numbers_before

    r = api.post("zhang", f"/api/cases/{cid}/documents/preview/penalty_decision", json={"data": DECISION})
    assert [m["field"] for m in json.loads(r.headers["x-missing-fields"])] == [
        "fine_bank", "fine_account_name", "fine_account_no"
    ]
    preview = squeeze(pdf_text(r.content, tmp_path))
    assert "缴至＿＿＿＿＿＿（户名：＿＿＿＿＿＿；账号：＿＿＿＿＿＿）" in preview and "本局设置" not in preview

    save_settings(engine, "xinji", filled, by="system")
    case = ok(api.fire("head", cid, "decide_penalty", DECISION, at("2026-03-20 10:00")))
    assert case["documents"][-1]["number"] == "辛医保罚决〔2026〕1号"


def test_preview_consumes_no_number_and_stores_nothing(api: Api, tmp_path: Path) -> None:
    cid = decided_after_hearing_waiver(api)
    rendered_documents(api, cid)  # the render worker has nothing left to change in between
    before = ok(api.get("zhang", f"/api/cases/{cid}"))
    numbers_before = counters(api)
    r = api.post(
        "zhang",
        f"/api/cases/{cid}/documents/preview/penalty_decision",
        json={"data": {**DECISION, "facts": "预览中的违法事实"}, "occurred_at": "2026-03-20T10:00:00+08:00"},
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].endswith("filename*=UTF-8''" + quote("预览-行政处罚决定书.pdf", safe=""))
    assert json.loads(r.headers["x-missing-fields"]) == []
    body = squeeze(pdf_text(r.content, tmp_path))
    assert "〔预览〕" in body and "预览中的违法事实" in body and "陆万元整" in body
    assert "罚决〔2026〕" not in body
    after = ok(api.get("zhang", f"/api/cases/{cid}"))
    assert after["documents"] == before["documents"] and after["events"] == before["events"]
    assert after["data"] == before["data"]  # the transition's actions ran on a copy only
    assert counters(api) == numbers_before

    case = ok(api.fire("head", cid, "decide_penalty", DECISION, at("2026-03-20 10:00")))
    assert case["documents"][-1]["number"] == "辛医保罚决〔2026〕1号"  # the preview took no number


def test_preview_shows_what_is_missing(api: Api, tmp_path: Path) -> None:
    cid = decided_after_hearing_waiver(api, party=NO_ADDRESS)
    r = api.post("zhang", f"/api/cases/{cid}/documents/preview/penalty_decision", json={"data": DECISION})
    assert r.status_code == 200, r.text
    missing = json.loads(r.headers["x-missing-fields"])
    assert [m["field"] for m in missing] == ["party_address"]
    assert missing[0]["article"] == "处罚法第五十九条"
    r = api.post("zhang", f"/api/cases/{cid}/documents/preview/no_such_kind", json={})
    refused(r, 404, "DOCUMENT_KIND_UNKNOWN")
    refused(
        api.post("gy_officer", f"/api/cases/{cid}/documents/preview/penalty_decision", json={}),
        404,
        "CASE_NOT_FOUND",
    )


def test_preview_of_the_notice_shows_the_deadline_the_clock_engine_will_set(api: Api, tmp_path: Path) -> None:
    from tests.api.test_penalty_walk import open_case

    cid = int(open_case(api)["id"])
    ok(api.fire("zhang", cid, "propose_filing", {}, at("2026-03-03 10:00")))
    ok(api.fire("head", cid, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-04 09:00")))
    ok(api.fire("zhang", cid, "finish_investigation", {"report": "终结"}, at("2026-03-10 10:00")))
    ok(
        api.fire(
            "zhang",
            cid,
            "propose_penalty",
            {
                "facts": "骗保",
                "grounds": "依法",
                "kinds": ["fine"],
                "fine": 3000,
                "article": "社会保险法第八十七条",
            },
            at("2026-03-11 10:00"),
        )
    )
    r = api.post(
        "zhang",
        f"/api/cases/{cid}/documents/preview/penalty_notice",
        json={"occurred_at": "2026-03-18T10:00:00+08:00"},
    )
    assert r.status_code == 200, r.text
    assert "2026年3月23日" in squeeze(pdf_text(r.content, tmp_path))  # 3 working days after 2026-03-18


def test_issued_documents_never_change_and_a_correction_cites_the_original(api: Api, tmp_path: Path) -> None:
    cid = decided_after_hearing_waiver(api)
    case = ok(api.fire("head", cid, "decide_penalty", DECISION, at("2026-03-20 10:00")))
    original = case["documents"][-1]
    pdf = get_pdf(api, cid, original["id"])  # rendered on demand unless the worker was first
    assert hashlib.sha256(pdf).hexdigest() == rendered_documents(api, cid)[-1]["sha256"]
    engine = api.app.state.caseflow.engine
    with pytest.raises(Exception, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text("UPDATE document SET number = 'X' WHERE id = :d"), {"d": original["id"]})

    refused(
        api.post(
            "zhang",
            f"/api/cases/{cid}/documents/{original['id']}/correct",
            json={"fields": {"facts": "更正后的事实"}},
        ),
        422,
        "FIELD_REQUIRED",
    )
    refused(
        api.post(
            "zhang",
            f"/api/cases/{cid}/documents/{original['id']}/correct",
            json={"fields": {"no_such": 1}, "reason": "笔误"},
        ),
        422,
        "DOCUMENT_FIELD_UNKNOWN",
    )
    refused(
        api.post(
            "zhang",
            f"/api/cases/{cid}/documents/{original['id']}/correct",
            json={"fields": {"party_address": ""}, "reason": "笔误"},
        ),
        422,
        "DOCUMENT_FIELD_MISSING",
    )
    r = api.post(
        "zhang",
        f"/api/cases/{cid}/documents/{original['id']}/correct",
        json={
            "fields": {"facts": "更正后的违法事实"},
            "reason": "事实表述笔误",
            "occurred_at": "2026-03-21T09:00:00+08:00",
        },
    )
    assert r.status_code == 201, r.text
    corrected = r.json()["document"]
    assert corrected["replaces_id"] == original["id"]
    assert corrected["number"] == "辛医保罚决〔2026〕2号"
    text_after = squeeze(pdf_text(get_pdf(api, cid, corrected["id"]), tmp_path))
    assert "更正后的违法事实" in text_after and "辛医保罚决〔2026〕1号" in text_after
    assert get_pdf(api, cid, original["id"]) == pdf  # the original is untouched
    events = r.json()["case"]["events"]
    assert events[-1]["trigger"] == "correct_document"
    assert events[-1]["payload"]["reason"] == "事实表述笔误"
    refused(
        api.post(
            "zhang",
            f"/api/cases/{cid}/documents/{original['id']}/correct",
            json={"fields": {"facts": "再次"}, "reason": "再次"},
        ),
        409,
        "DOCUMENT_ALREADY_CORRECTED",
    )
    refused(
        api.post(
            "gy_officer",
            f"/api/cases/{cid}/documents/{corrected['id']}/correct",
            json={"fields": {}, "reason": "x"},
        ),
        404,
        "DOCUMENT_NOT_FOUND",
    )

    rendered_documents(api, cid)
    with Session(engine) as session:
        stored = session.exec(select(Document).where(Document.case_id == cid)).all()
        for doc in stored:
            rendered = session.get(DocumentPdf, doc.id)
            assert rendered is not None and hashlib.sha256(rendered.pdf).hexdigest() == rendered.sha256


def test_hearing_rights_notice_only_when_a_hearing_is_available(api: Api) -> None:
    from tests.api.test_penalty_walk import open_case

    cid = int(open_case(api)["id"])
    ok(api.fire("zhang", cid, "propose_filing", {}, at("2026-03-03 10:00")))
    ok(api.fire("head", cid, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-04 09:00")))
    ok(api.fire("zhang", cid, "finish_investigation", {"report": "终结"}, at("2026-03-10 10:00")))
    ok(
        api.fire(
            "zhang",
            cid,
            "propose_penalty",
            {
                "facts": "骗保",
                "grounds": "依法",
                "kinds": ["fine"],
                "fine": 3000,
                "article": "社会保险法第八十七条",
            },
            at("2026-03-11 10:00"),
        )
    )
    case = ok(api.fire("zhang", cid, "notify", {}, at("2026-03-18 10:00")))
    assert case["data"]["hearing_entitled"] is False
    assert [d["kind"] for d in case["documents"]][-1] == "penalty_notice"
    assert "hearing_rights_notice" not in [d["kind"] for d in case["documents"]]


def test_sealing_evidence_issues_the_decision_and_the_list_and_release_cites_them(
    api: Api, tmp_path: Path
) -> None:
    from tests.api.test_penalty_walk import open_case

    cid = int(open_case(api)["id"])
    ok(api.fire("zhang", cid, "propose_filing", {}, at("2026-03-03 10:00")))
    ok(api.fire("head", cid, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-04 09:00")))
    items = [
        {"name": "处方", "quantity": 12, "unit": "张"},
        {"name": "进销存台账", "quantity": 2, "unit": "本"},
    ]
    ok(api.fire("head", cid, "approve_evidence_measure", {"measure": "seal"}, at("2026-03-05 09:00")))
    case = ok(
        api.fire(
            "zhang", cid, "seal_evidence", {"items": items, "reasons": "防止证据灭失"}, at("2026-03-05 10:00")
        )
    )
    decision, listing = case["documents"][-2:]
    assert (decision["kind"], decision["number"]) == ("sealing_decision", "辛医保封决〔2026〕1号")
    assert (listing["kind"], listing["number"]) == ("sealing_list", "辛医保封清〔2026〕1号")
    text = squeeze(pdf_text(get_pdf(api, cid, decision["id"]), tmp_path))
    assert "防止证据灭失" in text and "进销存台账" in text and "2本" in text
    assert "自2026年3月5日起至2026年4月4日止" in text  # 30 natural days (强制法第二十五条)
    assert "行政强制法》第十八条、第二十四条" in text and "六十日内" in text
    text = squeeze(pdf_text(get_pdf(api, cid, listing["id"]), tmp_path))
    assert "当事人留存" in text and "行政机关留存" in text and "辛医保封决〔2026〕1号" in text
    case = ok(
        api.fire("zhang", cid, "release_evidence_seal", {"reason": "已完成检验"}, at("2026-03-20 10:00"))
    )
    release = case["documents"][-1]
    assert (release["kind"], release["number"]) == ("release_decision", "辛医保解封〔2026〕1号")
    text = squeeze(pdf_text(get_pdf(api, cid, release["id"]), tmp_path))
    assert "辛医保封决〔2026〕1号" in text and "已完成检验" in text and "处方" in text


def test_demand_and_surcharge_notices_state_the_amounts(api: Api, tmp_path: Path) -> None:
    from tests.api.test_penalty_rules import filed

    cid = filed(api, party={"name": "王某", "type": "individual", "address": "辛集市"}, item="4")
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
    ok(api.fire("zhang", cid, "serve", {"method": "direct", "recipient": "王某"}, at("2026-03-05 11:00")))
    case = ok(api.fire("zhang", cid, "issue_demand", {}, at("2026-03-30 10:00")))
    demand, surcharge = case["documents"][-2:]
    assert (demand["kind"], surcharge["kind"]) == ("demand_notice", "surcharge_notice")
    text = squeeze(pdf_text(get_pdf(api, cid, demand["id"]), tmp_path))
    assert (
        "贰仟元整" in text
        and "陆佰元整" in text
        and "2026年3月20日" in text
        and "辛医保罚决〔2026〕1号" in text
    )
    text = squeeze(pdf_text(get_pdf(api, cid, surcharge["id"]), tmp_path))
    assert "自2026年3月21日起" in text and "逾期10日" in text and "陆佰元整" in text
