"""The case page's 证据材料 section: upload, list, withdraw; the 卷宗 download and its completeness check.

The forms go through the same engine services as the JSON API (``engine.evidence``); the file
and the 卷宗 downloads are the API's own addresses, which accept the page's session cookie.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from api.deps import AppState, State
from api.pages.casework import case_page, moment_from
from api.pages.web import PageActor, posted_form, redirect, render, render_error
from api.routes.evidence import EvidenceId, read_upload, upload_of
from api.schemas import CaseId
from engine import evidence
from engine.errors import DomainError, InvalidInput
from engine.model import Actor

router = APIRouter(include_in_schema=False)

def _case_again(request: Request, state: AppState, actor: Actor, case_id: int, error: DomainError) -> Response:
    try:
        context = case_page(request, state, actor, case_id)
    except DomainError as missing:
        return render_error(request, state, actor, missing)
    status = {"invalid": 422, "forbidden": 403, "not_found": 404}.get(error.kind, 409)
    return render(request, state, "case.html", actor, status_code=status, error=error, **context)


@router.post("/cases/{case_id}/files")
async def attach(request: Request, state: State, actor: PageActor, case_id: CaseId) -> Response:
    form = await request.form()
    try:
        await posted_form(request, state)
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            raise InvalidInput("FIELD_REQUIRED", "请选择要上传的文件", field="file")
        moment = moment_from(form)
        limit = state.settings.max_evidence_bytes
        upload = upload_of(await read_upload(file, limit), file.filename, str(form.get("title") or ""),
                           str(form.get("kind") or "other"), str(form.get("step") or ""),
                           moment.isoformat() if moment else "")
        evidence.attach(state.engine, state.library, state.evidence, actor, case_id, upload, max_bytes=limit)
    except DomainError as error:
        return _case_again(request, state, actor, case_id, error)
    finally:
        await form.close()  # the spooled upload file
    return redirect(f"/cases/{case_id}", "证据材料已附加")


@router.post("/cases/{case_id}/files/{file_id}/withdraw")
async def withdraw(request: Request, state: State, actor: PageActor, case_id: CaseId, file_id: EvidenceId) -> Response:
    try:
        form = await posted_form(request, state)
        evidence.withdraw(state.engine, state.library, actor, case_id, file_id, str(form.get("reason") or ""))
    except DomainError as error:
        return _case_again(request, state, actor, case_id, error)
    return redirect(f"/cases/{case_id}", "证据材料已撤回")
