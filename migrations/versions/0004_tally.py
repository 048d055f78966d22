"""Participation tallies: the log's participation acts counted per call, person, organisation, sector,
territory, channel and phase (reports/tally.py), filled from the log as it stands; and the log's
subject index widened with verb and sector so the report reads a contribution's act from the index.

Revision ID: 0004_tally
Revises: 0003_drafts
Create Date: 2026-11-22

Index changes are plain CREATE/DROP INDEX (no batch mode): recreating participation_event on SQLite
would drop the triggers that keep the log append-only.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_tally'
down_revision = '0003_drafts'
branch_labels = None
depends_on = None

# The same rule as reports/tally.py (phase_sql, grouped_from_log), frozen here as this migration saw it.
FILL = """
INSERT INTO participation_tally (plan_id, call_id, actor_id, organisation_id, sector, territory, channel, phase, acts)
SELECT plan_id, call_id, actor_id, organisation_id, sector, territory, channel, phase, count(*)
FROM (
    SELECT c.plan_id AS plan_id, e.call_id AS call_id, e.actor_id AS actor_id,
           coalesce(e.organisation_id, 0) AS organisation_id, coalesce(e.sector, '') AS sector,
           coalesce(e.territory, '') AS territory, e.channel AS channel,
           CASE WHEN e.occurred_at < c.opens_at THEN 'announced'
                WHEN e.occurred_at < c.closes_at THEN 'open'
                WHEN e.occurred_at < c.deliberation_at THEN 'review'
                WHEN e.occurred_at < c.decision_at THEN 'deliberation'
                WHEN e.occurred_at < c.results_at THEN 'decision'
                ELSE 'results' END AS phase
    FROM participation_event e JOIN call c ON c.id = e.call_id
    WHERE e.verb IN ('submitted', 'commented', 'attended', 'voted') AND e.actor_id IS NOT NULL
) AS acts
GROUP BY plan_id, call_id, actor_id, organisation_id, sector, territory, channel, phase
"""


def upgrade():
    op.create_table('participation_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), server_default='0', nullable=False),
    sa.Column('sector', sa.String(length=32), nullable=False),
    sa.Column('territory', sa.String(length=16), server_default='', nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('phase', sa.String(length=32), nullable=False),
    sa.Column('acts', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participation_tally')),
    sa.UniqueConstraint('call_id', 'actor_id', 'organisation_id', 'sector', 'territory', 'channel', 'phase', name='uq_participation_tally_key')
    )
    op.create_index('ix_participation_tally_plan_id', 'participation_tally', ['plan_id'], unique=False)
    op.drop_index('ix_participation_event_subject', table_name='participation_event')
    op.create_index('ix_participation_event_subject', 'participation_event',
                    ['subject_type', 'subject_id', 'verb', 'sector'], unique=False)
    op.execute(FILL)


def downgrade():
    op.drop_index('ix_participation_event_subject', table_name='participation_event')
    op.create_index('ix_participation_event_subject', 'participation_event', ['subject_type', 'subject_id'], unique=False)
    op.drop_index('ix_participation_tally_plan_id', table_name='participation_tally')
    op.drop_table('participation_tally')
