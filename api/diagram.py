"""A flow's picture as SVG: one lane per stage, arrows routed in the gaps so none crosses a box.

Stages are lanes (rows) in the order the flow lists its states; a lane's states sit side by
side in columns. An arrow leaves its box downwards (or upwards), runs along the channel between
lanes, turns into the corridor between columns, and enters its target from the channel next to
the target's lane. Channels and corridors are the only places a line runs, so no line passes
through a box. The current state is filled in the theme colour (red means overdue elsewhere).
"""

from __future__ import annotations

from html import escape

from engine.definitions import FlowSpec

BOX_W, BOX_H = 150, 40
GAP_X, GAP_Y = 72, 64  # corridor and channel widths: room for several lines side by side
LANE_LABEL_W = 64
THEME = "#1f5f99"
LINE = "#7a869a"


def stages(flow: FlowSpec) -> list[str]:
    """The flow's stages in the order its states first name them (states without one: 其他)."""
    found: list[str] = []
    for state in flow.states:
        stage = state.stage or "其他"
        if stage not in found:
            found.append(stage)
    return found


def _lanes(flow: FlowSpec) -> list[tuple[str, list[str]]]:
    lanes: dict[str, list[str]] = {s: [] for s in stages(flow)}
    for state in flow.states:
        lanes[state.stage or "其他"].append(state.name)
    return list(lanes.items())


def flow_svg(flow: FlowSpec, current: str | None = None) -> str:
    """SVG of the states (boxes in stage lanes) and moves (arrows); the current state is filled."""
    lanes = _lanes(flow)
    columns = max(len(names) for _, names in lanes)
    width = LANE_LABEL_W + columns * (BOX_W + GAP_X) + GAP_X
    height = len(lanes) * (BOX_H + GAP_Y) + GAP_Y
    pos: dict[str, tuple[int, int]] = {}
    column_of: dict[str, int] = {}
    lane_of: dict[str, int] = {}
    for row, (_, names) in enumerate(lanes):
        for column, name in enumerate(names):
            pos[name] = (LANE_LABEL_W + GAP_X + column * (BOX_W + GAP_X), GAP_Y + row * (BOX_H + GAP_Y))
            column_of[name], lane_of[name] = column, row
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="Noto Sans CJK SC, Noto Serif CJK SC, sans-serif" font-size="13" role="img" '
        f'aria-label="{escape(flow.label)}流程图">',
        f'<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{LINE}"/></marker></defs>',
    ]
    for row, (stage, _) in enumerate(lanes):
        top = GAP_Y // 2 + row * (BOX_H + GAP_Y)
        shade = "#f5f8fb" if row % 2 == 0 else "#ffffff"
        parts.append(
            f'<g class="lane"><rect x="0" y="{top}" width="{width}" height="{BOX_H + GAP_Y}" fill="{shade}"/>'
            f'<text x="8" y="{top + (BOX_H + GAP_Y) // 2 + 5}" fill="#5d6b7e">{escape(stage)}</text></g>'
        )
    drawn: set[tuple[str, str]] = set()
    for index, t in enumerate(flow.transitions):
        if not t.dest:
            continue
        for source in t.source:
            if source not in pos or t.dest not in pos or (source, t.dest) in drawn or source == t.dest:
                continue
            drawn.add((source, t.dest))
            points = _route(pos, lane_of, column_of, source, t.dest, len(drawn) + index)
            path = " ".join(f"{x},{y}" for x, y in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="1.2" '
                f'marker-end="url(#arrow)"><title>{escape(t.label)}</title></polyline>'
            )
    for state in flow.states:
        x, y = pos[state.name]
        is_current = state.name == current
        fill = THEME if is_current else ("#eef1f5" if state.final else "#ffffff")
        text = "#ffffff" if is_current else "#1f2d3d"
        css = ' class="current"' if is_current else ""
        label = state.label if len(state.label) <= 11 else state.label[:10] + "…"
        parts.append(
            f'<g data-state="{state.name}"{css}><title>{escape(state.label)}</title>'
            f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" '
            f'fill="{fill}" stroke="#34495e" stroke-width="{2.5 if is_current else 1}"/>'
            f'<text x="{x + BOX_W // 2}" y="{y + BOX_H // 2 + 5}" text-anchor="middle" fill="{text}">'
            f"{escape(label)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _route(
    pos: dict[str, tuple[int, int]],
    lane_of: dict[str, int],
    column_of: dict[str, int],
    source: str,
    dest: str,
    n: int,
) -> list[tuple[int, int]]:
    """Points of an orthogonal line from source to dest through channels and corridors only."""
    (x1, y1), (x2, y2) = pos[source], pos[dest]
    shift = (n % 7) * 8 - 24  # spread lines sharing a channel or corridor
    down = lane_of[dest] > lane_of[source]
    same_lane = lane_of[dest] == lane_of[source]
    start_x = x1 + BOX_W // 2 + shift
    end_x = x2 + BOX_W // 2 - shift
    if down:
        start = (start_x, y1 + BOX_H)
        out_channel = y1 + BOX_H + GAP_Y // 2 + shift * 2 // 3
        in_channel = y2 - GAP_Y // 2 + shift * 2 // 3
        end = (end_x, y2)
    else:
        # upwards or within a lane: leave from the bottom, enter from the bottom
        start = (start_x, y1 + BOX_H)
        out_channel = y1 + BOX_H + GAP_Y // 2 + shift * 2 // 3
        in_channel = y2 + BOX_H + GAP_Y // 2 + shift * 2 // 3
        end = (end_x, y2 + BOX_H)
    if same_lane or lane_of[dest] == lane_of[source] + 1:
        return [start, (start_x, out_channel), (end_x, out_channel), end]
    # the corridor left of the target's column (or right of the last column)
    corridor = x2 - GAP_X // 2 + shift if column_of[dest] <= column_of[source] else x2 + BOX_W + GAP_X // 2 + shift
    return [start, (start_x, out_channel), (corridor, out_channel), (corridor, in_channel), (end_x, in_channel), end]
