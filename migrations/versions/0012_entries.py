"""case_entry: the lists a flow appends to, moved out of the case's data into rows of their own

Each list a flow's ``append`` action writes (as the flows stood at this revision, ``LISTS``) is
moved from ``case.data`` into ``case_entry`` rows, one per entry, in order; the data keeps
``entry_lists``: per list its count and its latest ``LATEST_KEPT`` entries. Each entry is filed under the event that appended it: the
first event, not before the previous entry's, whose moment is the entry's ``at`` stamp.
Downgrade puts the lists back into the data.

Revision ID: 0012_entries
Revises: 0010
Create Date: 2026-11-23
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0012_entries'
down_revision = '0010'
branch_labels = None
depends_on = None

KEPT = "entry_lists"
LATEST_KEPT = 5
# The lists each flow appended to at this revision (engine.entries.list_keys of every flow).
LISTS: dict[str, tuple[str, ...]] = {
    'application': ('objections',),
    'audit': ('objections', 'refunds', 'reviews', 'statements'),
    'budget': ('returns',),
    'commercial_insurance': ('interpretations', 'returns'),
    'credit_record': ('objection_reviews', 'objections', 'sanctions'),
    'entrustment': ('entrusted_acts', 'supervisions'),
    'inspection': ('interviews', 'objections', 'site_records'),
    'penalty': ('appeals', 'collection_handovers', 'evidence', 'preservation_disposals', 'preservations',
                'seal_extensions', 'seal_ratifications', 'seal_releases', 'seals', 'statements',
                'supplementary_investigations'),
    'price_setting': ('returns',),
    'reward': ('objections',),
    'sealing': ('extensions', 'testing_spans'),
}

case = sa.table('case', sa.column('id', sa.Integer), sa.column('flow_key', sa.String), sa.column('data', sa.JSON))
event = sa.table('event', sa.column('case_id', sa.Integer), sa.column('seq', sa.Integer),
                 sa.column('occurred_at', sqlmodel.sql.sqltypes.UTCDateTime()))
entry = sa.table('case_entry', sa.column('case_id', sa.Integer), sa.column('list_key', sa.String),
                 sa.column('position', sa.Integer), sa.column('event_seq', sa.Integer),
                 sa.column('payload', sa.JSON), sa.column('occurred_at', sqlmodel.sql.sqltypes.UTCDateTime()))


def upgrade() -> None:
    op.create_table('case_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('list_key', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('event_seq', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('occurred_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'list_key', 'position', name='uq_case_entry_position')
    )
    move_lists_out(op.get_bind())


def downgrade() -> None:
    move_lists_back(op.get_bind())
    op.drop_table('case_entry')


def _utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def move_lists_out(conn: sa.Connection) -> int:
    """Every case's appended lists into ``case_entry``; returns the entries moved."""
    moved = 0
    rows = conn.execute(sa.select(case.c.id, case.c.flow_key, case.c.data).order_by(case.c.id)).all()
    for case_id, flow_key, data in rows:
        data = dict(data or {})
        keys = [k for k in LISTS.get(flow_key, ()) if isinstance(data.get(k), list)]
        if not keys:
            continue
        events = conn.execute(
            sa.select(event.c.seq, event.c.occurred_at).where(event.c.case_id == case_id).order_by(event.c.seq)
        ).all()
        moments = [(seq, _utc(at)) for seq, at in events]
        last = moments[-1] if moments else (0, None)
        kept = dict(data.get(KEPT) or {})
        values = []
        for key in keys:
            seq = 1
            for position, item in enumerate(data.pop(key)):
                payload = item if isinstance(item, dict) else {"value": item}
                at = _utc(payload.get("at"))
                seq, when = next(((s, m) for s, m in moments if s >= seq and at is not None and m == at),
                                 (seq, at or last[1]))
                values.append(dict(case_id=case_id, list_key=key, position=position, event_seq=seq,
                                   payload=payload, occurred_at=when or datetime.now(UTC)))
            moved_here = [v["payload"] for v in values if v["list_key"] == key]
            kept[key] = {"count": len(moved_here), "latest": moved_here[-LATEST_KEPT:]}
        data[KEPT] = kept
        conn.execute(entry.insert(), values)
        conn.execute(case.update().where(case.c.id == case_id).values(data=data))
        moved += len(values)
    return moved


def move_lists_back(conn: sa.Connection) -> None:
    """The entries back into their cases' data, in order; the counts and latest entries removed."""
    found: dict[int, dict[str, list[Any]]] = {}
    for case_id, key, payload in conn.execute(
        sa.select(entry.c.case_id, entry.c.list_key, entry.c.payload)
        .order_by(entry.c.case_id, entry.c.list_key, entry.c.position)
    ):
        found.setdefault(case_id, {}).setdefault(key, []).append(payload)
    for case_id, data in conn.execute(sa.select(case.c.id, case.c.data)).all():
        if case_id not in found and KEPT not in (data or {}):
            continue
        data = dict(data or {})
        data.pop(KEPT, None)
        data.update(found.get(case_id, {}))
        conn.execute(case.update().where(case.c.id == case_id).values(data=data))
