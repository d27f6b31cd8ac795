"""Database tables (SQLModel). Datetimes are stored as naive UTC (see engine.timeutil)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel


class Bureau(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=40)
    name: str = Field(max_length=200)
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class User(SQLModel, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True, max_length=80)
    name: str = Field(max_length=80)
    bureau_code: str = Field(foreign_key="bureau.code", index=True, max_length=40)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    cert_no: str | None = Field(default=None, max_length=60)
    password_hash: str = Field(max_length=300)
    active: bool = True
    department_id: int | None = Field(default=None, foreign_key="department.id")  # 承办机构


class Case(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    bureau_code: str = Field(foreign_key="bureau.code", index=True, max_length=40)
    number: str = Field(unique=True, max_length=80)
    item_code: str = Field(max_length=80)
    flow_key: str = Field(max_length=60)
    flow_version: int
    state: str = Field(max_length=60)
    final: bool = False
    party: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    officers: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    opened_at: datetime
    opened_by: str = Field(max_length=80)
    updated_at: datetime
    version: int = 1  # optimistic lock: every change checks and bumps it
    # The snapshot an action needs besides state and data: the head of the hash chain and the
    # last event's moment, so that no action reads the case's history.
    last_seq: int = 0
    head_hash: str = Field(default="", max_length=64)
    last_occurred_at: datetime | None = None
    closed_at: datetime | None = None  # when the case first reached a final state
    # Who last fired each trigger (trigger → username): what separation of duties compares.
    acted_by: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class CaseLink(SQLModel, table=True):
    __tablename__ = "case_link"
    __table_args__ = (UniqueConstraint("from_case_id", "to_case_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    from_case_id: int = Field(foreign_key="case.id", index=True)
    to_case_id: int = Field(foreign_key="case.id", index=True)
    kind: str = Field(max_length=40)  # opened_from (a penalty opened by an inspection), serves (a sealing)
    created_at: datetime


class Event(SQLModel, table=True):
    """Append-only and hash-chained per case; database triggers refuse UPDATE and DELETE."""

    # occurred_at: the statistics count a period's decisions, hearings and payments by it; a case's
    # events are found by the unique (case_id, seq) index (no index of case_id alone to write besides)
    __table_args__ = (UniqueConstraint("case_id", "seq"), Index("ix_event_occurred_at", "occurred_at"))

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    seq: int
    trigger: str = Field(max_length=60)
    label: str = Field(max_length=120)
    from_state: str | None = Field(default=None, max_length=60)
    to_state: str | None = Field(default=None, max_length=60)
    actor: str = Field(max_length=80)
    occurred_at: datetime
    recorded_at: datetime
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    hash_version: int = 2  # engine.events: 1 for events recorded before the label was hashed


class CaseEntry(SQLModel, table=True):
    """One entry of a list that grows without bound (a flow's ``append`` lists: 陈述申辩, 封存, 证据 …).

    Kept in rows of their own so the case row stays small; read a list at a time, in order.
    """

    __tablename__ = "case_entry"
    __table_args__ = (UniqueConstraint("case_id", "list_key", "position", name="uq_case_entry_position"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    list_key: str = Field(max_length=60)  # the data key the flow appends into
    position: int  # 0, 1, 2 … within the case's list
    event_seq: int  # the event that appended it
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    occurred_at: datetime


class Clock(SQLModel, table=True):
    __table_args__ = (Index("ix_clock_open_due", "open", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    key: str = Field(max_length=60)
    label: str = Field(max_length=120)
    unit: str = Field(max_length=20)
    amount: int
    extension: int = 0
    started_at: datetime
    spans: list[list[str | None]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    satisfied_at: datetime | None = None
    cancelled_at: datetime | None = None
    open: bool = True
    due_at: datetime  # as last computed; recomputed when the calendar changes
    provisional: bool = False
    explanation: str = Field(default="", max_length=500)
    law: str = Field(max_length=300)
    accountability: str | None = Field(default=None, max_length=500)
    roll_forward: bool = False
    due_soon: int = 2
    party: bool = False
    note: str | None = Field(default=None, max_length=300)


class CalendarYear(SQLModel, table=True):
    """An official holiday schedule an administrator loaded (takes precedence over the package)."""

    __tablename__ = "calendar_year"

    year: int = Field(primary_key=True)
    holidays: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    workdays: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    loaded_at: datetime
    loaded_by: str = Field(max_length=80)


class Counter(SQLModel, table=True):
    """Gap-free sequences: case numbers and document numbers per bureau, kind and year."""

    bureau_code: str = Field(primary_key=True, max_length=40)
    kind: str = Field(primary_key=True, max_length=60)
    year: int = Field(primary_key=True)
    value: int = 0


class Document(SQLModel, table=True):
    """An issued notice: never changed; a correction is a new row citing the one it replaces."""

    __table_args__ = (UniqueConstraint("bureau_code", "kind", "year", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    bureau_code: str = Field(max_length=40)
    kind: str = Field(max_length=60)
    title: str = Field(max_length=120)
    year: int
    seq: int
    number: str = Field(max_length=80)
    template_version: str = Field(max_length=40)
    issued_at: datetime
    issued_by: str = Field(max_length=80)
    event_id: int | None = Field(default=None, foreign_key="event.id")
    replaces_id: int | None = Field(default=None, foreign_key="document.id")
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # sha256 of the frozen content (kind, number, template version, fields, document replaced), the
    # same hash the issuing event carries; None for documents issued before rendering left the action
    content_sha256: str | None = Field(default=None, max_length=64)


class DocumentPdf(SQLModel, table=True):
    """The PDF of a document, rendered after the issuing action committed; written once, never changed."""

    __tablename__ = "document_pdf"

    document_id: int = Field(primary_key=True, foreign_key="document.id")
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sha256: str = Field(max_length=64)
    rendered_at: datetime


class RenderJob(SQLModel, table=True):
    """Outbox of PDFs to render: written by the issuing action, claimed by a render worker.

    A claim sets ``claimed_at``; a claim older than the lease is claimable again, so a render cut
    short by a crash is done after restart. ``attempts`` counts claims, ``done_by`` names who
    stored the PDF (a worker, or a download that rendered it on demand).
    """

    __tablename__ = "render_job"
    __table_args__ = (Index("ix_render_job_pending", "done_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", unique=True)
    created_at: datetime
    claimed_at: datetime | None = None
    claimed_by: str | None = Field(default=None, max_length=120)
    attempts: int = 0
    done_at: datetime | None = None
    done_by: str | None = Field(default=None, max_length=120)
    error: str | None = Field(default=None, max_length=500)



class EvidenceFile(SQLModel, table=True):
    """A file an officer attached to a step of a case (证据材料): never changed, never deleted.

    The bytes live in the evidence store (``engine.evidence_store``) under their sha256, which the
    attaching event carries in the case's hash chain. A wrong file is withdrawn (``EvidenceWithdrawal``).
    """

    __tablename__ = "evidence_file"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    event_id: int = Field(foreign_key="event.id")
    sha256: str = Field(max_length=64, index=True)
    size: int
    content_type: str = Field(max_length=40)  # as found in the bytes, not as the client claimed
    kind: str = Field(max_length=40)  # engine.evidence.KINDS: signed_receipt, hearing_record, photo …
    title: str = Field(max_length=120)
    filename: str = Field(max_length=200)
    step: str = Field(max_length=60)  # the state (环节) of the case it belongs to
    attached_at: datetime  # when the material was made or received (the event's occurred_at)
    attached_by: str = Field(max_length=80)


class EvidenceWithdrawal(SQLModel, table=True):
    """The withdrawal of a wrongly attached file, with its reason; the file itself stays."""

    __tablename__ = "evidence_withdrawal"

    evidence_id: int = Field(primary_key=True, foreign_key="evidence_file.id")
    event_id: int = Field(foreign_key="event.id")
    reason: str = Field(max_length=300)
    withdrawn_at: datetime
    withdrawn_by: str = Field(max_length=80)


class EvidenceBlob(SQLModel, table=True):
    """The bytes of evidence files kept in the database (the default store), by their sha256."""

    __tablename__ = "evidence_blob"

    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    stored_at: datetime


class Department(SQLModel, table=True):
    """A 承办机构 of a bureau: a section (科室) or a service centre that handles its items."""

    __table_args__ = (UniqueConstraint("bureau_code", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    bureau_code: str = Field(foreign_key="bureau.code", index=True, max_length=40)
    name: str = Field(max_length=80)
    active: bool = True


class Certificate(SQLModel, table=True):
    """A 执法证 (kind "enforcement") or a 法律职业资格 (kind "legal") held by a user.

    Dates may be unregistered (a certificate entered with a user before its dates were
    known): such a certificate has no date bounds. Revoked certificates stay in the register.
    """

    __table_args__ = (UniqueConstraint("kind", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    number: str = Field(index=True, max_length=60)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    bureau_code: str = Field(foreign_key="bureau.code", index=True, max_length=40)
    issuer: str | None = Field(default=None, max_length=120)  # 发证机关
    valid_from: date | None = None
    valid_to: date | None = None
    status: str = Field(default="active", max_length=20)  # active, revoked
    registered_at: datetime
    revoked_at: datetime | None = None
    revoked_reason: str | None = Field(default=None, max_length=200)


class LoginSession(SQLModel, table=True):
    """A server-side login: a token is honoured only while its session row is open."""

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)  # sha256 of the session id in the token
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None = None
    end_reason: str | None = Field(default=None, max_length=40)
    client: str = Field(default="", max_length=64)


class LoginThrottle(SQLModel, table=True):
    """Login attempts per account name or per client address, counted atomically in the database."""

    __tablename__ = "login_throttle"

    scope: str = Field(primary_key=True, max_length=20)  # account, client
    key: str = Field(primary_key=True, max_length=200)
    attempts: int = 0
    window_start: datetime
    locked_until: datetime | None = None


class AdminEvent(SQLModel, table=True):
    """Append-only record of settings and account changes, hash-chained per bureau."""

    __tablename__ = "admin_event"
    __table_args__ = (UniqueConstraint("bureau_code", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    bureau_code: str = Field(foreign_key="bureau.code", index=True, max_length=40)
    seq: int
    action: str = Field(max_length=40)
    target: str = Field(max_length=120)
    actor: str = Field(max_length=80)
    recorded_at: datetime
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class Reminder(SQLModel, table=True):
    """A 督办: a supervisor's reminder with a note on a case's overdue step (also an event on the case)."""

    id: int | None = Field(default=None, primary_key=True)
    bureau_code: str = Field(foreign_key="bureau.code", index=True, max_length=40)
    case_id: int = Field(foreign_key="case.id", index=True)
    clock_key: str | None = Field(default=None, max_length=60)
    step: str = Field(max_length=120)  # the step's (clock's) label as the supervisor saw it
    note: str = Field(max_length=500)
    sent_by: str = Field(max_length=80)
    sent_at: datetime
    event_seq: int


class Message(SQLModel, table=True):
    """An in-app message to one user (a 督办 today); read once its recipient opens it."""

    __table_args__ = (Index("ix_message_recipient_read", "recipient", "read_at"),)

    id: int | None = Field(default=None, primary_key=True)
    bureau_code: str = Field(foreign_key="bureau.code", max_length=40)
    recipient: str = Field(max_length=80)  # username
    kind: str = Field(max_length=20)  # reminder
    case_id: int | None = Field(default=None, foreign_key="case.id")
    reminder_id: int | None = Field(default=None, foreign_key="reminder.id")
    title: str = Field(max_length=200)
    body: str = Field(max_length=1000)
    created_at: datetime
    read_at: datetime | None = None


# The read model's tables live in their own module; importing them here registers them with the
# metadata that Alembic and the tests compare against.
from engine.read_tables import CaseOfficer, CaseSummary, OpenDuty  # noqa: E402

__all__ = ["CaseOfficer", "CaseSummary", "OpenDuty"]
