"""case_actor: who took a step in a case, for the officers' 我的已办 list

Revision ID: 0010
Revises: 0011
Create Date: 2026-11-23
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0010'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'case_actor',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('bureau_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id']),
        sa.PrimaryKeyConstraint('case_id', 'username'),
    )
    op.create_index('ix_case_actor_bureau_user', 'case_actor', ['bureau_code', 'username'], unique=False)
    # existing cases: everyone who recorded an event in them
    op.execute(
        "INSERT INTO case_actor (case_id, username, bureau_code) "
        "SELECT DISTINCT event.case_id, event.actor, \"case\".bureau_code FROM event "
        "JOIN \"case\" ON \"case\".id = event.case_id"
    )


def downgrade() -> None:
    op.drop_index('ix_case_actor_bureau_user', table_name='case_actor')
    op.drop_table('case_actor')
