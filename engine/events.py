"""The hash chain of a case's events: each event's hash covers its content and the previous hash.

Hash version 2 (every event recorded since migration 0006) covers everything an event shows,
its label included; version 1 (the events recorded before) left the label out. The old events
keep their version-1 hashes rather than being re-hashed: re-hashing would rewrite the very
record the chain vouches for, and would hide any change made before it. Their labels are still
checked, by the replay of ``engine.audit`` against the flow that names them. Within a case the
versions only go up, so an event cannot be passed off as an old one to leave its label unhashed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
HASH_VERSION = 2  # what new events are hashed with


def _moment(value: datetime) -> str:
    return (
        value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
        if value.tzinfo
        else value.isoformat(timespec="microseconds")
    )


def event_hash(
    *,
    case_id: int,
    seq: int,
    trigger: str,
    from_state: str | None,
    to_state: str | None,
    actor: str,
    occurred_at: datetime,
    recorded_at: datetime,
    payload: dict[str, Any],
    prev_hash: str,
    label: str | None = None,
    version: int = HASH_VERSION,
) -> str:
    """The event's sha256 under hash ``version`` (1: without the label; 2: with it)."""
    content: dict[str, Any] = {
        "case_id": case_id,
        "seq": seq,
        "trigger": trigger,
        "from": from_state,
        "to": to_state,
        "actor": actor,
        "occurred_at": _moment(occurred_at),
        "recorded_at": _moment(recorded_at),
        "payload": payload,
        "prev": prev_hash,
    }
    if version >= 2:
        content.update(v=version, label=label)
    elif version != 1:
        raise ValueError(f"unknown event hash version {version}")
    body = json.dumps(
        content,
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class BrokenLink:
    case_id: int
    seq: int
    event_id: int | None
    reason: str


def verify_chain(events: Iterable[Any]) -> BrokenLink | None:
    """Return the first broken link of one case's events (ordered by seq), or None."""
    prev = GENESIS
    expected_seq = 1
    version_so_far = 1
    for e in events:
        version = getattr(e, "hash_version", 1)
        if e.seq != expected_seq:
            return BrokenLink(e.case_id, e.seq, e.id, f"序号不连续：应为{expected_seq}，实为{e.seq}")
        if e.prev_hash != prev:
            return BrokenLink(e.case_id, e.seq, e.id, "前一事件的哈希不符（事件被删除或改动）")
        if version < version_so_far or version not in (1, 2):
            return BrokenLink(e.case_id, e.seq, e.id, f"哈希版本{version}不符（事件被改动）")
        actual = event_hash(
            case_id=e.case_id,
            seq=e.seq,
            trigger=e.trigger,
            from_state=e.from_state,
            to_state=e.to_state,
            actor=e.actor,
            occurred_at=e.occurred_at,
            recorded_at=e.recorded_at,
            payload=e.payload,
            prev_hash=e.prev_hash,
            label=e.label,
            version=version,
        )
        if actual != e.hash:
            return BrokenLink(e.case_id, e.seq, e.id, "事件内容与哈希不符（事件被改动）")
        prev = e.hash
        version_so_far = version
        expected_seq += 1
    return None
