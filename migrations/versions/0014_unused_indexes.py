"""Indexes no query uses, written by every action: event's ix_event_case_id (the unique (case_id, seq)
index serves it, case_id leading) and case's ix_case_state and ix_case_flow_key (lists read the read
model; without them, an action that moves a case to another state can update its row in place, HOT)

Revision ID: 0014_unused_indexes
Revises: 0012_lists
Create Date: 2026-11-23
"""
from __future__ import annotations

from alembic import op

revision = '0014_unused_indexes'
down_revision = '0012_lists'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # not in batch mode: on SQLite that may copy the table, and the copy would lose its append-only triggers
    op.drop_index('ix_event_case_id', table_name='event')
    op.drop_index('ix_case_state', table_name='case')
    op.drop_index('ix_case_flow_key', table_name='case')


def downgrade() -> None:
    op.create_index('ix_event_case_id', 'event', ['case_id'], unique=False)
    op.create_index('ix_case_state', 'case', ['state'], unique=False)
    op.create_index('ix_case_flow_key', 'case', ['flow_key'], unique=False)
