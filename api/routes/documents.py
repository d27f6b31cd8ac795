"""Documents of a case: preview before issuing (no number, nothing stored) and correction."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Response
from pydantic import Field, field_validator

from api.deps import CurrentActor, State
from api.schemas import Body, CaseId, DocumentId, aware_moment
from documents.corrections import correct_document
from documents.jobs import pdf_of
from documents.kinds import kind_of
from documents.preview import preview
from engine.timeutil import TZ

router = APIRouter(prefix="/api/cases", tags=["documents"])


class PreviewRequest(Body):
    occurred_at: datetime | None = None
    data: dict[str, Any] = Field(default_factory=dict)  # the payload of the action that would issue it

    _tz = field_validator("occurred_at")(classmethod(lambda cls, v: aware_moment(v)))


class CorrectionRequest(Body):
    occurred_at: datetime | None = None
    reason: str = ""
    fields: dict[str, Any] = Field(default_factory=dict)  # corrected values by field name

    _tz = field_validator("occurred_at")(classmethod(lambda cls, v: aware_moment(v)))


def _moment(value: datetime | None) -> datetime:
    if value is None:
        return datetime.now().astimezone()
    return value if value.tzinfo else value.replace(tzinfo=TZ)


def disposition(filename: str, fallback: str) -> str:
    """``inline`` with the Chinese file name in RFC 5987 form and a plain ASCII name for old clients."""
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get("/{case_id}/documents/{doc_id}")
def document(state: State, actor: CurrentActor, case_id: CaseId, doc_id: DocumentId) -> Response:
    """The issued PDF, named after its title and 文号; rendered now if its render job has not run yet."""
    stored = pdf_of(state.engine, actor, case_id, doc_id)
    return Response(
        stored.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": disposition(stored.filename, f"document-{doc_id}.pdf"),
            "X-SHA256": stored.sha256,
        },
    )


@router.post("/{case_id}/documents/preview/{kind}")
def preview_document(
    state: State, actor: CurrentActor, case_id: CaseId, kind: str, body: PreviewRequest | None = None
) -> Response:
    """The PDF as it would be issued now, numbered 〔预览〕; X-Missing-Fields lists what is still missing."""
    body = body or PreviewRequest()
    pdf, missing = preview(state.cases, actor, case_id, kind, body.data, _moment(body.occurred_at))
    listed = [{"field": r.field, "label": r.label, "article": r.article} for r in missing]
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": disposition(f"预览-{kind_of(kind).title}.pdf", f"preview-{kind}.pdf"),
            "X-Missing-Fields": json.dumps(listed),
        },
    )


@router.post("/{case_id}/documents/{doc_id}/correct", status_code=201)
def correct(
    state: State, actor: CurrentActor, case_id: CaseId, doc_id: DocumentId, body: CorrectionRequest
) -> dict[str, Any]:
    """Issue a corrected document citing the one it replaces; the original stays unchanged."""
    new_id = correct_document(
        state.cases, actor, case_id, doc_id, body.fields, body.reason, _moment(body.occurred_at)
    )
    view = state.cases.view(actor, case_id)
    document = next(d for d in view["documents"] if d["id"] == new_id)
    return {"document": document, "case": view}
