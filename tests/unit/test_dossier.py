"""The 卷宗 rules (processes/dossier.yaml), the completeness check and binding order, and file sniffing."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError
from pypdf import PdfReader

from documents.dossier import html_to_pdf
from documents.kinds import KINDS as DOCUMENT_KINDS
from documents.render import render_html
from engine.dossier import Contents, DossierRules, Finding, FlowRules, bound_order, completeness
from engine.evidence import KINDS as EVIDENCE_KINDS
from engine.evidence import sniff
from engine.tables import Case
from processes.loader import default_library, load_dossier_rules


def _issued(flow_key: str) -> set[str]:
    flow = default_library().flow(flow_key)
    return {kind for t in flow.transitions for kind in t.documents}


@pytest.mark.parametrize("flow_key", sorted(load_dossier_rules().flows))
def test_every_rule_names_what_its_flow_issues_attaches_or_fires(flow_key: str) -> None:
    rules = load_dossier_rules().of(flow_key)
    flow = default_library().flow(flow_key)
    issued = _issued(flow_key)
    triggers = {t.trigger for t in flow.transitions}
    assert set(rules.lead) <= issued
    for trigger in (rules.filed_by, rules.closed_by):
        assert trigger is None or trigger in triggers
    for check in rules.checks:
        for thing in (check.when, check.needs):
            if thing.document:
                assert thing.document in issued and thing.document in DOCUMENT_KINDS
            if thing.evidence:
                assert thing.evidence in EVIDENCE_KINDS
            if thing.event:
                assert thing.event in triggers
        assert check.missing and "_" not in check.missing


def test_a_rule_names_exactly_one_thing() -> None:
    with pytest.raises(ValidationError):
        DossierRules.model_validate({"retention": "长期", "flows": {"penalty": {"checks": [
            {"for": {"document": "a", "event": "b"}, "needs": {"evidence": "c"}, "missing": "x"}]}}})


def at(day: int) -> datetime:
    return datetime(2026, 3, day, 2, tzinfo=UTC)


def contents(documents: list[tuple[int, str, int, int | None]], files: list[tuple[int, str, int, bool]],
             events: list[str]) -> Contents:
    docs: list[dict[str, Any]] = [
        {"id": i, "kind": k, "title": k, "number": f"N{i}", "issued_at": at(d), "replaces_id": r} for i, k, d, r in documents
    ]
    replaced = {d["replaces_id"] for d in docs}
    for d in docs:
        d["current"] = d["id"] not in replaced
    evidence = [{"id": i, "kind": k, "attached_at": at(d).isoformat(), "withdrawn": w} for i, k, d, w in files]
    return Contents(Case(), docs, evidence, [(e, at(1)) for e in events])


def test_completeness_counts_current_documents_and_files_not_withdrawn() -> None:
    rules = load_dossier_rules().of("penalty")
    found = contents(
        [(1, "penalty_decision", 2, None), (2, "penalty_decision", 3, 1), (3, "service_receipt", 4, None)],
        [(1, "signed_receipt", 5, True), (2, "hearing_record", 5, False)],
        ["hold_hearing", "hold_hearing"],
    )
    messages = {f.message: (f.wanted, f.have) for f in completeness(rules, found)}
    assert messages == {"送达回证没有附受送达人签收的扫描件": (1, 0), "举行了听证，卷内没有经当事人核对签字的听证笔录": (2, 1)}


def test_decisions_lead_then_everything_in_the_order_it_happened() -> None:
    found = contents(
        [(1, "filing_approval", 1, None), (2, "inquiry_record", 3, None), (3, "penalty_decision", 9, None),
         (4, "service_receipt", 10, None)],
        [(1, "photo", 2, False), (2, "photo", 4, True), (3, "signed_receipt", 10, False)],
        [],
    )
    order = [(source, item["id"]) for source, item in bound_order(FlowRules(lead=["penalty_decision"]), found)]
    assert order == [("document", 3), ("document", 1), ("evidence", 1), ("document", 2), ("document", 4),
                     ("evidence", 3)]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"ID3\x04\x00", "audio/mpeg"),
        (b"\xff\xfb\x90\x00", "audio/mpeg"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00", "audio/mp4"),
        (b"\x00\x00\x00\x18ftypisom\x00\x00", "video/mp4"),
        (b"MZ\x90\x00", None),
        (b"<html>", None),
        (b"PK\x03\x04", None),
        (b"RIFF\x24\x00\x00\x00AVI ", None),
    ],
)
def test_the_type_is_what_the_bytes_begin_with(head: bytes, expected: str | None) -> None:
    assert sniff(head + b"\x00" * 32) == expected


def test_an_archived_case_s_cover_lists_what_is_missing() -> None:
    context = {"agency": "辛集市医疗保障局", "title": "行政处罚案卷", "cause": "骗取医保基金", "party": "某药房",
               "number": "XINJI-2026-00001", "filed_on": "2026年3月4日", "closed_on": "", "officers": "张三",
               "retention": "长期", "archived": True, "state_label": "归档", "total_pages": 9,
               "findings": [Finding("送达回证没有附受送达人签收的扫描件", "民诉法第八十七条", 1, 0)]}
    text = "".join(PdfReader(io.BytesIO(html_to_pdf(render_html("dossier_cover.html", context)))).pages[0]
                   .extract_text().split())
    assert "卷宗审查" in text and "送达回证没有附受送达人签收的扫描件（应有1份，卷内0份），依据：民诉法第八十七条" in text
    assert "尚未结案" in text and "共9页" in text
