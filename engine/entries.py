"""Lists that grow without bound, in rows of their own: a case's entries (``case_entry``).

A flow's ``append`` actions (陈述申辩, 封存, 证据, 先行登记保存处理 …) add an entry per recorded
fact, without end. Kept in the case's data they made every action read, decode, encode and
write the whole list, and every view return it. Here each entry is a row, inserted in the
action's transaction by one prebuilt statement; the case's data keeps, for each list, the
number of its entries and the latest few (``ENTRY_LISTS``, bounded whatever the length): what
guards ask in O(1), and what the case view shows without another statement. A longer list is
read, one statement for one list, only when a guard, an action or a document asks for all of it
(``CaseModel.entries``); the whole list is paged (``page``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from engine.definitions import FlowSpec
from engine.model import ENTRY_LISTS, CaseLists, CaseModel, Entry
from engine.persistence import Prebuilt, reading, run_write
from engine.tables import CaseEntry
from engine.timeutil import from_db, to_db

ENTRY = CaseEntry.__table__  # type: ignore[attr-defined]

_LIST = (
    select(ENTRY.c.payload)
    .where(ENTRY.c.case_id == bindparam("case_id"), ENTRY.c.list_key == bindparam("list_key"))
    .order_by(ENTRY.c.position)
)
_INSERT = Prebuilt(insert(ENTRY))
_UPDATE = Prebuilt(
    update(ENTRY).where(
        ENTRY.c.case_id == bindparam("b_case_id"),
        ENTRY.c.list_key == bindparam("b_list_key"),
        ENTRY.c.position == bindparam("b_position"),
    )
)
_PAGE = (
    select(ENTRY.c.position, ENTRY.c.event_seq, ENTRY.c.occurred_at, ENTRY.c.payload)
    .where(ENTRY.c.case_id == bindparam("case_id"), ENTRY.c.list_key == bindparam("list_key"))
    .order_by(ENTRY.c.position)
    .offset(bindparam("skip"))
    .limit(bindparam("size"))
)
_ALL_OF_CASE = (
    select(ENTRY.c.list_key, ENTRY.c.position, ENTRY.c.event_seq, ENTRY.c.payload)
    .where(ENTRY.c.case_id == bindparam("case_id"))
    .order_by(ENTRY.c.list_key, ENTRY.c.position)
)

_KEYS: dict[tuple[str, int], frozenset[str]] = {}


def list_keys(flow: FlowSpec) -> frozenset[str]:
    """The lists the flow keeps in rows: those its ``append`` actions write into."""
    found = _KEYS.get((flow.key, flow.version))
    if found is None:
        found = _KEYS[(flow.key, flow.version)] = frozenset(
            str(call.args["into"])
            for spec in [flow.open, *flow.transitions]
            for call in spec.actions
            if call.name == "append"
        )
    return found


def attach(source: Connection | Engine, model: CaseModel, flow: FlowSpec) -> None:
    """Give the case model its flow's lists, each read from its rows when first asked for.

    ``source``: the session's connection, or an engine (a preview, outside any session: each list
    is then read on a connection of its own).
    """
    case_id = model.id

    def load(key: str) -> list[dict[str, Any]]:
        if case_id is None:
            return []
        if isinstance(source, Engine):
            with reading(source).connect() as conn:
                return _read(conn, case_id, key)
        return _read(source, case_id, key)

    if model.lists.keys:  # the case an action just wrote: what it read and added stays
        model.lists.read_with(load)
    else:
        model.lists = CaseLists(list_keys(flow), load)


def _read(connection: Connection, case_id: int, key: str) -> list[dict[str, Any]]:
    return [dict(r.payload) for r in connection.execute(_LIST, {"case_id": case_id, "list_key": key})]


def attach_new(model: CaseModel, flow: FlowSpec) -> None:
    """The lists of a case being opened or replayed: nothing stored yet."""
    model.lists = CaseLists(list_keys(flow))


def write(session: Session, case_id: int, model: CaseModel, seq: int, moment: datetime) -> list[Entry]:
    """Insert the entries this action added and rewrite those it changed, in its transaction."""
    written = model.lists.take()
    if not written:
        return written
    for e in written:
        if e.new:
            e.seq = seq
            run_write(session, _INSERT, dict(case_id=case_id, list_key=e.key, position=e.position, event_seq=seq,
                                         payload=e.payload, occurred_at=to_db(moment)))
        else:
            run_write(session, _UPDATE,
                      {"b_case_id": case_id, "b_list_key": e.key, "b_position": e.position, "payload": e.payload})
    return written


def counts(data: dict[str, Any]) -> dict[str, int]:
    """Entries per list kept in rows, from the case's data."""
    return {str(k): int(v["count"]) for k, v in (data.get(ENTRY_LISTS) or {}).items()}


def in_view(data: dict[str, Any]) -> dict[str, Any]:
    """The view's ``data`` (the flow's own facts) and ``lists``: each list's count and latest entries.

    Both from the case's data as read: no statement, whatever the lists' length."""
    return {
        "data": {k: v for k, v in data.items() if k != ENTRY_LISTS},
        "lists": {key: kept for key, kept in (data.get(ENTRY_LISTS) or {}).items() if kept.get("count")},
    }


def page(connection: Connection, case_id: int, key: str, number: int, size: int) -> list[dict[str, Any]]:
    """A page of one list, oldest first: each entry with its position, event and moment."""
    rows = connection.execute(
        _PAGE, {"case_id": case_id, "list_key": key, "skip": (number - 1) * size, "size": size}
    ).all()
    return [
        {"position": r.position, "seq": r.event_seq, "occurred_at": from_db(r.occurred_at).isoformat(),
         "entry": r.payload}
        for r in rows
    ]


def stored(connection: Connection, case_id: int) -> dict[str, list[tuple[int, int, dict[str, Any]]]]:
    """Every entry row of a case, by list: (position, event seq, payload), in order (for the audit)."""
    found: dict[str, list[tuple[int, int, dict[str, Any]]]] = {}
    for r in connection.execute(_ALL_OF_CASE, {"case_id": case_id}):
        found.setdefault(r.list_key, []).append((r.position, r.event_seq, r.payload))
    return found
