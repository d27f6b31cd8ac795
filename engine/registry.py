"""Guards and actions named in flow YAML, looked up in an explicit registry.

A guard reads the case and the request and raises ``RuleViolation`` when the move is not
allowed; an action changes the case (its data, clocks, links). Both receive a ``Context``.
Guards marked ``needs_input`` depend on what the user submits, so they are skipped when
listing which actions are allowed now and checked only when the action is fired.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.calendar import WorkCalendar
from engine.clockwork import deadline_of
from engine.definitions import CatalogueItem, FlowSpec, TransitionSpec
from engine.errors import DomainError
from engine.model import Actor, CaseModel, ClockState, RegisteredCertificate

GuardFn = Callable[..., None]
ActionFn = Callable[..., None]


class LazyCertificates(Mapping[str, RegisteredCertificate]):
    """The register's entries for a case's 执法证, read from the database the first time a guard asks."""

    def __init__(self, load: Callable[[], dict[str, RegisteredCertificate]]) -> None:
        self._load = load
        self._entries: dict[str, RegisteredCertificate] | None = None

    @property
    def loaded(self) -> bool:
        return self._entries is not None

    def _loaded(self) -> dict[str, RegisteredCertificate]:
        if self._entries is None:
            self._entries = self._load()
        return self._entries

    def __getitem__(self, number: str) -> RegisteredCertificate:
        return self._loaded()[number]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


@dataclass
class Context:
    case: CaseModel
    flow: FlowSpec
    item: CatalogueItem
    transition: TransitionSpec | None
    actor: Actor
    occurred_at: datetime
    calendar: WorkCalendar
    settings: dict[str, Any]  # flow defaults < bureau settings < item settings
    payload: dict[str, Any] = field(default_factory=dict)
    checking_only: bool = False  # listing actions: no payload yet
    # The registered 执法证 of the case's officers (and of officers the payload names), by number:
    # loaded by the service, read by the certificate guards (处罚法第四十二条).
    certificates: Mapping[str, RegisteredCertificate] = field(default_factory=dict)
    # While listing actions: the outcome of each per-case guard call already checked (None: passed).
    outcomes: dict[str, DomainError | None] = field(default_factory=dict)

    def due_at(self, clock: ClockState) -> datetime:
        """When ``clock`` runs out, as computed at the moment of this act."""
        return deadline_of(clock, self.calendar, self.occurred_at).due_at

    def setting(self, name: str) -> Any:
        if name not in self.settings:
            raise KeyError(f"setting {name!r} is not defined for flow {self.flow.key}")
        return self.settings[name]


@dataclass(frozen=True)
class Guard:
    name: str
    fn: GuardFn
    needs_input: bool
    # Its outcome depends on the case and the moment alone (not on the transition or the payload):
    # listing a case's actions then checks it once however many transitions name it.
    per_case: bool = False


GUARDS: dict[str, Guard] = {}
ACTIONS: dict[str, ActionFn] = {}


def guard(name: str, *, needs_input: bool = False, per_case: bool = False) -> Callable[[GuardFn], GuardFn]:
    def register(fn: GuardFn) -> GuardFn:
        if name in GUARDS:
            raise ValueError(f"guard {name} registered twice")
        GUARDS[name] = Guard(name, fn, needs_input, per_case)
        return fn

    return register


def action(name: str) -> Callable[[ActionFn], ActionFn]:
    def register(fn: ActionFn) -> ActionFn:
        if name in ACTIONS:
            raise ValueError(f"action {name} registered twice")
        ACTIONS[name] = fn
        return fn

    return register


def load_all() -> None:
    """Import the modules that register guards and actions (idempotent)."""
    import engine.rules  # noqa: F401
