"""Evidence files (证据材料) attached to a step of a case: checked, hash-chained, never changed.

An attachment is a recorded fact on the case (``append_to_case``): its event carries the file's
sha256, so the case's hash chain fixes the bytes; the file's row, its bytes (in the evidence
store) and the event commit together. The content type is what the bytes are (their magic
numbers), not what the client claims. A wrong file is withdrawn with a reason — another event
and an append-only withdrawal row — and stays in the record. Only the case's own officers attach
and withdraw (处罚法第四十二条: investigation and evidence by the case's officers); a case with no
officers (an application) takes files from the window clerks and officers of its bureau.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from engine import readmodel
from engine.cases import FUTURE_TOLERANCE, append_to_case, refuse_unless_readable
from engine.definitions import Role
from engine.duties import is_case_officer
from engine.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from engine.evidence_store import EvidenceStore, MissingBlob
from engine.library import Library
from engine.model import Actor
from engine.persistence import unit_of_work
from engine.tables import Case, EvidenceFile, EvidenceWithdrawal
from engine.timeutil import from_db, local, to_db

ATTACH = "attach_evidence"
WITHDRAW = "withdraw_evidence"
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
MP3, M4A, WAV, MP4 = "audio/mpeg", "audio/mp4", "audio/wav", "video/mp4"
TYPE_LABELS = {PDF: "PDF文件", JPEG: "JPEG图片", PNG: "PNG图片", MP3: "MP3录音", M4A: "M4A录音", WAV: "WAV录音",
               MP4: "MP4录像"}
PAPER = frozenset({PDF, JPEG, PNG})  # what can be bound into the 卷宗
IMAGES = frozenset({JPEG, PNG})

# kind → (label, the content types it may be)
KINDS: dict[str, tuple[str, frozenset[str]]] = {
    "signed_receipt": ("签收的送达回证", PAPER),
    "hearing_record": ("听证笔录（签字件）", PAPER),
    "signed_record": ("询问或现场笔录（签字件）", PAPER),
    "statement": ("当事人书面陈述申辩材料", PAPER),
    "photo": ("现场照片", IMAGES),
    "audio": ("现场录音", frozenset({MP3, M4A, WAV})),
    "video": ("现场录像", frozenset({MP4})),
    "other": ("其他证据材料", frozenset(TYPE_LABELS)),
}


@dataclass(frozen=True)
class Upload:
    data: bytes
    filename: str
    title: str
    kind: str = "other"
    step: str | None = None  # the state it belongs to; the current one when None
    occurred_at: datetime | None = None  # when it was received or made; now when None (not before the last step)


def sniff(data: bytes) -> str | None:
    """The content type the bytes begin with, among those accepted; None for anything else."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return WAV
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        return M4A if brand in (b"M4A ", b"M4B ") else MP4
    if data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return MP3
    return None


def check_upload(upload: Upload, max_bytes: int) -> str:
    """The file's real content type, or a refusal naming what is wrong with it."""
    if not upload.data:
        raise InvalidInput("FILE_EMPTY", "上传的文件是空的", field="file")
    if len(upload.data) > max_bytes:
        raise InvalidInput(
            "FILE_TOO_LARGE",
            f"文件大小{_size(len(upload.data))}超过上限{_size(max_bytes)}",
            field="file", size=len(upload.data), limit=max_bytes,
        )
    if upload.kind not in KINDS:
        raise InvalidInput("EVIDENCE_KIND_UNKNOWN", f"没有“{upload.kind}”这种证据材料类别", field="kind")
    if not upload.title.strip():
        raise InvalidInput("FIELD_REQUIRED", "缺少必填项：材料名称", field="title")
    found = sniff(upload.data)
    if found is None:
        raise InvalidInput(
            "FILE_TYPE_NOT_ACCEPTED",
            "只能上传PDF、JPEG或PNG图片、MP3/M4A/WAV录音或MP4录像，该文件不是其中任何一种",
            field="file",
        )
    label, accepted = KINDS[upload.kind]
    if found not in accepted:
        allowed = "、".join(TYPE_LABELS[t] for t in TYPE_LABELS if t in accepted)
        raise InvalidInput(
            "FILE_TYPE_NOT_FOR_KIND",
            f"“{label}”只能是{allowed}，上传的是{TYPE_LABELS[found]}",
            field="file", content_type=found,
        )
    return found


def attach(
    engine: Engine, library: Library, store: EvidenceStore, actor: Actor, case_id: int, upload: Upload,
    *, max_bytes: int = DEFAULT_MAX_BYTES, now: datetime | None = None,
) -> int:
    """Attach a file to a case; its row, bytes and hash-chained event commit together. Returns its id."""
    content_type = check_upload(upload, max_bytes)
    digest = hashlib.sha256(upload.data).hexdigest()
    current = now or datetime.now().astimezone()
    moment = upload.occurred_at or current
    if moment > current + FUTURE_TOLERANCE:
        raise InvalidInput("OCCURRED_IN_FUTURE", f"附加时间{local(moment):%Y-%m-%d %H:%M}晚于当前时间",
                           field="occurred_at")
    with unit_of_work(engine) as session:
        row = _case(session, library, actor, case_id)
        flow = library.flow(row.flow_key, row.flow_version)
        step = upload.step or row.state
        if step not in {s.name for s in flow.states}:
            raise InvalidInput("STEP_UNKNOWN", f"流程“{flow.label}”没有“{step}”这个环节", field="step")
        store.put(session, digest, upload.data)
        title, filename = upload.title.strip()[:120], upload.filename.strip()[:200] or "file"
        payload = {"evidence_title": title, "evidence_kind": upload.kind, "evidence_step": step,
                   "content_type": content_type, "size": len(upload.data), "sha256": digest}
        event = append_to_case(session, row, ATTACH, f"附加证据材料（{title}）", actor.username, moment, payload)
        assert event.id is not None
        record = EvidenceFile(
            case_id=case_id, event_id=event.id, sha256=digest, size=len(upload.data), content_type=content_type,
            kind=upload.kind, title=title, filename=filename, step=step, attached_at=to_db(moment),
            attached_by=actor.username,
        )
        session.add(record)
        session.flush()
        readmodel.refresh(session, library, [case_id])
        assert record.id is not None
        return record.id


def withdraw(
    engine: Engine, library: Library, actor: Actor, case_id: int, evidence_id: int, reason: str,
    *, occurred_at: datetime | None = None,
) -> None:
    """Withdraw a wrongly attached file with a reason; the file and its bytes stay in the record."""
    if not reason or not reason.strip():
        raise InvalidInput("FIELD_REQUIRED", "缺少必填项：撤回理由", field="reason")
    moment = occurred_at or datetime.now().astimezone()
    with unit_of_work(engine) as session:
        row = _case(session, library, actor, case_id)
        record = session.get(EvidenceFile, evidence_id)
        if record is None or record.case_id != case_id:
            raise NotFound("EVIDENCE_NOT_FOUND", f"本案没有编号为{evidence_id}的证据材料", evidence_id=evidence_id)
        if session.get(EvidenceWithdrawal, evidence_id) is not None:
            raise RuleViolation("EVIDENCE_ALREADY_WITHDRAWN", f"证据材料“{record.title}”已经撤回",
                                evidence_id=evidence_id)
        payload = {"evidence_id": evidence_id, "evidence_title": record.title, "sha256": record.sha256,
                   "reason": reason.strip()}
        event = append_to_case(session, row, WITHDRAW, f"撤回证据材料（{record.title}）", actor.username, moment,
                               payload)
        assert event.id is not None
        session.add(EvidenceWithdrawal(evidence_id=evidence_id, event_id=event.id, reason=reason.strip()[:300],
                                       withdrawn_at=to_db(moment), withdrawn_by=actor.username))
        session.flush()
        readmodel.refresh(session, library, [case_id])


def listed(engine: Engine, library: Library, actor: Actor, case_id: int) -> list[dict[str, Any]]:
    """The case's files, oldest first, with their withdrawal if any (the bytes are not read)."""
    with Session(engine) as session:
        row = session.get(Case, case_id)
        if row is None or row.bureau_code != actor.bureau:
            raise NotFound("CASE_NOT_FOUND", f"没有编号为{case_id}的案件", case_id=case_id)
        refuse_unless_readable(actor, row, library)
        return files_of(session, case_id)


def files_of(session: Session, case_id: int) -> list[dict[str, Any]]:
    records = session.exec(
        select(EvidenceFile).where(EvidenceFile.case_id == case_id).order_by(col(EvidenceFile.id))
    ).all()
    ids = [r.id for r in records]
    withdrawn = {
        w.evidence_id: w
        for w in session.exec(select(EvidenceWithdrawal).where(col(EvidenceWithdrawal.evidence_id).in_(ids))).all()
    } if ids else {}
    return [_as_dict(r, withdrawn.get(r.id or 0)) for r in records]


def content(
    engine: Engine, library: Library, store: EvidenceStore, actor: Actor, case_id: int, evidence_id: int
) -> tuple[dict[str, Any], bytes]:
    """A file's description and bytes; refused if the bytes no longer hash to the recorded sha256."""
    with Session(engine) as session:
        row = session.get(Case, case_id)
        record = session.get(EvidenceFile, evidence_id)
        if row is None or row.bureau_code != actor.bureau or record is None or record.case_id != case_id:
            raise NotFound("EVIDENCE_NOT_FOUND", f"本案没有编号为{evidence_id}的证据材料", evidence_id=evidence_id)
        refuse_unless_readable(actor, row, library)
        data = read_checked(session, store, record)
        return _as_dict(record, session.get(EvidenceWithdrawal, evidence_id)), data


def read_checked(session: Session, store: EvidenceStore, record: EvidenceFile) -> bytes:
    try:
        data = store.get(session, record.sha256)
    except MissingBlob:
        raise RuleViolation("EVIDENCE_MISSING", f"证据材料“{record.title}”的文件已不在存储中，请联系管理员",
                            evidence_id=record.id) from None
    if hashlib.sha256(data).hexdigest() != record.sha256:
        raise RuleViolation("EVIDENCE_CHANGED", f"证据材料“{record.title}”的文件与附加时记录的哈希不符",
                            evidence_id=record.id)
    return data


def kind_label(kind: str) -> str:
    return KINDS[kind][0] if kind in KINDS else kind


def _case(session: Session, library: Library, actor: Actor, case_id: int) -> Case:
    row = session.get(Case, case_id)
    if row is None or row.bureau_code != actor.bureau:
        raise NotFound("CASE_NOT_FOUND", f"没有编号为{case_id}的案件", case_id=case_id)
    refuse_unless_readable(actor, row, library)
    flow = library.flow(row.flow_key, row.flow_version)
    if flow.state(row.state).final:
        raise RuleViolation("CASE_CLOSED", "案件已办结归档，卷宗不能再增减证据材料", state=row.state)
    if not may_attach(actor, row.officers):
        if row.officers:
            raise Forbidden("NOT_CASE_OFFICER", "证据材料只能由本案的承办执法人员附加或撤回，您不是本案的执法人员",
                            user=actor.username)
        raise Forbidden("ROLE_NOT_ALLOWED", "证据材料只能由执法人员或窗口人员附加或撤回", user=actor.username)
    return row


def may_attach(actor: Actor, officers: list[dict[str, Any]]) -> bool:
    """The case's own officers (not recused); for a case without officers, its bureau's officers and clerks."""
    if officers:
        return is_case_officer(actor.cert_no, officers)
    return bool(actor.roles & {Role.officer, Role.clerk})


def _as_dict(record: EvidenceFile, withdrawal: EvidenceWithdrawal | None) -> dict[str, Any]:
    return {
        "id": record.id,
        "title": record.title,
        "kind": record.kind,
        "kind_label": kind_label(record.kind),
        "content_type": record.content_type,
        "type_label": TYPE_LABELS.get(record.content_type, record.content_type),
        "size": record.size,
        "filename": record.filename,
        "sha256": record.sha256,
        "step": record.step,
        "attached_at": from_db(record.attached_at).isoformat(),
        "attached_by": record.attached_by,
        "event_id": record.event_id,
        "withdrawn": withdrawal is not None,
        "withdrawal": {
            "reason": withdrawal.reason,
            "withdrawn_at": from_db(withdrawal.withdrawn_at).isoformat(),
            "withdrawn_by": withdrawal.withdrawn_by,
        } if withdrawal else None,
    }


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)}KB"
