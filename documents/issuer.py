"""Issuing documents inside the action that names them: fields, required contents, number, PDF.

``PdfIssuer`` is the ``engine.cases.DocumentIssuer`` the API wires in. A document that lacks a
field the law requires is refused with ``DOCUMENT_FIELD_MISSING`` naming the field and the
article; the refusal rolls back the whole action, so no number is consumed and nothing changes.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlmodel import Session

from documents.fields import build, conditional_required, missing
from documents.kinds import Kind, Required, kind_of
from documents.numbering import PREVIEW_NUMBER, prefix_of, take_number
from documents.render import render_html, render_pdf, template_version
from documents.source import CaseFacts, facts_from_action
from documents.values import Fields
from engine.errors import InvalidInput
from engine.model import CaseModel
from engine.registry import Context
from engine.tables import Case, Document, Event
from engine.timeutil import to_db


class PdfIssuer:
    """Renders and stores each document a fired transition names (see ``DocumentEntry.when``)."""

    def issue(
        self, session: Session, case: Case, model: CaseModel, kind: str, ctx: Context, event: Event
    ) -> None:
        facts = facts_from_action(session, case, model, ctx)
        issue_document(session, kind_of(kind), facts, issued_by=ctx.actor.username, event_id=event.id)


def required_of(kind: Kind, fields: Fields) -> list[Required]:
    return [*kind.required, *conditional_required(kind.key, fields)]


def refuse_missing(kind: Kind, fields: Fields) -> None:
    absent = missing(required_of(kind, fields), fields)
    if absent:
        names = "、".join(f"“{r.label}”（{r.article}）" for r in absent)
        raise InvalidInput(
            "DOCUMENT_FIELD_MISSING",
            f"不能出具《{kind.title}》：缺少法定必备内容{names}",
            kind=kind.key,
            field=absent[0].field,
            fields=[{"field": r.field, "label": r.label, "article": r.article} for r in absent],
        )


def render(
    kind: Kind, fields: Fields, number: str, *, preview: bool = False, replaces: str | None = None
) -> bytes:
    doc = {
        "kind": kind.key,
        "title": kind.title,
        "number": number,
        "addressed": kind.addressed,
        "copies": list(kind.copies),
        "preview": preview,
        "replaces": replaces,
    }
    return render_pdf(render_html(kind.template, {"doc": doc, "f": fields}))


def issue_document(
    session: Session, kind: Kind, facts: CaseFacts, *, issued_by: str, event_id: int | None
) -> Document:
    """Build the fields from the case, check them, then number, render and store the document."""
    fields = build(kind.key, facts)
    refuse_missing(kind, fields)
    return store_document(
        session,
        kind,
        fields,
        case_id=facts.case_id,
        bureau=facts.bureau,
        moment=facts.moment,
        prefix=prefix_of(facts.settings, facts.agency),
        issued_by=issued_by,
        event_id=event_id,
    )


def store_document(
    session: Session,
    kind: Kind,
    fields: Fields,
    *,
    case_id: int,
    bureau: str,
    moment: datetime,
    prefix: str,
    issued_by: str,
    event_id: int | None,
    replaces: Document | None = None,
) -> Document:
    """Take the next number in the caller's transaction, render the PDF and store it with its hash."""
    year, seq, number = take_number(session, bureau, kind, moment, prefix)
    pdf = render(kind, fields, number, replaces=replaces.number if replaces else None)
    document = Document(
        case_id=case_id,
        bureau_code=bureau,
        kind=kind.key,
        title=kind.title,
        year=year,
        seq=seq,
        number=number,
        template_version=template_version(kind.template),
        issued_at=to_db(moment),
        issued_by=issued_by,
        event_id=event_id,
        replaces_id=replaces.id if replaces else None,
        fields=fields,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    session.add(document)
    session.flush()
    return document


def preview_document(kind: Kind, facts: CaseFacts) -> tuple[bytes, list[Required]]:
    """The PDF as it would be issued now, numbered 〔预览〕, and the required fields still missing."""
    fields = build(kind.key, facts)
    return render(kind, fields, PREVIEW_NUMBER, preview=True), missing(required_of(kind, fields), fields)
