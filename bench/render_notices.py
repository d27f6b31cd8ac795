"""Render time per notice, cold (first render in a fresh process) and warm (repeated renders).

Each time is shown with its ratio to a baseline: a plain-ASCII notice of about the same length
without any CJK font, rendered by the same WeasyPrint the same way. Run:

    .venv/bin/python bench/render_notices.py [--repeat 5] [kind ...]

Nothing here asserts a time; the ratios show what the CJK font and the templates cost.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_KINDS = [
    "penalty_decision",
    "penalty_notice",
    "sealing_decision",
    "sealing_list",
    "service_receipt",
    "filing_approval",
    "archive_index",
]
BASELINE = "baseline"

ASCII_NOTICE = """<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 30mm 26mm 28mm 28mm; }}
html {{ font-family: "DejaVu Serif", serif; font-size: 14pt; line-height: 1.75; }}
h1 {{ text-align: center; font-size: 22pt; }} p {{ text-indent: 2em; text-align: justify; margin: 0; }}
</style></head><body><h1>County Medical Security Bureau</h1><h1>Administrative Penalty Decision</h1>
<p style="text-align: right">No. 2026-3</p>{paragraphs}<p style="text-align: right">County Medical Security Bureau
<br>2 April 2026</p></body></html>"""


def sample_facts() -> Any:
    from api.demo import SETTINGS  # the accounts and addresses a bureau's notices print
    from documents.source import CaseFacts, IssuedRef
    from engine.timeutil import TZ

    moment = datetime(2026, 4, 2, 10, 0, tzinfo=TZ)
    return CaseFacts(
        case_id=1,
        case_number="XINJI-2026-00001",
        bureau="xinji",
        agency="辛集市医疗保障局",
        item_name="对定点医药机构以骗取医疗保障基金为目的串换药品的行政处罚",
        item_basis=[],
        party={
            "name": "辛集市某大药房",
            "type": "organisation",
            "address": "辛集市建设路1号",
            "credit_code": "91130181MA0000000X",
            "legal_rep": "王某",
        },
        officers=[{"name": "张三", "cert_no": "JZ-001"}, {"name": "李四", "cert_no": "JZ-002"}],
        data={
            "proposal": {
                "facts": "串换药品骗取基金20000元",
                "grounds": "社会保险法第八十七条",
                "kinds": ["fine"],
                "fine": "60000.00",
                "article": "社会保险法第八十七条",
            },
            "decision": {
                "outcome": "penalty",
                "kinds": ["fine"],
                "fine": "60000.00",
                "article": "社会保险法第八十七条",
                "decided_at": moment.isoformat(),
                "facts": "2025年1月至6月，当事人将目录外药品串换为目录内药品结算，骗取医疗保障基金20000元。",
            },
            "evidence": [
                {"kind": "party_statement", "record": "inquiry", "summary": "询问负责人"},
                {"kind": "现场笔录", "summary": "现场检查"},
            ],
            "hearing_entitled": True,
            "service": {
                "method": "left",
                "recipient": "药房负责人",
                "witness": "社区主任",
                "served_at": moment.isoformat(),
            },
            "lead_summary": "智能监控发现串换药品",
        },
        payload={
            "items": [
                {"name": "处方", "quantity": 12, "unit": "张"},
                {"name": "销售台账", "quantity": 2, "unit": "本"},
            ],
            "reasons": "防止证据灭失",
            "basis": None,
        },
        settings={**SETTINGS, "doc_prefix": "辛医保"},
        moment=moment,
        opened_at=moment,
        actor="张三",
        deadlines={
            "statement": moment,
            "hearing_request": moment,
            "evidence_seal": moment,
            "decision": moment,
        },
        clock_starts={"evidence_seal": moment},
        issued=[
            IssuedRef("penalty_decision", "行政处罚决定书", f"辛医保罚决〔2026〕{n}号", moment)
            for n in (1, 2, 3)
        ],
        steps=[("立案", moment), ("调查终结", moment), ("决定", moment)],
    )


def render_once(kind: str) -> tuple[float, int]:
    """Seconds for one render of ``kind`` (HTML + PDF) and its page count."""
    if kind == BASELINE:
        from weasyprint import HTML

        paragraphs = "".join(
            f"<p>Paragraph {i}: the party was found to have exchanged drugs outside the list for drugs on "
            "the list and obtained fund money; the bureau decides a fine payable within fifteen days.</p>"
            for i in range(9)
        )
        started = time.perf_counter()
        document = HTML(string=ASCII_NOTICE.format(paragraphs=paragraphs)).render()
        document.write_pdf()
        return time.perf_counter() - started, len(document.pages)
    from weasyprint import HTML

    from documents.fields import build
    from documents.kinds import KINDS
    from documents.render import ASSETS, AssetFetcher, render_html

    spec = KINDS[kind]
    fields = build(kind, sample_facts())
    doc = {
        "kind": kind,
        "title": spec.title,
        "number": "辛医保罚决〔2026〕3号",
        "addressed": spec.addressed,
        "copies": list(spec.copies),
        "preview": False,
        "replaces": None,
    }
    started = time.perf_counter()  # the same steps as documents.render.render_pdf, keeping the page count
    html = render_html(spec.template, {"doc": doc, "f": fields})
    document = HTML(string=html, base_url=ASSETS.as_uri() + "/", url_fetcher=AssetFetcher()).render()
    document.write_pdf()
    return time.perf_counter() - started, len(document.pages)


def cold(kind: str) -> dict[str, float]:
    """Import and first render in a fresh interpreter."""
    code = (
        "import json, sys, time; t = time.perf_counter(); "
        f"sys.path.insert(0, {str(ROOT)!r}); sys.path.insert(0, {str(ROOT / 'bench')!r}); "
        "import render_notices as r; "
        f"import weasyprint; i = time.perf_counter() - t; s, p = r.render_once({kind!r}); "
        "print(json.dumps({'import': i, 'first': s, 'pages': p}))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def warm(kind: str, repeat: int) -> float:
    render_once(kind)  # warm-up: fonts loaded, templates compiled
    return statistics.median(render_once(kind)[0] for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kinds", nargs="*", default=DEFAULT_KINDS)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    base_cold = cold(BASELINE)
    base_warm = warm(BASELINE, args.repeat)
    print(
        f"{'notice':<22}{'pages':>6}{'import ms':>11}{'cold ms':>10}{'×base':>8}{'warm ms':>10}{'×base':>8}"
    )
    rows = [(BASELINE, base_cold, base_warm)]
    rows += [(kind, cold(kind), warm(kind, args.repeat)) for kind in args.kinds]
    for kind, first, again in rows:
        print(
            f"{kind:<22}{int(first['pages']):>6}{first['import'] * 1000:>11.0f}{first['first'] * 1000:>10.0f}"
            f"{first['first'] / base_cold['first']:>8.2f}{again * 1000:>10.0f}{again / base_warm:>8.2f}"
        )
    print(f"\nbaseline: a plain-ASCII notice without a CJK font; warm = median of {args.repeat} renders")


if __name__ == "__main__":
    main()
