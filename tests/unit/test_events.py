"""The hash chain: version 2 hashes the label; chains of version-1 events still verify."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from engine.events import GENESIS, event_hash, verify_chain


@dataclass(frozen=True)
class Ev:
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


def chain(versions: list[int]) -> list[Ev]:
    events: list[Ev] = []
    prev = GENESIS
    for seq, version in enumerate(versions, start=1):
        fields: dict[str, Any] = dict(
            case_id=7, seq=seq, trigger=f"t{seq}", from_state="a", to_state="b", actor="zhang",
            occurred_at=datetime(2026, 3, seq, 9), recorded_at=datetime(2026, 3, seq, 9, 1),
            payload={"n": seq}, prev_hash=prev,
        )
        digest = event_hash(**fields, label=f"步骤{seq}", version=version)
        events.append(Ev(label=f"步骤{seq}", hash=digest, hash_version=version, **fields))
        prev = digest
    return events


def test_old_and_new_events_verify_in_one_chain() -> None:
    assert verify_chain(chain([1, 1, 2, 2])) is None


def test_a_changed_label_breaks_a_version_2_event() -> None:
    events = chain([1, 2, 2])
    events[2] = replace(events[2], label="伪造的步骤")
    broken = verify_chain(events)
    assert broken is not None and broken.seq == 3 and "哈希" in broken.reason


def test_a_version_1_label_is_not_hashed_but_the_replay_checks_it() -> None:
    events = chain([1, 2])
    events[0] = replace(events[0], label="伪造的步骤")
    assert verify_chain(events) is None  # engine.audit compares it with the flow's label


def test_an_event_cannot_be_passed_off_as_an_old_one() -> None:
    events = chain([1, 2, 2])
    events[2] = replace(events[2], hash_version=1, label="伪造的步骤")
    broken = verify_chain(events)
    assert broken is not None and broken.seq == 3


def test_the_label_changes_the_hash() -> None:
    e = chain([2])[0]
    fields = dict(case_id=e.case_id, seq=e.seq, trigger=e.trigger, from_state=e.from_state, to_state=e.to_state,
                  actor=e.actor, occurred_at=e.occurred_at, recorded_at=e.recorded_at, payload=e.payload,
                  prev_hash=e.prev_hash)
    assert event_hash(**fields, label="甲") != event_hash(**fields, label="乙")
    assert event_hash(**fields, label="甲", version=1) == event_hash(**fields, label="乙", version=1)
