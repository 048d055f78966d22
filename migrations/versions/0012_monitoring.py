"""Monitoring adopted commitments: institutions and contacts, milestones' progress and evidence,
indicators and measurements, the IRM's assessment, a plan's settings and the IRM's recommendations.

Revision ID: 0012_monitoring
Revises: 0011_repository
Create Date: 2026-12-02

Only new tables, and four nullable or defaulted columns on ``milestone`` (batch mode, for SQLite):
every existing milestone starts "not started". Nothing existing is rewritten.
"""
from alembic import op
import sqlalchemy as sa


OLD_CHECK = "(proposal_id IS NULL) <> (comment_id IS NULL)"
NEW_CHECK = ("(CASE WHEN proposal_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN comment_id IS NULL THEN 0 ELSE 1 END)"
             " + (CASE WHEN implementation_comment_id IS NULL THEN 0 ELSE 1 END) = 1")

# revision identifiers, used by Alembic.
revision = '0012_monitoring'
down_revision = '0011_repository'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assessor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_assessor_granted_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_assessor_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessor'))
    )
    with op.batch_alter_table('assessor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessor_user_id'), ['user_id'], unique=False)

    op.create_table('plan_monitoring',
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('scale', sa.Enum('results_2020', 'impact_legacy', name='scale', native_enum=False, length=32), server_default='results_2020', nullable=False),
    sa.Column('reference_label', sa.String(length=200), server_default='', nullable=False),
    sa.Column('reference_completion', sa.Integer(), nullable=True),
    sa.Column('reference_ambition', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('reference_ambition IS NULL OR (reference_ambition BETWEEN 0 AND 100)', name=op.f('ck_plan_monitoring_ambition_percent')),
    sa.CheckConstraint('reference_completion IS NULL OR (reference_completion BETWEEN 0 AND 100)', name=op.f('ck_plan_monitoring_completion_percent')),
    sa.ForeignKeyConstraint(['plan_id'], ['action_plan.id'], name=op.f('fk_plan_monitoring_plan_id_action_plan')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_plan_monitoring_updated_by_id_users')),
    sa.PrimaryKeyConstraint('plan_id', name=op.f('pk_plan_monitoring'))
    )
    op.create_table('recommendation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('not_started', 'in_progress', 'addressed', 'not_addressed', name='recommendationstatus', native_enum=False, length=32), nullable=False),
    sa.Column('what_was_done', sa.Text(), server_default='', nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_recommendation_created_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['action_plan.id'], name=op.f('fk_recommendation_plan_id_action_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendation'))
    )
    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendation_plan_id'), ['plan_id'], unique=False)

    op.create_table('recommendation_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('not_started', 'in_progress', 'addressed', 'not_addressed', name='recommendationstatus', native_enum=False, length=32), nullable=False),
    sa.Column('what_was_done', sa.Text(), server_default='', nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_recommendation_update_author_id_users')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendation.id'], name=op.f('fk_recommendation_update_recommendation_id_recommendation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendation_update'))
    )
    with op.batch_alter_table('recommendation_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendation_update_recommendation_id'), ['recommendation_id'], unique=False)

    op.create_table('assessment_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('scale', sa.Enum('results_2020', 'impact_legacy', name='scale', native_enum=False, length=32), nullable=False),
    sa.Column('criterion', sa.Enum('verifiability', 'lens', 'potential_results', 'potential_impact', 'completion', 'opened_government', name='criterion', native_enum=False, length=32), nullable=False),
    sa.Column('value', sa.String(length=32), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['draft_commitment.id'], name=op.f('fk_assessment_entry_draft_id_draft_commitment')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_assessment_entry_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_entry'))
    )
    with op.batch_alter_table('assessment_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_entry_draft_id'), ['draft_id'], unique=False)

    op.create_table('commitment_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('named_by_id', sa.Integer(), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['draft_commitment.id'], name=op.f('fk_commitment_contact_draft_id_draft_commitment')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['users.id'], name=op.f('fk_commitment_contact_ended_by_id_users')),
    sa.ForeignKeyConstraint(['named_by_id'], ['users.id'], name=op.f('fk_commitment_contact_named_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_commitment_contact_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment_contact'))
    )
    with op.batch_alter_table('commitment_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitment_contact_draft_id'), ['draft_id'], unique=False)

    op.create_table('indicator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('target_population', sa.String(length=300), nullable=False),
    sa.Column('criterion', sa.Text(), nullable=False),
    sa.Column('unit', sa.String(length=100), nullable=False),
    sa.Column('baseline_value', sa.Double(), nullable=False),
    sa.Column('baseline_date', sa.Date(), nullable=False),
    sa.Column('target_value', sa.Double(), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_indicator_created_by_id_users')),
    sa.ForeignKeyConstraint(['draft_id'], ['draft_commitment.id'], name=op.f('fk_indicator_draft_id_draft_commitment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator'))
    )
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_draft_id'), ['draft_id'], unique=False)

    op.create_table('recommendation_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(draft_id IS NULL) <> (meeting_id IS NULL)', name=op.f('ck_recommendation_link_exactly_one_target')),
    sa.ForeignKeyConstraint(['draft_id'], ['draft_commitment.id'], name=op.f('fk_recommendation_link_draft_id_draft_commitment')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_recommendation_link_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendation.id'], name=op.f('fk_recommendation_link_recommendation_id_recommendation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendation_link'))
    )
    with op.batch_alter_table('recommendation_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendation_link_recommendation_id'), ['recommendation_id'], unique=False)

    op.create_table('responsible_institution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('named_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['draft_commitment.id'], name=op.f('fk_responsible_institution_draft_id_draft_commitment')),
    sa.ForeignKeyConstraint(['named_by_id'], ['users.id'], name=op.f('fk_responsible_institution_named_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responsible_institution'))
    )
    with op.batch_alter_table('responsible_institution', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_responsible_institution_draft_id'), ['draft_id'], unique=False)

    op.create_table('measurement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('measured_on', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_measurement_indicator_id_indicator')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_measurement_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measurement'))
    )
    with op.batch_alter_table('measurement', schema=None) as batch_op:
        batch_op.create_index('ix_measurement_indicator_date', ['indicator_id', 'measured_on'], unique=False)

    op.create_table('evidence_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_evidence_link_added_by_id_users')),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestone.id'], name=op.f('fk_evidence_link_milestone_id_milestone')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_link'))
    )
    with op.batch_alter_table('evidence_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_link_milestone_id'), ['milestone_id'], unique=False)

    op.create_table('milestone_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('not_started', 'in_progress', 'complete', 'cancelled', name='milestonestatus', native_enum=False, length=32), nullable=False),
    sa.Column('actual_start', sa.Date(), nullable=True),
    sa.Column('actual_end', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_milestone_update_author_id_users')),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestone.id'], name=op.f('fk_milestone_update_milestone_id_milestone')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_update'))
    )
    with op.batch_alter_table('milestone_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_update_milestone_id'), ['milestone_id'], unique=False)

    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('status', sa.Enum('not_started', 'in_progress', 'complete', 'cancelled', name='milestonestatus', native_enum=False, length=32), server_default='not_started', nullable=False))
        batch_op.add_column(sa.Column('actual_start', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('actual_end', sa.Date(), nullable=True))

    op.create_table('implementation_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=True),
    sa.Column('at_risk', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('body_source', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('NOT at_risk OR milestone_id IS NOT NULL', name=op.f('ck_implementation_comment_at_risk_names_milestone')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_implementation_comment_author_id_users')),
    sa.ForeignKeyConstraint(['draft_id'], ['draft_commitment.id'], name=op.f('fk_implementation_comment_draft_id_draft_commitment')),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestone.id'], name=op.f('fk_implementation_comment_milestone_id_milestone')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_implementation_comment_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_implementation_comment'))
    )
    with op.batch_alter_table('implementation_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_implementation_comment_draft_id'), ['draft_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_implementation_comment_milestone_id'), ['milestone_id'], unique=False)

    # A response answers exactly one contribution: a proposal, a comment, or now a comment on a
    # commitment's implementation; a commitment's contact answers for no seat.
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('implementation_comment_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_response_implementation_comment_id_implementation_comment'),
                                    'implementation_comment', ['implementation_comment_id'], ['id'])
        batch_op.alter_column('seat', existing_type=sa.String(length=32), nullable=True)
        batch_op.drop_constraint(op.f('ck_response_exactly_one_contribution'), type_='check')
        batch_op.create_check_constraint('exactly_one_contribution', NEW_CHECK)
        batch_op.create_unique_constraint('uq_response_implementation_comment_revision',
                                          ['implementation_comment_id', 'revision'])
    op.create_index('uq_response_current_implementation_comment', 'response', ['implementation_comment_id'],
                    unique=True, sqlite_where=sa.text('is_current AND implementation_comment_id IS NOT NULL'),
                    postgresql_where=sa.text('is_current AND implementation_comment_id IS NOT NULL'))




def downgrade():
    op.drop_index('uq_response_current_implementation_comment', table_name='response')
    op.execute("DELETE FROM response WHERE implementation_comment_id IS NOT NULL")
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_constraint('uq_response_implementation_comment_revision', type_='unique')
        batch_op.drop_constraint(op.f('ck_response_exactly_one_contribution'), type_='check')
        batch_op.create_check_constraint('exactly_one_contribution', OLD_CHECK)
        batch_op.alter_column('seat', existing_type=sa.String(length=32), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_response_implementation_comment_id_implementation_comment'),
                                 type_='foreignkey')
        batch_op.drop_column('implementation_comment_id')
    with op.batch_alter_table('implementation_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_implementation_comment_milestone_id'))
        batch_op.drop_index(batch_op.f('ix_implementation_comment_draft_id'))
    op.drop_table('implementation_comment')

    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_column('actual_end')
        batch_op.drop_column('actual_start')
        batch_op.drop_column('status')
        batch_op.drop_column('planned_start')

    with op.batch_alter_table('milestone_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_update_milestone_id'))

    op.drop_table('milestone_update')
    with op.batch_alter_table('evidence_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_link_milestone_id'))

    op.drop_table('evidence_link')
    with op.batch_alter_table('measurement', schema=None) as batch_op:
        batch_op.drop_index('ix_measurement_indicator_date')

    op.drop_table('measurement')
    with op.batch_alter_table('responsible_institution', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_responsible_institution_draft_id'))

    op.drop_table('responsible_institution')
    with op.batch_alter_table('recommendation_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendation_link_recommendation_id'))

    op.drop_table('recommendation_link')
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_draft_id'))

    op.drop_table('indicator')
    with op.batch_alter_table('commitment_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitment_contact_draft_id'))

    op.drop_table('commitment_contact')
    with op.batch_alter_table('assessment_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_entry_draft_id'))

    op.drop_table('assessment_entry')
    with op.batch_alter_table('recommendation_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendation_update_recommendation_id'))

    op.drop_table('recommendation_update')
    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendation_plan_id'))

    op.drop_table('recommendation')
    op.drop_table('plan_monitoring')
    with op.batch_alter_table('assessor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessor_user_id'))

    op.drop_table('assessor')
