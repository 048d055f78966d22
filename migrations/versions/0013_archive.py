"""Continuity archives the secretariat asks for, prepared in the background by the archiver process.

Revision ID: 0013_archive
Revises: 0012_monitoring
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_archive"
down_revision = "0012_monitoring"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "archive_export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Enum("queued", "running", "done", "failed", name="exportstatus", native_enum=False,
                                    length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("rows", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["requested_by_id"], ["users.id"], name=op.f("fk_archive_export_requested_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_export")),
    )


def downgrade():
    op.drop_table("archive_export")
