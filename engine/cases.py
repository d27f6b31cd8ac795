"""Case services: open a case, fire an action, read a case. Each change is one transaction.

State, event, clocks, links and document numbers of one action commit together or not at
all; a concurrent change of the same case is refused by a version check (``CASE_CHANGED``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Protocol

from sqlalchemy import DateTime, and_, bindparam, insert, or_, type_coerce, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from engine import certificates, entries, readmodel
from engine.calendar import WorkCalendar
from engine.clockwork import apply_clock_triggers, view_clock
from engine.definitions import CatalogueItem, FlowSpec, TransitionSpec
from engine.errors import ConcurrentUpdate, Forbidden, InvalidInput, NotFound, RuleViolation
from engine.events import GENESIS, HASH_VERSION, event_hash
from engine.inputs import clean_json, clean_opening
from engine.library import Library
from engine.machine import available, check_guards, check_roles, fire, run_actions
from engine.model import Actor, CaseModel, RegisteredCertificate
from engine.persistence import Prebuilt, connection_of, reading, run_write, send_waiting_writes, unit_of_work
from engine.registry import Context, LazyCertificates
from engine.rules.officers import certificate_numbers
from engine.snapshot import (
    CaseLike,
    CaseRow,
    Snapshot,
    clock_state_of,
    fingerprints,
    json_iso,
    json_rows,
    json_value,
    load_snapshot,
    model_of,
    snapshot_with,
    write_clocks,
)
from engine.tables import Bureau, Case, CaseLink, Document, DocumentPdf, Event
from engine.timeutil import from_db, local, to_db
from engine.workcalendar import load_calendar

__all__ = [
    "CaseService", "append_to_case", "chain_event", "clock_state_of", "refuse_if_final", "refuse_unless_readable",
]

EVENTS_IN_VIEW = 20  # the case view carries the latest events; the whole history is paged

FUTURE_TOLERANCE = timedelta(minutes=5)


class DocumentIssuer(Protocol):
    """Issues the documents a transition names, inside the action's transaction; PDFs come after commit."""

    def freeze(
        self, session: Session, case: CaseLike, model: CaseModel, kinds: list[str], ctx: Context
    ) -> list[Document]:
        """Build and check each document's contents and take its number; nothing is stored yet."""
        ...

    def store(self, session: Session, documents: list[Document], event: NewEvent) -> None:
        """Store the frozen documents under the event that issued them and queue their rendering."""
        ...


class Fired(NamedTuple):
    """What an action wrote, for the view that answers it."""

    snapshot: Snapshot
    model: CaseModel
    certificates: Mapping[str, RegisteredCertificate] | None  # the register's entries it read, if any


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
        then: tuple[str, dict[str, Any]] | None = None,
    ) -> int:
        """Open a case for a catalogue item of the actor's bureau; returns its id.

        ``then`` (a trigger and its data) fires a first action in the same transaction, so the
        hall's intake with its decision (受理, 一次性告知, 不予受理, 当场办结) leaves either the
        whole result or nothing: a refused decision leaves no half-registered case behind.
        """
        party, officers, data = clean_opening(party, officers, data)
        with unit_of_work(self.engine) as session:
            case_id = self._open(session, actor, item_code, party, officers, data, occurred_at, links or [])
            if then is not None:
                self._fire(session, actor, case_id, then[0], clean_json(then[1], "data"), occurred_at, None)
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
            self._fire(session, actor, case_id, trigger, payload, occurred_at, expected_version)

    def fire_and_view(
        self,
        actor: Actor,
        case_id: int,
        trigger: str,
        payload: dict[str, Any],
        occurred_at: datetime | None = None,
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        """Fire one action, then the case as it is now (from what the action wrote: not read again)."""
        payload = clean_json(payload, "data")
        with unit_of_work(self.engine) as session:
            fired = self._fire(
                session, actor, case_id, trigger, payload, occurred_at, expected_version, for_view=True
            )
        with Session(reading(self.engine)) as session:
            return self._view(
                session, actor, fired.snapshot, datetime.now().astimezone(), True, fired.model, fired.certificates
            )

    def _fire(
        self,
        session: Session,
        actor: Actor,
        case_id: int,
        trigger: str,
        payload: dict[str, Any],
        occurred_at: datetime | None,
        expected_version: int | None = None,
        *,
        for_view: bool = False,
    ) -> Fired:
        """One action inside the caller's transaction (``fire``, or ``open_case`` with ``then``).

        Returns what the view that answers it needs: the case as the action wrote it (``for_view``:
        with its latest events and documents, read with the snapshot and brought up to date)."""
        snapshot = self._snapshot(session, actor, case_id, for_view=for_view, for_change=True)
        row = snapshot.row
        if expected_version is not None and row.version != expected_version:
            raise ConcurrentUpdate("CASE_CHANGED", "案件已被他人更新，请刷新后重试", version=row.version)
        flow = self.library.flow(row.flow_key, row.flow_version)
        item = self.library.item(row.bureau_code, row.item_code)
        model = model_of(session, row, snapshot.clocks)
        entries.attach(connection_of(session), model, flow)
        before = fingerprints(model)
        officers_before = [dict(o) for o in model.officers]
        party_before = dict(model.party)
        moment = self._moment(occurred_at, model)
        ctx = self._context_of(snapshot, model, flow, item, actor, moment, payload)
        load_certificates(session, ctx)
        outcome = fire(flow, ctx, trigger)
        # his first step in the case (a fact recorded outside the flow, e.g. an attached file, is no step)
        first_step = actor.username != row.opened_by and not any(
            who == actor.username and flow.transitions_for(done) for done, who in model.acted_by.items()
        )
        model.acted_by[outcome.transition.trigger] = actor.username
        apply_clock_triggers(flow, model, trigger, moment, ctx.settings, payload)
        documents = self._freeze_documents(session, row, model, outcome.transition, ctx)
        event = chain_event(
            row, outcome.transition.trigger, outcome.transition.label, outcome.from_state,
            outcome.to_state, actor.username, moment, with_documents(payload, documents),
        )
        self._save(session, row, model, flow, event)
        entries.write(session, case_id, model, event.seq, moment)
        written = write_clocks(session, case_id, model, ctx.calendar, before)
        self._store_documents(session, documents, event)
        links_made = bool(model.links)
        self._make_links(session, actor, row, model, moment)
        readmodel.record(
            session, row, model, flow, item, written, new=False,
            officers_changed=model.officers != officers_before,
            searchable_changed=bool(documents) or model.party != party_before,
            state_changed=outcome.from_state != outcome.to_state,
            first_step_of=actor.username if first_step else None,
        )
        model.last_seq, model.last_occurred_at = event.seq, moment
        read = ctx.certificates
        if links_made:
            snapshot = replace(snapshot, linked=True)
        if snapshot.viewed is not None:
            snapshot = replace(snapshot, viewed=snapshot.viewed.after(event, documents))
        return Fired(snapshot, model, None if isinstance(read, LazyCertificates) and not read.loaded else read)

    # --- queries ----------------------------------------------------------------------

    def view(
        self, actor: Actor, case_id: int, as_of: datetime | None = None, *, actions: bool = True
    ) -> dict[str, Any]:
        """One case as of a moment; ``actions`` computes which actions the actor may take now."""
        with Session(reading(self.engine)) as session:
            snapshot = self._snapshot(session, actor, case_id, for_view=True)
            return self._view(session, actor, snapshot, as_of or datetime.now().astimezone(), actions)

    def events(self, actor: Actor, case_id: int, page: int = 1, size: int = 100) -> dict[str, Any]:
        """A page of the case's whole history, oldest first."""
        with Session(reading(self.engine)) as session:
            row = self._case_row(session, actor, case_id)
            rows = session.connection().execute(
                _EVENTS_PAGE, {"case_id": case_id, "skip": (page - 1) * size, "size": size}
            ).all()
            return {"items": [_event_dict(e) for e in rows], "total": row.last_seq, "page": page, "size": size}

    def entry_page(self, actor: Actor, case_id: int, key: str, page: int = 1, size: int = 100) -> dict[str, Any]:
        """A page of one of the case's lists kept in rows (``engine.entries``), oldest first."""
        with Session(reading(self.engine)) as session:
            row = self._case_row(session, actor, case_id)
            if key not in entries.list_keys(self.library.flow(row.flow_key, row.flow_version)):
                raise NotFound("LIST_NOT_FOUND", "本案的流程没有这项登记记录", case_id=case_id, key=key)
            total = entries.counts(row.data).get(key, 0)
            items = entries.page(session.connection(), case_id, key, page, size) if total else []
            return {"key": key, "items": items, "total": total, "page": page, "size": size}

    def calendar(self) -> WorkCalendar:
        with Session(reading(self.engine)) as session:
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
            acted_by={flow.open.trigger: actor.username},
        )
        entries.attach_new(model, flow)
        payload = {"party": party, "officers": officers, **data}
        ctx = self._context(session, model, flow, item, actor, moment, payload)
        load_certificates(session, ctx)
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
            head_hash=GENESIS,
            acted_by=model.acted_by,
        )
        if row.final:
            row.closed_at = to_db(moment)
        session.add(row)
        session.flush()
        assert row.id is not None
        model.id, model.number = row.id, row.number
        written = write_clocks(session, row.id, model, ctx.calendar, {})
        documents = self._freeze_documents(session, row, model, flow.open, ctx)
        event = chain_event(row, flow.open.trigger, flow.open.label, None, model.state, actor.username, moment,
                            with_documents(payload, documents))
        row.last_seq, row.head_hash, row.last_occurred_at = event.seq, event.hash, event.occurred_at
        session.flush()
        add_event(session, event)
        entries.write(session, row.id, model, event.seq, moment)
        self._store_documents(session, documents, event)
        for link in links:
            model.links.append(link)
        self._make_links(session, actor, row, model, moment)
        readmodel.record(session, row, model, flow, item, written, new=True, officers_changed=True)
        return row.id

    def _snapshot(
        self, session: Session, actor: Actor, case_id: int, *, for_view: bool = False, for_change: bool = False
    ) -> Snapshot:
        """The case's snapshot; ``for_view``: with what its view shows beside it, in the same statement;
        ``for_change``: locked until the action commits (``load_snapshot``)."""
        found = (
            load_snapshot(session, case_id, _SNAPSHOT_FOR_VIEW, _shown_in_snapshot, for_change=for_change)
            if for_view
            else load_snapshot(session, case_id, for_change=for_change)
        )
        if found is None or found.row.bureau_code != actor.bureau:
            raise NotFound("CASE_NOT_FOUND", f"本局没有编号为{case_id}的案件", case_id=case_id)
        refuse_unless_readable(actor, found.row, self.library)
        return found

    def _context_of(
        self,
        snapshot: Snapshot,
        model: CaseModel,
        flow: FlowSpec,
        item: CatalogueItem,
        actor: Actor,
        moment: datetime,
        payload: dict[str, Any],
    ) -> Context:
        settings = {**flow.settings, **snapshot.bureau_settings, **item.settings}
        return _new_context(model, flow, item, actor, moment, snapshot.calendar, settings, payload)

    def _case_row(self, session: Session, actor: Actor, case_id: int) -> Case:
        row = session.get(Case, case_id)
        if row is None or row.bureau_code != actor.bureau:
            raise NotFound("CASE_NOT_FOUND", f"本局没有编号为{case_id}的案件", case_id=case_id)
        refuse_unless_readable(actor, row, self.library)
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
        last = model.last_occurred_at if model is not None else None
        if last is not None and moment < last:
            raise InvalidInput(
                "OCCURRED_BEFORE_PREVIOUS",
                f"发生时间{local(moment):%Y-%m-%d %H:%M}早于上一步骤的时间{local(last):%Y-%m-%d %H:%M}",
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
        settings = self.settings_for(session, flow, item, model.bureau)
        return _new_context(model, flow, item, actor, moment, load_calendar(session), settings, payload)

    def _save(self, session: Session, row: CaseRow, model: CaseModel, flow: FlowSpec, event: NewEvent) -> None:
        """Write the snapshot back (state, data, chain head) if nobody changed it meanwhile; add the event."""
        assert row.id is not None
        final = flow.state(model.state).final
        closed_at = row.closed_at or (event.occurred_at if final else None)
        now = to_db(datetime.now().astimezone())
        values: dict[str, Any] = dict(
            b_id=row.id,
            b_version=row.version,
            state=model.state,
            final=final,
            data=model.data,
            updated_at=now,
            version=row.version + 1,
            last_seq=event.seq,
            head_hash=event.hash,
            last_occurred_at=event.occurred_at,
            closed_at=closed_at,
        )
        # the party, the officers and who acted last are rewritten only when the action changed them
        for name, new in (("party", model.party), ("officers", model.officers), ("acted_by", model.acted_by)):
            if new != getattr(row, name):
                values[name] = new
        run_write(
            session,
            _SAVE_CASE,
            values,
            changes_one=lambda: ConcurrentUpdate(
                "CASE_CHANGED", "案件已被他人同时更新，本次操作未生效，请刷新后重试", case_id=row.id
            ),
        )
        # The (detached) row now mirrors what was written: the read model is built from it.
        row.state, row.final, row.updated_at, row.version = model.state, final, now, row.version + 1
        row.last_seq, row.head_hash, row.last_occurred_at, row.closed_at = (
            event.seq, event.hash, event.occurred_at, closed_at
        )
        row.party, row.officers, row.data, row.acted_by = model.party, model.officers, model.data, model.acted_by
        add_event(session, event)

    def _freeze_documents(
        self, session: Session, row: CaseLike, model: CaseModel, spec: TransitionSpec, ctx: Context
    ) -> list[Document]:
        """The documents the transition issues, checked and numbered before its event is written."""
        if not spec.documents or self.issuer is None:
            return []
        kinds = [k for k in spec.documents if spec.issues(k, model.data)]  # conditional ones when flagged
        return self.issuer.freeze(session, row, model, kinds, ctx) if kinds else []

    def _store_documents(self, session: Session, documents: list[Document], event: NewEvent) -> None:
        if documents and self.issuer is not None:
            send_waiting_writes(connection_of(session))  # the documents name their event by its id
            self.issuer.store(session, documents, event)

    def _make_links(
        self, session: Session, actor: Actor, row: CaseLike, model: CaseModel, moment: datetime
    ) -> None:
        assert row.id is not None
        data_changed = False
        for link in model.links:
            if "open_listed" in link:  # the bureau's own item of that flow, else a record on this case
                spec = link["open_listed"]
                listed = [i for i in self.library.catalogue(actor.bureau).items if i.flow == spec["flow"]]
                if not listed:
                    model.data.setdefault(spec["otherwise"], []).append(
                        {**spec.get("data", {}), "at": moment.isoformat()}
                    )
                    data_changed = True
                    continue
                link = {"open": {"item": listed[0].code, "flow": spec["flow"], "data": spec.get("data") or {}}}
            if "fire_linked" in link:  # recorded on the linked cases, in their own chains
                self._fire_linked(session, actor, row, moment, link["fire_linked"])
                continue
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
        if data_changed:
            session.execute(update(Case).where(col(Case.id) == row.id).values(data=_deep_copy(model.data)))

    def _fire_linked(
        self, session: Session, actor: Actor, row: CaseLike, moment: datetime, spec: dict[str, Any]
    ) -> None:
        """Fire ``spec['trigger']`` on every running case of ``spec['flow']`` linked to this one whose
        state allows it (e.g. a terminated penalty case ends the sealings that serve it); a refusal
        there refuses the whole action."""
        assert row.id is not None
        flow_key, trigger = spec["flow"], spec["trigger"]
        links = session.exec(
            select(CaseLink).where((CaseLink.from_case_id == row.id) | (CaseLink.to_case_id == row.id))
        ).all()
        other_ids = sorted({lk.to_case_id if lk.from_case_id == row.id else lk.from_case_id for lk in links})
        for other in session.exec(select(Case).where(col(Case.id).in_(other_ids)).order_by(col(Case.id))).all():
            if other.flow_key != flow_key or other.final or other.bureau_code != row.bureau_code:
                continue
            flow = self.library.flow(other.flow_key, other.flow_version)
            if not any(other.state in t.source for t in flow.transitions_for(trigger)):
                continue
            assert other.id is not None
            self._fire(session, actor, other.id, trigger, dict(spec.get("data") or {}), moment)

    def _next_case_number(self, session: Session, bureau: str, year: int) -> str:
        from engine.numbering import next_number

        seq = next_number(session, bureau, "case", year)
        return f"{bureau.upper()}-{year}-{seq:05d}"

    def _view(
        self,
        session: Session,
        actor: Actor,
        snapshot: Snapshot,
        as_of: datetime,
        with_actions: bool,
        model: CaseModel | None = None,
        certificates: Mapping[str, RegisteredCertificate] | None = None,
    ) -> dict[str, Any]:
        """The case as the view shows it; ``model`` is the case an action just wrote (else read here),
        ``certificates`` the register's entries that action read (else read here if a guard asks)."""
        row = snapshot.row
        flow = self.library.flow(row.flow_key, row.flow_version)
        item = self.library.item(row.bureau_code, row.item_code)
        model = model or model_of(session, row, snapshot.clocks)
        entries.attach(session.connection(), model, flow)
        ctx = self._context_of(snapshot, model, flow, item, actor, as_of, {})
        if certificates is None:
            load_certificates(session, ctx)
        else:
            ctx.certificates = certificates
        ctx.checking_only = True
        actions = available(flow, ctx) if with_actions else None
        clocks = [view_clock(c, ctx.calendar, as_of).as_dict() for c in model.clocks]
        shown: Shown = snapshot.viewed  # read with the snapshot (``_SNAPSHOT_FOR_VIEW``), or as the action left them
        assert shown is not None, "a view reads its snapshot with for_view=True"
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
            **entries.in_view(row.data),  # data, and each list kept in rows: its count and latest entries
            "opened_at": from_db(row.opened_at).isoformat(),
            "closed_at": from_db(row.closed_at).isoformat() if row.closed_at else None,
            "actions": actions,
            "clocks": clocks,
            "events": shown.events[::-1],  # oldest first
            "events_total": row.last_seq,
            "documents": shown.documents,
            "links": self._links(session, row) if snapshot.linked else [],  # read only if there are any
        }

    def _links(self, session: Session, row: CaseLike) -> list[dict[str, Any]]:
        return [
            {
                "id": other.id,
                "number": other.number,
                "item": other.item_code,
                "flow": other.flow_key,
                "state": other.state,
                "kind": other.kind,
                "direction": "to" if other.from_case_id == row.id else "from",
            }
            for other in session.connection().execute(_LINKED, {"case_id": row.id}).all()
        ]


def _new_context(
    model: CaseModel,
    flow: FlowSpec,
    item: CatalogueItem,
    actor: Actor,
    moment: datetime,
    calendar: WorkCalendar,
    settings: dict[str, Any],
    payload: dict[str, Any],
) -> Context:
    return Context(
        case=model, flow=flow, item=item, transition=None, actor=actor, occurred_at=moment,
        calendar=calendar, settings=settings, payload=dict(payload),
    )


def load_certificates(session: Session, ctx: Context) -> None:
    """Give the guards the register's entries for the 执法证 the case and the payload name.

    Read when a guard first asks (most actions check no certificate): one query then, none otherwise.
    """
    ctx.certificates = LazyCertificates(
        lambda: certificates.registered(session, certificate_numbers(ctx.case.officers, ctx.payload))
    )


@dataclass
class Shown:
    """What a case view shows beside the case: its latest events (newest first) and its documents."""

    events: list[dict[str, Any]]
    documents: list[dict[str, Any]]

    def after(self, event: NewEvent, documents: list[Document]) -> Shown:
        """As they are once an action appended ``event`` and issued ``documents`` (not read again)."""
        return Shown(
            [_event_dict(event), *self.events][:EVENTS_IN_VIEW],
            self.documents + [_document_dict(d) for d in documents],
        )


def _shown_in_snapshot(values: Any) -> Shown:
    """The snapshot's ``view_events`` and ``view_documents`` (JSON arrays of rows; NULL when none)."""
    events = [_shown(EVENT_SHOWN, e, json_iso) for e in values["view_events"] or ()]
    events.sort(key=lambda e: -e["seq"])
    documents = [_shown(DOCUMENT_SHOWN, d, json_iso) for d in values["view_documents"] or ()]
    documents.sort(key=lambda d: d["id"])
    return Shown(events, documents)


# What the API shows of an event and of a document, in this order; the ``_at`` ones are moments.
EVENT_SHOWN = (
    "seq", "trigger", "label", "from_state", "to_state", "actor", "occurred_at", "recorded_at", "payload", "hash",
)
DOCUMENT_SHOWN = ("id", "kind", "title", "number", "issued_at", "sha256", "replaces_id")


def _shown(names: tuple[str, ...], values: Any, moment: Callable[[Any], str]) -> dict[str, Any]:
    """``values`` (in the order of ``names``) as the API shows them, each moment written by ``moment``."""
    shown = dict(zip(names, values, strict=True))
    for name in names:
        if name.endswith("_at"):
            shown[name] = moment(shown[name])
    return shown


def _iso(stored: datetime) -> str:
    return from_db(stored).isoformat()


def _document_dict(d: Any) -> dict[str, Any]:
    """A document just issued as the view lists it: no PDF yet (rendered after the commit)."""
    return _shown(DOCUMENT_SHOWN, [None if name == "sha256" else getattr(d, name) for name in DOCUMENT_SHOWN], _iso)


def _event_dict(e: Any) -> dict[str, Any]:
    """An event row (or ``Event``, or ``NewEvent``) as the API gives it."""
    return _shown(EVENT_SHOWN, [getattr(e, name) for name in EVENT_SHOWN], _iso)


CASE = Case.__table__  # type: ignore[attr-defined]
EVENT = Event.__table__  # type: ignore[attr-defined]
DOCUMENT = Document.__table__  # type: ignore[attr-defined]
PDF = DocumentPdf.__table__  # type: ignore[attr-defined]
LINK = CaseLink.__table__  # type: ignore[attr-defined]


@dataclass(slots=True)
class NewEvent:
    """An event about to be appended to a case's chain: the ``event`` table's columns but its id.

    Plain values (not an ORM object): built and inserted by a statement on every action.
    """

    case_id: int
    seq: int
    trigger: str
    label: str
    from_state: str | None
    to_state: str | None
    actor: str
    occurred_at: datetime
    recorded_at: datetime
    payload: dict[str, Any]
    prev_hash: str
    hash: str
    hash_version: int
    id: int | None = None

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in EVENT_FIELDS}


EVENT_FIELDS = tuple(name for name in NewEvent.__slots__ if name != "id")
_INSERT_EVENT = Prebuilt(insert(EVENT).returning(EVENT.c.id))
# the columns an event shows (``_event_dict``): not its id, case, hash version or previous hash; its
# moments as the driver gives them (``from_db`` makes them aware UTC), without SQLModel's per-value decorator
_EVENT_SHOWN = [
    type_coerce(EVENT.c[name], DateTime(timezone=True)).label(name) if name.endswith("_at") else EVENT.c[name]
    for name in EVENT_SHOWN
]
_EVENTS_PAGE = (
    sa_select(*_EVENT_SHOWN).where(EVENT.c.case_id == bindparam("case_id")).order_by(EVENT.c.seq)
    .offset(bindparam("skip")).limit(bindparam("size"))
)
# What a case view shows beside the case, read with its snapshot as two JSON aggregates (``json_rows``):
# the latest events (newest first) and the documents; a view is then one statement, not three.
_RECENT = (
    sa_select(*_EVENT_SHOWN)
    .where(EVENT.c.case_id == CASE.c.id)
    .order_by(EVENT.c.seq.desc())
    .limit(EVENTS_IN_VIEW)
    .correlate(CASE)
    .subquery("recent")
)
_ISSUED = (
    sa_select(*(PDF.c.sha256 if name == "sha256" else DOCUMENT.c[name] for name in DOCUMENT_SHOWN))
    .outerjoin(PDF, PDF.c.document_id == DOCUMENT.c.id)
    .where(DOCUMENT.c.case_id == CASE.c.id)
    .correlate(CASE)
    .subquery("issued")
)
_SNAPSHOT_FOR_VIEW = snapshot_with(
    sa_select(json_rows(*(json_value(c) if c.name == "payload" else c for c in _RECENT.c))).scalar_subquery()
    .label("view_events"),
    sa_select(json_rows(*_ISSUED.c)).scalar_subquery().label("view_documents"),
)
_LINKED = (  # the cases linked to one, either way, with the link's kind and direction
    sa_select(CASE.c.id, CASE.c.number, CASE.c.item_code, CASE.c.flow_key, CASE.c.state, LINK.c.kind,
              LINK.c.from_case_id)
    .join(LINK, or_(
        and_(LINK.c.from_case_id == bindparam("case_id"), LINK.c.to_case_id == CASE.c.id),
        and_(LINK.c.to_case_id == bindparam("case_id"), LINK.c.from_case_id == CASE.c.id),
    ))
    .order_by(LINK.c.id)
)
_SAVE_CASE = Prebuilt(update(CASE).where(CASE.c.id == bindparam("b_id"), CASE.c.version == bindparam("b_version")))


def add_event(session: Session, event: NewEvent) -> None:
    """Insert an event row and give the object its id once it is sent (a write: on PostgreSQL it waits
    to go with the action's others; ``send_waiting_writes`` sends it now)."""

    def numbered(row: Any) -> None:
        event.id = row[0]

    run_write(session, _INSERT_EVENT, event.values(), returned=numbered)


def chain_event(
    row: CaseLike,
    trigger: str,
    label: str,
    from_state: str | None,
    to_state: str | None,
    actor: str,
    moment: datetime,
    payload: dict[str, Any],
) -> NewEvent:
    """The next event of the case's hash chain, from the head the case row carries (not yet added)."""
    assert row.id is not None
    fields: dict[str, Any] = dict(
        case_id=row.id,
        seq=row.last_seq + 1,
        trigger=trigger,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        occurred_at=to_db(moment),
        recorded_at=to_db(datetime.now().astimezone()),
        payload=_json_safe(payload),
        prev_hash=row.head_hash or GENESIS,
    )
    return NewEvent(label=label, hash=event_hash(**fields, label=label, version=HASH_VERSION),
                    hash_version=HASH_VERSION, **fields)


def append_to_case(
    session: Session,
    row: CaseLike,
    trigger: str,
    label: str,
    actor: str,
    moment: datetime,
    payload: dict[str, Any],
) -> NewEvent:
    """Record a fact on a case outside a flow transition (e.g. a document correction).

    Like an action, it moves the chain head and bumps the version in one checked UPDATE, so a
    concurrent change of the same case makes one of them fail with ``CASE_CHANGED``.
    """
    assert row.id is not None
    last = from_db(row.last_occurred_at) if row.last_occurred_at else None
    if last is not None and to_db(moment) < last:
        raise InvalidInput("OCCURRED_BEFORE_PREVIOUS", "发生时间早于上一步骤的时间", field="occurred_at")
    event = chain_event(row, trigger, label, row.state, row.state, actor, moment, payload)
    acted_by = {**(row.acted_by or {}), trigger: actor}
    bumped = session.execute(
        update(Case)
        .where(col(Case.id) == row.id, col(Case.version) == row.version)
        .values(
            version=row.version + 1,
            updated_at=to_db(datetime.now().astimezone()),
            last_seq=event.seq,
            head_hash=event.hash,
            last_occurred_at=event.occurred_at,
            acted_by=acted_by,
        )
        .execution_options(synchronize_session=False)
    )
    if bumped.rowcount != 1:  # type: ignore[attr-defined]
        raise ConcurrentUpdate(
            "CASE_CHANGED", "案件已被他人同时更新，本次操作未生效，请刷新后重试", case_id=row.id
        )
    add_event(session, event)
    send_waiting_writes(connection_of(session))  # the caller files rows under the event's id
    return event


def with_documents(payload: dict[str, Any], documents: list[Document]) -> dict[str, Any]:
    """The event's payload with each issued document's number and content hash, so the chain fixes them."""
    if not documents:
        return payload
    return {**payload, "documents": [document_stamp(d) for d in documents]}


def document_stamp(document: Document) -> dict[str, Any]:
    return {
        "kind": document.kind,
        "number": document.number,
        "template_version": document.template_version,
        "content_sha256": document.content_sha256,
    }


def _deep_copy(value: Any) -> Any:
    import copy

    return copy.deepcopy(value)


def _json_safe(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def refuse_unless_readable(actor: Actor, row: CaseLike, library: Library) -> None:
    """A case outside the reading scope of the actor's roles (processes/roles.yaml) is refused."""
    if not actor.may_read(row.flow_key):
        raise Forbidden(
            "CASE_OUT_OF_SCOPE",
            f"您的岗位不能查阅或办理{library.flow(row.flow_key, row.flow_version).label}案件",
            case_id=row.id,
            flow=row.flow_key,
        )


def refuse_if_final(flow: FlowSpec, state: str) -> None:
    if flow.state(state).final:
        raise RuleViolation("CASE_CLOSED", "案件已办结归档，不能再办理", state=state)
