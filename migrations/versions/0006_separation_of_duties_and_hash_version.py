"""who last fired each trigger (separation of duties); event hash version

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-24
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Events recorded so far keep their hashes, made without the label: version 1 (engine.events).
    # A plain ADD COLUMN (no table copy), so the append-only triggers on event stay in place.
    op.add_column('event', sa.Column('hash_version', sa.Integer(), nullable=False, server_default='1'))
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acted_by', sa.JSON(), nullable=False, server_default='{}'))

    # Who last fired each trigger of the existing cases, from their events.
    bind = op.get_bind()
    rows = bind.execute(sa.text('SELECT case_id, "trigger", actor FROM event ORDER BY case_id, seq'))
    acted: dict[int, dict[str, str]] = {}
    for case_id, trigger, actor in rows:
        acted.setdefault(case_id, {})[trigger] = actor
    update = sa.text('UPDATE "case" SET acted_by = :acted WHERE id = :id')
    for case_id, by_trigger in acted.items():
        bind.execute(update, {"acted": json.dumps(by_trigger, ensure_ascii=False), "id": case_id})


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35): a batch copy would drop "case" under its foreign keys.
    op.drop_column('case', 'acted_by')
    op.drop_column('event', 'hash_version')
