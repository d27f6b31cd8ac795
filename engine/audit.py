"""A record that proves itself: replay each case's events through its flow and compare.

``verify_database`` checks, for every case: its hash chain (``engine.events``); that the
case's stored chain head, last sequence number and last moment are those of its last event
(a deleted last event leaves a chain that is whole but shorter than the head); and a replay.
The replay starts from the open event's payload (party, officers, data) and runs each event's
transition through the flow's actions and clock triggers, at the event's own moment, with the
event's actor — without checking roles or guards again: it is about consistency, not
permission. Guards are consulted only to choose between transitions sharing a trigger, source
and destination. The stored state, party, officers, data, clocks and document rows must equal
the replay's; each stored PDF's sha256 must match its bytes (documents not yet rendered are
skipped); each evidence file must still hash to the sha256 its attaching event carries, in
whichever store keeps it. Every discrepancy is reported with the case's 案号; nothing is changed.

Settings and the working calendar are read as they are now: a bureau setting changed after a
case started (a period's length) shows up as a clock that differs from the replay.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from engine import entries
from engine.calendar import WorkCalendar
from engine.clocks import Span
from engine.clockwork import apply_clock_triggers, deadline_of
from engine.definitions import CatalogueItem, FlowSpec, Role, TransitionSpec
from engine.errors import DomainError
from engine.events import verify_chain
from engine.evidence import ATTACH
from engine.evidence_store import DatabaseStore, EvidenceStore, MissingBlob, store_from_environment
from engine.library import Library
from engine.machine import check_guards, run_actions
from engine.model import Actor, CaseModel, ClockState
from engine.registry import Context
from engine.snapshot import clock_state_of
from engine.tables import Bureau, Case, CaseLink, Clock, Document, DocumentPdf, Event, EvidenceFile, User
from engine.timeutil import from_db, local
from engine.workcalendar import load_calendar

BATCH = 200  # cases loaded per round trip

# Recorded facts outside any flow (engine.cases.append_to_case) keep the state; the documents a
# correction issues are known from its payload.
CORRECTION = "correct_document"


@dataclass(frozen=True)
class Discrepancy:
    """One difference between what is stored and what the record proves, in Chinese."""

    case_id: int
    number: str  # 案号
    what: str  # 事件链, 链头, 状态, 数据, 期限, 文书, 重放
    detail: str

    def __str__(self) -> str:
        return f"{self.number}（案件{self.case_id}）{self.what}：{self.detail}"


@dataclass
class AuditReport:
    cases: int = 0
    events: int = 0
    documents: int = 0
    discrepancies: list[Discrepancy] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.discrepancies


def verify_database(engine: Engine, library: Library, store: EvidenceStore | None = None) -> AuditReport:
    """Verify every case (in id order) and return all discrepancies found.

    ``store`` keeps the evidence files' bytes; by default the one ``CASEFLOW_EVIDENCE_DIR`` names.
    """
    report = AuditReport()
    with Session(engine) as session:
        audit = _Audit(session, library, load_calendar(session), datetime.now().astimezone(),
                       store or store_from_environment())
        ids = [i for i in session.exec(select(Case.id).order_by(col(Case.id))).all() if i is not None]
        for start in range(0, len(ids), BATCH):
            for row, events, clocks, documents, opened in audit.load(ids[start:start + BATCH]):
                report.cases += 1
                report.events += len(events)
                report.documents += len(documents)
                report.discrepancies.extend(audit.verify_case(row, events, clocks, documents, opened))
    return report


@dataclass
class _Replayed:
    model: CaseModel
    issued: dict[int, list[str] | None]  # event id → document kinds it issues (None: not predicted)
    closed_at: datetime | None  # when the replay first reached a final state


class _Stop(Exception):
    """The replay of a case cannot go on (its record does not fit its flow)."""


@dataclass
class _Audit:
    session: Session
    library: Library
    calendar: WorkCalendar
    now: datetime
    store: EvidenceStore = field(default_factory=DatabaseStore)
    _settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    _actors: dict[str, Actor] = field(default_factory=dict)

    def load(
        self, ids: list[int]
    ) -> Iterator[tuple[Case, list[Event], list[Clock], list[Document], list[int]]]:
        """The cases with their events, clocks, documents and the cases they opened, a batch at a time."""
        s = self.session
        rows = s.exec(select(Case).where(col(Case.id).in_(ids)).order_by(col(Case.id))).all()
        events = _grouped(s.exec(select(Event).where(col(Event.case_id).in_(ids)).order_by(col(Event.seq))).all())
        clocks = _grouped(s.exec(select(Clock).where(col(Clock.case_id).in_(ids)).order_by(col(Clock.id))).all())
        documents = _grouped(
            s.exec(select(Document).where(col(Document.case_id).in_(ids)).order_by(col(Document.id))).all()
        )
        links = s.exec(
            select(CaseLink).where(col(CaseLink.to_case_id).in_(ids), CaseLink.kind == "opened_from")
            .order_by(col(CaseLink.from_case_id))
        ).all()
        opened: dict[int, list[int]] = {}
        for link in links:
            opened.setdefault(link.to_case_id, []).append(link.from_case_id)
        for row in rows:
            assert row.id is not None
            yield row, events.get(row.id, []), clocks.get(row.id, []), documents.get(row.id, []), opened.get(row.id, [])

    def verify_case(
        self, row: Case, events: list[Event], clocks: list[Clock], documents: list[Document], opened: list[int]
    ) -> list[Discrepancy]:
        assert row.id is not None
        found: list[Discrepancy] = []

        def report(what: str, detail: str) -> None:
            found.append(Discrepancy(row.id or 0, row.number, what, detail))

        broken = verify_chain(events)
        if broken is not None:
            report("事件链", f"第{broken.seq}个事件：{broken.reason}")
        _check_head(row, events, report)
        _check_pdfs(self.session, documents, report)
        _check_evidence(self.session, self.store, row.id, events, report)
        try:
            replayed = self._replay(row, events, opened, report)
        except _Stop:
            return found
        _compare_case(row, replayed, self.library, report)
        _compare_entries(self.session, row, replayed, report)
        _compare_clocks(clocks, replayed.model.clocks, self.calendar, self.now, report)
        _compare_documents(events, documents, replayed.issued, report)
        return found

    # --- replay ---------------------------------------------------------------------------

    def _replay(
        self, row: Case, events: list[Event], opened: list[int], report: Callable[[str, str], None]
    ) -> _Replayed:
        """The case as its events make it."""
        try:
            flow = self.library.flow(row.flow_key, row.flow_version)
            item = self.library.item(row.bureau_code, row.item_code)
        except DomainError as error:
            report("重放", error.message)
            raise _Stop from None
        if not events or events[0].trigger != flow.open.trigger:
            report("重放", "缺少立案（登记）事件，无法重放")
            raise _Stop
        settings = self._settings_for(flow, item, row.bureau_code)
        first = events[0]
        payload = dict(first.payload)
        model = CaseModel(
            id=row.id,
            number=row.number,
            state=flow.initial,
            bureau=row.bureau_code,
            item_code=row.item_code,
            flow_key=flow.key,
            flow_version=flow.version,
            party=dict(payload.get("party") or {}),
            officers=[dict(o) for o in payload.get("officers") or []],
            data={k: v for k, v in payload.items() if k not in ("party", "officers")},
            opened_at=local(first.occurred_at),
        )
        entries.attach_new(model, flow)
        issued: dict[int, list[str] | None] = {}
        closed_at: datetime | None = None
        waiting = list(opened)
        for event in events:
            moment = local(event.occurred_at)
            if event.from_state is not None and event.from_state != model.state:
                report("重放", f"第{event.seq}个事件“{event.label}”的起始环节{_state(flow, event.from_state)}"
                               f"与重放的{_state(flow, model.state)}不符")
                raise _Stop
            spec = self._transition(flow, item, model, event, settings, report)
            if event.trigger == CORRECTION and spec is None:
                replaced = event.payload.get("document_id")
                issued[event.id or 0] = [f"correction:{replaced}"]
            elif spec is None:
                issued[event.id or 0] = None  # a recorded fact of another kind: its documents are not predicted
            else:
                ctx = self._context(model, flow, item, spec, event, settings)
                try:
                    run_actions(spec, ctx)
                    if spec.dest is not None:
                        model.state = spec.dest
                    apply_clock_triggers(flow, model, spec.trigger, moment, settings, event.payload)
                except DomainError as error:
                    report("重放", f"第{event.seq}个事件“{event.label}”重放失败：{error.message}")
                    raise _Stop from None
                _open_links(model, waiting, self.library, moment)
                issued[event.id or 0] = [k for k in spec.documents if spec.issues(k, model.data)]
            for entry in model.lists.take():  # the entries this event appended: its seq, as the service stores
                entry.seq = event.seq if entry.new else entry.seq
            model.acted_by[event.trigger] = event.actor
            if event.to_state != model.state:
                report("重放", f"第{event.seq}个事件“{event.label}”记录的结果环节{_state(flow, event.to_state or '')}"
                               f"与重放的{_state(flow, model.state)}不符")
                raise _Stop
            if closed_at is None and flow.state(model.state).final:
                closed_at = moment
        return _Replayed(model, issued, closed_at)

    def _transition(
        self,
        flow: FlowSpec,
        item: CatalogueItem,
        model: CaseModel,
        event: Event,
        settings: dict[str, Any],
        report: Callable[[str, str], None],
    ) -> TransitionSpec | None:
        """The transition the event records: by trigger, source and destination; guards break ties."""
        if event.seq == 1:
            spec = flow.open
        else:
            specs = flow.transitions_for(event.trigger)
            if not specs:
                if event.from_state != event.to_state:
                    report("重放", f"第{event.seq}个事件“{event.label}”不是本流程的操作，却改变了环节")
                    raise _Stop
                return None
            fits = [
                t for t in specs
                if (model.state in t.source or "*" in t.source) and (t.dest or model.state) == event.to_state
            ]
            if not fits:
                report("重放", f"第{event.seq}个事件“{event.label}”在环节{_state(flow, model.state)}不能发生")
                raise _Stop
            spec = fits[0]
            if len(fits) > 1:
                spec = next((t for t in fits if self._guards_pass(flow, item, model, t, event, settings)), fits[0])
        if event.label != spec.label:
            report("事件链", f"第{event.seq}个事件的名称“{event.label}”与流程中的“{spec.label}”不符")
        return spec

    def _guards_pass(
        self,
        flow: FlowSpec,
        item: CatalogueItem,
        model: CaseModel,
        spec: TransitionSpec,
        event: Event,
        settings: dict[str, Any],
    ) -> bool:
        try:
            check_guards(spec, self._context(model, flow, item, spec, event, settings))
        except DomainError:
            return False
        return True

    def _context(
        self,
        model: CaseModel,
        flow: FlowSpec,
        item: CatalogueItem,
        spec: TransitionSpec,
        event: Event,
        settings: dict[str, Any],
    ) -> Context:
        return Context(
            case=model,
            flow=flow,
            item=item,
            transition=spec,
            actor=self._actor(event.actor, model.bureau),
            occurred_at=local(event.occurred_at),  # as the bureau's users give it; _json compares instants
            calendar=self.calendar,
            settings=settings,
            payload=_action_payload(event.payload),
        )

    def _settings_for(self, flow: FlowSpec, item: CatalogueItem, bureau: str) -> dict[str, Any]:
        """As ``CaseService.settings_for``: flow defaults < the bureau's settings < the item's."""
        if bureau not in self._settings:
            row = self.session.exec(select(Bureau).where(Bureau.code == bureau)).first()
            self._settings[bureau] = dict(row.settings) if row else {}
        return {**flow.settings, **self._settings[bureau], **item.settings}

    def _actor(self, username: str, bureau: str) -> Actor:
        if username not in self._actors:
            user = self.session.exec(select(User).where(User.username == username)).first()
            self._actors[username] = (
                Actor(
                    user_id=user.id or 0, username=user.username, name=user.name, bureau=user.bureau_code,
                    roles=frozenset(Role(r) for r in user.roles if r in Role.__members__), cert_no=user.cert_no,
                )
                if user is not None
                else Actor(user_id=0, username=username, name=username, roles=frozenset(), bureau=bureau)
            )
        return self._actors[username]


def _grouped(rows: Any) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for r in rows:
        grouped.setdefault(r.case_id, []).append(r)
    return grouped


def _open_links(model: CaseModel, waiting: list[int], library: Library, moment: datetime) -> None:
    """As ``CaseService._make_links``: each case an action opened is added to ``opened_cases``; a
    record written where the bureau's list has no item of its flow goes into the case's data."""
    for link in model.links:
        if "open_listed" in link:
            spec = link["open_listed"]
            if not any(i.flow == spec["flow"] for i in library.catalogue(model.bureau).items):
                model.data.setdefault(spec["otherwise"], []).append({**spec.get("data", {}), "at": moment.isoformat()})
                continue
            link = {"open": spec}
        if "open" in link and waiting:
            model.data.setdefault("opened_cases", []).append(waiting.pop(0))
    model.links.clear()


# --- comparisons ------------------------------------------------------------------------


_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")


def _json(value: Any) -> Any:
    """The value as stored in JSON, with moments as instants: "09:00+08:00" equals "01:00+00:00".

    An action stamps moments with the offset the user gave; the replay stamps them in Beijing time.
    """
    return _instants(json.loads(json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)))


def _instants(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _instants(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_instants(v) for v in value]
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        return datetime.fromisoformat(value).astimezone(UTC).isoformat()
    return value


def _text(value: Any) -> str:
    shown = json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return shown if len(shown) <= 120 else shown[:117] + "…"


def _moment(value: datetime | None) -> str:
    return f"{local(value):%Y-%m-%d %H:%M:%S}" if value is not None else "无"


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return _moment(value)
    if isinstance(value, list):
        return "；".join(f"{_moment(a)}至{_moment(b) if b else '今'}" for a, b in value) or "无"
    return "无" if value is None else str(value)


def _check_head(row: Case, events: list[Event], report: Callable[[str, str], None]) -> None:
    """The case row's chain head must be its last event: a deleted last event leaves the head dangling."""
    last = events[-1] if events else None
    if row.head_hash != (last.hash if last else row.head_hash) or (last is None and row.last_seq):
        report("链头", f"案件记录的链头与最后一个事件（第{last.seq if last else 0}个）的哈希不符（事件被删除或改动）")
    if row.last_seq != (last.seq if last else 0):
        report("链头", f"案件记录有{row.last_seq}个事件，事件表中有{last.seq if last else 0}个")
    stored = from_db(row.last_occurred_at) if row.last_occurred_at else None
    if last is not None and stored != from_db(last.occurred_at):
        report("链头", f"案件记录的最后办理时间{_moment(stored)}与最后一个事件的时间{_moment(from_db(last.occurred_at))}不符")


def _action_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload the action was given: without the stamps of the documents it issued (``with_documents``)."""
    given: dict[str, Any] = json.loads(json.dumps(payload))
    stamps = given.get("documents")
    if isinstance(stamps, list) and stamps and all(isinstance(s, dict) and "content_sha256" in s for s in stamps):
        del given["documents"]
    return given


def _check_pdfs(session: Session, documents: list[Document], report: Callable[[str, str], None]) -> None:
    """Each rendered PDF must still hash to the sha256 stored when it was rendered (not yet rendered: nothing)."""
    if not documents:
        return
    by_id = {d.id: d for d in documents}
    for stored in session.exec(select(DocumentPdf).where(col(DocumentPdf.document_id).in_(list(by_id)))).all():
        doc = by_id[stored.document_id]
        if hashlib.sha256(stored.pdf).hexdigest() != stored.sha256:
            report("文书", f"文书{doc.number}（{doc.title}）的PDF与其存储的sha256不符（文件被替换）")


def _check_evidence(
    session: Session, store: EvidenceStore, case_id: int, events: list[Event], report: Callable[[str, str], None]
) -> None:
    """Each attached file: its event in this case's chain carries its sha256, and its bytes still hash to it."""
    records = session.exec(select(EvidenceFile).where(EvidenceFile.case_id == case_id)).all()
    by_id = {e.id: e for e in events}
    attached = {e.id for e in events if e.trigger == ATTACH}
    for record in records:
        name = f"证据材料“{record.title}”（编号{record.id}）"
        event = by_id.get(record.event_id)
        attached.discard(record.event_id)
        if event is None or event.trigger != ATTACH or event.payload.get("sha256") != record.sha256:
            report("证据", f"{name}的sha256与本案事件链中附加该材料的事件不符")
        try:
            data = store.get(session, record.sha256)
        except MissingBlob:
            report("证据", f"{name}的文件不在存储中")
            continue
        if hashlib.sha256(data).hexdigest() != record.sha256:
            report("证据", f"{name}的文件与附加时记录的sha256不符（文件被替换或损坏）")
    for event_id in sorted(i for i in attached if i is not None):
        report("证据", f"第{by_id[event_id].seq}个事件附加了证据材料，但没有对应的材料记录")


def _compare_case(row: Case, replayed: _Replayed, library: Library, report: Callable[[str, str], None]) -> None:
    model = replayed.model
    flow = library.flow(row.flow_key, row.flow_version)
    if row.state != model.state:
        report("状态", f"存储的环节为{_state(flow, row.state)}，按事件重放应为{_state(flow, model.state)}")
    if row.final != flow.state(model.state).final:
        report("状态", f"存储的办结标记为{row.final}，与环节{model.state}不符")
    people: tuple[tuple[str, Any, Any], ...] = (
        ("当事人", row.party, model.party), ("执法人员", row.officers, model.officers)
    )
    for label, stored, again in people:
        if _json(stored) != _json(again):
            report("数据", f"{label}：存储值{_text(stored)}，重放值{_text(again)}")
    stored_data, replayed_data = _json(row.data), _json(model.data)
    for key in sorted(set(stored_data) | set(replayed_data)):
        if stored_data.get(key) != replayed_data.get(key):
            report("数据", f"字段{key}：存储值{_text(stored_data.get(key))}，重放值{_text(replayed_data.get(key))}")
    if _json(row.acted_by or {}) != _json(model.acted_by):
        report("数据", f"各步骤办理人：存储值{_text(row.acted_by)}，重放值{_text(model.acted_by)}")
    if from_db(row.opened_at) != model.opened_at:
        report("数据", f"立案时间{_moment(from_db(row.opened_at))}与登记事件的时间{_moment(model.opened_at)}不符")
    closed_at = replayed.closed_at
    stored_closed = from_db(row.closed_at) if row.closed_at else None
    if stored_closed != closed_at:
        report("数据", f"办结时间{_moment(stored_closed)}，按事件应为{_moment(closed_at)}")


def _compare_entries(session: Session, row: Case, replayed: _Replayed, report: Callable[[str, str], None]) -> None:
    """The rows of the lists kept apart (``case_entry``) must be the entries the replay appended, in order,
    each under the event that appended it and with what it holds now (an appeal's outcome included)."""
    assert row.id is not None
    stored = entries.stored(session.connection(), row.id)
    again: dict[str, list[tuple[int, int, dict[str, Any]]]] = {}
    for entry in replayed.model.lists.added:
        again.setdefault(entry.key, []).append((entry.position, entry.seq or 0, entry.payload))
    for key in sorted(set(stored) | set(again)):
        have, want = stored.get(key, []), again.get(key, [])
        name = f"列表{key}"
        if len(have) != len(want):
            report("数据", f"{name}：存储了{len(have)}条，按事件应有{len(want)}条")
        for (position, seq, payload), (_, seq_again, payload_again) in zip(have, want, strict=False):
            if seq != seq_again:
                report("数据", f"{name}第{position + 1}条：记录于第{seq}个事件，按事件应为第{seq_again}个")
            if _json(payload) != _json(payload_again):
                report("数据", f"{name}第{position + 1}条：存储值{_text(payload)}，重放值{_text(payload_again)}")
        if [p for p, _, _ in have] != list(range(len(have))):
            report("数据", f"{name}的序号不连续（条目被删除或插入）")


def _state(flow: FlowSpec, name: str) -> str:
    known = {s.name: s.label for s in flow.states}
    return f"“{known[name]}”（{name}）" if name in known else f"{name}（流程中没有此环节）"


def _spans(spans: list[Span]) -> list[tuple[datetime, datetime | None]]:
    return [(s.start, s.end) for s in spans]


def _compare_clocks(
    stored: list[Clock], replayed: list[ClockState], calendar: WorkCalendar, now: datetime,
    report: Callable[[str, str], None],
) -> None:
    if len(stored) != len(replayed):
        report("期限", f"存储了{len(stored)}个期限，按事件应有{len(replayed)}个")
    for index, (row, clock) in enumerate(zip(stored, replayed, strict=False), start=1):
        have = clock_state_of(row)
        name = f"第{index}个期限“{clock.label}”"
        if have.key != clock.key:
            report("期限", f"{name}：存储的是{have.key}，按事件应为{clock.key}")
            continue
        pairs: tuple[tuple[str, Any, Any], ...] = (
            ("期限数额", have.amount, clock.amount),
            ("计算单位", have.unit.value, clock.unit.value),
            ("延长天数", have.extension, clock.extension),
            ("起算时间", have.started_at, clock.started_at),
            ("完成时间", have.satisfied_at, clock.satisfied_at),
            ("撤销时间", have.cancelled_at, clock.cancelled_at),
            ("中止期间", _spans(have.spans), _spans(clock.spans)),
            ("未完成标记", row.open, clock.open),
        )
        for label, a, b in pairs:
            if a != b:
                report("期限", f"{name}的{label}：存储值{_shown(a)}，按事件应为{_shown(b)}")
        if clock.open and not clock.suspended:  # open clocks are kept current with the calendar
            due = deadline_of(clock, calendar, now).due_at
            if have.deadline is not None and have.deadline.due_at != due:
                report("期限", f"{name}的届满时间：存储值{_moment(have.deadline.due_at)}，按事件应为{_moment(due)}")


def _compare_documents(
    events: list[Event], documents: list[Document], issued: dict[int, list[str] | None],
    report: Callable[[str, str], None],
) -> None:
    by_event: dict[int | None, list[Document]] = {}
    for doc in documents:
        by_event.setdefault(doc.event_id, []).append(doc)
    for event in events:
        expected = issued.get(event.id or 0)
        stored = by_event.pop(event.id, [])
        for doc in stored:
            if from_db(doc.issued_at) != from_db(event.occurred_at):
                report("文书", f"文书{doc.number}的出具时间{_moment(from_db(doc.issued_at))}与第{event.seq}个事件的时间不符")
        if expected is None:
            continue
        kinds = [f"correction:{d.replaces_id}" if d.replaces_id else d.kind for d in stored]
        if kinds != expected:
            shown = "、".join(d.number for d in stored) or "无"
            report("文书", f"第{event.seq}个事件“{event.label}”应出具{len(expected)}份文书，"
                           f"存储的是{len(stored)}份（{shown}），种类或份数与流程规定的不符")
    for event_id, docs in by_event.items():
        for doc in docs:
            report("文书", f"文书{doc.number}不属于本案的任何事件（事件id {event_id}）")
