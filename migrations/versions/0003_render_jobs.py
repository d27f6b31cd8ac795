"""render jobs: PDFs rendered after the issuing action commits

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

The PDF leaves the ``document`` row for ``document_pdf`` (written once by a render job), the
document keeps the hash of its frozen content, and ``render_job`` is the outbox the workers claim.
Existing PDFs move over unchanged.
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'document_pdf',
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=False),
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('rendered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
        sa.PrimaryKeyConstraint('document_id'),
    )
    op.create_table(
        'render_job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('claimed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('done_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('done_by', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('document_id'),
    )
    op.create_index('ix_render_job_pending', 'render_job', ['done_at', 'id'], unique=False)
    op.execute(
        "INSERT INTO document_pdf (document_id, pdf, sha256, rendered_at) "
        "SELECT id, pdf, sha256, issued_at FROM document"
    )
    # Plain ALTER TABLE (SQLite >= 3.35 drops a column in place): rebuilding the table in batch
    # mode would drop its append-only triggers. Neither statement fires a row trigger.
    op.add_column('document', sa.Column('content_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.drop_column('document', 'pdf')
    op.drop_column('document', 'sha256')
    _append_only('document_pdf')


def _append_only(table: str) -> None:
    """A stored PDF never changes: the database refuses UPDATE and DELETE (as on event and document)."""
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
    """Back to PDFs inside ``document``; a document not rendered yet is rendered by nobody then, so refuse."""
    bind = op.get_bind()
    unrendered = bind.execute(
        sa.text("SELECT count(*) FROM document WHERE id NOT IN (SELECT document_id FROM document_pdf)")
    ).scalar_one()
    if unrendered:
        raise RuntimeError(f"{unrendered} documents have no PDF yet: run the render jobs before downgrading")
    sqlite = bind.dialect.name == "sqlite"
    # Filling the columns back in is an UPDATE of document, which its trigger refuses: lift it meanwhile.
    if sqlite:
        op.execute("DROP TRIGGER document_no_update")
        op.execute("DROP TRIGGER document_pdf_no_update")
        op.execute("DROP TRIGGER document_pdf_no_delete")
    else:
        op.execute("ALTER TABLE document DISABLE TRIGGER document_no_change")
        op.execute("DROP TRIGGER document_pdf_no_change ON document_pdf")
        op.execute("DROP FUNCTION document_pdf_append_only()")
    op.add_column('document', sa.Column('pdf', sa.LargeBinary(), nullable=True))
    op.add_column('document', sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.execute(
        "UPDATE document SET "
        "pdf = (SELECT pdf FROM document_pdf WHERE document_id = document.id), "
        "sha256 = (SELECT sha256 FROM document_pdf WHERE document_id = document.id)"
    )
    op.drop_column('document', 'content_sha256')
    if sqlite:
        op.execute(
            "CREATE TRIGGER document_no_update BEFORE UPDATE ON document "
            "BEGIN SELECT RAISE(ABORT, 'document rows are append-only'); END"
        )
    else:
        op.execute("ALTER TABLE document ALTER COLUMN pdf SET NOT NULL")
        op.execute("ALTER TABLE document ALTER COLUMN sha256 SET NOT NULL")
        op.execute("ALTER TABLE document ENABLE TRIGGER document_no_change")
    op.drop_index('ix_render_job_pending', table_name='render_job')
    op.drop_table('render_job')
    op.drop_table('document_pdf')
