"""The service hall (窗口): fast intake with the materials checklist, the one-time notice, queues.

Intake opens an application case (收件, the materials ticked) and then fires the flow's own
decision: the transition out of the initial state that issues the 受理通知书 (accept), the
一次性告知书 (one-time notice of everything missing), the 不予受理通知书 (refuse), or, for an
immediate item, completes it on the spot. The decisions are found from the flow's data
(its documents), so another intake flow works the same way.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from api.deps import AppState, State
from api.pages import fields as F
from api.pages.casework import case_page, flow_or_none, open_from_form, transition_fields
from api.pages.lists import list_page, states_where
from api.pages.web import PageActor, posted_form, redirect, render, render_error
from api.schemas import CaseId
from engine.definitions import CatalogueItem, FlowSpec, Role, TransitionSpec
from engine.errors import DomainError, InvalidInput
from engine.materials import categories, category_of, checklist
from engine.model import Actor
from engine.queries import CaseFilter
from engine.timeutil import local, local_midnight

router = APIRouter(include_in_schema=False)

# decision → (document kind that marks the transition, button label)
DECISIONS = {
    "accept": ("acceptance_notice", "受理（出具受理通知书）"),
    "supplement": ("supplement_notice", "一次性告知补正（出具一次性告知书）"),
    "refuse": ("refusal_notice", "不予受理（出具不予受理通知书）"),
    "complete": ("grant_notice", "当场办结（即办）"),
}


def hall_flow(flow: FlowSpec | None) -> bool:
    return bool(flow and Role.clerk in flow.open.roles)


def intake_flow(flow: FlowSpec | None) -> bool:
    """A flow the hall receives: its first step accepts, asks for a supplement or refuses."""
    kinds = {kind for kind, _ in DECISIONS.values()} - {"grant_notice"}
    return hall_flow(flow) and any(
        flow.initial in t.source and kinds & set(t.documents) for t in flow.transitions  # type: ignore[union-attr]
    )


def decision_transitions(flow: FlowSpec, item: CatalogueItem) -> dict[str, TransitionSpec]:
    """The decisions available right after intake, from the transitions leaving the initial state."""
    found: dict[str, TransitionSpec] = {}
    for spec in flow.transitions:
        if flow.initial not in spec.source or Role.clerk not in spec.roles:
            continue
        for decision, (kind, _) in DECISIONS.items():
            if kind in spec.documents and decision not in found:
                if decision == "complete" and not item.settings.get("immediate"):
                    continue
                if decision == "accept" and any(g.name == "notice_period_elapsed" for g in spec.guards):
                    continue
                found[decision] = spec
    return found


def _hall_items(state: AppState, actor: Actor, q: str) -> list[dict[str, Any]]:
    result = []
    for item in state.library.catalogue(actor.bureau).items:
        flow = flow_or_none(state, item.flow)
        ready = flow is not None and hall_flow(flow) and bool(decision_transitions(flow, item))
        if not ready and not item.settings.get("materials"):
            continue
        if q and q not in item.name and q != item.code and q not in (item.power_code or ""):
            continue
        result.append({"item": item, "flow": flow, "ready": ready})
    return result


def _queues(state: AppState, actor: Actor) -> dict[str, dict[str, Any]]:
    """The hall's four lists, each a paged query over the read model: 今日收件, 待补正, 待决定, 已办结."""
    intake = tuple(sorted({f.key for f in state.library.flows.values() if intake_flow(f)}))
    today = local(datetime.now().astimezone()).date()

    def waits_for_supplement(spec: Any) -> bool:
        return "supplement" in spec.name or "补正" in spec.label

    def done(flow: FlowSpec, spec: Any) -> bool:
        """办结: final, or nothing left but to archive (or withdraw): every way out ends the case."""
        ways = [t for t in flow.transitions if t.dest and (spec.name in t.source or "*" in t.source)]
        return bool(spec.final or (ways and all(flow.state(t.dest).final for t in ways)))

    supplement = states_where(state, lambda flow, spec: intake_flow(flow) and waits_for_supplement(spec))
    finished = states_where(state, lambda flow, spec: intake_flow(flow) and done(flow, spec))
    deciding = states_where(
        state, lambda flow, spec: intake_flow(flow) and not done(flow, spec) and not waits_for_supplement(spec)
    )
    filters = {
        "todays": CaseFilter(flows=intake, opened_from=local_midnight(today),
                             opened_to=local_midnight(today, next_day=True)),
        "waiting": CaseFilter(flows=intake, states=supplement, closed=False),
        "deciding": CaseFilter(flows=intake, states=deciding),
        "finished": CaseFilter(flows=intake, states=finished),
    }
    return {name: list_page(state, actor, found, 1) for name, found in filters.items()}


def _earlier_applications(state: AppState, actor: Actor, id_no: str) -> dict[str, Any] | None:
    """An applicant's earlier applications by ID number (an indexed prefix search of the read model)."""
    if not id_no:
        return None
    intake = tuple(sorted({f.key for f in state.library.flows.values() if hall_flow(f)}))
    return list_page(state, actor, CaseFilter(q=id_no, flows=intake), 1)


@router.get("/hall")
def hall(
    request: Request, state: State, actor: PageActor, q: str = "", notice: str = "", id_no: str = ""
) -> Response:
    queues = _queues(state, actor)
    id_no = id_no.strip()[:40]
    return render(
        request,
        state,
        "hall.html",
        actor,
        items=_hall_items(state, actor, q.strip()),
        q=q,
        **queues,
        notice=notice,
        id_no=id_no,
        earlier=_earlier_applications(state, actor, id_no),
        title="服务大厅",
    )


def _intake_page(
    request: Request,
    state: AppState,
    actor: Actor,
    code: str,
    error: DomainError | None = None,
    form: Any = None,
    category: str = "",
) -> Response:
    try:
        item = state.library.item(actor.bureau, code)
        chosen = category_of(item.settings, category) if category else None
    except DomainError as missing:
        return render_error(request, state, actor, missing)
    kinds = categories(item.settings)
    flow = flow_or_none(state, item.flow)
    ready = hall_flow(flow)
    decisions = decision_transitions(flow, item) if flow and ready else {}
    extra: list[F.Field] = []
    if flow and ready:
        taken = {"materials_received", *F.MATERIAL_FIELDS}
        extra = [f for f in F.fields_for(flow, flow.open, item) if f.name not in taken]
        for spec in decisions.values():
            # a field one decision needs is not required of the others (the browser would block them)
            extra += [replace(f, required=False) for f in F.fields_for(flow, spec, item)
                      if f.name not in {e.name for e in extra}]
    status = 200 if error is None else {"invalid": 422, "forbidden": 403}.get(error.kind, 409)
    return render(
        request,
        state,
        "intake.html",
        actor,
        status_code=status,
        item=item,
        flow=flow,
        ready=ready,
        categories=kinds,
        category=chosen,
        materials=checklist(item.settings, chosen.name if chosen else None) if chosen or not kinds else (),
        decisions=[(key, DECISIONS[key][1], spec) for key, spec in decisions.items()],
        extra=extra,
        party_types=F.PARTY_TYPES,
        error=error,
        form=form,
        title=f"受理：{item.name}",
    )


@router.get("/hall/intake/{code}")
def intake_page(request: Request, state: State, actor: PageActor, code: str, category: str = "") -> Response:
    return _intake_page(request, state, actor, code, category=category.strip()[:120])


def _with_materials(form: Any, flow: FlowSpec, ticked: list[str]) -> FormData:
    """The submitted form plus the ticked materials under the open transition's material field."""
    items = [(k, v) for k, v in form.multi_items() if not k.startswith("material")]
    for name in flow.open.fields:
        if name in F.MATERIAL_FIELDS:
            items += [(f"f.{name}", m) for m in ticked]
    return FormData(items)


@router.post("/hall/intake/{code}")
async def intake(request: Request, state: State, actor: PageActor, code: str) -> Response:
    form = await request.form()
    decision = str(form.get("decision") or "")
    try:
        await posted_form(request, state)
        item = state.library.item(actor.bureau, code)
        flow = state.library.flow(item.flow)
        decisions = decision_transitions(flow, item)
        if decision and decision not in decisions:
            raise InvalidInput("DECISION_UNKNOWN", "请选择受理、一次性告知补正或不予受理", decision=decision)
        ticked = [str(m) for m in form.getlist("material")]
        complete = _with_materials(form, flow, ticked)
        category = str(form.get("category") or "")
        then = None
        if decision:
            spec = decisions[decision]
            fields = transition_fields(state, flow, item, spec.trigger, actor.bureau)
            then = (spec.trigger, F.payload_from(complete, fields))
        extra = {"category": category} if categories(item.settings) else {}
        # intake and its decision commit together: a refused decision leaves no case behind
        case_id = open_from_form(state, actor, item, complete, extra=extra, then=then)
    except DomainError as error:
        return _intake_page(request, state, actor, code, error, form, category=str(form.get("category") or ""))
    labels = {"accept": "已受理", "supplement": "已出具一次性告知书", "refuse": "已出具不予受理通知书",
              "complete": "已当场办结"}
    return redirect(f"/hall/cases/{case_id}", labels.get(decision, "已收件"))


def _hall_case(
    request: Request,
    state: AppState,
    actor: Actor,
    case_id: int,
    error: DomainError | None = None,
    form: Any = None,
    notice: str = "",
) -> Response:
    try:
        context = case_page(request, state, actor, case_id)
    except DomainError as missing:
        return render_error(request, state, actor, missing)
    data = context["case"]["data"]
    status = 200 if error is None else {"invalid": 422, "forbidden": 403}.get(error.kind, 409)
    return render(
        request,
        state,
        "hall_case.html",
        actor,
        status_code=status,
        error=error,
        form=form,
        notice=notice,
        received=data.get("materials_received") or [],
        missing=data.get("materials_missing") or [],
        back=f"/hall/cases/{case_id}",
        failed=None,
        **context,
    )


@router.get("/hall/cases/{case_id}")
def hall_case(request: Request, state: State, actor: PageActor, case_id: CaseId, notice: str = "") -> Response:
    return _hall_case(request, state, actor, case_id, notice=notice)
