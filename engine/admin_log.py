"""The record of administration: who changed which setting, user, department or certificate, when.

Entries are hash-chained per bureau exactly like a case's events (each hash covers the entry
and the previous hash), and the database refuses UPDATE and DELETE on them. The sequence
number comes from the bureau's counter row, which serialises concurrent administrators.
Passwords never enter the record: a reset is recorded as the fact, not the value.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from engine import bureau_settings
from engine.definitions import ROLE_LABELS, Role
from engine.events import GENESIS
from engine.numbering import next_number
from engine.tables import AdminEvent
from engine.timeutil import local

COUNTER = "admin_event"

ACTION_LABELS = {
    "settings.change": "修改本局设置",
    "user.create": "新建用户",
    "user.update": "修改用户信息",
    "user.disable": "停用用户",
    "user.enable": "启用用户",
    "user.password_reset": "管理员重置密码",
    "user.password_change": "本人修改密码",
    "user.unlock": "解除登录锁定",
    "department.create": "新建承办机构",
    "department.update": "修改承办机构",
    "certificate.add": "登记证件",
    "certificate.revoke": "注销证件",
}
FIELD_LABELS = {
    "username": "用户名",
    "name": "姓名",
    "roles": "角色",
    "department": "承办机构",
    "cert_no": "执法证号",
    "active": "状态",
    "sessions_ended": "结束的登录会话数",
    "kind": "证件类别",
    "number": "证号",
    "holder": "持证人",
    "issuer": "发证机关",
    "valid_from": "有效期起",
    "valid_to": "有效期止",
    "reason": "原因",
}
KIND_LABELS = {"enforcement": "执法证", "legal": "法律职业资格证书"}


def _moment(value: datetime) -> str:
    return local(value).isoformat(timespec="microseconds")


def entry_hash(
    *,
    bureau: str,
    seq: int,
    action: str,
    target: str,
    actor: str,
    recorded_at: datetime,
    details: dict[str, Any],
    prev_hash: str,
) -> str:
    body = json.dumps(
        {
            "bureau": bureau,
            "seq": seq,
            "action": action,
            "target": target,
            "actor": actor,
            "recorded_at": _moment(recorded_at),
            "details": details,
            "prev": prev_hash,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record(
    session: Session,
    *,
    bureau: str,
    actor: str,
    action: str,
    target: str,
    details: dict[str, Any],
    at: datetime,
) -> AdminEvent:
    """Append one entry to the bureau's record, inside the caller's transaction."""
    if action not in ACTION_LABELS:
        raise ValueError(f"unknown admin action {action!r}")
    details = json.loads(json.dumps(details, ensure_ascii=False, default=str))  # as stored and re-read
    seq = next_number(session, bureau, COUNTER, 0)
    prev = session.exec(
        select(AdminEvent.hash).where(col(AdminEvent.bureau_code) == bureau, col(AdminEvent.seq) == seq - 1)
    ).first()
    prev_hash = prev or GENESIS
    entry = AdminEvent(
        bureau_code=bureau,
        seq=seq,
        action=action,
        target=target,
        actor=actor,
        recorded_at=at,
        details=details,
        prev_hash=prev_hash,
        hash=entry_hash(
            bureau=bureau,
            seq=seq,
            action=action,
            target=target,
            actor=actor,
            recorded_at=at,
            details=details,
            prev_hash=prev_hash,
        ),
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class BrokenEntry:
    bureau: str
    seq: int
    reason: str


def verify(entries: list[AdminEvent]) -> BrokenEntry | None:
    """The first broken link of one bureau's entries (ordered by seq), or None."""
    prev, expected = GENESIS, 1
    for e in entries:
        if e.seq != expected:
            return BrokenEntry(e.bureau_code, e.seq, f"序号不连续：应为{expected}，实为{e.seq}")
        if e.prev_hash != prev:
            return BrokenEntry(e.bureau_code, e.seq, "前一记录的哈希不符（记录被删除或改动）")
        actual = entry_hash(
            bureau=e.bureau_code,
            seq=e.seq,
            action=e.action,
            target=e.target,
            actor=e.actor,
            recorded_at=e.recorded_at,
            details=e.details,
            prev_hash=e.prev_hash,
        )
        if actual != e.hash:
            return BrokenEntry(e.bureau_code, e.seq, "记录内容与哈希不符（记录被改动）")
        prev, expected = e.hash, expected + 1
    return None


def entries(session: Session, bureau: str, limit: int = 100, offset: int = 0) -> list[AdminEvent]:
    """The bureau's entries, newest first."""
    return list(
        session.exec(
            select(AdminEvent)
            .where(col(AdminEvent.bureau_code) == bureau)
            .order_by(col(AdminEvent.seq).desc())
            .offset(offset)
            .limit(limit)
        ).all()
    )


def actor_label(actor: str) -> str:
    """Who made a change: a user name, or the command line of a system account."""
    if actor.startswith("cli:"):
        return f"命令行（系统账户 {actor.removeprefix('cli:')}）"
    if actor == "system":
        return "系统（初始化或演示数据）"
    return actor


def _value(field: str, value: Any) -> str:
    if value is None or value == "":
        return "（无）"
    if field == "roles" and isinstance(value, list):
        return "、".join(ROLE_LABELS[Role(r)] if r in Role.__members__ else str(r) for r in value)
    if field == "active":
        return "启用" if value else "停用"
    if field == "kind":
        return KIND_LABELS.get(str(value), str(value))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def describe(entry: AdminEvent) -> str:
    """What an entry changed, in Chinese: 'field: before → after' for changes, 'field: value' else."""
    details = entry.details
    parts: list[str] = []
    if entry.action == "settings.change":
        for key, (before, after) in details.get("changes", {}).items():
            parts.append(
                f"{bureau_settings.label(key)}：{bureau_settings.show(key, before)} → {bureau_settings.show(key, after)}"
            )
        return "；".join(parts) or "未改变任何设置"
    for field, pair in details.get("changes", {}).items():
        before, after = pair
        parts.append(f"{FIELD_LABELS.get(field, field)}：{_value(field, before)} → {_value(field, after)}")
    for field, value in details.items():
        if field != "changes":
            parts.append(f"{FIELD_LABELS.get(field, field)}：{_value(field, value)}")
    return "；".join(parts)


def verify_all(session: Session) -> list[BrokenEntry]:
    """The first broken link of each bureau's record of administration (settings, accounts, certificates)."""
    rows = session.exec(select(AdminEvent).order_by(col(AdminEvent.bureau_code), col(AdminEvent.seq))).all()
    by_bureau: dict[str, list[AdminEvent]] = {}
    for row in rows:
        by_bureau.setdefault(row.bureau_code, []).append(row)
    return [broken for entries in by_bureau.values() if (broken := verify(entries)) is not None]
