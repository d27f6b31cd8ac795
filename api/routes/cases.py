from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api.deps import CurrentActor, State
from api.schemas import CaseId, DocumentId, FireAction, OpenCase, parse_as_of
from engine.queries import list_cases

router = APIRouter(prefix="/api/cases", tags=["cases"])
MAX_PAGE = 100_000  # page × size stays far inside the databases' integer range


@router.post("", status_code=201)
def open_case(state: State, actor: CurrentActor, body: OpenCase) -> dict[str, Any]:
    """Open a case for a catalogue item of the user's bureau."""
    case_id = state.cases.open_case(
        actor,
        body.item,
        body.party_data(),
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
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    return list_cases(
        state.engine,
        state.library,
        actor,
        state=state_,
        item=item,
        overdue=overdue,
        flow=flow,
        page=page,
        size=size,
    )


@router.get("/{case_id}")
def case(state: State, actor: CurrentActor, case_id: CaseId, as_of: str | None = None) -> dict[str, Any]:
    return state.cases.view(actor, case_id, parse_as_of(as_of))


@router.post("/{case_id}/actions/{trigger}")
def fire(state: State, actor: CurrentActor, case_id: CaseId, trigger: str, body: FireAction) -> dict[str, Any]:
    """Fire a transition; its state, event, clocks and numbers commit together or not at all."""
    state.cases.fire(actor, case_id, trigger, body.data, body.occurred_at, body.expected_version)
    return state.cases.view(actor, case_id)


@router.get("/{case_id}/documents/{doc_id}")
def document(state: State, actor: CurrentActor, case_id: CaseId, doc_id: DocumentId) -> Response:
    from engine.queries import document_pdf

    doc = document_pdf(state.engine, actor, case_id, doc_id)
    return Response(
        doc.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f"inline; filename=document-{doc.id}.pdf", "X-SHA256": doc.sha256},
    )
