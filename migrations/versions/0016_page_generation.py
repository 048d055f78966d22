"""The page generation: what the page cache's head counts besides the participation log.

Revision ID: 0016_page_generation
Revises: 0015_withdrawal
Create Date: 2026-12-02

A commit that changes what a public page shows without an act on the log (a person's public name, say)
moves this counter in the same transaction (ogpcocreate/core/pagecache.py), so anonymous readers' cached
pages are never stale beyond the stated bound. The table has no row until the first such commit, so a
freshly migrated database stays empty for an archive's import.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_page_generation'
down_revision = '0015_withdrawal'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "page_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_generation")),
    )


def downgrade():
    op.drop_table("page_generation")
