"""Closed accounts, and meetings and ballots that are public only once published.

Revision ID: 0006_publication
Revises: 0005_name_keys
Create Date: 2026-12-02

DOMAIN.md, "What is public, and when": a ballot or meeting is public once published, and a person who
closes their account keeps their contributions on the record under "closed account #N". Meetings and
ballots that exist before this revision were public as soon as they were created, so they count as
published at their creation: nothing that was public becomes hidden.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_publication'
down_revision = '0005_name_keys'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    for table in ("meeting", "ballot"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        op.execute(f"UPDATE {table} SET published_at = created_at")


def downgrade():
    for table in ("ballot", "meeting"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("published_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("closed_at")
