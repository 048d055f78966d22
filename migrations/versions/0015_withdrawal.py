"""A proposal's withdrawal reason, and when its author last edited it.

Revision ID: 0015_withdrawal
Revises: 0014_notifications
Create Date: 2026-12-02

Withdrawing a proposal now asks for confirmation and an optional reason, published with it. A proposal
page said "last edited" from the row's update time, which withdrawing also moves; it now reads when the
author last edited the text, filled here from the participation log's "edited" acts.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_withdrawal'
down_revision = '0014_notifications'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("proposal") as batch:
        batch.add_column(sa.Column("withdrawn_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE proposal SET edited_at = (SELECT MAX(e.occurred_at) FROM participation_event e"
        " WHERE e.subject_type = 'proposal' AND e.subject_id = proposal.id AND e.verb = 'edited')"
    )


def downgrade():
    with op.batch_alter_table("proposal") as batch:
        batch.drop_column("edited_at")
        batch.drop_column("withdrawn_reason")
