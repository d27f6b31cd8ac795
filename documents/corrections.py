"""Correcting an issued document: a new document, with a new number, that cites the one it replaces.

An issued document never changes (the database refuses UPDATE and DELETE on it). A correction
takes the stored fields of the original, applies the corrected values, checks the required
contents again and issues a new document with ``replaces_id``, together with an event on the
case ("更正文书") that carries its number and content hash, in one transaction; its PDF is
rendered after commit like any other (``documents.jobs``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from documents.issuer import numbered_document, refuse_missing, store_documents
from documents.kinds import kind_of
from documents.numbering import prefix_of
from documents.source import agency_name
from documents.values import cn_date
from engine import readmodel
from engine.cases import CaseService, append_to_case, with_documents
from engine.definitions import Role
from engine.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from engine.model import Actor
from engine.persistence import unit_of_work
from engine.tables import Case, Document, Event

CORRECTING_ROLES = {Role.officer, Role.head}


def correct_document(
    cases: CaseService,
    actor: Actor,
    case_id: int,
    doc_id: int,
    changes: dict[str, Any],
    reason: str | None,
    moment: datetime,
) -> int:
    """Issue the corrected document; returns its id."""
    if not actor.roles & CORRECTING_ROLES:
        raise Forbidden("ROLE_NOT_ALLOWED", "“更正文书”只能由执法人员或负责人办理")
    if not reason or not reason.strip():
        raise InvalidInput("FIELD_REQUIRED", "缺少必填项：更正理由", field="reason")
    with unit_of_work(cases.engine) as session:
        case = session.get(Case, case_id)
        original = session.get(Document, doc_id)
        if (
            case is None
            or case.bureau_code != actor.bureau
            or original is None
            or original.case_id != case_id
        ):
            raise NotFound("DOCUMENT_NOT_FOUND", f"本案没有编号为{doc_id}的文书", doc_id=doc_id)
        later = session.exec(select(Document).where(Document.replaces_id == doc_id)).first()
        if later is not None:
            raise RuleViolation(
                "DOCUMENT_ALREADY_CORRECTED",
                f"文书{original.number}已由{later.number}更正，请更正最新的文书",
                replaced_by=later.id,
            )
        unknown = sorted(set(changes) - set(original.fields))
        if unknown:
            raise InvalidInput(
                "DOCUMENT_FIELD_UNKNOWN",
                f"《{original.title}》没有这些内容：{'、'.join(unknown)}",
                fields=unknown,
            )
        kind = kind_of(original.kind)
        fields = {**original.fields, **changes, "issued_on": cn_date(moment)}
        refuse_missing(kind, fields)
        library_item = cases.library.item(case.bureau_code, case.item_code)
        flow = cases.library.flow(case.flow_key, case.flow_version)
        settings = cases.settings_for(session, flow, library_item, case.bureau_code)
        corrected = numbered_document(
            session,
            kind,
            fields,
            case_id=case_id,
            bureau=case.bureau_code,
            moment=moment,
            prefix=prefix_of(settings, agency_name(session, case.bureau_code, library_item.subject)),
            issued_by=actor.username,
            replaces=original,
        )
        event = _append_event(session, case, actor, moment, original, corrected, changes, reason)
        store = cases.issuer.store if cases.issuer is not None else store_documents  # it wakes the render worker
        store(session, [corrected], event)
        assert corrected.id is not None
        readmodel.refresh(session, cases.library, [case_id])  # its new 文号 is searchable at once
        return corrected.id


def _append_event(
    session: Session,
    case: Case,
    actor: Actor,
    moment: datetime,
    original: Document,
    corrected: Document,
    changes: dict[str, Any],
    reason: str,
) -> Event:
    """The correction as a recorded fact on the case; bumps the case version like any change."""
    payload = {"document_id": original.id, "number": original.number, "changes": changes, "reason": reason}
    payload = with_documents(payload, [corrected])
    return append_to_case(
        session, case, "correct_document", f"更正文书（{original.title}）", actor.username, moment, payload
    )
