"""case_officer indexed by (bureau_code, name, case_id): officer names and per-officer figures from the index alone

Revision ID: 0012_lists
Revises: 0012_entries
Create Date: 2026-11-23
"""
from __future__ import annotations

from alembic import op

revision = '0012_lists'
down_revision = '0012_entries'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case_officer', schema=None) as batch_op:
        batch_op.create_index('ix_case_officer_bureau_name', ['bureau_code', 'name', 'case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_officer', schema=None) as batch_op:
        batch_op.drop_index('ix_case_officer_bureau_name')
