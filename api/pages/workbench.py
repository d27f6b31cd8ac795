"""The officer's workbench, the case list, opening a case and the case page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import AppState, State
from api.pages import fields as F
from api.pages.casework import case_page, fire_from_form, flow_or_none, open_from_form, preview_from_form
from api.pages.excel import xlsx_response
from api.pages.lists import awaiting_role, is_my_case, open_cases, summarise
from api.pages.web import STATUS_LABELS, PageActor, posted_form, redirect, render, render_error
from api.schemas import CaseId
from engine.definitions import Role
from engine.errors import DomainError, NotFound
from engine.model import Actor
from engine.queries import list_cases

router = APIRouter(include_in_schema=False)


@router.get("/workbench")
def workbench(request: Request, state: State, actor: PageActor, view: str = "", export: str = "") -> Response:
    """My cases (officer) or the cases waiting for my role (reviewer: 法制审核), most urgent first."""
    if view == "review" or (not view and Role.officer not in actor.roles and Role.reviewer in actor.roles):
        view, title = "review", "待法制审核案件"
        rows = awaiting_role(state, actor, Role.reviewer)
    elif view == "head":
        view, title = "head", "待负责人审批案件"
        rows = awaiting_role(state, actor, Role.head)
    else:
        view, title = "mine", "我的案件"
        rows = [r for r in open_cases(state, actor) if is_my_case(r, actor)]
    cases = summarise(state, actor, rows)
    if export:
        return xlsx_response(
            f"{title}.xlsx",
            title,
            ["案件编号", "事项", "当事人", "当前环节", "可办理操作", "最近期限", "到期时间", "状态"],
            [
                [
                    c["number"],
                    c["item"]["name"],
                    c["party"],
                    c["state_label"],
                    c["next"],
                    c["nearest"]["label"] if c["nearest"] else "",
                    c["nearest"]["due_at"][:16].replace("T", " ") if c["nearest"] else "",
                    STATUS_LABELS.get(c["status"], ""),
                ]
                for c in cases
            ],
        )
    return render(request, state, "workbench.html", actor, cases=cases, view=view, title=title)


@router.get("/cases")
def all_cases(
    request: Request,
    state: State,
    actor: PageActor,
    flow: str = "",
    item: str = "",
    overdue: str = "",
    page: int = 1,
    export: str = "",
) -> Response:
    size = 1000 if export else 30
    result = list_cases(
        state.engine,
        state.library,
        actor,
        item=item or None,
        flow=flow or None,
        overdue=bool(overdue),
        page=max(page, 1),
        size=size,
    )
    if export:
        return xlsx_response(
            "案件列表.xlsx",
            "案件列表",
            ["案件编号", "事项编号", "事项", "流程", "当前环节", "当事人", "立案/受理时间", "已办结"],
            [
                [
                    c["number"],
                    c["item"],
                    c["item_name"],
                    c["flow"],
                    c["state_label"],
                    c["party"],
                    c["opened_at"][:16].replace("T", " "),
                    "是" if c["final"] else "否",
                ]
                for c in result["items"]
            ],
        )
    catalogue = state.library.catalogue(actor.bureau)
    return render(
        request,
        state,
        "cases.html",
        actor,
        result=result,
        flows=state.library.latest_flows(),
        flow_labels={f.key: f.label for f in state.library.latest_flows()},
        items=catalogue.items,
        filters={"flow": flow, "item": item, "overdue": overdue},
        pages=(result["total"] + size - 1) // size,
    )


def _openable(state: State, actor: PageActor) -> list[dict[str, Any]]:
    catalogue = state.library.catalogue(actor.bureau)
    result = []
    for item in catalogue.items:
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
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": f"inline; filename=preview-{kind}.pdf"})
