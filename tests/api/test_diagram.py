"""The flow picture: stages as lanes, and no arrow drawn through a state's box, for every flow."""

from __future__ import annotations

import re

import pytest

from api.diagram import BOX_H, BOX_W, THEME, flow_svg, stages
from processes.loader import default_library

LIBRARY = default_library()


def _boxes(svg: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(r'<g data-state="[^"]+"[^>]*><title>[^<]*</title><rect x="(\d+)" y="(\d+)"', svg)]


def _segments(svg: str) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    found = []
    for points in re.findall(r'<polyline points="([^"]+)"', svg):
        pts = [tuple(float(v) for v in p.split(",")) for p in points.split()]
        found += list(zip(pts, pts[1:], strict=False))
    return found  # type: ignore[return-value]


def _crosses(seg: tuple[tuple[float, float], tuple[float, float]], box: tuple[float, float]) -> bool:
    (x1, y1), (x2, y2) = seg
    bx, by = box
    low_x, high_x, low_y, high_y = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
    return low_x < bx + BOX_W and high_x > bx and low_y < by + BOX_H and high_y > by  # interiors overlap


@pytest.mark.parametrize("key", sorted({f.key for f in LIBRARY.latest_flows()}))
def test_no_arrow_passes_through_a_box_and_stages_are_lanes(key: str) -> None:
    flow = LIBRARY.flow(key)
    svg = flow_svg(flow, flow.initial)
    boxes = _boxes(svg)
    assert len(boxes) == len(flow.states)
    segments = _segments(svg)
    assert segments
    for segment in segments:
        assert segment[0][0] == segment[1][0] or segment[0][1] == segment[1][1], segment  # orthogonal lines only
        assert not [b for b in boxes if _crosses(segment, b)], (segment, key)
    assert svg.count('<g class="lane">') == len(stages(flow))
    assert 'class="current"><title>' in svg and f'fill="{THEME}"' in svg and "#c0392b" not in svg
