"""PDFs rendered after the action: the frozen content in the event, the job queue, on-demand downloads, crashes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from documents import jobs
from documents.issuer import content_hash
from documents.jobs import LEASE, claim, drain, save_pdf
from engine.tables import Document, DocumentPdf, RenderJob
from tests.api.test_penalty_walk import ok, open_case, refused
from tests.conftest import STAFF, Api, at
from tests.integration.test_documents_walk import pdf_text, squeeze


@pytest.fixture
def quiet_api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    """An app without its render worker thread: nothing is rendered unless a test asks."""
    from api.app import create_app
    from api.config import Settings
    from api.users import create_user

    settings = Settings(database_url=database_url, data_dir=tmp_path, secret="test-secret-" + "x" * 32)
    app = create_app(settings, render_worker=False)
    engine = app.state.caseflow.engine
    for username, bureau, roles, cert, name in STAFF:
        create_user(engine, username, bureau=bureau, roles=roles, password="password-123", cert_no=cert, name=name)
    with TestClient(app) as client:
        yield Api(client, app, {})
    engine.dispose()


def filed_case(api: Api) -> tuple[int, dict[str, object]]:
    """A case whose filing was approved: the action issues the 立案审批表."""
    cid = int(open_case(api)["id"])
    ok(api.fire("zhang", cid, "propose_filing", {}, at("2026-03-03 10:00")))
    case = ok(api.fire("head", cid, "approve_filing", {"jurisdiction": "violation_place"}, at("2026-03-04 09:00")))
    return cid, case


def job_of(api: Api, doc_id: int) -> RenderJob:
    with Session(api.app.state.caseflow.engine) as session:
        job = session.exec(select(RenderJob).where(RenderJob.document_id == doc_id)).one()
        return job


def test_the_action_answers_before_the_pdf_and_its_event_fixes_the_content(quiet_api: Api, tmp_path: Path) -> None:
    api = quiet_api
    cid, case = filed_case(api)
    [doc] = case["documents"]  # type: ignore[misc]
    assert doc["number"] == "辛医保立审〔2026〕1号" and doc["sha256"] is None  # not rendered yet
    stamp = case["events"][-1]["payload"]["documents"]  # type: ignore[index]
    engine = api.app.state.caseflow.engine
    with Session(engine) as session:
        stored = session.get(Document, doc["id"])
        assert stored is not None and session.get(DocumentPdf, doc["id"]) is None
        recomputed = content_hash(stored.kind, stored.number, stored.template_version, stored.fields, None)
    assert stamp == [
        {
            "kind": "filing_approval",
            "number": "辛医保立审〔2026〕1号",
            "template_version": stored.template_version,
            "content_sha256": recomputed,
        }
    ]
    assert job_of(api, doc["id"]).done_at is None

    assert drain(engine, worker="test-worker") == 1
    assert drain(engine) == 0
    job = job_of(api, doc["id"])
    assert job.done_at is not None and job.done_by == "test-worker" and job.attempts == 1
    after = ok(api.get("zhang", f"/api/cases/{cid}"))["documents"][0]
    r = api.get("zhang", f"/api/cases/{cid}/documents/{doc['id']}")
    assert r.status_code == 200, r.text
    assert hashlib.sha256(r.content).hexdigest() == after["sha256"] == r.headers["x-sha256"]
    assert "辛医保立审〔2026〕1号" in squeeze(pdf_text(r.content, tmp_path))


def test_a_download_names_the_file_after_the_document_and_its_number(quiet_api: Api) -> None:
    api = quiet_api
    cid, case = filed_case(api)
    doc_id = case["documents"][0]["id"]  # type: ignore[index]
    r = api.get("zhang", f"/api/cases/{cid}/documents/{doc_id}")
    assert r.status_code == 200, r.text
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("inline; ")
    assert f'filename="document-{doc_id}.pdf"' in disposition  # plain fallback for old clients
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert encoded.isascii() and "〔" not in encoded  # RFC 5987: percent-encoded UTF-8
    assert unquote(encoded) == "立案审批表-辛医保立审〔2026〕1号.pdf"


def test_a_download_before_the_worker_renders_on_demand_and_closes_the_job(quiet_api: Api) -> None:
    api = quiet_api
    cid, case = filed_case(api)
    doc_id = case["documents"][0]["id"]  # type: ignore[index]
    first = api.get("zhang", f"/api/cases/{cid}/documents/{doc_id}")
    assert first.status_code == 200, first.text
    job = job_of(api, doc_id)
    assert job.done_at is not None and job.attempts == 1 and (job.done_by or "").endswith(":download")
    engine = api.app.state.caseflow.engine
    assert drain(engine) == 0  # nothing left: the job is not done a second time
    again = api.get("zhang", f"/api/cases/{cid}/documents/{doc_id}")
    assert again.content == first.content  # served as stored, not rendered anew
    refused(api.get("gy_officer", f"/api/cases/{cid}/documents/{doc_id}"), 404, "DOCUMENT_NOT_FOUND")


def test_a_render_cut_short_by_a_crash_is_done_after_the_lease(quiet_api: Api) -> None:
    api = quiet_api
    cid, case = filed_case(api)
    doc_id = case["documents"][0]["id"]  # type: ignore[index]
    engine = api.app.state.caseflow.engine
    now = datetime.now(UTC)
    assert claim(engine, "crashed-host:1:worker", now=now) == doc_id  # claimed, then the process died
    assert drain(engine, worker="survivor", now=now + LEASE / 2, wait=0) == 0  # within the lease: left alone
    assert job_of(api, doc_id).done_at is None
    assert drain(engine, worker="survivor", now=now + LEASE + timedelta(seconds=1)) == 1
    job = job_of(api, doc_id)
    assert job.done_by == "survivor" and job.attempts == 2 and job.done_at is not None
    with Session(engine) as session:
        assert len(session.exec(select(DocumentPdf)).all()) == 1


def test_a_stored_pdf_is_written_once_and_never_changed(quiet_api: Api) -> None:
    api = quiet_api
    _cid, case = filed_case(api)
    doc_id = case["documents"][0]["id"]  # type: ignore[index]
    engine = api.app.state.caseflow.engine
    first = save_pdf(engine, doc_id, b"%PDF-first", "one")
    second = save_pdf(engine, doc_id, b"%PDF-second", "two")  # a late duplicate render: the first one stays
    assert first.pdf == second.pdf == b"%PDF-first" and second.sha256 == hashlib.sha256(b"%PDF-first").hexdigest()
    assert job_of(api, doc_id).done_by == "one"
    with pytest.raises(Exception, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text("UPDATE document_pdf SET sha256 = 'x' WHERE document_id = :d"), {"d": doc_id})


def test_a_document_whose_template_changed_since_issuing_is_not_rendered_with_the_new_one(
    quiet_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = quiet_api
    cid, case = filed_case(api)
    doc_id = case["documents"][0]["id"]  # type: ignore[index]
    monkeypatch.setattr(jobs, "template_version", lambda _template: "changed-since")
    engine = api.app.state.caseflow.engine
    assert drain(engine, worker="w") == 1
    job = job_of(api, doc_id)
    assert job.done_at is None and "DOCUMENT_TEMPLATE_CHANGED" in (job.error or "")
    body = refused(api.get("zhang", f"/api/cases/{cid}/documents/{doc_id}"), 409, "DOCUMENT_TEMPLATE_CHANGED")
    assert "模板" in body["message"]


def test_a_correction_carries_its_content_hash_and_is_rendered_like_any_document(quiet_api: Api, tmp_path: Path) -> None:
    api = quiet_api
    cid, case = filed_case(api)
    doc_id = case["documents"][0]["id"]  # type: ignore[index]
    r = api.post(
        "zhang",
        f"/api/cases/{cid}/documents/{doc_id}/correct",
        json={"fields": {}, "reason": "笔误", "occurred_at": "2026-03-05T09:00:00+08:00"},
    )
    assert r.status_code == 201, r.text
    corrected = r.json()["document"]
    [stamp] = r.json()["case"]["events"][-1]["payload"]["documents"]
    assert stamp["number"] == corrected["number"] == "辛医保立审〔2026〕2号"
    with Session(api.app.state.caseflow.engine) as session:
        stored = session.get(Document, corrected["id"])
        assert stored is not None
        assert stamp["content_sha256"] == content_hash(
            stored.kind, stored.number, stored.template_version, stored.fields, "辛医保立审〔2026〕1号"
        )
    pdf = api.get("zhang", f"/api/cases/{cid}/documents/{corrected['id']}").content
    assert "辛医保立审〔2026〕1号" in squeeze(pdf_text(pdf, tmp_path))  # it names the document it replaces


def test_the_command_line_renders_the_queue(quiet_api: Api, database_url: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from api.cli import app

    api = quiet_api
    cid, case = filed_case(api)
    doc_id = case["documents"][0]["id"]  # type: ignore[index]
    env = {"DATABASE_URL": database_url, "CASEFLOW_DATA_DIR": str(tmp_path), "CASEFLOW_SECRET": "s" * 40}
    result = CliRunner().invoke(app, ["documents", "render"], env=env)
    assert result.exit_code == 0, result.output
    assert "已生成1份文书PDF，尚余0份" in result.output
    assert job_of(api, doc_id).done_at is not None
    assert ok(api.get("zhang", f"/api/cases/{cid}"))["documents"][0]["sha256"]


def test_the_migration_moves_stored_pdfs_out_of_the_document_rows_and_back(database_url: str) -> None:
    from engine.persistence import make_engine
    from migrations.runner import downgrade, upgrade

    engine = make_engine(database_url)

    try:
        downgrade(engine, "0002")  # the revision before render jobs
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO bureau (id, code, name, settings) VALUES (1, 'xinji', '辛集市医疗保障局', '{}')"))
            conn.execute(text(
                "INSERT INTO \"case\" (id, bureau_code, number, item_code, flow_key, flow_version, state, final, party,"
                " officers, data, opened_at, opened_by, updated_at, version) VALUES (1, 'xinji', 'XINJI-2026-00001',"
                " '3', 'penalty', 1, 'investigation', false, '{}', '[]', '{}', :t, 'zhang', :t, 1)"
            ), {"t": datetime(2026, 3, 2, 1, 0)})
            conn.execute(text(
                "INSERT INTO document (id, case_id, bureau_code, kind, title, year, seq, number, template_version,"
                " issued_at, issued_by, fields, pdf, sha256) VALUES (1, 1, 'xinji', 'filing_approval', '立案审批表', 2026,"
                " 1, '辛医保立审〔2026〕1号', 'v', :t, 'head', '{}', :pdf, :sha)"
            ), {"t": datetime(2026, 3, 4, 1, 0), "pdf": b"%PDF-old", "sha": hashlib.sha256(b"%PDF-old").hexdigest()})
        upgrade(engine)
        with Session(engine) as session:
            moved = session.get(DocumentPdf, 1)
            assert moved is not None and moved.pdf == b"%PDF-old"
            assert moved.sha256 == hashlib.sha256(b"%PDF-old").hexdigest()
            document = session.get(Document, 1)
            assert document is not None and document.content_sha256 is None  # issued before hashing
        with pytest.raises(Exception, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text("DELETE FROM document_pdf"))
        downgrade(engine, "0002")  # the revision before render jobs
        with engine.connect() as conn:
            assert conn.execute(text("SELECT pdf FROM document WHERE id = 1")).scalar_one() == b"%PDF-old"
        with pytest.raises(Exception, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text("UPDATE document SET number = 'x'"))
        upgrade(engine)
    finally:
        engine.dispose()
