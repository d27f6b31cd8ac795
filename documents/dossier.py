"""The 卷宗 as one PDF: cover, 卷内目录 with page numbers, then every document and bound evidence file.

Order and checks come from the dossier rules (``engine.dossier``). Issued documents are their
stored PDFs (rendered now if their job has not run: ``documents.jobs.pdf_of``); an evidence PDF
is bound as it is, an image on a page of its own; audio and video are listed in the 目录 with
their sha256 but not bound. Every page of the assembled file is numbered "— n —" (the cover is
page 1): a WeasyPrint-rendered strip per page is laid over it with pypdf, masking a document's
own page number; the 目录 gives each item's first page. Its page count depends on its own
length, so cover and 目录 are rendered until their page counts no longer change.
"""

from __future__ import annotations

import base64
import io
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.errors import PyPdfError
from sqlalchemy.engine import Engine
from sqlmodel import Session
from weasyprint import HTML

from documents.jobs import pdf_of
from documents.render import ASSETS, AssetFetcher, render_html
from engine.cases import refuse_unless_readable
from engine.dossier import Contents, DossierRules, Finding, FlowRules, bound_order, completeness, contents
from engine.errors import NotFound
from engine.evidence import IMAGES, PAPER, PDF, read_checked
from engine.evidence_store import EvidenceStore
from engine.library import Library
from engine.model import Actor
from engine.tables import Case, EvidenceFile
from engine.timeutil import local

log = logging.getLogger("caseflow.dossier")
A4_WIDTH = 595.28  # points
MAX_ROUNDS = 5


@dataclass
class Entry:
    """One line of the 卷内目录 and the pages it binds (none for audio and video)."""

    title: str
    number: str  # 文号, or the evidence file's type
    date: str
    source: str  # document, evidence
    pdf: bytes | None = None
    pages: int = 0
    start: int | None = None
    note: str = ""
    masked: bool = False  # a document of ours: its own page number is covered by the dossier's


@dataclass
class Dossier:
    pdf: bytes
    entries: list[Entry]
    findings: list[Finding]
    cover_pages: int
    index_pages: int
    filename: str
    extras: dict[str, Any] = field(default_factory=dict)


class DataFetcher(AssetFetcher):
    """The package's assets, and the ``data:`` URLs of the evidence images the page itself embeds."""

    def __init__(self) -> None:
        super(AssetFetcher, self).__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith("data:"):
            return super(AssetFetcher, self).fetch(url, headers)
        return super().fetch(url, headers)


def html_to_pdf(html: str) -> bytes:
    pdf = HTML(string=html, base_url=ASSETS.as_uri() + "/", url_fetcher=DataFetcher()).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def check(engine: Engine, library: Library, rules: DossierRules, actor: Actor, case_id: int) -> list[Finding]:
    """What a reviewer would find missing in the case's file."""
    with Session(engine) as session:
        row = _case(session, library, actor, case_id)
        return completeness(rules.of(row.flow_key), contents(session, row))


def build(
    engine: Engine, library: Library, rules: DossierRules, store: EvidenceStore, actor: Actor, case_id: int
) -> Dossier:
    """The case's 卷宗 as one PDF with continuous page numbers."""
    with Session(engine) as session:
        row = _case(session, library, actor, case_id)
        found = contents(session, row)
        flow_rules = rules.of(row.flow_key)
        findings = completeness(flow_rules, found)
        entries = [_entry(session, engine, store, actor, case_id, source, item)
                   for source, item in bound_order(flow_rules, found)]
    cover_context = _cover(library, rules, flow_rules, found, findings)
    cover_pages, index_pages = 1, 1
    for _ in range(MAX_ROUNDS):
        page = cover_pages + index_pages + 1
        for entry in entries:
            entry.start = page if entry.pages else None
            page += entry.pages
        total = page - 1
        cover = html_to_pdf(render_html("dossier_cover.html", {**cover_context, "total_pages": total}))
        index = html_to_pdf(render_html("dossier_index.html", {**cover_context, "entries": entries,
                                                               "first_page": cover_pages + 1}))
        counted = (_pages(cover), _pages(index))
        if counted == (cover_pages, index_pages):
            break
        cover_pages, index_pages = counted
    else:  # pragma: no cover - the counts settle in two rounds; more means a template grows with its numbers
        raise RuntimeError("卷宗封面和目录的页数无法确定")
    writer = PdfWriter()
    masks = [False] * (cover_pages + index_pages)
    for part in (cover, index):
        writer.append(PdfReader(io.BytesIO(part)))
    for entry in entries:
        if entry.pdf is not None:
            writer.append(PdfReader(io.BytesIO(entry.pdf)))
            masks += [entry.masked] * entry.pages
    _stamp(writer, masks)
    out = io.BytesIO()
    writer.write(out)
    case = found.case
    return Dossier(out.getvalue(), entries, findings, cover_pages, index_pages, f"卷宗-{case.number}.pdf")


def _case(session: Session, library: Library, actor: Actor, case_id: int) -> Case:
    row = session.get(Case, case_id)
    if row is None or row.bureau_code != actor.bureau:
        raise NotFound("CASE_NOT_FOUND", f"没有编号为{case_id}的案件", case_id=case_id)
    refuse_unless_readable(actor, row, library)
    return row


def _entry(
    session: Session, engine: Engine, store: EvidenceStore, actor: Actor, case_id: int, source: str,
    item: dict[str, Any],
) -> Entry:
    if source == "document":
        pdf = pdf_of(engine, actor, case_id, item["id"]).pdf
        note = "" if item["current"] else "已被更正文书替代"
        return Entry(item["title"], item["number"], _day(item["issued_at"]), source, pdf, _pages(pdf), note=note,
                     masked=True)
    date = _day(datetime.fromisoformat(item["attached_at"]))
    title, kind = item["title"], item["kind_label"]
    if item["content_type"] not in PAPER:
        return Entry(title, kind, date, source,
                     note=f"{item['type_label']}，音视频资料另行保存，SHA-256：{item['sha256'][:16]}…")
    record = session.get(EvidenceFile, item["id"])
    assert record is not None
    data = read_checked(session, store, record)
    if item["content_type"] == PDF:
        try:
            count = _pages(data)
        except (PyPdfError, ValueError, KeyError) as error:  # a file pypdf cannot read (or decrypt): say so
            log.warning("evidence %s is not a readable PDF: %s", item["id"], error)
            count = 0
        if count == 0:
            pdf = html_to_pdf(render_html("dossier_evidence.html", {"item": item, "image": None, "date": date}))
            return Entry(title, kind, date, source, pdf, _pages(pdf), note="PDF文件无法读取，原件另行保存")
        return Entry(title, kind, date, source, data, count, note=item["type_label"])
    assert item["content_type"] in IMAGES
    image = f"data:{item['content_type']};base64,{base64.b64encode(data).decode()}"
    pdf = html_to_pdf(render_html("dossier_evidence.html", {"item": item, "image": image, "date": date}))
    return Entry(title, kind, date, source, pdf, _pages(pdf), note=item["type_label"])


def _cover(
    library: Library, rules: DossierRules, flow_rules: FlowRules, found: Contents, findings: list[Finding]
) -> dict[str, Any]:
    case = found.case
    flow = library.flow(case.flow_key, case.flow_version)
    item = library.item(case.bureau_code, case.item_code)
    filed = found.moment_of(flow_rules.filed_by) or local(case.opened_at)
    closed = found.moment_of(flow_rules.closed_by) or (local(case.closed_at) if case.closed_at else None)
    agency = library.catalogue(case.bureau_code).bureau.name
    officers = "、".join(
        f"{o.get('name', '')}（执法证号{o['cert_no']}）" if o.get("cert_no") else str(o.get("name", ""))
        for o in case.officers if not o.get("recused")
    )
    return {
        "agency": agency,
        "title": f"{flow.label}案卷",
        "cause": item.name,
        "party": (case.party or {}).get("name") or "",
        "number": case.number,
        "filed_on": _day(filed),
        "closed_on": _day(closed) if closed else "",
        "officers": officers or "",
        "retention": flow_rules.retention or rules.retention,
        "archived": flow.state(case.state).final,
        "state_label": flow.state(case.state).label,
        "findings": findings,
    }


def _stamp(writer: PdfWriter, masks: list[bool]) -> None:
    """Lay "— n —" over every page, bottom centre; over our own documents, on a white strip hiding their number."""
    html = render_html("dossier_numbers.html", {"pages": [(n, masked) for n, masked in enumerate(masks, 1)]})
    overlay = PdfReader(io.BytesIO(html_to_pdf(html)))
    assert len(overlay.pages) == len(writer.pages), (len(overlay.pages), len(writer.pages))
    for page, strip in zip(writer.pages, overlay.pages, strict=True):
        box = page.mediabox
        offset = (float(box.width) - A4_WIDTH) / 2 + float(box.left)
        page.merge_transformed_page(strip, Transformation().translate(offset, float(box.bottom)))


def _pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def _day(moment: datetime) -> str:
    return f"{local(moment):%Y年%m月%d日}".replace("年0", "年").replace("月0", "月")
