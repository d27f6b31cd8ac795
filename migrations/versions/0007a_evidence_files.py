"""evidence files: attached to a step of a case, stored by sha256, withdrawn but never deleted

Revision ID: 0007a
Revises: 0004
Create Date: 2026-11-23

``evidence_file`` and ``evidence_withdrawal`` are append-only (the database refuses UPDATE and
DELETE); ``evidence_blob`` holds the bytes when they are kept in the database (the default) and
is append-only too: a blob is content-addressed, so it never needs to change.
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007a'
down_revision = '0004'
branch_labels = None
depends_on = None

APPEND_ONLY = ("evidence_file", "evidence_withdrawal", "evidence_blob")


def upgrade() -> None:
    op.create_table(
        'evidence_blob',
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('stored_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('sha256'),
    )
    op.create_table(
        'evidence_file',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('step', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('attached_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('attached_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_evidence_file_case_id'), 'evidence_file', ['case_id'], unique=False)
    op.create_index(op.f('ix_evidence_file_sha256'), 'evidence_file', ['sha256'], unique=False)
    op.create_table(
        'evidence_withdrawal',
        sa.Column('evidence_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('withdrawn_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('withdrawn_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], ),
        sa.ForeignKeyConstraint(['evidence_id'], ['evidence_file.id'], ),
        sa.PrimaryKeyConstraint('evidence_id'),
    )
    for table in APPEND_ONLY:
        _append_only(table)


def _append_only(table: str) -> None:
    """Attached files, their withdrawals and their bytes never change: UPDATE and DELETE are refused."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END"
            )
        return
    op.execute(
        f"CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$ BEGIN "
        f"RAISE EXCEPTION '{table} rows are append-only'; END $$ LANGUAGE plpgsql"
    )
    op.execute(
        f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in APPEND_ONLY:
        if sqlite:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
    op.drop_table('evidence_withdrawal')
    op.drop_index(op.f('ix_evidence_file_sha256'), table_name='evidence_file')
    op.drop_index(op.f('ix_evidence_file_case_id'), table_name='evidence_file')
    op.drop_table('evidence_file')
    op.drop_table('evidence_blob')
