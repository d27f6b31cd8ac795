"""The bureau's 权责清单 as published, and each flow's picture."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import AppState, State
from api.diagram import flow_svg
from api.pages import fields as F
from api.pages.casework import flow_or_none
from api.pages.excel import xlsx_response
from api.pages.fields import doc_label
from api.pages.web import PageActor, field_label, render, render_error
from engine import bureau_settings
from engine.bureau_settings import SETTINGS
from engine.definitions import ROLE_LABELS, UNIT_LABELS, ClockSpec, FlowSpec
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
    F.learn_labels(flow)

    def setting_amount(clock: ClockSpec) -> str:
        """A clock whose length is a setting: its default and that the bureau sets it."""
        source = str(clock.amount_from or "")
        name = source.split(":", 1)[1] if ":" in source else source
        label = SETTINGS[name].label if name in SETTINGS else "本局设置"
        if source.startswith("setting:") and name in flow.settings:
            return f"{flow.settings[name]}{UNIT_LABELS[clock.unit]}（本局设置：{label}）"
        return amount_from_text(source)

    return render(
        request,
        state,
        "flow.html",
        actor,
        title=flow.label,
        flow=flow,
        settings=flow_settings(state, flow, actor.bureau),
        svg=flow_svg(flow),
        labels=labels,
        role_labels=ROLE_LABELS,
        unit_labels=UNIT_LABELS,
        doc_label=doc_label,
        setting_amount=setting_amount,
    )


def amount_from_text(source: str) -> str:
    """Where a clock's length comes from, in words: 按本局设置（陈述申辩期限）, 按案件中填写的改正期限."""
    kind, _, key = source.partition(":")
    if kind == "setting":
        named = bureau_settings.label(key)
        return f"按本局设置（{named}）" if named != key else "按本局或事项的设置"
    if kind == "data":
        named = field_label(key)
        return f"按案件中填写的{named}" if named != "其他记录" else "按案件中填写的期限"
    return "按设置"


def flow_settings(state: AppState, flow: FlowSpec, bureau: str) -> list[dict[str, Any]]:
    """The flow's settings as this bureau has them: label, value, and whether the rule awaits
    verification (LEGAL.md) and so stays the bureau's to set."""
    from api.bureaus import settings_of
    from engine import bureau_settings

    own = settings_of(state.engine, bureau)
    return [
        {
            "label": bureau_settings.label(key),
            "value": F.value_labels().get(shown := bureau_settings.show(key, own.get(key, default)), shown),
            "own": key in own,
            "to_verify": bureau_settings.to_verify(key),
        }
        for key, default in flow.settings.items()
    ]

