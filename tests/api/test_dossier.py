"""Evidence files and the 卷宗 of a full penalty walk, through the HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader
from weasyprint import HTML

from engine.audit import verify_database
from engine.evidence_store import DirectoryStore
from tests.api.test_penalty_walk import HEARING_RECORD, ok, open_case, refused, review_after_hearing
from tests.conftest import Api, at

DECISION = {"kinds": ["fine"], "fine": 60000, "article": "社会保险法第八十七条", "base_amount": 20000,
            "discretion_reasons": "依本局行政处罚裁量基准，按违法情节从轻"}


def scan(marker: str, pages: int = 1) -> bytes:
    """A PDF standing for a scanned paper, each page carrying ``marker``."""
    body = "".join(f'<p style="page-break-after: always">{marker} 第{n}页</p>' for n in range(1, pages + 1))
    pdf = HTML(string=f'<html><body style="font-family: Noto Serif CJK SC">{body}</body></html>').write_pdf()
    assert pdf is not None
    return bytes(pdf)


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 120, 200)).save(out, format="PNG")
    return out.getvalue()


MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 64


def attach(api: Api, user: str, cid: int, data: bytes, title: str, kind: str, when: str, name: str = "f") -> Any:
    return api.post(
        user,
        f"/api/cases/{cid}/files",
        files={"file": (name, data, "application/octet-stream")},
        data={"title": title, "kind": kind, "occurred_at": at(when).isoformat()},
    )


def walk_to_closed(api: Api) -> int:
    """The ordinary procedure with a hearing, up to 结案, with its evidence attached on the way."""
    cid = open_case(api)["id"]
    ok(api.fire("zhang", cid, "propose_filing", {"opinion": "建议立案"}, at("2026-03-03 10:00")))
    ok(api.fire("head", cid, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-04 09:00")))
    ok(api.fire("zhang", cid, "record_evidence", {"kind": "party_statement", "record": "inquiry", "summary": "询问负责人"}, at("2026-03-05 10:00")))
    assert attach(api, "zhang", cid, scan("询问笔录签字件"), "询问笔录（签字）", "signed_record",
                  "2026-03-05 11:00").status_code == 201
    assert attach(api, "li", cid, photo(), "药房货架照片", "photo", "2026-03-05 11:30", "shelf.png").status_code == 201
    assert attach(api, "li", cid, MP3, "询问录音", "audio", "2026-03-05 11:40", "talk.mp3").status_code == 201
    ok(api.fire("zhang", cid, "finish_investigation", {"report": "事实清楚"}, at("2026-03-10 10:00")))
    proposal = {"facts": "串换药品骗取基金20000元", "grounds": "社会保险法第八十七条", "kinds": ["fine"],
                "fine": 60000, "article": "社会保险法第八十七条"}
    ok(api.fire("zhang", cid, "propose_penalty", proposal, at("2026-03-11 10:00")))
    ok(api.fire("zhang", cid, "submit_legal_review", {}, at("2026-03-12 10:00")))
    ok(api.fire("reviewer", cid, "complete_legal_review", {"opinion": "事实清楚，适用法律正确"}, at("2026-03-13 10:00")))
    ok(api.fire("zhang", cid, "submit_collective_discussion", {}, at("2026-03-16 10:00")))
    ok(api.fire("head", cid, "record_collective_discussion", {"participants": "局长、副局长", "conclusion": "同意拟处罚"},
                at("2026-03-17 10:00")))
    ok(api.fire("zhang", cid, "notify", {}, at("2026-03-18 10:00")))
    ok(api.fire("zhang", cid, "request_hearing", {}, at("2026-03-20 10:00")))
    ok(api.fire("zhang", cid, "schedule_hearing", {"hearing_at": "2026-04-01", "place": "三楼", "host": "赵听证"},
                at("2026-03-20 11:00")))
    ok(api.fire("zhang", cid, "hold_hearing", HEARING_RECORD, at("2026-04-01 15:00")))
    review_after_hearing(api, cid)
    ok(api.fire("head", cid, "decide_penalty", DECISION, at("2026-04-02 10:00")))
    ok(api.fire("zhang", cid, "serve", {"method": "left", "recipient": "药房负责人", "witness": "社区主任"},
                at("2026-04-03 10:00")))
    ok(api.fire("zhang", cid, "publish_decision", {"channel": "辛集市人民政府网站"}, at("2026-04-07 10:00")))
    ok(api.fire("zhang", cid, "record_payment", {"amount": 60000}, at("2026-04-08 10:00")))
    ok(api.fire("head", cid, "close", {"summary": "执行完毕"}, at("2026-04-10 10:00")))
    return cid


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_dossier_of_a_full_penalty_walk(api: Api, tmp_path: Path) -> None:
    cid = walk_to_closed(api)
    check = ok(api.get("zhang", f"/api/cases/{cid}/dossier/check"))
    missing = [m["message"] for m in check["missing"]]
    assert check["complete"] is False
    assert "举行了听证，卷内没有经当事人核对签字的听证笔录" in missing
    assert "送达回证没有附受送达人签收的扫描件" in missing
    assert not any("处罚决定书没有送达回证" in m for m in missing)  # the decision was served

    wrong = attach(api, "zhang", cid, scan("别案的听证笔录"), "听证笔录", "hearing_record", "2026-04-10 11:00")
    assert wrong.status_code == 201, wrong.text
    withdrawn = ok(api.post("zhang", f"/api/cases/{cid}/files/{wrong.json()['id']}/withdraw",
                            json={"reason": "误传了别案的笔录", "occurred_at": at("2026-04-10 11:05").isoformat()}))
    assert withdrawn["withdrawn"] and withdrawn["withdrawal"]["reason"] == "误传了别案的笔录"
    refused(api.post("zhang", f"/api/cases/{cid}/files/{wrong.json()['id']}/withdraw", json={"reason": "再撤"}),
            409, "EVIDENCE_ALREADY_WITHDRAWN")
    still = ok(api.get("zhang", f"/api/cases/{cid}/dossier/check"))
    assert "举行了听证，卷内没有经当事人核对签字的听证笔录" in [m["message"] for m in still["missing"]]

    hearing = attach(api, "zhang", cid, scan("听证笔录签字件", pages=2), "听证笔录（当事人签字）", "hearing_record",
                     "2026-04-10 11:10")
    receipt = attach(api, "li", cid, scan("送达回证签收件"), "送达回证（药房负责人签收）", "signed_receipt",
                     "2026-04-10 11:20")
    assert hearing.status_code == receipt.status_code == 201
    assert ok(api.get("zhang", f"/api/cases/{cid}/dossier/check")) == {"complete": True, "missing": []}
    ok(api.fire("zhang", cid, "archive", {}, at("2026-04-11 10:00")))
    refused(attach(api, "zhang", cid, photo(), "归档后补的照片", "photo", "2026-04-11 11:00"), 409, "CASE_CLOSED")

    r = api.get("zhang", f"/api/cases/{cid}/dossier")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["x-dossier-missing"] == "0"
    pdf = r.content
    (tmp_path / "dossier.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    pages = [squeezed(p.extract_text()) for p in reader.pages]
    info = subprocess.run(["pdfinfo", str(tmp_path / "dossier.pdf")], capture_output=True, text=True, check=True)
    assert f"Pages:{len(pages)}" in squeezed(info.stdout)

    # every page carries its number, once
    for n, text in enumerate(pages, 1):
        assert text.count(f"—{n}—") == 1, (n, text[-80:])
    assert "卷宗审查" in pages[0] and "经核对，卷内材料齐全" in pages[0]
    assert f"共{len(pages)}页" in pages[0]

    # the 目录 (read with poppler's layout): one row per item, with the page it starts on
    first_doc = next(i for i, t in enumerate(pages) if "行政处罚决定书" in t and "卷内目录" not in t)
    layout = subprocess.run(["pdftotext", "-layout", "-f", "2", "-l", str(first_doc), str(tmp_path / "dossier.pdf"),
                             "-"], capture_output=True, text=True, check=True).stdout
    listed = re.findall(r"^\s*(\d+)\s+(\S+)\s+(\S+)\s+(\d{4}年\d{1,2}月\d{1,2}日)\s+(—|(\d+)(?:–(\d+))?)\s*$",
                        layout, flags=re.MULTILINE)
    assert [int(r[0]) for r in listed] == list(range(1, len(listed) + 1)), layout
    assert [(r[1], r[2]) for r in listed if r[4] == "—"] == [("询问录音", "现场录音")]  # listed, not bound
    rows = [(no, title, number, day, first, last) for no, title, number, day, _, first, last in listed if first]
    documents = ok(api.get("zhang", f"/api/cases/{cid}"))["documents"]
    files = ok(api.get("zhang", f"/api/cases/{cid}/files"))["items"]
    bound = [f for f in files if not f["withdrawn"] and f["content_type"] != "audio/mpeg"]
    assert len(rows) == len(documents) + len(bound)
    starts: dict[str, int] = {}
    ends: dict[str, int] = {}
    for d in documents:  # a document's row names its 文号; its start page shows its title and 文号
        row = next(r for r in rows if r[2] == d["number"])
        starts[d["number"]], ends[d["number"]] = int(row[4]), int(row[5] or row[4])  # a title may recur
        page = pages[starts[d["number"]] - 1]
        assert squeezed(d["title"]) in page and d["number"] in page, (d["title"], row)
    for f in bound:
        row = next(r for r in rows if r[2] == f["kind_label"] and f["title"].startswith(r[1]))
        starts[f["title"]], ends[f["title"]] = int(row[4]), int(row[5] or row[4])
    spans = sorted((starts[t], ends[t]) for t in starts)  # the items tile the pages after the 目录, in order
    assert spans[0][0] == first_doc + 1 and spans[-1][1] == len(pages)
    assert all(b[0] == a[1] + 1 for a, b in zip(spans, spans[1:], strict=False)), spans
    index_text = squeezed(layout)
    markers = {"询问笔录（签字）": "询问笔录签字件第1页", "听证笔录（当事人签字）": "听证笔录签字件第1页",
               "送达回证（药房负责人签收）": "送达回证签收件第1页", "药房货架照片": "证据材料：药房货架照片"}
    for title, marker in markers.items():
        assert marker in pages[starts[title] - 1], (title, starts[title])
    assert "听证笔录签字件第2页" in pages[starts["听证笔录（当事人签字）"]]
    assert "别案的听证笔录" not in "".join(pages)  # withdrawn: listed on the case, not bound
    assert "询问录音" in index_text and "音视频资料" in index_text  # listed, not bound

    # 决定书 first, then the procedure in time order
    number_of = {d["title"]: d["number"] for d in reversed(documents)}  # a recurring title: its first document
    order = [starts[number_of.get(t, t)] for t in ["行政处罚决定书", "立案审批表", "询问（现场）笔录", "询问笔录（签字）",
                                                    "药房货架照片"]]
    assert order == sorted(order)
    assert starts[number_of["行政处罚决定书"]] == first_doc + 1

    # the evidence events keep the chain whole, every file hashes to its event's sha256, and the replay agrees
    report = verify_database(api.app.state.caseflow.engine, api.app.state.caseflow.library)
    assert report.discrepancies == []


def test_evidence_files_are_checked_and_immutable(api: Api) -> None:
    cid = open_case(api)["id"]
    when = "2026-03-02 10:00"
    refused(attach(api, "zhang", cid, b"MZ\x90\x00 not a document", "可执行文件", "other", when), 422,
            "FILE_TYPE_NOT_ACCEPTED")
    body = refused(attach(api, "zhang", cid, MP3, "照片", "photo", when), 422, "FILE_TYPE_NOT_FOR_KIND")
    assert "现场照片" in body["message"] and "MP3录音" in body["message"]
    refused(attach(api, "zhang", cid, b"", "空文件", "other", when), 422, "FILE_EMPTY")
    refused(attach(api, "zhang", cid, photo(), "照片", "selfie", when), 422, "EVIDENCE_KIND_UNKNOWN")
    refused(attach(api, "wu", cid, photo(), "照片", "photo", when), 403, "NOT_CASE_OFFICER")
    refused(attach(api, "head", cid, photo(), "照片", "photo", when), 403, "NOT_CASE_OFFICER")
    refused(attach(api, "gy_officer", cid, photo(), "照片", "photo", when), 404, "CASE_NOT_FOUND")
    refused(attach(api, "zhang", cid, photo(), "照片", "photo", "2026-03-01 10:00"), 422, "OCCURRED_BEFORE_PREVIOUS")
    before = ok(api.get("zhang", f"/api/cases/{cid}"))
    assert before["events_total"] == 1 and ok(api.get("zhang", f"/api/cases/{cid}/files"))["items"] == []

    # the client's claim is not what counts: a PNG sent as a PDF is a PNG
    image = photo()
    r = api.post("zhang", f"/api/cases/{cid}/files", files={"file": ("x.pdf", image, "application/pdf")},
                 data={"title": "现场照片", "kind": "photo", "occurred_at": at(when).isoformat()})
    assert r.status_code == 201, r.text
    record = r.json()
    assert record["content_type"] == "image/png" and record["sha256"] == hashlib.sha256(image).hexdigest()
    assert record["step"] == "lead_check" and record["size"] == len(image)
    case = ok(api.get("zhang", f"/api/cases/{cid}"))
    event = case["events"][-1]
    assert event["trigger"] == "attach_evidence" and event["payload"]["sha256"] == record["sha256"]
    got = api.get("li", f"/api/cases/{cid}/files/{record['id']}")
    assert got.status_code == 200 and got.content == image and got.headers["content-type"] == "image/png"
    refused(api.post("zhang", f"/api/cases/{cid}/files/{record['id']}/withdraw", json={"reason": " "}), 422,
            "FIELD_REQUIRED")

    # a file that says it is a PDF but cannot be read is bound as a page saying so; the case is not archived
    broken = attach(api, "zhang", cid, b"%PDF-1.4\n" + b"0" * 64, "损坏的扫描件", "other", "2026-03-02 10:10")
    assert broken.status_code == 201, broken.text
    made = api.get("zhang", f"/api/cases/{cid}/dossier")
    assert made.status_code == 200, made.text
    pages = [squeezed(p.extract_text()) for p in PdfReader(io.BytesIO(made.content)).pages]
    assert len(pages) == 4  # cover, 目录, the photo, the placeholder
    assert "本案尚未归档" in pages[0] and "卷宗审查" not in pages[0]
    assert "该PDF文件无法读取" in pages[3] and "—4—" in pages[3]

    # rows and bytes are append-only in the database
    engine = api.app.state.caseflow.engine
    for statement in ("UPDATE evidence_file SET title = 'x'", "DELETE FROM evidence_file",
                      "UPDATE evidence_blob SET size = 1", "DELETE FROM evidence_blob"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.exec_driver_sql(statement)


def test_the_upload_route_has_its_own_size_limit(api: Api) -> None:
    state = api.app.state.caseflow
    cid = open_case(api)["id"]
    big = b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024)  # over the 2 MB body limit of every other route
    r = attach(api, "zhang", cid, big, "大文件", "other", "2026-03-02 10:00")
    assert r.status_code == 201, r.text
    too_big = api.client.post("/api/cases", content=b"{" + b" " * (3 * 1024 * 1024) + b"}",
                              headers={**api.as_("zhang"), "Content-Type": "application/json"})
    assert too_big.status_code == 413
    limited = type(state.settings)(**{**state.settings.__dict__, "max_evidence_bytes": 1024 * 1024})
    state.settings = limited
    refused(attach(api, "zhang", cid, big, "大文件", "other", "2026-03-02 10:05"), 422, "FILE_TOO_LARGE")


def test_a_directory_store_and_the_audit_of_its_files(api: Api, tmp_path: Path) -> None:
    state = api.app.state.caseflow
    state.evidence = DirectoryStore(tmp_path / "evidence")
    cid = open_case(api)["id"]
    data = scan("现场检查记录")
    record = attach(api, "zhang", cid, data, "现场检查记录", "signed_record", "2026-03-02 10:00").json()
    stored = tmp_path / "evidence" / record["sha256"][:2] / record["sha256"]
    assert stored.read_bytes() == data
    assert verify_database(state.engine, state.library, state.evidence).clean
    stored.chmod(0o640)
    stored.write_bytes(data + b"%tampered")
    found = verify_database(state.engine, state.library, state.evidence).discrepancies
    assert [d.what for d in found] == ["证据"] and "现场检查记录" in found[0].detail
    refused(api.get("zhang", f"/api/cases/{cid}/files/{record['id']}"), 409, "EVIDENCE_CHANGED")
    stored.unlink()
    assert "不在存储中" in verify_database(state.engine, state.library, state.evidence).discrepancies[0].detail


def test_the_case_page_attaches_lists_and_withdraws_files(api: Api) -> None:
    from tests.browser.test_pages_render import login

    cid = open_case(api)["id"]
    ok(api.fire("zhang", cid, "propose_filing", {"opinion": "建议立案"}, at("2026-03-03 10:00")))
    ok(api.fire("head", cid, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-04 09:00")))
    ok(api.fire("zhang", cid, "record_evidence", {"kind": "party_statement", "record": "inquiry", "summary": "询问负责人"}, at("2026-03-05 10:00")))
    csrf = login(api, "zhang")
    page = api.client.get(f"/cases/{cid}")
    assert page.status_code == 200
    assert 'id="evidence"' in page.text and f'action="/cases/{cid}/files"' in page.text
    assert f'href="/api/cases/{cid}/dossier"' in page.text
    assert "询问（现场）笔录没有附签字的笔录扫描件" in page.text  # the completeness check, on the page
    assert "style=" not in page.text and "<script>" not in page.text

    posted = api.client.post(
        f"/cases/{cid}/files",
        data={"csrf": csrf, "title": "询问笔录签字件", "kind": "signed_record", "step": "investigation",
              "occurred_at": "2026-03-05T11:00"},
        files={"file": ("record.pdf", scan("询问笔录签字件"), "application/pdf")},
        follow_redirects=False,
    )
    assert posted.status_code == 303, posted.text
    page = api.client.get(f"/cases/{cid}")
    assert "询问笔录签字件" in page.text and "询问（现场）笔录没有附签字的笔录扫描件" not in page.text
    assert "经核对，卷内材料齐全" in page.text
    timeline = page.text[page.text.index('id="timeline"'):page.text.index('id="documents"')]
    assert "SHA-256校验值" in timeline and "询问或现场笔录（签字件）" in timeline
    for key in ("evidence_title", "evidence_kind", "signed_record", "application/pdf", "content_type"):
        assert key not in timeline, key
    file_id = ok(api.get("zhang", f"/api/cases/{cid}/files"))["items"][0]["id"]

    bad = api.client.post(f"/cases/{cid}/files", data={"csrf": csrf, "title": "程序", "kind": "other"},
                          files={"file": ("a.exe", b"MZ\x90\x00", "application/pdf")}, follow_redirects=False)
    assert bad.status_code == 422 and "该文件不是其中任何一种" in bad.text
    forged = api.client.post(f"/cases/{cid}/files/{file_id}/withdraw", data={"csrf": "x", "reason": "错"},
                             follow_redirects=False)
    assert forged.status_code == 403
    done = api.client.post(f"/cases/{cid}/files/{file_id}/withdraw", data={"csrf": csrf, "reason": "扫描不清"},
                           follow_redirects=False)
    assert done.status_code == 303
    page = api.client.get(f"/cases/{cid}")
    assert "撤回" in page.text and "扫描不清" in page.text and 'class="small evidence-file withdrawn"' in page.text
    assert "询问（现场）笔录没有附签字的笔录扫描件" in page.text  # a withdrawn file no longer counts

    login(api, "wu")  # not one of the case's officers: sees the files, no forms
    page = api.client.get(f"/cases/{cid}")
    assert "询问笔录签字件" in page.text and f'action="/cases/{cid}/files"' not in page.text
