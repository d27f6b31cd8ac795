"""Bar charts as inline SVG (no JavaScript): overdue steps per department, cases per month."""

from __future__ import annotations

from html import escape

from api.pages.web import clip

FONT = "Noto Sans CJK SC, Noto Serif CJK SC, sans-serif"
COLOURS = ("#c0392b", "#2e86c1", "#27ae60")


def bars(rows: list[tuple[str, int]], title: str, colour: str = COLOURS[0]) -> str:
    """Horizontal bars, one per labelled count; an empty list draws a 'no data' note."""
    label_w, bar_w, row_h = 190, 320, 26
    height = max(len(rows), 1) * row_h + 40
    top = max((v for _, v in rows), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{label_w + bar_w + 60}" height="{height}" '
        f'viewBox="0 0 {label_w + bar_w + 60} {height}" '
        f'font-family="{FONT}" font-size="13" role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="18" font-weight="bold">{escape(title)}</text>',
    ]
    if not rows:
        parts.append('<text x="0" y="50" fill="#7a869a">暂无数据</text>')
    for i, (label, value) in enumerate(rows):
        y = 32 + i * row_h
        width = round(bar_w * value / top)
        short = clip(label, 13)
        parts.append(
            f'<g class="bar"><title>{escape(label)}：{value}</title>'
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{y + 2}" width="{max(width, 2)}" height="{row_h - 8}" fill="{colour}" rx="2"/>'
            f'<text x="{label_w + max(width, 2) + 6}" y="{y + 15}">{value}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def grouped_columns(rows: list[dict[str, int | str]], series: list[tuple[str, str]], title: str) -> str:
    """Vertical columns per period, one colour per series (e.g. opened and closed per month)."""
    col_w, gap, chart_h = 14, 12, 160
    group_w = col_w * len(series) + gap
    width = max(len(rows), 1) * group_w + 60
    top = max((int(r[key]) for r in rows for key, _ in series), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{chart_h + 80}" '
        f'viewBox="0 0 {width} {chart_h + 80}" '
        f'font-family="{FONT}" font-size="12" role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="16" font-weight="bold" font-size="13">{escape(title)}</text>',
    ]
    for s, (_, label) in enumerate(series):
        x = 10 + s * 90
        parts.append(
            f'<rect x="{x}" y="26" width="12" height="12" fill="{COLOURS[(s + 1) % len(COLOURS)]}"/>'
            f'<text x="{x + 16}" y="37">{escape(label)}</text>'
        )
    base = chart_h + 50
    parts.append(f'<line x1="30" y1="{base}" x2="{width}" y2="{base}" stroke="#7a869a"/>')
    for i, row in enumerate(rows):
        x0 = 34 + i * group_w
        for s, (key, label) in enumerate(series):
            value = int(row[key])
            h = round((chart_h - 10) * value / top)
            x = x0 + s * col_w
            parts.append(
                f'<rect x="{x}" y="{base - h}" width="{col_w - 2}" height="{h}" '
                f'fill="{COLOURS[(s + 1) % len(COLOURS)]}"><title>{escape(str(row["month"]))} {escape(label)}：'
                f"{value}</title></rect>"
            )
            if value:
                parts.append(f'<text x="{x + 1}" y="{base - h - 3}" font-size="10">{value}</text>')
        month = str(row["month"])[5:]
        parts.append(f'<text x="{x0}" y="{base + 15}" font-size="11">{escape(month)}月</text>')
    parts.append("</svg>")
    return "".join(parts)
