"""Issuing documents inside the action that names them: fields, required contents, number, content hash.

``PdfIssuer`` is the ``engine.cases.DocumentIssuer`` the API wires in. A document that lacks a
field the law requires is refused with ``DOCUMENT_FIELD_MISSING`` naming the field and the
article, one that needs a bureau setting not yet filled in (the account for a fine, the review
organ) with ``DOCUMENT_SETTING_MISSING`` naming the setting; a refusal rolls back the whole
action, so no number is consumed and nothing changes.
The action freezes each document's content (fields, template version, number) and hashes it into
its event; the PDF is rendered after commit from that frozen content (``documents.jobs``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.event import listen
from sqlmodel import Session

from documents.fields import conditional_required, draft, missing
from documents.kinds import Kind, Required, kind_of
from documents.numbering import PREVIEW_NUMBER, prefix_of, take_number
from documents.render import render_html, render_pdf, template_version
from documents.source import CaseFacts, IssuedRef, facts_from_action
from documents.values import Fields
from engine import bureau_settings
from engine.errors import InvalidInput, RuleViolation
from engine.model import CaseModel
from engine.registry import Context
from engine.tables import Case, Document, Event, RenderJob
from engine.timeutil import to_db


class PdfIssuer:
    """The documents a fired transition names (see ``DocumentEntry.when``): frozen in the action, rendered later.

    ``on_commit`` is called once the issuing transaction has committed (the app wakes its render
    worker with it, so a PDF is usually ready a moment after the action answered).
    """

    def __init__(self, on_commit: Callable[[], None] | None = None) -> None:
        self.on_commit = on_commit

    def freeze(
        self, session: Session, case: Case, model: CaseModel, kinds: list[str], ctx: Context
    ) -> list[Document]:
        facts = facts_from_action(session, case, model, ctx)
        frozen = []
        for key in kinds:
            document = freeze_document(session, kind_of(key), facts, issued_by=ctx.actor.username)
            facts.issued.append(IssuedRef(document.kind, document.title, document.number, facts.moment))
            frozen.append(document)  # a later one may cite it (the 封存清单 names its 封存决定书)
        return frozen

    def store(self, session: Session, documents: list[Document], event: Event) -> None:
        store_documents(session, documents, event)
        if self.on_commit is not None:
            on_commit = self.on_commit
            listen(session, "after_commit", lambda _session: on_commit(), once=True)


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


def refuse_unset(kind: Kind, unset: tuple[str, ...]) -> None:
    """A document is never sent with a note to the bureau in it: the settings it prints must be filled in first."""
    if unset:
        names = "、".join(f"“{bureau_settings.label(key)}”" for key in unset)
        raise RuleViolation(
            "DOCUMENT_SETTING_MISSING",
            f"不能出具《{kind.title}》：文书须载明的{names}尚未在“本局设置”中填写，请系统管理员填写后再办理",
            kind=kind.key,
            settings=[{"key": key, "label": bureau_settings.label(key)} for key in unset],
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


def freeze_document(session: Session, kind: Kind, facts: CaseFacts, *, issued_by: str) -> Document:
    """Build the fields from the case, check them and take the next number: the document as it will be stored."""
    made = draft(kind.key, facts)
    fields = made.fields
    refuse_missing(kind, fields)
    refuse_unset(kind, made.unset_settings)
    return numbered_document(
        session,
        kind,
        fields,
        case_id=facts.case_id,
        bureau=facts.bureau,
        moment=facts.moment,
        prefix=prefix_of(facts.settings, facts.agency),
        issued_by=issued_by,
    )


def numbered_document(
    session: Session,
    kind: Kind,
    fields: Fields,
    *,
    case_id: int,
    bureau: str,
    moment: datetime,
    prefix: str,
    issued_by: str,
    replaces: Document | None = None,
) -> Document:
    """Take the next number in the caller's transaction and freeze the content under its hash; not yet stored."""
    year, seq, number = take_number(session, bureau, kind, moment, prefix)
    frozen = plain_json(fields)
    version = template_version(kind.template)
    replaced = replaces.number if replaces else None
    return Document(
        case_id=case_id,
        bureau_code=bureau,
        kind=kind.key,
        title=kind.title,
        year=year,
        seq=seq,
        number=number,
        template_version=version,
        issued_at=to_db(moment),
        issued_by=issued_by,
        replaces_id=replaces.id if replaces else None,
        fields=frozen,
        content_sha256=content_hash(kind.key, number, version, frozen, replaced),
    )


def store_documents(session: Session, documents: list[Document], event: Event) -> None:
    """Store frozen documents under the event that issued them and queue the rendering of each."""
    for document in documents:
        document.event_id = event.id
        session.add(document)
    session.flush()
    queued = to_db(datetime.now().astimezone())
    for document in documents:
        assert document.id is not None
        session.add(RenderJob(document_id=document.id, created_at=queued))


def content_hash(kind: str, number: str, version: str, fields: Fields, replaces: str | None) -> str:
    """sha256 of everything a PDF is rendered from, so the event that issued it fixes what it says."""
    body = {"kind": kind, "number": number, "template_version": version, "fields": fields, "replaces": replaces}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plain_json(fields: Fields) -> Fields:
    """The fields as the JSON column gives them back, so a later render sees exactly what was hashed."""
    value: Fields = json.loads(json.dumps(fields, ensure_ascii=False))
    return value


def preview_document(kind: Kind, facts: CaseFacts) -> tuple[bytes, list[Required]]:
    """The PDF as it would be issued now, numbered 〔预览〕, and what is still missing: required
    fields, then the bureau settings it needs (named 本局设置 in place of an article)."""
    made = draft(kind.key, facts)
    unset = [Required(key, bureau_settings.label(key), "本局设置") for key in made.unset_settings]
    pdf = render(kind, made.fields, PREVIEW_NUMBER, preview=True)
    return pdf, [*missing(required_of(kind, made.fields), made.fields), *unset]
