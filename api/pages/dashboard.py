"""The supervisor's dashboard: overdue and due-soon steps, charts, exports, the heads' inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import State
from api.pages.charts import bars, grouped_columns
from api.pages.excel import xlsx_response
from api.pages.lists import case_export, filter_choices, filters_from, list_page, pager_links, query_of
from api.pages.web import STATUS_LABELS, PageActor, render, render_error, require_role
from api.registers import departments
from api.schemas import parse_as_of
from engine.case_lists import count_cases
from engine.definitions import Role
from engine.errors import DomainError
from engine.queries import (
    CaseFilter,
    DutyFilter,
    dashboard_groups,
    iter_duties,
    monthly,
    officer_names,
    unit_groups,
)
from engine.queries import dashboard as dashboard_query

router = APIRouter(include_in_schema=False)

GROUPS = {"department": "承办机构", "officer": "执法人员", "item": "事项", "flow": "流程"}
ENTRY_HEADERS = [
    "案件编号", "事项", "承办机构", "执法人员", "当事人", "当前环节", "期限事项", "到期时间", "状态", "逾期天数",
    "依据", "追责情形",
]


def awaiting_head() -> CaseFilter:
    """待我审批: the head's list and the dashboard's card count the same cases (a new filter each time: lists narrow it)."""
    return CaseFilter(awaiting_role=Role.head.value, closed=False)


def _entry_row(e: dict[str, Any]) -> list[Any]:
    return [
        e["number"], e["item_name"], e["department"] or "", e["officers"], e["party"] or "", e["state_label"],
        e["step"], e["due_at"][:16].replace("T", " "), STATUS_LABELS.get(e["status"], e["status"]), e["days_late"],
        e["source"], e["accountability_items"] or e["accountability"] or "",
    ]


def group_rows(state: State, actor: PageActor, as_of: datetime, group: str, found: DutyFilter) -> list[dict[str, Any]]:
    """Counts per group with the names the page shows (item and flow names, not codes)."""
    names: dict[str, str] = {}
    if group == "item":
        names = {i.code: i.name for i in [*state.library.catalogue(actor.bureau).items, *state.library.internal]}
    elif group == "flow":
        names = {f.key: f.label for f in state.library.latest_flows()}
    empty = {"department": "（未列承办机构）", "officer": "（未指定）"}.get(group, "")
    units = [d.name for d in departments(state.engine, actor.bureau) if d.active] if group == "department" else []
    if units:  # the bureau's own register of 承办机构 (its settings), where it has one
        rows = unit_groups(state.engine, actor, as_of, units, found)
        empty = "（未归入本局承办机构）"
    else:
        rows = dashboard_groups(state.engine, actor, as_of, group, found)
    return [{**r, "name": names.get(r["key"], r["key"]) or empty} for r in rows]


@router.get("/dashboard")
def dashboard(
    request: Request,
    state: State,
    actor: PageActor,
    department: str = "",
    officer: str = "",
    item: str = "",
    flow: str = "",
    status: str = "",
    as_of: str = "",
    page: int = 1,
    export: str = "",
) -> Response:
    try:
        require_role(actor, Role.head, Role.supervisor, Role.admin)
        moment = parse_as_of(as_of or None) or datetime.now().astimezone()
    except DomainError as error:
        return render_error(request, state, actor, error)
    found = DutyFilter(
        department=department or None, officer=officer or None, item=item or None, flow=flow or None,
        status=status if status in ("overdue", "due_soon") else None,
    )
    if export in GROUPS:
        label = GROUPS[export]
        rows = [[c["name"], c["overdue"], c["due_soon"], c["days_late"]]
                for c in group_rows(state, actor, moment, export, found)]
        return xlsx_response(f"按{label}统计.xlsx", f"按{label}统计", [label, "已超期", "即将到期", "逾期天数合计"], rows)
    if export:
        entries = iter_duties(state.engine, state.library, actor, moment, found)
        return xlsx_response("超期与临期事项.xlsx", "超期与临期事项", ENTRY_HEADERS, (_entry_row(e) for e in entries))
    result = dashboard_query(state.engine, state.library, actor, moment, found, page=min(max(page, 1), 1_000_000))
    pages = max(1, (result["total"] + result["size"] - 1) // result["size"])
    groups = {key: (label, group_rows(state, actor, moment, key, found)) for key, label in GROUPS.items()}
    by_department = [r for r in groups["department"][1] if r["overdue"]]
    catalogue = state.library.catalogue(actor.bureau)
    awaiting = count_cases(state.engine, actor, awaiting_head(), moment) if Role.head in actor.roles else None
    filters = {"department": department, "officer": officer, "item": item, "flow": flow, "status": status,
               "as_of": as_of}
    return render(
        request,
        state,
        "dashboard.html",
        actor,
        title="督办看板",
        result=result,
        entries=result["items"],
        overdue=result["overdue"],
        due_soon=result["due_soon"],
        awaiting=awaiting,
        groups=groups,
        chart_departments=bars([(c["name"], c["overdue"]) for c in by_department], "各承办机构超期步骤数"),
        chart_months=grouped_columns(monthly(state.engine, actor, as_of=moment),
                                     [("opened", "立案/收件"), ("closed", "办结")], "每月立案与办结案件数"),
        filters=filters,
        as_of=moment,
        departments=sorted({i.department for i in catalogue.items if i.department}),
        officers=officer_names(state.engine, actor),
        items=catalogue.items,
        flows=state.library.latest_flows(),
        query=urlencode({k: v for k, v in filters.items() if v}),
        pager=pager_links(pages, result["page"]),
        pages=pages,
    )


def extendable_states(state: State) -> list[tuple[str, str]]:
    """(flow, state) pairs where a head may grant an extension: a head's recorded fact that extends a clock."""
    pairs = set()
    for flow in state.library.flows.values():
        for spec in flow.transitions:
            extends = any(a.name.startswith("extend") for a in spec.actions)
            if spec.dest is None and Role.head in spec.roles and extends:
                pairs.update((flow.key, source) for source in spec.source if source != "*")
    return sorted(pairs)


@router.get("/approvals")
def approvals(request: Request, state: State, actor: PageActor, export: str = "", page: int = 1) -> Response:
    """Cases waiting for a head: 立案审批, extensions, emergency sealing approval, 集体讨论."""
    try:
        require_role(actor, Role.head, Role.supervisor)
    except DomainError as error:
        return render_error(request, state, actor, error)
    try:
        waiting, given = filters_from(request, awaiting_head())
    except DomainError as error:
        return render_error(request, state, actor, error)
    if export:
        return case_export(state, actor, waiting, "待我审批.xlsx", "待我审批")
    result = list_page(state, actor, waiting, min(max(page, 1), 1_000_000))
    pressing = CaseFilter(closed=False, due_soon_or_overdue=True, states=extendable_states(state))
    extensions = list_page(state, actor, pressing, 1)
    return render(
        request, state, "approvals.html", actor, title="待我审批", result=result, extensions=extensions,
        filters=given, choices=filter_choices(state, actor), query=query_of(given),
        pager=pager_links(result["pages"], result["page"]),
    )
