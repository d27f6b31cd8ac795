"""Rendering without a database: capitals, escaping, strict templates, assets only, conditional entries."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from documents.capitals import amount_in_capitals, yuan
from documents.fields import build
from documents.issuer import render, required_of
from documents.kinds import KINDS
from documents.render import ASSETS, RefusedFetch, check_asset_url, render_html, render_pdf
from documents.source import CaseFacts
from engine.definitions import TransitionSpec
from engine.timeutil import TZ
from processes.loader import default_library


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        (150000, "壹拾伍万元整"),
        (60000, "陆万元整"),
        (1005.5, "壹仟零伍元伍角"),
        ("100010", "壹拾万零壹拾元整"),
        ("20001.07", "贰万零壹元零柒分"),
        (100000000, "壹亿元整"),
        (0, "零元整"),
    ],
)
def test_amounts_in_chinese_capitals(amount: object, capitals: str) -> None:
    assert amount_in_capitals(amount) == capitals  # type: ignore[arg-type]


def test_yuan_gives_figures_and_capitals() -> None:
    assert yuan(150000) == "人民币150,000.00元（大写：壹拾伍万元整）"


def facts(**party: str) -> CaseFacts:
    moment = datetime(2026, 4, 2, 10, 0, tzinfo=TZ)
    return CaseFacts(
        case_id=1,
        case_number="XINJI-2026-00001",
        bureau="xinji",
        agency="辛集市医疗保障局",
        item_name="事项",
        item_basis=[],
        party={"name": "某药房", "type": "organisation", "address": "辛集市", **party},
        officers=[{"name": "张三", "cert_no": "JZ-001"}, {"name": "李四", "cert_no": "JZ-002"}],
        data={},
        payload={"items": ["处方 12张"], "reasons": "防止灭失"},
        settings={"doc_prefix": "辛医保"},
        moment=moment,
        opened_at=moment,
        actor="张三",
        deadlines={"evidence_seal": moment},
        clock_starts={"evidence_seal": moment},
    )


def test_case_data_is_escaped_not_markup(tmp_path: Path) -> None:
    fields = build("sealing_decision", facts(name='<img src="file:///etc/passwd">某药房'))
    html = render_html("sealing_decision.html", {"doc": _doc("sealing_decision"), "f": fields})
    assert "&lt;img" in html and '<img src="file' not in html
    pdf = render(KINDS["sealing_decision"], fields, "辛医保封决〔2026〕1号")
    path = tmp_path / "s.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert "<img" in text  # printed literally


def _doc(kind: str) -> dict[str, object]:
    k = KINDS[kind]
    return {
        "kind": kind,
        "title": k.title,
        "number": "1",
        "addressed": k.addressed,
        "copies": list(k.copies),
        "preview": False,
        "replaces": None,
    }


def test_templates_are_strict() -> None:
    with pytest.raises(UndefinedError):
        render_html("penalty_decision.html", {"doc": _doc("penalty_decision"), "f": {"agency": "x"}})


def test_only_package_assets_may_be_fetched() -> None:
    assert check_asset_url((ASSETS / "style.css").as_uri()) == ASSETS / "style.css"
    for url in [
        "file:///etc/passwd",
        "https://example.com/x.css",
        (ASSETS / "render.py").as_uri(),
        (ASSETS / "templates" / ".." / ".." / "pyproject.toml").as_uri(),
    ]:
        with pytest.raises(RefusedFetch):
            check_asset_url(url)
    with pytest.raises(RefusedFetch, match="/etc/hostname"):
        render_pdf('<html><body><img src="file:///etc/hostname"></body></html>')


def test_sealing_list_has_two_copies(tmp_path: Path) -> None:
    pdf = render(KINDS["sealing_list"], build("sealing_list", facts()), "辛医保封清〔2026〕1号")
    path = tmp_path / "l.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert "当事人留存" in text and "行政机关留存" in text


def test_sealing_decision_requires_the_contents_of_article_24() -> None:
    fields = build("sealing_decision", facts())
    labels = {r.field for r in required_of(KINDS["sealing_decision"], fields)}
    assert {
        "party_name",
        "party_address",
        "reasons",
        "basis",
        "period_text",
        "items_text",
        "remedies",
    } <= labels
    assert all(r.article == "强制法第二十四条" for r in KINDS["sealing_decision"].required)


def test_a_document_entry_may_be_conditional() -> None:
    spec = TransitionSpec.model_validate(
        {
            "trigger": "t",
            "label": "l",
            "source": "a",
            "roles": ["officer"],
            "documents": ["penalty_notice", {"kind": "hearing_rights_notice", "when": "hearing_entitled"}],
        }
    )
    assert spec.documents == ["penalty_notice", "hearing_rights_notice"]
    assert spec.issues("penalty_notice", {})
    assert not spec.issues("hearing_rights_notice", {"hearing_entitled": False})
    assert spec.issues("hearing_rights_notice", {"hearing_entitled": True})
    with pytest.raises(ValueError):
        TransitionSpec.model_validate(
            {
                "trigger": "t",
                "label": "l",
                "source": "a",
                "roles": ["officer"],
                "documents": [{"kind": "x", "if": "y"}],
            }
        )


def test_every_document_a_flow_names_has_a_kind() -> None:
    library = default_library()
    named = {
        (flow.key, kind)
        for flow in library.flows.values()
        for transition in [flow.open, *flow.transitions]
        for kind in transition.documents
    }
    assert named
    assert [pair for pair in named if pair[1] not in KINDS] == []
