"""A penalty case walked to archive issues every document on its path: numbered, complete, embedded CJK font."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from documents.issuer import required_of
from documents.jobs import drain
from documents.kinds import KINDS
from tests.api.test_penalty_walk import HEARING_RECORD, ok, open_case, review_after_hearing
from tests.conftest import Api, at

WALK_KINDS = [
    "filing_approval",
    "inquiry_record",
    "investigation_report",
    "legal_review_opinion",
    "collective_discussion_record",
    "penalty_notice",
    "hearing_rights_notice",
    "hearing_notice",
    "hearing_record",
    "legal_review_opinion",  # after the hearing, on its record (处罚法第五十八条、第六十五条)
    "collective_discussion_record",
    "penalty_decision",
    "service_receipt",
    "disclosure_record",  # published before the file is closed (处罚法第四十八条)
    "closing_report",
    "archive_index",
]
INFIX = {k: KINDS[k].infix for k in WALK_KINDS}
DECISION = {"kinds": ["fine"], "fine": 60000, "article": "社会保险法第八十七条", "base_amount": 20000, "discretion_reasons": "依本局行政处罚裁量基准，按违法情节从轻"}
PROPOSAL = {
    "facts": "2025年1月至6月，当事人将目录外药品串换为目录内药品结算，骗取医疗保障基金20000元",
    "grounds": "违反《中华人民共和国社会保险法》第八十七条",
    "kinds": ["fine"],
    "fine": 60000,
    "article": "社会保险法第八十七条",
}


def walk_to_notified(api: Api, **open_data: Any) -> int:
    """Open, file, investigate, review (legal review and collective discussion), notify; 2026-03-18."""
    cid = int(open_case(api, **open_data)["id"])
    ok(api.fire("zhang", cid, "propose_filing", {"opinion": "建议立案"}, at("2026-03-03 10:00")))
    ok(api.fire("head", cid, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-04 09:00")))
    ok(
        api.fire(
            "zhang",
            cid,
            "record_evidence",
            {"kind": "party_statement", "record": "inquiry", "summary": "询问药房负责人，承认串换药品"},
            at("2026-03-05 10:00"),
        )
    )
    ok(
        api.fire(
            "zhang", cid, "finish_investigation", {"report": "事实清楚，证据确凿"}, at("2026-03-10 10:00")
        )
    )
    ok(api.fire("zhang", cid, "propose_penalty", PROPOSAL, at("2026-03-11 10:00")))
    ok(api.fire("zhang", cid, "submit_legal_review", {}, at("2026-03-12 10:00")))
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
            {"participants": "局长、副局长", "conclusion": "同意"},
            at("2026-03-17 10:00"),
        )
    )
    ok(api.fire("zhang", cid, "notify", {}, at("2026-03-18 10:00")))
    return cid


def walk_to_archive(api: Api) -> dict[str, Any]:
    cid = walk_to_notified(api)
    ok(api.fire("zhang", cid, "request_hearing", {}, at("2026-03-20 10:00")))
    ok(
        api.fire(
            "zhang",
            cid,
            "schedule_hearing",
            {"hearing_at": "2026-04-01 09:30", "place": "三楼会议室", "host": "王主任"},
            at("2026-03-20 11:00"),
        )
    )
    ok(api.fire("zhang", cid, "hold_hearing", HEARING_RECORD, at("2026-04-01 15:00")))
    review_after_hearing(api, cid)
    ok(api.fire("head", cid, "decide_penalty", DECISION, at("2026-04-02 10:00")))
    ok(
        api.fire(
            "zhang",
            cid,
            "serve",
            {"method": "left", "recipient": "药房负责人", "witness": "社区主任"},
            at("2026-04-03 10:00"),
        )
    )
    ok(api.fire("zhang", cid, "publish_decision", {"channel": "辛集市人民政府网站"}, at("2026-04-07 10:00")))
    ok(api.fire("zhang", cid, "record_payment", {"amount": 60000}, at("2026-04-09 10:00")))
    ok(api.fire("head", cid, "close", {"summary": "执行完毕"}, at("2026-04-10 10:00")))
    return ok(api.fire("zhang", cid, "archive", {}, at("2026-04-11 10:00")))


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / f"{hashlib.sha256(pdf).hexdigest()[:8]}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True)
    return out.stdout.decode()


def pdf_fonts(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def get_pdf(api: Api, cid: int, doc_id: int) -> bytes:
    """The download (rendered on demand if the render job has not run yet), checked against its hash header."""
    r = api.get("zhang", f"/api/cases/{cid}/documents/{doc_id}")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(r.content).hexdigest() == r.headers["x-sha256"]
    return bytes(r.content)


def rendered_documents(api: Api, cid: int) -> list[dict[str, Any]]:
    """The case's documents once every queued render job has been done (here, synchronously)."""
    drain(api.app.state.caseflow.engine)
    documents: list[dict[str, Any]] = ok(api.get("zhang", f"/api/cases/{cid}"))["documents"]
    return documents


def test_each_document_on_the_path_is_issued_numbered_and_complete(api: Api, tmp_path: Path) -> None:
    case = walk_to_archive(api)
    cid = case["id"]
    docs = rendered_documents(api, cid)
    assert [d["kind"] for d in docs] == WALK_KINDS
    seen: dict[str, int] = {}
    for doc in docs:
        seen[doc["kind"]] = seen.get(doc["kind"], 0) + 1
        assert doc["number"] == f"辛医保{INFIX[doc['kind']]}〔2026〕{seen[doc['kind']]}号", doc
        pdf = get_pdf(api, cid, doc["id"])
        assert hashlib.sha256(pdf).hexdigest() == doc["sha256"]
        fonts = pdf_fonts(pdf, tmp_path)
        # body in the serif, labels in the sans face; no fallback font (which would show boxes)
        assert fonts and all("Noto-Serif-CJK-SC" in f[0] or "Noto-Sans-CJK-SC" in f[0] for f in fonts), fonts
        assert all(f[-5] == "yes" for f in fonts), fonts  # the "emb" column: embedded
        text = squeeze(pdf_text(pdf, tmp_path))
        assert squeeze(doc["title"]) in text
        assert squeeze(doc["number"]) in text
        assert "辛集市医疗保障局" in text
        assert "你（单位）" not in text and "。，" not in text, doc["kind"]  # the party is an organisation
        assert case["number"] not in text and "XINJI" not in text, doc["kind"]  # no internal case number
        if doc["kind"] != "filing_approval":
            assert "辛医保立审〔2026〕1号" in text, doc["kind"]  # the case named by its 案号

    engine = api.app.state.caseflow.engine
    from sqlmodel import Session

    from engine.tables import Document, DocumentPdf

    with Session(engine) as session:
        for doc in docs:
            stored = session.get(Document, doc["id"])
            rendered = session.get(DocumentPdf, doc["id"])
            assert stored is not None and rendered is not None
            text = squeeze(pdf_text(rendered.pdf, tmp_path))
            kind = KINDS[stored.kind]
            for required in required_of(kind, stored.fields):
                value = stored.fields[required.field]
                assert value, (stored.kind, required.field)
                assert squeeze(str(value)) in text, (stored.kind, required.field, value)

    decision = next(d for d in docs if d["kind"] == "penalty_decision")
    text = squeeze(pdf_text(get_pdf(api, cid, decision["id"]), tmp_path))
    assert "陆万元整" in text  # the fine in capitals
    assert "六十日内向辛集市人民政府申请行政复议" in text and "六个月内向辛集市人民法院提起行政诉讼" in text
    assert "缴至中国农业银行测试支行（户名：本级财政非税收入汇缴专户；账号：130181TEST0000000001）" in text
    assert "于2026年4月1日举行了听证" in text and "当事人未要求听证" not in text
    assert "辛集市建设路1号" in text and "询问药房负责人" in text
    record = next(d for d in docs if d["kind"] == "hearing_record")
    text = squeeze(pdf_text(get_pdf(api, cid, record["id"]), tmp_path))
    assert "当事人对事实无异议，请求从轻处罚" in text and "王主任" in text and "孙记录" in text
    notice = next(d for d in docs if d["kind"] == "penalty_notice")
    text = squeeze(pdf_text(get_pdf(api, cid, notice["id"]), tmp_path))
    # statement period: 3 working days after 2026-03-18; hearing request: 5 working days
    assert "2026年3月23日" in text and "2026年3月25日" in text
    receipt = next(d for d in docs if d["kind"] == "service_receipt")
    text = squeeze(pdf_text(get_pdf(api, cid, receipt["id"]), tmp_path))
    assert "留置送达" in text and "社区主任" in text and "药房负责人" in text and "2026年4月3日" in text
    assert "辛医保罚决〔2026〕1号" in text  # the document served


def test_numbers_are_gap_free_per_bureau_kind_and_year(api: Api) -> None:
    first = walk_to_notified(api)
    second = walk_to_notified(api)
    from api.users import create_user

    create_user(api.app.state.caseflow.engine, "gy_second", bureau="gaoyi", roles=["officer"],
                password="password-123", cert_no="G2", name="乙")  # a second registered 执法证 (处罚法第四十二条)
    gaoyi = api.post(
        "gy_officer",
        "/api/cases",
        json={
            "item": "1",
            "party": {"name": "高邑某诊所", "type": "organisation", "address": "高邑县"},
            "officers": [{"name": "高邑执法", "cert_no": "GY-001"}, {"name": "乙", "cert_no": "G2"}],
            "data": {"lead_summary": "举报", "violation_ended_on": "2026-02-01"},
            "occurred_at": at("2026-03-02 09:00").isoformat(),
        },
    )
    assert gaoyi.status_code == 201, gaoyi.text
    gid = gaoyi.json()["id"]
    ok(api.fire("gy_officer", gid, "propose_filing", {}, at("2026-03-03 10:00")))
    other = ok(api.fire("gy_head", gid, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-04 10:00")))

    def numbers(cid: int, kind: str) -> list[str]:
        case = ok(api.get("zhang", f"/api/cases/{cid}"))
        return [d["number"] for d in case["documents"] if d["kind"] == kind]

    assert numbers(first, "penalty_notice") == ["辛医保罚告〔2026〕1号"]
    assert numbers(second, "penalty_notice") == ["辛医保罚告〔2026〕2号"]
    assert numbers(second, "filing_approval") == ["辛医保立审〔2026〕2号"]
    assert [d["number"] for d in other["documents"]] == ["高医保立审〔2026〕1号"]  # its own bureau's sequence


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_has_a_template_and_an_infix(kind: str) -> None:
    from documents.render import TEMPLATES

    assert (TEMPLATES / KINDS[kind].template).is_file()
    assert KINDS[kind].infix
