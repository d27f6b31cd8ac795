from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CurrentActor, State
from api.responses import Json
from api.schemas import CaseId, FireAction, ListKey, OpenCase, parse_as_of
from engine.queries import MAX_PAGE_SIZE, CaseFilter, list_cases
from engine.timeutil import local_midnight

router = APIRouter(prefix="/api/cases", tags=["cases"])
MAX_PAGE = 100_000  # page × size stays far inside the databases' integer range
Page = Annotated[int, Query(ge=1, le=MAX_PAGE)]
RowsOfHistory = Annotated[int, Query(ge=1, le=500)]  # a page of a case's events or of one of its lists


@router.post("", status_code=201, response_class=Json)
def open_case(state: State, actor: CurrentActor, body: OpenCase) -> Json:
    """Open a case for a catalogue item of the user's bureau."""
    case_id = state.cases.open_case(
        actor,
        body.item,
        body.party_data(),
        [o.model_dump() for o in body.officers],
        body.data,
        body.occurred_at,
        [link.model_dump() for link in body.links],
        (body.then.trigger, body.then.data) if body.then else None,
    )
    return Json(state.cases.view(actor, case_id), status_code=201)


@router.get("", response_class=Json)
def cases(
    state: State,
    actor: CurrentActor,
    q: str | None = None,
    state_: Annotated[str | None, Query(alias="state")] = None,
    stage: str | None = None,
    item: str | None = None,
    flow: str | None = None,
    officer: str | None = None,
    overdue: bool = False,
    due_soon: bool = False,
    closed: bool | None = None,
    clock: Annotated[str | None, Query(pattern="^(overdue|due_soon|running|none|party_elapsed)$")] = None,
    acted_by: str | None = None,
    opened_from: date | None = None,
    opened_to: date | None = None,
    as_of: str | None = None,
    page: Page = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Json:
    """A page of the bureau's cases (read model), most pressing deadline first, with the total.

    ``q`` finds 案号, 文号, party name (also fuzzy: the characters in order), ID number or 统一社会信用代码;
    ``clock`` is overdue, due_soon, running, none or party_elapsed; ``acted_by`` a user who took a step.
    """
    found = CaseFilter(
        q=q or None, state=state_ or None, stage=stage or None, item=item or None, flow=flow or None,
        officer=officer or None, closed=closed, overdue=overdue, due_soon=due_soon, clock=clock,
        acted_by=acted_by or None,
        opened_from=local_midnight(opened_from), opened_to=local_midnight(opened_to, next_day=True),
    )
    return Json(list_cases(state.engine, actor, found, page=page, size=size, as_of=parse_as_of(as_of)))


@router.get("/{case_id}/events", response_class=Json)
def case_events(
    state: State,
    actor: CurrentActor,
    case_id: CaseId,
    page: Page = 1,
    size: RowsOfHistory = 100,
) -> Json:
    """The case's whole history, oldest first, a page at a time."""
    return Json(state.cases.events(actor, case_id, page, size))


@router.get("/{case_id}/lists/{key}", response_class=Json)
def case_list(
    state: State,
    actor: CurrentActor,
    case_id: CaseId,
    key: ListKey,
    page: Page = 1,
    size: RowsOfHistory = 100,
) -> Json:
    """One of the case's recorded lists (陈述申辩, 封存, 证据 …) whole, oldest first, a page at a time;
    the case itself carries each list's count and latest entries."""
    return Json(state.cases.entry_page(actor, case_id, key, page, size))


@router.get("/{case_id}", response_class=Json)
def case(state: State, actor: CurrentActor, case_id: CaseId, as_of: str | None = None) -> Json:
    """The case with the actions the user may take now, its clocks, latest events and documents."""
    return Json(state.cases.view(actor, case_id, parse_as_of(as_of)))


@router.post("/{case_id}/actions/{trigger}", response_class=Json)
def fire(state: State, actor: CurrentActor, case_id: CaseId, trigger: str, body: FireAction) -> Json:
    """Fire a transition; its state, event, clocks and numbers commit together or not at all."""
    return Json(state.cases.fire_and_view(actor, case_id, trigger, body.data, body.occurred_at, body.expected_version))
