"""A bureau's settings as an administrator reads and changes them; each change is recorded."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.users import actor_name
from engine import admin_log, bureau_settings
from engine.model import Actor
from engine.persistence import unit_of_work
from engine.tables import AdminEvent, Bureau, User


def settings_of(engine: Engine, bureau: str) -> dict[str, Any]:
    with Session(engine) as session:
        return dict(session.exec(select(Bureau).where(col(Bureau.code) == bureau)).one().settings)


def save_settings(engine: Engine, bureau: str, settings: dict[str, Any], *, by: Actor | str) -> dict[str, list[Any]]:
    """Validate and store a bureau's settings; return what changed ([before, after] per key)."""
    checked = bureau_settings.validate(settings)
    with unit_of_work(engine) as session:
        row = session.exec(select(Bureau).where(col(Bureau.code) == bureau)).one()
        changed = bureau_settings.changes(dict(row.settings), checked)
        if not changed:
            return {}
        row.settings = checked
        session.add(row)
        admin_log.record(
            session,
            bureau=bureau,
            actor=actor_name(by),
            action="settings.change",
            target="本局设置",
            details={"changes": changed},
            at=datetime.now(UTC),
        )
    return changed


def record_rows(engine: Engine, bureau: str, limit: int = 100, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """The bureau's record of administration, newest first, in words an administrator reads."""
    with Session(engine) as session:
        total = len(session.exec(select(AdminEvent.id).where(col(AdminEvent.bureau_code) == bureau)).all())
        names = {u.username: u.name for u in session.exec(select(User).where(col(User.bureau_code) == bureau))}
        rows = [
            {
                "seq": e.seq,
                "recorded_at": e.recorded_at.isoformat(),
                "actor": e.actor,
                "actor_label": f"{names[e.actor]}（{e.actor}）" if e.actor in names else admin_log.actor_label(e.actor),
                "action": e.action,
                "action_label": admin_log.ACTION_LABELS.get(e.action, e.action),
                "target": e.target,
                "description": admin_log.describe(e),
                "details": e.details,
                "hash": e.hash,
            }
            for e in admin_log.entries(session, bureau, limit, offset)
        ]
    return total, rows
