"""Case services: open a case, fire an action, read a case. Each change is one transaction.

State, event, clocks, links and document numbers of one action commit together or not at
all; a concurrent change of the same case is refused by a version check (``CASE_CHANGED``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from engine.calendar import WorkCalendar
from engine.clocks import Span
from engine.clockwork import apply_clock_triggers, deadline_of, view_clock
from engine.definitions import CatalogueItem, FlowSpec, TransitionSpec, Unit
from engine.errors import ConcurrentUpdate, InvalidInput, NotFound, RuleViolation
from engine.events import GENESIS, event_hash
from engine.inputs import clean_json, clean_opening
from engine.library import Library
from engine.machine import available, check_guards, check_roles, fire, run_actions
from engine.model import Actor, CaseModel, ClockState, PastEvent
from engine.persistence import unit_of_work
from engine.registry import Context
from engine.tables import Bureau, Case, CaseLink, Clock, Event
from engine.timeutil import from_db, local, to_db
from engine.workcalendar import load_calendar

FUTURE_TOLERANCE = timedelta(minutes=5)


class DocumentIssuer(Protocol):
    """Issues the documents a transition names, inside the action's transaction."""

    def issue(
        self, session: Session, case: Case, model: CaseModel, kind: str, ctx: Context, event: Event
    ) -> None: ...


@dataclass
class CaseService:
    engine: Engine
    library: Library
    issuer: DocumentIssuer | None = None

    # --- commands ---------------------------------------------------------------------

    def open_case(
        self,
        actor: Actor,
        item_code: str,
        party: dict[str, Any],
        officers: list[dict[str, Any]],
        data: dict[str, Any],
        occurred_at: datetime | None = None,
        links: list[dict[str, Any]] | None = None,
    ) -> int:
        """Open a case for a catalogue item of the actor's bureau; returns its id."""
        party, officers, data = clean_opening(party, officers, data)
        with unit_of_work(self.engine) as session:
            case_id = self._open(session, actor, item_code, party, officers, data, occurred_at, links or [])
        return case_id

    def fire(
        self,
        actor: Actor,
        case_id: int,
        trigger: str,
        payload: dict[str, Any],
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> None:
        """Fire one action on a case: all of its effects commit together or none do."""
        payload = clean_json(payload, "data")
        with unit_of_work(self.engine) as session:
            row = self._case_row(session, actor, case_id)
            if expected_version is not None and row.version != expected_version:
                raise ConcurrentUpdate("CASE_CHANGED", "案件已被他人更新，请刷新后重试", version=row.version)
            flow = self.library.flow(row.flow_key, row.flow_version)
            item = self.library.item(row.bureau_code, row.item_code)
            model = self._model(session, row)
            moment = self._moment(occurred_at, model)
            ctx = self._context(session, model, flow, item, actor, moment, payload)
            outcome = fire(flow, ctx, trigger)
            apply_clock_triggers(flow, model, trigger, moment, ctx.settings, payload)
            self._save(session, row, model, flow, ctx.calendar)
            event = self._append_event(
                session, row, outcome.transition, outcome.from_state, outcome.to_state, actor, moment, payload
            )
            self._issue_documents(session, row, model, outcome.transition, ctx, event)
            self._make_links(session, actor, row, model, moment)

    # --- queries ----------------------------------------------------------------------

    def view(self, actor: Actor, case_id: int, as_of: datetime | None = None) -> dict[str, Any]:
        with Session(self.engine) as session:
            row = self._case_row(session, actor, case_id)
            return self._view(session, actor, row, as_of or datetime.now().astimezone())

    def calendar(self) -> WorkCalendar:
        with Session(self.engine) as session:
            return load_calendar(session)

    # --- internals --------------------------------------------------------------------

    def _open(
        self,
        session: Session,
        actor: Actor,
        item_code: str,
        party: dict[str, Any],
        officers: list[dict[str, Any]],
        data: dict[str, Any],
        occurred_at: datetime | None,
        links: list[dict[str, Any]],
    ) -> int:
        item = self.library.item(actor.bureau, item_code)
        flow = self.library.flow(item.flow)
        moment = self._moment(occurred_at, None)
        model = CaseModel(
            state=flow.initial,
            bureau=actor.bureau,
            item_code=item.code,
            flow_key=flow.key,
            flow_version=flow.version,
            party=dict(party),
            officers=[dict(o) for o in officers],
            data=dict(data),
            opened_at=moment,
        )
        payload = {"party": party, "officers": officers, **data}
        ctx = self._context(session, model, flow, item, actor, moment, payload)
        ctx.transition = flow.open
        check_roles(flow.open, ctx)
        check_guards(flow.open, ctx)
        run_actions(flow.open, ctx)
        apply_clock_triggers(flow, model, "open", moment, ctx.settings, payload)
        number = self._next_case_number(session, actor.bureau, local(moment).year)
        now = to_db(datetime.now().astimezone())
        row = Case(
            bureau_code=actor.bureau,
            number=number,
            item_code=item.code,
            flow_key=flow.key,
            flow_version=flow.version,
            state=model.state,
            final=flow.state(model.state).final,
            party=model.party,
            officers=model.officers,
            data=model.data,
            opened_at=to_db(moment),
            opened_by=actor.username,
            updated_at=now,
            version=1,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        model.id, model.number = row.id, row.number
        self._write_clocks(session, row.id, model, ctx.calendar)
        event = self._append_event(session, row, flow.open, None, model.state, actor, moment, payload)
        self._issue_documents(session, row, model, flow.open, ctx, event)
        for link in links:
            model.links.append(link)
        self._make_links(session, actor, row, model, moment)
        return row.id

    def _case_row(self, session: Session, actor: Actor, case_id: int) -> Case:
        row = session.get(Case, case_id)
        if row is None or row.bureau_code != actor.bureau:
            raise NotFound("CASE_NOT_FOUND", f"本局没有编号为{case_id}的案件", case_id=case_id)
        return row

    def _moment(self, occurred_at: datetime | None, model: CaseModel | None) -> datetime:
        now = datetime.now().astimezone()
        moment = occurred_at or now
        if moment.tzinfo is None:
            raise InvalidInput("INVALID_DATE", "发生时间须带时区", field="occurred_at")
        if moment > now + FUTURE_TOLERANCE:
            raise InvalidInput(
                "OCCURRED_IN_FUTURE",
                f"发生时间{local(moment):%Y-%m-%d %H:%M}晚于当前时间",
                field="occurred_at",
            )
        if model is not None and model.events and moment < model.events[-1].occurred_at:
            last = model.events[-1]
            raise InvalidInput(
                "OCCURRED_BEFORE_PREVIOUS",
                f"发生时间{local(moment):%Y-%m-%d %H:%M}早于上一步骤的时间{local(last.occurred_at):%Y-%m-%d %H:%M}",
                field="occurred_at",
            )
        return moment

    def settings_for(
        self, session: Session, flow: FlowSpec, item: CatalogueItem, bureau: str
    ) -> dict[str, Any]:
        """Flow defaults, overridden by the bureau's settings, overridden by the item's."""
        row = session.exec(select(Bureau).where(Bureau.code == bureau)).first()
        return {**flow.settings, **(row.settings if row else {}), **item.settings}

    def _context(
        self,
        session: Session,
        model: CaseModel,
        flow: FlowSpec,
        item: CatalogueItem,
        actor: Actor,
        moment: datetime,
        payload: dict[str, Any],
    ) -> Context:
        return Context(
            case=model,
            flow=flow,
            item=item,
            transition=None,
            actor=actor,
            occurred_at=moment,
            calendar=load_calendar(session),
            settings=self.settings_for(session, flow, item, model.bureau),
            payload=dict(payload),
        )

    def _model(self, session: Session, row: Case) -> CaseModel:
        assert row.id is not None
        clocks = session.exec(select(Clock).where(Clock.case_id == row.id).order_by(col(Clock.id))).all()
        events = session.exec(select(Event).where(Event.case_id == row.id).order_by(col(Event.seq))).all()
        return CaseModel(
            id=row.id,
            number=row.number,
            state=row.state,
            bureau=row.bureau_code,
            item_code=row.item_code,
            flow_key=row.flow_key,
            flow_version=row.flow_version,
            party=dict(row.party),
            officers=[dict(o) for o in row.officers],
            data=_deep_copy(row.data),
            opened_at=from_db(row.opened_at),
            clocks=[clock_state_of(c) for c in clocks],
            events=[
                PastEvent(e.trigger, from_db(e.occurred_at), e.from_state, e.to_state, e.payload, e.actor)
                for e in events
            ],
        )

    def _save(
        self, session: Session, row: Case, model: CaseModel, flow: FlowSpec, calendar: WorkCalendar
    ) -> None:
        assert row.id is not None
        result = session.execute(
            update(Case)
            .where(col(Case.id) == row.id, col(Case.version) == row.version)
            .values(
                state=model.state,
                final=flow.state(model.state).final,
                party=model.party,
                officers=model.officers,
                data=model.data,
                updated_at=to_db(datetime.now().astimezone()),
                version=row.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdate(
                "CASE_CHANGED", "案件已被他人同时更新，本次操作未生效，请刷新后重试", case_id=row.id
            )
        session.expire(row)
        self._write_clocks(session, row.id, model, calendar)

    def _write_clocks(self, session: Session, case_id: int, model: CaseModel, calendar: WorkCalendar) -> None:
        now = datetime.now().astimezone()
        for clock in model.clocks:
            deadline = deadline_of(clock, calendar, now)
            values: dict[str, Any] = dict(
                extension=clock.extension,
                spans=[[s.start.isoformat(), s.end.isoformat() if s.end else None] for s in clock.spans],
                satisfied_at=to_db(clock.satisfied_at) if clock.satisfied_at else None,
                cancelled_at=to_db(clock.cancelled_at) if clock.cancelled_at else None,
                open=clock.open,
                due_at=to_db(deadline.due_at),
                provisional=deadline.provisional,
                explanation=deadline.explanation[:500],
            )
            if clock.id is None:
                stored = Clock(
                    case_id=case_id,
                    key=clock.key,
                    label=clock.label,
                    unit=clock.unit.value,
                    amount=clock.amount,
                    started_at=to_db(clock.started_at),
                    law=clock.law,
                    accountability=clock.accountability,
                    roll_forward=clock.roll_forward,
                    due_soon=clock.due_soon,
                    party=clock.party,
                    note=clock.note,
                    **values,
                )
                session.add(stored)
                session.flush()
                clock.id = stored.id
            else:
                session.execute(update(Clock).where(col(Clock.id) == clock.id).values(**values))

    def _append_event(
        self,
        session: Session,
        row: Case,
        spec: TransitionSpec,
        from_state: str | None,
        to_state: str | None,
        actor: Actor,
        moment: datetime,
        payload: dict[str, Any],
    ) -> Event:
        assert row.id is not None
        return append_event(
            session, row.id, spec.trigger, spec.label, from_state, to_state, actor.username, moment, payload
        )

    def _issue_documents(
        self, session: Session, row: Case, model: CaseModel, spec: TransitionSpec, ctx: Context, event: Event
    ) -> None:
        if not spec.documents or self.issuer is None:
            return
        for kind in spec.documents:
            if spec.issues(kind, model.data):  # a conditional document only when its flag is set
                self.issuer.issue(session, row, model, kind, ctx, event)

    def _make_links(
        self, session: Session, actor: Actor, row: Case, model: CaseModel, moment: datetime
    ) -> None:
        assert row.id is not None
        for link in model.links:
            if "open" in link:
                spec = link["open"]
                wanted = self.library.item(actor.bureau, spec["item"]).flow
                if spec.get("flow") and wanted != spec["flow"]:  # e.g. only a penalty item may be opened
                    raise RuleViolation(
                        "LINKED_ITEM_WRONG_FLOW",
                        f"事项“{spec['item']}”不是本局可立案的{self.library.flow(spec['flow']).label}事项",
                        item=spec["item"],
                        flow=wanted,
                    )
                target = self._open(
                    session,
                    actor,
                    spec["item"],
                    spec.get("party") or model.party,
                    spec.get("officers") or model.officers,
                    spec.get("data") or {},
                    moment,
                    [],
                )
                session.add(
                    CaseLink(
                        from_case_id=target, to_case_id=row.id, kind="opened_from", created_at=to_db(moment)
                    )
                )
                model.data.setdefault("opened_cases", []).append(target)
                session.execute(
                    update(Case).where(col(Case.id) == row.id).values(data=_deep_copy(model.data))
                )
            else:
                other = self._case_row(session, actor, int(link["case_id"]))
                if other.id == row.id:
                    raise InvalidInput("LINK_TO_SELF", "案件不能关联自身", case_id=row.id)
                session.add(
                    CaseLink(
                        from_case_id=row.id,
                        to_case_id=other.id or 0,
                        kind=link.get("kind", "serves"),
                        created_at=to_db(moment),
                    )
                )
        model.links.clear()

    def _next_case_number(self, session: Session, bureau: str, year: int) -> str:
        from engine.numbering import next_number

        seq = next_number(session, bureau, "case", year)
        return f"{bureau.upper()}-{year}-{seq:05d}"

    def _view(self, session: Session, actor: Actor, row: Case, as_of: datetime) -> dict[str, Any]:
        flow = self.library.flow(row.flow_key, row.flow_version)
        item = self.library.item(row.bureau_code, row.item_code)
        model = self._model(session, row)
        ctx = self._context(session, model, flow, item, actor, as_of, {})
        ctx.checking_only = True
        actions = available(flow, ctx)
        clocks = [view_clock(c, ctx.calendar, as_of).as_dict() for c in model.clocks]
        events = session.exec(select(Event).where(Event.case_id == row.id).order_by(col(Event.seq))).all()
        from engine.tables import Document

        documents = session.exec(
            select(Document).where(Document.case_id == row.id).order_by(col(Document.id))
        ).all()
        links = session.exec(
            select(CaseLink).where((CaseLink.from_case_id == row.id) | (CaseLink.to_case_id == row.id))
        ).all()
        linked = []
        for link in links:
            other_id = link.to_case_id if link.from_case_id == row.id else link.from_case_id
            other = session.get(Case, other_id)
            if other is not None:
                linked.append(
                    {
                        "id": other.id,
                        "number": other.number,
                        "item": other.item_code,
                        "flow": other.flow_key,
                        "state": other.state,
                        "kind": link.kind,
                        "direction": "to" if link.from_case_id == row.id else "from",
                    }
                )
        state = flow.state(row.state)
        return {
            "id": row.id,
            "number": row.number,
            "bureau": row.bureau_code,
            "item": {
                "code": item.code,
                "name": item.name,
                "power_type": item.power_type,
                "department": item.department,
            },
            "flow": {"key": flow.key, "version": flow.version, "label": flow.label},
            "state": row.state,
            "state_label": state.label,
            "stage": state.stage,
            "final": state.final,
            "version": row.version,
            "party": row.party,
            "officers": row.officers,
            "data": row.data,
            "opened_at": from_db(row.opened_at).isoformat(),
            "actions": actions,
            "clocks": clocks,
            "events": [
                {
                    "seq": e.seq,
                    "trigger": e.trigger,
                    "label": e.label,
                    "from_state": e.from_state,
                    "to_state": e.to_state,
                    "actor": e.actor,
                    "occurred_at": from_db(e.occurred_at).isoformat(),
                    "recorded_at": from_db(e.recorded_at).isoformat(),
                    "payload": e.payload,
                    "hash": e.hash,
                }
                for e in events
            ],
            "documents": [
                {
                    "id": d.id,
                    "kind": d.kind,
                    "title": d.title,
                    "number": d.number,
                    "issued_at": from_db(d.issued_at).isoformat(),
                    "sha256": d.sha256,
                    "replaces_id": d.replaces_id,
                }
                for d in documents
            ],
            "links": linked,
        }


def append_event(
    session: Session,
    case_id: int,
    trigger: str,
    label: str,
    from_state: str | None,
    to_state: str | None,
    actor: str,
    moment: datetime,
    payload: dict[str, Any],
) -> Event:
    """Append the next event of a case's hash chain (inside the caller's transaction)."""
    last = session.exec(select(Event).where(Event.case_id == case_id).order_by(col(Event.seq).desc())).first()
    seq = (last.seq + 1) if last else 1
    prev = last.hash if last else GENESIS
    recorded = to_db(datetime.now().astimezone())
    occurred = to_db(moment)
    clean = _json_safe(payload)
    fields: dict[str, Any] = dict(
        case_id=case_id,
        seq=seq,
        trigger=trigger,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        occurred_at=occurred,
        recorded_at=recorded,
        payload=clean,
        prev_hash=prev,
    )
    event = Event(label=label, hash=event_hash(**fields), **fields)
    session.add(event)
    session.flush()
    return event


def clock_state_of(row: Clock) -> ClockState:
    """The engine's view of a stored clock."""
    return ClockState(
        id=row.id,
        key=row.key,
        label=row.label,
        unit=Unit(row.unit),
        amount=row.amount,
        started_at=from_db(row.started_at),
        law=row.law,
        accountability=row.accountability,
        roll_forward=row.roll_forward,
        due_soon=row.due_soon,
        party=row.party,
        extension=row.extension,
        spans=[
            Span(datetime.fromisoformat(str(s)), datetime.fromisoformat(e) if e else None)
            for s, e in row.spans
        ],
        satisfied_at=from_db(row.satisfied_at) if row.satisfied_at else None,
        cancelled_at=from_db(row.cancelled_at) if row.cancelled_at else None,
        note=row.note,
    )


def _deep_copy(value: Any) -> Any:
    import copy

    return copy.deepcopy(value)


def _json_safe(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def refuse_if_final(flow: FlowSpec, state: str) -> None:
    if flow.state(state).final:
        raise RuleViolation("CASE_CLOSED", "案件已办结归档，不能再办理", state=state)
