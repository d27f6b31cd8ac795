"""What the list pages share: filters from the query string, one page of the read model, exports.

Every list is one paginated SQL query over the read model (``engine.queries``); exports stream
the whole filtered list. Which states count as "waiting for a supplement" or "a head may extend
now" is read from the flows once, not computed per case.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from api.deps import AppState
from api.pages.excel import xlsx_response
from api.pages.web import STATUS_LABELS, fmt_moment
from engine.model import Actor
from engine.queries import CaseFilter, iter_cases, list_cases

PAGE_SIZE = 30

CASE_HEADERS = ["案件编号", "事项", "流程", "当前环节", "当事人", "执法人员", "立案/受理时间", "最近期限", "到期时间",
                "状态", "已办结"]


def list_page(state: AppState, actor: Actor, found: CaseFilter, page: int) -> dict[str, Any]:
    result = list_cases(state.engine, actor, found, page=page, size=PAGE_SIZE)
    result["pages"] = max(1, (result["total"] + PAGE_SIZE - 1) // PAGE_SIZE)
    return result


def case_export(state: AppState, actor: Actor, found: CaseFilter, filename: str, title: str) -> Any:
    rows = iter_cases(state.engine, actor, found, datetime.now().astimezone())
    return xlsx_response(filename, title, CASE_HEADERS, (export_row(c) for c in rows))


def export_row(c: dict[str, Any]) -> list[Any]:
    return [
        c["number"], c["item_name"], c["flow_label"], c["state_label"], c["party"], c["officers"],
        fmt_moment(c["opened_at"]), c["next_clock"] or "", fmt_moment(c["next_due_at"]),
        STATUS_LABELS.get(c["status"], "") if c["status"] != "none" else "", "是" if c["final"] else "否",
    ]


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
