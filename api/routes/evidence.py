"""Evidence files of a case (multipart upload, list, download, withdrawal) and its 卷宗."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Response, UploadFile
from pydantic import field_validator
from starlette.datastructures import UploadFile as StarletteUpload

from api.deps import CurrentActor, State
from api.responses import Json
from api.routes.documents import disposition
from api.schemas import Body, CaseId, aware_moment
from documents.dossier import build, check
from engine import evidence
from engine.errors import InvalidInput
from engine.inputs import MAX_ID, clean_text
from processes.loader import load_dossier_rules

router = APIRouter(prefix="/api/cases", tags=["evidence"])

# The upload routes (JSON API and the case page) accept bodies up to the evidence limit.
EVIDENCE_UPLOAD = re.compile(r"(/api)?/cases/\d+/files")
MULTIPART_ALLOWANCE = 64 * 1024  # boundaries, headers and the small text fields around the file
EvidenceId = Annotated[int, Path(ge=1, le=MAX_ID, description="证据材料编号")]


class Withdrawal(Body):
    reason: str
    occurred_at: datetime | None = None

    _tz = field_validator("occurred_at")(classmethod(lambda cls, v: aware_moment(v)))


async def read_upload(file: StarletteUpload, limit: int) -> bytes:
    """The uploaded bytes, refused as soon as they pass the limit (the body limit allows the framing too)."""
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput("FILE_TOO_LARGE", f"文件大小超过上限{limit // 1024 // 1024}MB", field="file", limit=limit)
    return data


def upload_of(
    data: bytes, filename: str | None, title: str, kind: str, step: str, occurred_at: str
) -> evidence.Upload:
    """The upload's text fields checked like any other text; ``occurred_at`` in ISO form, Beijing time if no offset."""
    fields = {"title": title, "kind": kind, "step": step, "filename": filename or "", "occurred_at": occurred_at}
    clean = {name: clean_text(value, name, multiline=False).strip() for name, value in fields.items()}
    moment = None
    if clean["occurred_at"]:
        try:
            moment = aware_moment(datetime.fromisoformat(clean["occurred_at"]))
        except ValueError:
            raise InvalidInput("INVALID_DATE", f"附加时间不是有效的日期时间：{clean['occurred_at']}",
                               field="occurred_at") from None
    return evidence.Upload(data=data, filename=clean["filename"], title=clean["title"],
                           kind=clean["kind"] or "other", step=clean["step"] or None, occurred_at=moment)


@router.post("/{case_id}/files", status_code=201, response_class=Json)
async def attach(
    state: State,
    actor: CurrentActor,
    case_id: CaseId,
    file: Annotated[UploadFile, File(description="PDF、JPEG/PNG、MP3/M4A/WAV或MP4文件")],
    title: Annotated[str, Form(max_length=120, description="材料名称")],
    kind: Annotated[str, Form(max_length=40, description="证据材料类别")] = "other",
    step: Annotated[str, Form(max_length=60, description="所属环节（默认为当前环节）")] = "",
    occurred_at: Annotated[str, Form(max_length=40, description="收到或形成的时间（ISO，默认为现在）")] = "",
) -> Json:
    """Attach a file to a step; its sha256 goes into the case's hash chain. Returns the file's record."""
    limit = state.settings.max_evidence_bytes
    upload = upload_of(await read_upload(file, limit), file.filename, title, kind, step, occurred_at)
    file_id = evidence.attach(state.engine, state.library, state.evidence, actor, case_id, upload, max_bytes=limit)
    found = [f for f in evidence.listed(state.engine, state.library, actor, case_id) if f["id"] == file_id]
    return Json(found[0], status_code=201)


@router.get("/{case_id}/files", response_class=Json)
def files(state: State, actor: CurrentActor, case_id: CaseId) -> Json:
    """The case's evidence files, oldest first, withdrawn ones with their reason."""
    return Json({"items": evidence.listed(state.engine, state.library, actor, case_id)})


@router.get("/{case_id}/files/{file_id}")
def download(state: State, actor: CurrentActor, case_id: CaseId, file_id: EvidenceId) -> Response:
    """The file's bytes, checked against the sha256 recorded when it was attached."""
    record, data = evidence.content(state.engine, state.library, state.evidence, actor, case_id, file_id)
    return Response(
        data,
        media_type=record["content_type"],
        headers={
            "Content-Disposition": disposition(record["filename"] or record["title"], f"evidence-{file_id}"),
            "X-SHA256": record["sha256"],
        },
    )


@router.post("/{case_id}/files/{file_id}/withdraw", response_class=Json)
def withdraw(state: State, actor: CurrentActor, case_id: CaseId, file_id: EvidenceId, body: Withdrawal) -> Json:
    """Withdraw a wrong file with a reason; it stays in the record, out of the 卷宗."""
    evidence.withdraw(state.engine, state.library, actor, case_id, file_id, body.reason, occurred_at=body.occurred_at)
    found = [f for f in evidence.listed(state.engine, state.library, actor, case_id) if f["id"] == file_id]
    return Json(found[0])


@router.get("/{case_id}/dossier")
def dossier(state: State, actor: CurrentActor, case_id: CaseId) -> Response:
    """The 卷宗: cover, 卷内目录 with page numbers, then documents and evidence, numbered throughout."""
    made = build(state.engine, state.library, load_dossier_rules(), state.evidence, actor, case_id)
    return Response(
        made.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": disposition(made.filename, f"dossier-{case_id}.pdf"),
            "X-Dossier-Missing": str(len(made.findings)),
        },
    )


@router.get("/{case_id}/dossier/check", response_class=Json)
def dossier_check(state: State, actor: CurrentActor, case_id: CaseId) -> Json:
    """What a reviewer would find missing in the case's file (a decision without its 送达回证 …)."""
    findings = check(state.engine, state.library, load_dossier_rules(), actor, case_id)
    body: dict[str, Any] = {"complete": not findings, "missing": [f.as_dict() for f in findings]}
    return Json(body)
