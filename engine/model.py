"""The running case as plain objects: what guards read and actions change.

These are deliberately not database rows: ``transitions`` drives a ``CaseModel`` and the
service writes its state back (a SQLModel row cannot be a transitions model).
"""

from __future__ import annotations

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

    def open_clocks(self, key: str) -> list[ClockState]:
        return [c for c in self.clocks if c.key == key and c.open]

    def last_clock(self, key: str) -> ClockState | None:
        matching = [c for c in self.clocks if c.key == key]
        return matching[-1] if matching else None
