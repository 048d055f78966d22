"""Approvals of a specific text, and the switch-off of the tripartite requirement as an approved act.

Revision ID: 0009_approved_text
Revises: 0008_plan_turnout
Create Date: 2026-12-02

DOMAIN.md, "Tripartite approval, precisely": a seat approves a specific text (``snapshot``), editing the
subject withdraws the standing approvals (``withdrawn_because``), and switching off a plan's tripartite
requirement is itself an act the three seats approve (``plan_id``). Positions taken before this
revision have no snapshot: the page says it does not know what they saw.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_approved_text'
down_revision = '0008_plan_turnout'
branch_labels = None
depends_on = None

FOUR = ("(CASE WHEN call_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN meeting_id IS NULL THEN 0 ELSE 1 END)"
        " + (CASE WHEN draft_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN plan_id IS NULL THEN 0 ELSE 1 END) = 1")
THREE = ("(CASE WHEN call_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN meeting_id IS NULL THEN 0 ELSE 1 END)"
         " + (CASE WHEN draft_id IS NULL THEN 0 ELSE 1 END) = 1")
STANDING_PLAN = sa.text('withdrawn_at IS NULL AND plan_id IS NOT NULL')


def upgrade():
    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_because', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('snapshot', sa.JSON(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_approval_plan_id_action_plan'), 'action_plan', ['plan_id'], ['id'])
        batch_op.drop_constraint(op.f('ck_approval_exactly_one_object'), type_='check')
        batch_op.create_check_constraint('exactly_one_object', FOUR)
        batch_op.create_index('uq_approval_standing_plan', ['action', 'plan_id', 'seat'], unique=True,
                              sqlite_where=STANDING_PLAN, postgresql_where=STANDING_PLAN)
    op.execute("UPDATE approval SET withdrawn_because = 'author' WHERE withdrawn_at IS NOT NULL")


def downgrade():
    op.execute("DELETE FROM approval WHERE plan_id IS NOT NULL")
    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.drop_index('uq_approval_standing_plan', sqlite_where=STANDING_PLAN, postgresql_where=STANDING_PLAN)
        batch_op.drop_constraint(op.f('ck_approval_exactly_one_object'), type_='check')
        batch_op.create_check_constraint('exactly_one_object', THREE)
        batch_op.drop_constraint(batch_op.f('fk_approval_plan_id_action_plan'), type_='foreignkey')
        batch_op.drop_column('snapshot')
        batch_op.drop_column('withdrawn_because')
        batch_op.drop_column('plan_id')
