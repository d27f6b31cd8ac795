"""The officer's workbench, the case list, opening a case and the case page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import AppState, State
from api.pages import fields as F
from api.pages.casework import (
    case_page,
    certified_officers,
    fire_from_form,
    flow_or_none,
    open_from_form,
    preview_from_form,
)
from api.pages.evidence_view import shown_events
from api.pages.lists import case_export, filter_choices, filters_from, list_page, pager_links, query_of
from api.pages.web import PageActor, posted_form, redirect, render, render_error
from api.routes.documents import disposition
from api.schemas import CaseId, ListKey
from documents.kinds import kind_of
from engine.definitions import Role
from engine.errors import DomainError, NotFound
from engine.model import Actor
from engine.queries import CaseFilter

router = APIRouter(include_in_schema=False)


WORKBENCH_VIEWS = {
    "todo": "我的待办",
    "done": "我的已办",
    "mine": "我参与的案件",
    "review": "待法制审核案件",
    "head": "待负责人审批案件",
}
VIEW_ROLES = {"todo": Role.officer, "done": None, "mine": Role.officer, "review": Role.reviewer, "head": Role.head}


def workbench_filter(view: str, actor: Actor) -> CaseFilter:
    """The list of one tab: my open cases waiting for an officer, cases I took a step in, all of mine …"""
    if view == "review":
        return CaseFilter(awaiting_role=Role.reviewer.value, closed=False)
    if view == "head":
        return CaseFilter(awaiting_role=Role.head.value, closed=False)
    if view == "done":
        return CaseFilter(acted_by=actor.username)
    if view == "todo":
        return CaseFilter(mine=actor, closed=False, awaiting_role=Role.officer.value)
    return CaseFilter(mine=actor)  # 我参与的: open and archived alike


def views_for(actor: Actor) -> dict[str, str]:
    return {k: v for k, v in WORKBENCH_VIEWS.items() if VIEW_ROLES[k] is None or VIEW_ROLES[k] in actor.roles}


@router.get("/workbench")
def workbench(
    request: Request, state: State, actor: PageActor, view: str = "", export: str = "", page: int = 1
) -> Response:
    """My to-do, my done and all my cases (officer) or the cases waiting for my role, most urgent first."""
    views = views_for(actor)
    if view not in views:
        view = "review" if Role.officer not in actor.roles and Role.reviewer in actor.roles else "todo"
        views = views or {view: WORKBENCH_VIEWS[view]}
    title = WORKBENCH_VIEWS[view]
    try:
        found, given = filters_from(request, workbench_filter(view, actor))
    except DomainError as error:
        return render_error(request, state, actor, error)
    if export:
        return case_export(state, actor, found, f"{title}.xlsx", title)
    result = list_page(state, actor, found, min(max(page, 1), 1_000_000))
    return render(
        request, state, "workbench.html", actor, result=result, view=view, title=title, views=views,
        filters=given, choices=filter_choices(state, actor), query=query_of(given, view=view),
        pager=pager_links(result["pages"], result["page"]),
    )


@router.get("/cases")
def all_cases(request: Request, state: State, actor: PageActor, closed: str = "", page: int = 1,
              export: str = "") -> Response:
    """The bureau's cases (within the reader's scope), every filter and the search."""
    try:
        found, given = filters_from(request, CaseFilter(closed={"open": False, "closed": True}.get(closed)))
    except DomainError as error:
        return render_error(request, state, actor, error)
    if export:
        return case_export(state, actor, found, "案件列表.xlsx", "案件列表")
    result = list_page(state, actor, found, min(max(page, 1), 1_000_000))
    return render(
        request, state, "cases.html", actor, title="全部案件", result=result, filters=given, closed=closed,
        choices=filter_choices(state, actor), query=query_of(given, closed=closed) if closed else query_of(given),
        pager=pager_links(result["pages"], result["page"]),
    )


def _openable(state: State, actor: PageActor) -> list[dict[str, Any]]:
    catalogue = state.library.catalogue(actor.bureau)
    result = []
    for item in [*catalogue.items, *state.library.internal]:  # the list, then the internal procedures
        flow = flow_or_none(state, item.flow)
        result.append(
            {
                "item": item,
                "flow": flow,
                "may_open": bool(flow and actor.roles & set(flow.open.roles)),
            }
        )
    return result


@router.get("/cases/new")
def new_case(request: Request, state: State, actor: PageActor, item: str = "", q: str = "") -> Response:
    if not item:
        entries = [
            e
            for e in _openable(state, actor)
            if not q or q in e["item"].name or q == e["item"].code
        ]
        return render(request, state, "pick_item.html", actor, entries=entries, q=q)
    return _open_form(request, state, actor, item, None, None)


def _open_form(
    request: Request, state: AppState, actor: Actor, code: str, error: DomainError | None, form: Any
) -> Response:
    try:
        catalogue_item = state.library.item(actor.bureau, code)
    except DomainError as missing:
        return render_error(request, state, actor, missing)
    flow = flow_or_none(state, catalogue_item.flow)
    if flow is None:
        absent = NotFound(
            "FLOW_NOT_AVAILABLE", f"事项“{catalogue_item.name}”的办理流程（{catalogue_item.flow}）尚未上线"
        )
        return render_error(request, state, actor, absent)
    fields = F.fields_for(flow, flow.open, catalogue_item, state.library.catalogue(actor.bureau).items)
    me = {"name": actor.name, "cert_no": actor.cert_no or ""}
    return render(
        request,
        state,
        "open_case.html",
        actor,
        status_code=422 if error and error.kind == "invalid" else (409 if error else 200),
        item=catalogue_item,
        flow=flow,
        fields=fields,
        wants_party="party" in flow.open.fields,
        wants_officers="officers" in flow.open.fields,
        party_types=F.PARTY_TYPES,
        me=me,
        officers=certified_officers(state, actor.bureau),
        error=error,
        form=form,
        may_open=bool(actor.roles & set(flow.open.roles)),
    )


@router.post("/cases/new")
async def open_case(request: Request, state: State, actor: PageActor) -> Response:
    form = await request.form()
    code = str(form.get("item") or "")
    try:
        await posted_form(request, state)
        catalogue_item = state.library.item(actor.bureau, code)
        case_id = open_from_form(state, actor, catalogue_item, form)
    except DomainError as error:
        return _open_form(request, state, actor, code, error, form)
    return redirect(f"/cases/{case_id}", "案件已登记")


@router.get("/cases/{case_id}")
def case(request: Request, state: State, actor: PageActor, case_id: CaseId, notice: str = "") -> Response:
    try:
        context = case_page(request, state, actor, case_id)
    except DomainError as error:
        return render_error(request, state, actor, error)
    return render(request, state, "case.html", actor, notice=notice, **context)


@router.get("/cases/{case_id}/history")
def history(request: Request, state: State, actor: PageActor, case_id: CaseId, page: int = 1) -> Response:
    """The case's whole 办理记录, oldest first, 100 entries a page."""
    try:
        context = case_page(request, state, actor, case_id)
        entries = state.cases.events(actor, case_id, min(max(page, 1), 1_000_000), 100)
    except DomainError as error:
        return render_error(request, state, actor, error)
    entries["pages"] = max(1, (entries["total"] + 99) // 100)
    context["case"] = {**context["case"], "events": shown_events(entries["items"], context["flow"])}
    return render(request, state, "history.html", actor, entries=entries,
                  pager=pager_links(entries["pages"], entries["page"]), **context)


@router.get("/cases/{case_id}/lists/{key}")
def case_list(request: Request, state: State, actor: PageActor, case_id: CaseId, key: ListKey, page: int = 1) -> Response:
    """One of the case's recorded lists (陈述申辩, 封存, 证据 …) whole, oldest first, 100 entries a page."""
    try:
        context = case_page(request, state, actor, case_id)
        entries = state.cases.entry_page(actor, case_id, key, min(max(page, 1), 1_000_000), 100)
    except DomainError as error:
        return render_error(request, state, actor, error)
    entries["pages"] = max(1, (entries["total"] + 99) // 100)
    return render(request, state, "case_list.html", actor, entries=entries,
                  pager=pager_links(entries["pages"], entries["page"]), **context)


@router.post("/cases/{case_id}/actions/{trigger}")
async def fire(request: Request, state: State, actor: PageActor, case_id: CaseId, trigger: str) -> Response:
    form = await request.form()
    back = str(form.get("back") or "")
    try:
        await posted_form(request, state)
        fire_from_form(state, actor, case_id, trigger, form)
    except DomainError as error:
        try:
            context = case_page(request, state, actor, case_id)
        except DomainError as missing:
            return render_error(request, state, actor, missing)
        status = {"invalid": 422, "forbidden": 403, "not_found": 404}.get(error.kind, 409)
        return render(
            request, state, "case.html", actor, status_code=status, error=error, failed=trigger, form=form, **context
        )
    target = back if back.startswith("/") and not back.startswith("//") else f"/cases/{case_id}"
    return redirect(target, "操作已完成")


@router.post("/cases/{case_id}/preview/{kind}")
async def preview(request: Request, state: State, actor: PageActor, case_id: CaseId, kind: str, trigger: str = "") -> Response:
    """Preview the document an action would issue, with what its form holds so far."""
    form = await request.form()
    try:
        await posted_form(request, state)
        pdf = preview_from_form(state, actor, case_id, trigger, kind, form)
    except DomainError as error:
        return render_error(request, state, actor, error)
    named = disposition(f"预览-{kind_of(kind).title}.pdf", f"preview-{kind}.pdf")  # the clerk sees the title
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": named})
