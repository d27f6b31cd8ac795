"""PostgreSQL: caseflow_expect_one(changed, write), the version check run by the database itself, so
that an action's writes and its COMMIT can go to the server together (``engine.persistence``): a
write that must change exactly one row and changed another number raises SQLSTATE CF001 (the
write's position in DETAIL), which aborts the transaction and with it the COMMIT sent after it.

Revision ID: 0015_expect_one
Revises: 0014_unused_indexes
Create Date: 2026-12-06
"""
from __future__ import annotations

from alembic import op

revision = '0015_expect_one'
down_revision = '0014_unused_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite runs each write at once and checks its count of rows in Python
    op.execute(
        "CREATE FUNCTION caseflow_expect_one(changed bigint, write integer) RETURNS bigint AS $$ BEGIN "
        "IF changed IS DISTINCT FROM 1 THEN "
        "RAISE EXCEPTION 'write % changed % rows, not one', write, changed "
        "USING ERRCODE = 'CF001', DETAIL = write::text; "
        "END IF; RETURN changed; END $$ LANGUAGE plpgsql"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION caseflow_expect_one(bigint, integer)")
