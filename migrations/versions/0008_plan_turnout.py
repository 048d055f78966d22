"""The minimum turnout of a vote that decides a plan's commitments.

Revision ID: 0008_plan_turnout
Revises: 0006_publication
Create Date: 2026-12-02

DOMAIN.md, "Refinements of the influence rules": empower needs every adopted commitment adopted by a
published vote in which non-government voters outnumbered government voters, with at least the plan's
minimum turnout (a setting of the plan, default 10 voters).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_plan_turnout'
down_revision = '0006_publication'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("action_plan") as batch:
        batch.add_column(sa.Column("min_turnout", sa.Integer(), nullable=False, server_default="10"))


def downgrade():
    with op.batch_alter_table("action_plan") as batch:
        batch.drop_column("min_turnout")
