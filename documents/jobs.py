"""Render jobs: the PDF of an issued document, rendered after the issuing action has committed.

The issuing action stores a ``RenderJob`` beside each document, in its own transaction (an
outbox). A worker claims the oldest open job in a short transaction of its own — with
``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so any number of processes share the queue
and never take the same job; SQLite has one writer at a time, so its claiming UPDATE alone is
enough —, renders with no transaction open (holding neither a number counter nor a case row),
then stores the PDF and closes the job. A claim older than the lease may be taken again: a
render cut short by a crash is done after restart. A download that finds no PDF yet renders
it on the spot (``pdf_of``); ``drain`` renders everything queued, for tests and scripts.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from documents.issuer import content_hash, render
from documents.kinds import kind_of
from documents.render import template_version
from engine.errors import RuleViolation
from engine.model import Actor
from engine.persistence import unit_of_work
from engine.queries import document_pdf
from engine.tables import Document, DocumentPdf, RenderJob
from engine.timeutil import to_db

LEASE = timedelta(minutes=2)  # far above a render (about a second), well below a restart
DOWNLOAD_WAIT = 15.0  # seconds a download waits for the worker already rendering its PDF

log = logging.getLogger("caseflow.render")


@dataclass(frozen=True)
class StoredPdf:
    document_id: int
    title: str
    number: str
    pdf: bytes
    sha256: str

    @property
    def filename(self) -> str:
        """行政处罚决定书-辛医保罚决〔2026〕1号.pdf"""
        return f"{self.title}-{self.number}.pdf"


def worker_name(role: str = "worker") -> str:
    """Who claims a job: host, process and role, so a stuck claim can be traced to its server."""
    return f"{socket.gethostname()}:{os.getpid()}:{role}"


def claim(
    engine: Engine,
    worker: str,
    *,
    now: datetime | None = None,
    lease: timedelta = LEASE,
    document_id: int | None = None,
) -> int | None:
    """Claim the oldest open job (or the one of ``document_id``); returns its document's id, or None."""
    moment = to_db(now or datetime.now(UTC))
    claimable = and_(
        col(RenderJob.done_at).is_(None),
        or_(col(RenderJob.claimed_at).is_(None), col(RenderJob.claimed_at) < moment - lease),
    )
    pick = select(RenderJob.id).where(claimable)
    if document_id is not None:
        pick = pick.where(RenderJob.document_id == document_id)
    pick = pick.order_by(col(RenderJob.id)).limit(1).with_for_update(skip_locked=True)
    with unit_of_work(engine) as session:
        claimed = session.execute(
            update(RenderJob)
            .where(col(RenderJob.id).in_(pick.scalar_subquery()))
            .values(claimed_at=moment, claimed_by=worker, attempts=col(RenderJob.attempts) + 1)
            .returning(col(RenderJob.document_id))
        ).scalar_one_or_none()
    return int(claimed) if claimed is not None else None


def render_frozen(engine: Engine, document_id: int) -> bytes:
    """The PDF of a stored document, from its frozen content and the template version it was issued with."""
    with Session(engine) as session:
        document = session.get(Document, document_id)
        assert document is not None, document_id
        replaced = session.get(Document, document.replaces_id) if document.replaces_id else None
        replaces = replaced.number if replaced else None
    kind = kind_of(document.kind)
    if template_version(kind.template) != document.template_version:
        raise RuleViolation(
            "DOCUMENT_TEMPLATE_CHANGED",
            f"《{document.title}》{document.number}出具后文书模板已更新，不能按出具时的模板生成PDF，请联系管理员",
            document_id=document_id,
            issued_with=document.template_version,
        )
    if document.content_sha256 is not None:
        actual = content_hash(document.kind, document.number, document.template_version, document.fields, replaces)
        if actual != document.content_sha256:  # the row is append-only; this catches a tampered database
            raise RuleViolation(
                "DOCUMENT_CONTENT_CHANGED",
                f"《{document.title}》{document.number}的内容与出具时记录的哈希不符",
                document_id=document_id,
            )
    return render(kind, document.fields, document.number, replaces=replaces)


def save_pdf(engine: Engine, document_id: int, pdf: bytes, by: str) -> StoredPdf:
    """Store the PDF unless one is stored already (the first one wins) and close the job."""
    now = to_db(datetime.now(UTC))
    with unit_of_work(engine) as session:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(
            dialect.insert(DocumentPdf)
            .values(document_id=document_id, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(), rendered_at=now)
            .on_conflict_do_nothing(index_elements=["document_id"])
        )
        session.execute(
            update(RenderJob)
            .where(col(RenderJob.document_id) == document_id, col(RenderJob.done_at).is_(None))
            .values(done_at=now, done_by=by, error=None)
        )
    stored = stored_pdf(engine, document_id)
    assert stored is not None
    return stored


def stored_pdf(engine: Engine, document_id: int) -> StoredPdf | None:
    with Session(engine) as session:
        row = session.exec(
            select(Document.title, Document.number, DocumentPdf.pdf, DocumentPdf.sha256)
            .join(DocumentPdf, col(DocumentPdf.document_id) == col(Document.id))
            .where(Document.id == document_id)
        ).first()
    return StoredPdf(document_id, *row) if row else None


def render_next(engine: Engine, worker: str, *, now: datetime | None = None, lease: timedelta = LEASE) -> bool:
    """Claim one job and do it; False when none is open. A failed render is noted on its job and retried after the lease."""
    document_id = claim(engine, worker, now=now, lease=lease)
    if document_id is None:
        return False
    try:
        pdf = render_frozen(engine, document_id)
    except Exception as error:  # noqa: BLE001 - one bad document must not stop the queue
        log.exception("rendering document %s failed", document_id)
        with unit_of_work(engine) as session:
            session.execute(
                update(RenderJob)
                .where(col(RenderJob.document_id) == document_id)
                .values(error=f"{type(error).__name__}: {error}"[:500])
            )
        return True
    save_pdf(engine, document_id, pdf, worker)
    return True


def drain(
    engine: Engine,
    *,
    worker: str | None = None,
    now: datetime | None = None,
    lease: timedelta = LEASE,
    wait: float = 60.0,
) -> int:
    """Render every open job in this thread, and wait (up to ``wait`` s) for those other workers are rendering.

    Returns how many jobs this call did. Tests call it instead of depending on a worker's timing.
    """
    name = worker or worker_name("drain")
    done = 0
    until = time.monotonic() + wait
    while True:
        while render_next(engine, name, now=now, lease=lease):
            done += 1
        if time.monotonic() >= until or not _being_rendered(engine, now, lease):
            return done
        time.sleep(0.05)


def _being_rendered(engine: Engine, now: datetime | None, lease: timedelta) -> bool:
    moment = to_db(now or datetime.now(UTC))
    with Session(engine) as session:
        busy = session.exec(
            select(RenderJob.id).where(
                col(RenderJob.done_at).is_(None),
                col(RenderJob.error).is_(None),
                # rendered elsewhere now, or not claimed yet (e.g. the claim lost a lock race): try again
                or_(col(RenderJob.claimed_at).is_(None), col(RenderJob.claimed_at) >= moment - lease),
            )
        ).first()
    return busy is not None


def pdf_of(engine: Engine, actor: Actor, case_id: int, doc_id: int, *, wait: float | None = None) -> StoredPdf:
    """A document's PDF for a download: the stored one, else rendered now (its job is then done)."""
    document_pdf(engine, actor, case_id, doc_id)  # refuses another bureau's or another case's document
    stored = stored_pdf(engine, doc_id)
    if stored is not None:
        return stored
    me = worker_name("download")
    if claim(engine, me, document_id=doc_id) is None:  # a worker is at it: its PDF is a moment away
        stored = _awaited(engine, doc_id, DOWNLOAD_WAIT if wait is None else wait)
        if stored is not None:
            return stored
    return save_pdf(engine, doc_id, render_frozen(engine, doc_id), me)


def _awaited(engine: Engine, doc_id: int, wait: float) -> StoredPdf | None:
    """The PDF another worker is rendering, once stored; None if it failed or takes longer than ``wait``."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        stored = stored_pdf(engine, doc_id)
        if stored is not None:
            return stored
        with Session(engine) as session:
            job = session.exec(select(RenderJob).where(RenderJob.document_id == doc_id)).first()
        if job is None or job.error is not None:
            return None
        time.sleep(0.05)
    return None
