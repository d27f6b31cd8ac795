"""The running case as plain objects: what guards read and actions change.

These are deliberately not database rows: ``transitions`` drives a ``CaseModel`` and the
service writes its state back (a SQLModel row cannot be a transitions model).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from engine.clocks import Deadline, Span
from engine.definitions import ClockSpec, Role, Unit


@dataclass
class Actor:
    user_id: int
    username: str
    name: str
    roles: frozenset[Role]
    bureau: str
    cert_no: str | None = None
    # The flows whose cases this user reads (his roles' declared scopes, Library.readable_flows);
    # None: every case of his bureau. Set where a request's user is resolved.
    reads: frozenset[str] | None = None

    def may_read(self, flow_key: str) -> bool:
        return self.reads is None or flow_key in self.reads


@dataclass(frozen=True)
class RegisteredCertificate:
    """A 执法证 as the register holds it, for guards that cannot read the database."""

    number: str
    holder: str  # the holder's name as registered
    valid_from: date | None
    valid_to: date | None
    revoked: bool = False

    def status(self, on: date) -> str:
        """有效 / 有效期未登记 / 尚未生效 / 已过期 / 已注销, as of a day."""
        if self.revoked:
            return "已注销"
        if self.valid_from is not None and on < self.valid_from:
            return "尚未生效"
        if self.valid_to is not None and on > self.valid_to:
            return "已过期"
        if self.valid_from is None and self.valid_to is None:
            return "有效期未登记"
        return "有效"


@dataclass
class ClockState:
    """One running instance of a clock on a case (a key may run more than once)."""

    key: str
    label: str
    unit: Unit
    amount: int
    started_at: datetime
    law: str
    accountability: str | None
    roll_forward: bool
    due_soon: int
    party: bool = False  # a period for the party's own acts, not a duty of the agency
    extension: int = 0
    spans: list[Span] = field(default_factory=list)
    satisfied_at: datetime | None = None
    cancelled_at: datetime | None = None
    note: str | None = None
    id: int | None = None  # database id once stored
    deadline: Deadline | None = None  # as last stored; recomputed only when the clock changes

    def fingerprint(self) -> tuple[object, ...]:
        """What an action can change of a clock: a stored clock is rewritten only when this differs."""
        return (self.amount, self.unit, self.extension, self.started_at, tuple(self.spans), self.satisfied_at,
                self.cancelled_at, self.note)

    @property
    def open(self) -> bool:
        return self.satisfied_at is None and self.cancelled_at is None

    @property
    def suspended(self) -> bool:
        return bool(self.spans) and self.spans[-1].end is None

    @classmethod
    def from_spec(cls, spec: ClockSpec, amount: int, started_at: datetime) -> ClockState:
        return cls(
            key=spec.key,
            label=spec.label,
            unit=spec.unit,
            amount=amount,
            started_at=started_at,
            law=spec.law,
            accountability=spec.accountability,
            roll_forward=spec.roll_forward,
            due_soon=spec.due_soon,
            party=spec.party,
            note=spec.note,
        )


# The case data's key for the lists kept in rows (engine.entries): for each list its number of
# entries and its latest ones, ``{"count": n, "latest": [...]}``: what a guard or the case view asks
# of such a list without reading it, and all of a short list.
ENTRY_LISTS = "entry_lists"
LATEST_KEPT = 5


@dataclass(slots=True)
class Entry:
    """An entry this firing added to (or changed in) a list kept in rows; ``seq`` once its event is known."""

    key: str
    position: int
    payload: dict[str, Any]
    new: bool = True
    seq: int | None = None


class CaseLists:
    """A case's lists that grow without bound, kept in rows of their own (``case_entry``).

    ``keys`` are the lists the case's flow keeps in rows (the lists its ``append`` actions write);
    any other list stays in the case's data. ``load(key)`` reads one stored list in order, with
    one statement, the first time a list longer than its kept latest entries is asked for; a case
    not stored yet (or replayed) has none. What this firing adds or changes is kept in ``written``
    until the service stores it.
    """

    def __init__(
        self, keys: frozenset[str] = frozenset(), load: Callable[[str], list[dict[str, Any]]] | None = None
    ) -> None:
        self.keys = keys
        self._load = load
        self._lists: dict[str, list[dict[str, Any]]] = {}
        self.added: list[Entry] = []  # every entry added to this object, stored or not
        self.written: list[Entry] = []  # what the service has yet to store

    def read_with(self, load: Callable[[str], list[dict[str, Any]]]) -> None:
        """Read the lists not asked for yet through ``load`` (a view after the action's transaction)."""
        self._load = load

    def loaded(self, key: str, latest: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The whole list; its last entries are the very objects of ``latest`` (the data's), so a change is seen in both."""
        if key not in self._lists:
            stored = self._load(key) if self._load is not None else []
            # the entries added here that the rows do not hold yet (by position: stored ones are not repeated)
            whole = stored + [e.payload for e in self.added if e.key == key and e.position >= len(stored)]
            if latest:
                whole[-len(latest):] = latest
            self._lists[key] = whole
        return self._lists[key]

    def add(self, key: str, position: int, payload: dict[str, Any]) -> None:
        entry = Entry(key, position, payload)
        self.added.append(entry)
        self.written.append(entry)
        if key in self._lists:
            self._lists[key].append(payload)

    def changed(self, key: str, position: int, payload: dict[str, Any]) -> None:
        if not any(e.key == key and e.position == position for e in self.written):
            self.written.append(Entry(key, position, payload, new=False))

    def take(self) -> list[Entry]:
        """What this firing wrote since the last ``take``, in order (the service stores it)."""
        taken, self.written = self.written, []
        return taken


@dataclass
class CaseModel:
    """The plain object a transitions machine drives for one firing."""

    state: str
    bureau: str
    item_code: str
    flow_key: str
    flow_version: int
    party: dict[str, Any]
    officers: list[dict[str, Any]]
    data: dict[str, Any]
    clocks: list[ClockState] = field(default_factory=list)
    opened_at: datetime | None = None
    last_occurred_at: datetime | None = None  # moment of the case's last event (the snapshot's)
    last_seq: int = 0  # number of events before this action
    id: int | None = None
    number: str | None = None
    links: list[dict[str, Any]] = field(default_factory=list)  # links made by this firing
    # Who last fired each trigger on the case (username): what separation of duties compares.
    acted_by: dict[str, str] = field(default_factory=dict)
    lists: CaseLists = field(default_factory=CaseLists)

    # --- lists: kept in rows when the flow appends to them (engine.entries), else in data ---

    def _kept(self, key: str) -> dict[str, Any]:
        return (self.data.get(ENTRY_LISTS) or {}).get(key) or {"count": 0, "latest": []}

    def entries(self, key: str) -> list[dict[str, Any]]:
        """The list ``key`` in order (from its rows the first time, unless the data keeps all of it)."""
        if key not in self.lists.keys:
            value = self.data.get(key)
            return value if isinstance(value, list) else []
        kept = self._kept(key)
        if kept["count"] == len(kept["latest"]):
            return list(kept["latest"])
        return self.lists.loaded(key, kept["latest"])

    def entry_count(self, key: str) -> int:
        """How many entries the list ``key`` has, without reading it."""
        if key not in self.lists.keys:
            return len(self.entries(key))
        return int(self._kept(key)["count"])

    def add_entry(self, key: str, entry: dict[str, Any]) -> None:
        """Append ``entry`` to the list ``key``: a row of its own if the flow keeps the list in rows
        (the data then keeping its count and latest entries), else an item of ``data[key]``."""
        if key not in self.lists.keys:
            self.data.setdefault(key, []).append(entry)
            return
        kept = self.data.setdefault(ENTRY_LISTS, {}).setdefault(key, {"count": 0, "latest": []})
        position = int(kept["count"])
        self.lists.add(key, position, entry)
        kept["count"] = position + 1
        kept["latest"] = [*kept["latest"], entry][-LATEST_KEPT:]

    def update_entry(self, key: str, position: int, changes: dict[str, Any]) -> None:
        """Change fields of one entry (an appeal's outcome): its row is rewritten."""
        entry = self.entries(key)[position]
        entry.update(changes)
        if key in self.lists.keys:
            self.lists.changed(key, position, entry)

    def fact(self, key: str) -> Any:
        """A value of the data, or for a list kept in rows its number of entries (what a flag guard tests)."""
        return self.entry_count(key) if key in self.lists.keys else self.data.get(key)

    def open_clocks(self, key: str) -> list[ClockState]:
        return [c for c in self.clocks if c.key == key and c.open]

    def last_clock(self, key: str) -> ClockState | None:
        matching = [c for c in self.clocks if c.key == key]
        return matching[-1] if matching else None
