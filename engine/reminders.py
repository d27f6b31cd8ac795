"""督办: a supervisor's reminder on a case's overdue step, and the in-app messages users read.

A 督办 is a recorded fact on the case (an event in its hash chain, ``append_to_case``), a
``reminder`` row, and one ``message`` to each person the step waits for: the case's officers
(by 执法证 number) and whoever registered the case. All of it commits in one transaction.
The other messages (cases assigned to me, steps waiting for me, deadlines due soon) are read
from the read model when asked for (``engine.inbox``), not stored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from engine import readmodel
from engine.cases import append_to_case, refuse_unless_readable
from engine.definitions import Role
from engine.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from engine.library import Library
from engine.model import Actor
from engine.persistence import prepared, unit_of_work
from engine.read_tables import CaseOfficer, OpenDuty
from engine.tables import Case, Message, Reminder, User
from engine.timeutil import local, to_db

MAX_NOTE = 500
SENDERS = {Role.supervisor, Role.head}


def send_reminder(
    engine: Engine,
    library: Library,
    actor: Actor,
    case_id: int,
    note: str,
    clock_key: str | None = None,
    moment: datetime | None = None,
) -> dict[str, object]:
    """Send a 督办 on one overdue (or due-soon) step of an open case; returns the reminder."""
    if not actor.roles & SENDERS:
        raise Forbidden("REMINDER_NOT_ALLOWED", "只有督办人员（监督人员）或负责人可以督办")
    note = (note or "").strip()
    if not note:
        raise InvalidInput("FIELD_REQUIRED", "缺少必填项：督办意见", field="note")
    if len(note) > MAX_NOTE:
        raise InvalidInput("NOTE_TOO_LONG", f"督办意见不能超过{MAX_NOTE}个字", field="note")
    moment = moment or datetime.now().astimezone()
    with unit_of_work(engine) as session:
        row = session.get(Case, case_id)
        if row is None or row.bureau_code != actor.bureau:
            raise NotFound("CASE_NOT_FOUND", f"本局没有编号为{case_id}的案件", case_id=case_id)
        refuse_unless_readable(actor, row, library)
        if row.final:
            raise RuleViolation("CASE_CLOSED", "案件已办结归档，无需督办", case_id=case_id)
        duty = _due_duty(session, case_id, clock_key, moment)
        people = _recipients(session, row)
        recipients = [u.username for u in people]
        event = append_to_case(
            session, row, "remind", "督办", actor.username, moment,
            {"note": note, "clock": duty.key, "step": duty.label, "recipients": recipients},
        )
        reminder = Reminder(
            bureau_code=row.bureau_code, case_id=case_id, clock_key=duty.key, step=duty.label, note=note,
            sent_by=actor.username, sent_at=to_db(moment), event_seq=event.seq,
        )
        session.add(reminder)
        session.flush()
        for username in recipients:
            session.add(Message(
                bureau_code=row.bureau_code, recipient=username, kind="reminder", case_id=case_id,
                reminder_id=reminder.id, title=f"督办：{row.number} {duty.label}",
                body=f"{actor.name}督办（{local(moment):%Y-%m-%d %H:%M}）：{note}", created_at=to_db(moment),
            ))
        readmodel.refresh(session, library, [case_id])  # the summary carries the case's new version
        return {"id": reminder.id, "case_id": case_id, "clock": duty.key, "step": duty.label, "note": note,
                "recipients": recipients, "recipient_names": [u.name for u in people],
                "sent_at": moment.isoformat()}


def _due_duty(session: Session, case_id: int, clock_key: str | None, moment: datetime) -> OpenDuty:
    """The agency's running duty the 督办 is about: the one named, else the most overdue; it must be due."""
    query = select(OpenDuty).where(
        col(OpenDuty.case_id) == case_id, col(OpenDuty.party).is_(False), col(OpenDuty.due_at).is_not(None)
    )
    if clock_key:
        query = query.where(col(OpenDuty.key) == clock_key)
    duty = session.exec(query.order_by(col(OpenDuty.due_at))).first()
    if duty is None:
        raise RuleViolation("REMINDER_NO_STEP", "该案件没有正在计时的办理期限，无需督办", clock=clock_key)
    if duty.due_soon_at is not None and to_db(moment) < duty.due_soon_at:
        raise RuleViolation(
            "REMINDER_NOT_DUE",
            f"“{duty.label}”尚未临近期限（{local(duty.due_at):%Y-%m-%d}到期，见权责清单追责情形），督办针对逾期或临期的环节",  # type: ignore[arg-type]
            clock=duty.key,
        )
    return duty


def _recipients(session: Session, row: Case) -> list[User]:
    """The case's officers (by 执法证 number) and the person who registered it, active users only."""
    certs = [c for c in session.exec(select(CaseOfficer.cert_no).where(col(CaseOfficer.case_id) == row.id)) if c]
    return list(session.exec(
        select(User).where(
            col(User.bureau_code) == row.bureau_code,
            col(User.active).is_(True),
            or_(col(User.cert_no).in_(certs), col(User.username) == row.opened_by),
        ).order_by(col(User.username))
    ))


MESSAGE = Message.__table__  # type: ignore[attr-defined]
# Every page shows the count: one prebuilt statement, read in autocommit (ix_message_recipient_read).
_UNREAD = sa_select(func.count()).select_from(MESSAGE).where(
    MESSAGE.c.recipient == bindparam("recipient"), MESSAGE.c.read_at.is_(None)
)


def unread_count(engine: Engine, actor: Actor) -> int:
    found = prepared(engine, "unread_count", lambda: _UNREAD).rows(engine, {"recipient": actor.username})
    return int(found[0][0])


def messages(engine: Engine, actor: Actor, page: int = 1, size: int = 30) -> dict[str, object]:
    """The actor's stored messages, newest first, paged in the database."""
    with Session(engine) as session:
        where = col(Message.recipient) == actor.username
        total = int(session.exec(select(func.count()).select_from(Message).where(where)).one())
        rows = session.exec(
            select(Message).where(where).order_by(col(Message.id).desc()).offset((page - 1) * size).limit(size)
        ).all()
        return {"items": [_message(m) for m in rows], "total": total, "page": page, "size": size}


def mark_read(engine: Engine, actor: Actor, moment: datetime | None = None) -> int:
    """Mark all the actor's messages read (opening the message list reads them)."""
    with unit_of_work(engine) as session:
        result = session.execute(
            update(Message)
            .where(col(Message.recipient) == actor.username, col(Message.read_at).is_(None))
            .values(read_at=to_db(moment or datetime.now().astimezone()))
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def reminders_of_case(engine: Engine, case_id: int) -> list[dict[str, object]]:
    with Session(engine) as session:
        rows = session.exec(select(Reminder).where(col(Reminder.case_id) == case_id).order_by(col(Reminder.id)))
        return [{"step": r.step, "note": r.note, "sent_by": r.sent_by, "sent_at": r.sent_at} for r in rows]


def _message(m: Message) -> dict[str, object]:
    return {"id": m.id, "kind": m.kind, "case_id": m.case_id, "title": m.title, "body": m.body,
            "created_at": m.created_at.isoformat(), "read": m.read_at is not None}
