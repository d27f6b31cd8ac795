from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import CurrentActor, State
from api.schemas import FireAction, OpenCase, parse_as_of
from engine.queries import list_cases

router = APIRouter(prefix="/api/cases", tags=["cases"])


@router.post("", status_code=201)
def open_case(state: State, actor: CurrentActor, body: OpenCase) -> dict[str, Any]:
    """Open a case for a catalogue item of the user's bureau."""
    case_id = state.cases.open_case(
        actor,
        body.item,
        body.party,
        [o.model_dump() for o in body.officers],
        body.data,
        body.occurred_at,
        [link.model_dump() for link in body.links],
    )
    return state.cases.view(actor, case_id)


@router.get("")
def cases(
    state: State,
    actor: CurrentActor,
    state_: Annotated[str | None, Query(alias="state")] = None,
    item: str | None = None,
    overdue: bool = False,
    flow: str | None = None,
    page: int = 1,
    size: int = 50,
) -> dict[str, Any]:
    return list_cases(
        state.engine,
        state.library,
        actor,
        state=state_,
        item=item,
        overdue=overdue,
        flow=flow,
        page=max(page, 1),
        size=min(max(size, 1), 200),
    )


@router.get("/{case_id}")
def case(state: State, actor: CurrentActor, case_id: int, as_of: str | None = None) -> dict[str, Any]:
    return state.cases.view(actor, case_id, parse_as_of(as_of))


@router.post("/{case_id}/actions/{trigger}")
def fire(state: State, actor: CurrentActor, case_id: int, trigger: str, body: FireAction) -> dict[str, Any]:
    """Fire a transition; its state, event, clocks and numbers commit together or not at all."""
    state.cases.fire(actor, case_id, trigger, body.data, body.occurred_at, body.expected_version)
    return state.cases.view(actor, case_id)
