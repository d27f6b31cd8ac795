"""What the list pages share: filters from the query string, one page of the read model, exports.

Every list is one paginated SQL query over the read model (``engine.queries``); exports stream
the whole filtered list. Which states count as "waiting for a supplement" or "a head may extend
now" is read from the flows once, not computed per case.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from api.deps import AppState
from api.pages.excel import xlsx_response
from api.pages.web import STATUS_LABELS, fmt_moment
from engine.errors import InvalidInput
from engine.model import Actor
from engine.queries import CLOCK_FILTERS, CaseFilter, iter_cases, list_cases, officer_names
from engine.timeutil import local_midnight

PAGE_SIZE = 30

CASE_HEADERS = ["案件编号", "事项", "流程", "当前环节", "当事人", "执法人员", "立案/受理时间", "最近期限", "到期时间",
                "状态", "当事人期限", "已办结"]

CLOCK_CHOICES = dict(zip(CLOCK_FILTERS, ["已超期", "即将到期", "期限内", "本环节无法定期限", "当事人期限已届满"],
                         strict=True))

# A party's period that has run out, and what it calls for: clock key → (what ran out, the step it opens,
# the stage in which it matters, whether an unpaid fine is the point of it).
PERIOD_CALLS: dict[str, tuple[str, str, str, bool]] = {
    "statement": ("陈述申辩期已届满", "可作出决定", "告知", False),
    "hearing_request": ("申请听证期限已届满", "当事人未申请听证的，可作出决定", "告知", False),
    "payment": ("缴款期已届满", "可催告", "执行", True),
    "demand_wait": ("催告期已届满", "可申请人民法院强制执行", "执行", True),
    "public_notice": ("公示期已届满", "可作出决定", "公示", False),
    "objection": ("异议期已届满", "可记录", "告知", False),
    "correction": ("改正期限已届满", "可复查", "处理", False),
}


def party_elapsed_text(c: dict[str, Any]) -> str:
    """The party's period that has run out with what it calls for (缴款期已届满 — 可催告), or ""."""
    if c.get("final"):
        return ""
    unpaid = c.get("fine") not in (None, "", "0.00") and float(c.get("paid") or 0) < float(c.get("fine") or 0)
    for key in c.get("party_elapsed") or []:
        call = PERIOD_CALLS.get(key)
        if call is None or call[2] != c.get("stage") or (call[3] and not unpaid):
            continue
        return f"{call[0]} — {call[1]}"
    return ""


def list_page(state: AppState, actor: Actor, found: CaseFilter, page: int) -> dict[str, Any]:
    result = list_cases(state.engine, actor, found, page=page, size=PAGE_SIZE)
    result["pages"] = max(1, (result["total"] + PAGE_SIZE - 1) // PAGE_SIZE)
    for row in result["items"]:
        row["party_elapsed_text"] = party_elapsed_text(row)
    return result


def case_export(state: AppState, actor: Actor, found: CaseFilter, filename: str, title: str) -> Any:
    rows = iter_cases(state.engine, actor, found, datetime.now().astimezone())
    return xlsx_response(filename, title, CASE_HEADERS, (export_row(c) for c in rows))


def export_row(c: dict[str, Any]) -> list[Any]:
    return [
        c["number"], c["item_name"], c["flow_label"], c["state_label"], c["party"], c["officers"],
        fmt_moment(c["opened_at"]), c["next_clock"] or "", fmt_moment(c["next_due_at"]),
        STATUS_LABELS.get(c["status"], "") if c["status"] != "none" else "", party_elapsed_text(c),
        "是" if c["final"] else "否",
    ]


FILTER_KEYS = ("q", "flow", "item", "stage", "state", "officer", "clock", "from", "to")


def _day(raw: str, label: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("INVALID_DATE", f"{label}不是有效的日期：{raw}（应为 年-月-日，如 2026-01-31）",
                           field=label) from None


def filters_from(request: Request, base: CaseFilter) -> tuple[CaseFilter, dict[str, str]]:
    """The list filters of the query string applied on top of a list's own filter (its view)."""
    given = {k: str(request.query_params.get(k) or "").strip() for k in FILTER_KEYS}
    found = base
    found.q = given["q"] or None
    found.flow = given["flow"] or found.flow
    found.item = given["item"] or None
    found.stage = given["stage"] or None
    found.state = given["state"] or None
    found.officer = given["officer"] or None
    found.clock = given["clock"] if given["clock"] in CLOCK_FILTERS else None
    found.opened_from = local_midnight(_day(given["from"], "登记日期自"))
    found.opened_to = local_midnight(_day(given["to"], "登记日期至"), next_day=True)
    return found, given


def filter_choices(state: AppState, actor: Actor) -> dict[str, Any]:
    """The options of the list filters: flows, items, stages, states, officers, clock statuses."""
    flows = state.library.latest_flows()
    stages: list[str] = []
    for f in flows:
        for s in f.states:
            if s.stage and s.stage not in stages:
                stages.append(s.stage)
    states = sorted({(s.name, s.label) for f in flows for s in f.states}, key=lambda p: p[1])
    return {
        "flows": flows, "items": state.library.catalogue(actor.bureau).items, "stages": stages, "states": states,
        "officers": officer_names(state.engine, actor), "clocks": CLOCK_CHOICES,
    }


def query_of(given: dict[str, str], **extra: str) -> str:
    return urlencode({**extra, **{k: v for k, v in given.items() if v}})


def states_where(state: AppState, keep: Any) -> list[tuple[str, str]]:
    """(flow, state) pairs of every loaded flow version whose state satisfies ``keep(flow, state)``."""
    pairs = set()
    for flow in state.library.flows.values():
        for spec in flow.states:
            if keep(flow, spec):
                pairs.add((flow.key, spec.name))
    return sorted(pairs)


def pager_links(total_pages: int, page: int) -> Iterable[int]:
    """The page numbers a pager shows: the first, the last and those near the current one."""
    return sorted({1, total_pages, *range(max(1, page - 3), min(total_pages, page + 3) + 1)})
