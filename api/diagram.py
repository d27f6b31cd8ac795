"""A flow's picture as SVG, laid out in layers from the initial state, rendered from its data."""

from __future__ import annotations

from collections import deque
from html import escape

from engine.definitions import FlowSpec

BOX_W, BOX_H, GAP_X, GAP_Y = 150, 40, 30, 50


def _layers(flow: FlowSpec) -> list[list[str]]:
    depth = {flow.initial: 0}
    queue = deque([flow.initial])
    while queue:
        here = queue.popleft()
        for t in flow.transitions:
            if here in t.source and t.dest and t.dest not in depth:
                depth[t.dest] = depth[here] + 1
                queue.append(t.dest)
    layers: list[list[str]] = [[] for _ in range(max(depth.values()) + 1)]
    for state in flow.states:
        layers[depth.get(state.name, len(layers) - 1)].append(state.name)
    return layers


def flow_svg(flow: FlowSpec, current: str | None = None) -> str:
    """SVG of the states (boxes) and moves (arrows); the current state is filled."""
    layers = _layers(flow)
    width = max(len(layer) for layer in layers) * (BOX_W + GAP_X) + GAP_X
    height = len(layers) * (BOX_H + GAP_Y) + GAP_Y
    pos: dict[str, tuple[int, int]] = {}
    for row, layer in enumerate(layers):
        offset = (width - len(layer) * (BOX_W + GAP_X) + GAP_X) // 2
        for col, name in enumerate(layer):
            pos[name] = (offset + col * (BOX_W + GAP_X), GAP_Y // 2 + row * (BOX_H + GAP_Y))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="Noto Sans CJK SC, Noto Serif CJK SC, sans-serif" font-size="13" role="img" '
        f'aria-label="{escape(flow.label)}流程图">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#7a869a"/></marker></defs>',
    ]
    drawn: set[tuple[str, str]] = set()
    for t in flow.transitions:
        if not t.dest:
            continue
        for source in t.source:
            if source not in pos or (source, t.dest) in drawn or source == t.dest:
                continue
            drawn.add((source, t.dest))
            (x1, y1), (x2, y2) = pos[source], pos[t.dest]
            start = (x1 + BOX_W // 2, y1 + BOX_H if y2 > y1 else y1)
            end = (x2 + BOX_W // 2, y2 if y2 > y1 else y2 + BOX_H)
            parts.append(
                f'<line x1="{start[0]}" y1="{start[1]}" x2="{end[0]}" y2="{end[1]}" stroke="#7a869a" '
                f'stroke-width="1.2" marker-end="url(#arrow)"><title>{escape(t.label)}</title></line>'
            )
    for state in flow.states:
        x, y = pos[state.name]
        is_current = state.name == current
        fill = "#c0392b" if is_current else ("#eef1f5" if state.final else "#ffffff")
        text = "#ffffff" if is_current else "#1f2d3d"
        css = ' class="current"' if is_current else ""
        parts.append(
            f'<g data-state="{state.name}"{css}><rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" '
            f'fill="{fill}" stroke="#34495e" stroke-width="{2.5 if is_current else 1}"/>'
            f'<text x="{x + BOX_W // 2}" y="{y + BOX_H // 2 + 5}" text-anchor="middle" fill="{text}">'
            f"{escape(state.label)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)
