"""The bureau's 权责清单 as published, and each flow's picture."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import AppState, State
from api.diagram import flow_svg
from api.pages.casework import doc_label, flow_or_none
from api.pages.excel import xlsx_response
from api.pages.web import PageActor, render, render_error
from engine.definitions import ROLE_LABELS, UNIT_LABELS, FlowSpec
from engine.errors import NotFound

router = APIRouter(include_in_schema=False)


@router.get("/catalogue")
def catalogue(
    request: Request,
    state: State,
    actor: PageActor,
    type: str = "",
    q: str = "",
    export: str = "",
    full: str = "",
) -> Response:
    cat = state.library.catalogue(actor.bureau)
    items = [
        i
        for i in cat.items
        if (not type or i.power_type == type) and (not q or q in i.name or q == i.code)
    ]
    if export:
        return xlsx_response(
            "权责清单.xlsx",
            "权责清单",
            ["编号", "权力类型", "事项名称", "行政主体", "承办机构", "实施依据", "责任事项", "追责情形", "备注"],
            [
                [
                    i.number or i.code, i.power_type, i.name, i.subject, i.department or "", "\n".join(i.basis),
                    "\n".join(f"{d.stage}：{d.text}" for d in i.duties), "\n".join(i.accountability), i.remarks or "",
                ]
                for i in items
            ],
        )
    flows = {i.flow: flow_or_none(state, i.flow) for i in cat.items}
    return render(
        request,
        state,
        "catalogue.html",
        actor,
        title="权责清单",
        bureau=cat.bureau,
        items=items,
        types=sorted({i.power_type for i in cat.items}),
        flows=flows,
        filters={"type": type, "q": q},
        full=bool(full),
    )


@router.get("/flows/{key}")
def flow_page(request: Request, state: State, actor: PageActor, key: str) -> Response:
    flow = flow_or_none(state, key)
    if flow is None:
        return render_error(request, state, actor, NotFound("FLOW_NOT_AVAILABLE", f"流程“{key}”尚未上线"))
    labels = {s.name: s.label for s in flow.states}
    return render(
        request,
        state,
        "flow.html",
        actor,
        title=flow.label,
        flow=flow,
        settings=flow_settings(state, flow, actor.bureau),
        amount_source=amount_source,
        svg=flow_svg(flow),
        labels=labels,
        role_labels=ROLE_LABELS,
        unit_labels=UNIT_LABELS,
        doc_label=doc_label,
    )


def flow_settings(state: AppState, flow: FlowSpec, bureau: str) -> list[dict[str, Any]]:
    """The flow's settings as this bureau has them: label, value, and whether the rule awaits
    verification (LEGAL.md) and so stays the bureau's to set."""
    from api.bureaus import settings_of
    from engine import bureau_settings

    own = settings_of(state.engine, bureau)
    return [
        {
            "label": bureau_settings.label(key),
            "value": bureau_settings.show(key, own.get(key, default)),
            "own": key in own,
            "to_verify": bureau_settings.to_verify(key),
        }
        for key, default in flow.settings.items()
    ]


def amount_source(ref: str) -> str:
    """Where a clock's amount comes from, in words: a bureau setting by its label, or the case."""
    from engine import bureau_settings

    source, _, name = ref.partition(":")
    if source == "setting":
        return f"按本局设置（{bureau_settings.label(name)}）"
    return "按案件中确定的期限"
