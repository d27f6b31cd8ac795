"""The statistics report (行政执法数据统计报告) as a PDF, rendered like the notices (WeasyPrint)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from documents.render import render_html, render_pdf


def statistics_pdf(figures: dict[str, Any], bureau_name: str, made_at: datetime) -> bytes:
    """One A4 report of a period's figures: the tables the statistics page shows."""
    html = render_html(
        "statistics_report.html",
        {"s": figures, "bureau_name": bureau_name, "made_on": f"{made_at:%Y年%m月%d日}"},
    )
    return render_pdf(html)
