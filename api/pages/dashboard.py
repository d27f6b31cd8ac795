"""The supervisor's dashboard: overdue and due-soon steps, charts, exports, the heads' inbox."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import State
from api.pages.charts import bars, grouped_columns
from api.pages.excel import xlsx_response
from api.pages.lists import awaiting_role, monthly, open_cases, summarise
from api.pages.web import STATUS_LABELS, PageActor, render, render_error, require_role
from engine.definitions import Role
from engine.errors import DomainError
from engine.queries import dashboard as dashboard_query

router = APIRouter(include_in_schema=False)

def _keys(entry: dict[str, Any], group: str) -> list[str]:
    """The group(s) an overdue entry counts under: an entry with two officers counts for each."""
    if group == "department":
        return [entry["department"] or "（未列承办机构）"]
    if group == "officer":
        return list(entry["officers"]) or ["（未指定）"]
    if group == "item":
        return [entry["item_name"]]
    return [entry.get("flow_label") or entry["flow"]]


GROUPS = {"department": "承办机构", "officer": "执法人员", "item": "事项", "flow": "流程"}
ENTRY_HEADERS = [
    "案件编号", "事项", "承办机构", "执法人员", "当事人", "当前环节", "期限事项", "到期时间", "状态", "逾期天数",
    "依据", "追责情形",
]


def _entry_row(e: dict[str, Any]) -> list[Any]:
    return [
        e["number"], e["item_name"], e["department"] or "", e["officers"], e["party"] or "", e["state_label"],
        e["step"], e["due_at"][:16].replace("T", " "), STATUS_LABELS.get(e["status"], e["status"]), e["days_late"],
        e["source"], e["accountability_items"] or e["accountability"] or "",
    ]


def counts(entries: list[dict[str, Any]], group: str) -> list[dict[str, Any]]:
    """Overdue and due-soon steps per department, officer, item or flow, most overdue first."""
    overdue: Counter[str] = Counter()
    soon: Counter[str] = Counter()
    late: Counter[str] = Counter()
    for e in entries:
        for key in _keys(e, group):
            if e["status"] == "overdue":
                overdue[key] += 1
                late[key] += e["days_late"]
            else:
                soon[key] += 1
    keys = sorted(set(overdue) | set(soon), key=lambda k: (-overdue[k], -soon[k], k))
    return [{"name": k, "overdue": overdue[k], "due_soon": soon[k], "days_late": late[k]} for k in keys]


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
    export: str = "",
) -> Response:
    try:
        require_role(actor, Role.head, Role.supervisor, Role.admin)
    except DomainError as error:
        return render_error(request, state, actor, error)
    result = dashboard_query(
        state.engine,
        state.library,
        actor,
        datetime.now().astimezone(),
        department=department or None,
        officer=officer or None,
        item=item or None,
        flow=flow or None,
    )
    labels = {f.key: f.label for f in state.library.latest_flows()}
    entries = [
        {**e, "flow_label": labels.get(e["flow"], e["flow"])}
        for e in result["items"]
        if not status or e["status"] == status
    ]
    if export in GROUPS:
        label = GROUPS[export]
        rows = [[c["name"], c["overdue"], c["due_soon"], c["days_late"]] for c in counts(entries, export)]
        return xlsx_response(f"按{label}统计.xlsx", f"按{label}统计", [label, "已超期", "即将到期", "逾期天数合计"], rows)
    if export:
        return xlsx_response("超期与临期事项.xlsx", "超期与临期事项", ENTRY_HEADERS, [_entry_row(e) for e in entries])
    everything = dashboard_query(state.engine, state.library, actor, datetime.now().astimezone())["items"]
    by_department = counts([e for e in entries if e["status"] == "overdue"], "department")
    per_month = monthly(state, actor)
    catalogue = state.library.catalogue(actor.bureau)
    return render(
        request,
        state,
        "dashboard.html",
        actor,
        title="督办看板",
        entries=entries,
        overdue=sum(1 for e in entries if e["status"] == "overdue"),
        due_soon=sum(1 for e in entries if e["status"] == "due_soon"),
        groups={key: (label, counts(entries, key)) for key, label in GROUPS.items()},
        chart_departments=bars([(c["name"], c["overdue"]) for c in by_department], "各承办机构超期步骤数"),
        chart_months=grouped_columns(per_month, [("opened", "立案/收件"), ("closed", "办结")], "每月立案与办结案件数"),
        filters={"department": department, "officer": officer, "item": item, "flow": flow, "status": status},
        departments=sorted({i.department for i in catalogue.items if i.department}),
        officers=sorted({o for e in everything for o in e["officers"]}),
        items=catalogue.items,
        flows=state.library.latest_flows(),
        query=request.url.query,
    )


@router.get("/approvals")
def approvals(request: Request, state: State, actor: PageActor, export: str = "") -> Response:
    """Cases waiting for a head: 立案审批, extensions, emergency sealing approval, 集体讨论."""
    try:
        require_role(actor, Role.head, Role.supervisor)
    except DomainError as error:
        return render_error(request, state, actor, error)
    waiting = awaiting_role(state, actor, Role.head)
    cases = summarise(state, actor, waiting)
    extensions = summarise(state, actor, extension_candidates(state, actor, waiting))
    if export:
        return xlsx_response(
            "待审批.xlsx",
            "待审批",
            ["案件编号", "事项", "当事人", "待审批环节", "可办理操作", "期限", "到期时间"],
            [
                [
                    c["number"], c["item"]["name"], c["party"], c["state_label"], c["next"],
                    c["nearest"]["label"] if c["nearest"] else "",
                    c["nearest"]["due_at"][:16].replace("T", " ") if c["nearest"] else "",
                ]
                for c in cases
            ],
        )
    return render(request, state, "approvals.html", actor, title="待审批", cases=cases, extensions=extensions)


def extension_candidates(state: State, actor: PageActor, skip: list[Any]) -> list[Any]:
    """Open cases whose duty is due soon or overdue and that a head may extend now (延期审批)."""
    skipped = {row.id for row in skip}
    found = []
    for row in open_cases(state, actor):
        if row.id is None or row.id in skipped:
            continue
        view = state.cases.view(actor, row.id)
        may_extend = any(a["allowed"] and "extend" in a["trigger"] for a in view["actions"])
        pressing = any(not c["party"] and c["status"] in ("due_soon", "overdue") for c in view["clocks"])
        if may_extend and pressing:
            found.append(row)
    return found
