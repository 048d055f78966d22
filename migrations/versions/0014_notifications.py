"""Following, notifications and digests; HTML parts and extra headers on outgoing mail.

Revision ID: 0014_notifications
Revises: 0013_archive
Create Date: 2026-12-02

Issue 17, "Following and notifications": who follows what (``follow``), each person's notifications
(``notification``, derived from the participation log or from dates passing, unique per ``key``) and
their choice of frequency per kind (``notification_preference``). The outbox gains an optional HTML
part and extra headers (List-Unsubscribe); existing messages keep only their plain part.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_notifications'
down_revision = '0013_archive'
branch_labels = None
depends_on = None

ONE_SUBJECT = ("(CASE WHEN plan_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN call_id IS NULL THEN 0 ELSE 1 END)"
               " + (CASE WHEN proposal_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN draft_id IS NULL THEN 0 ELSE 1 END) = 1")


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_html', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('headers', sa.JSON(), nullable=True))

    op.create_table(
        'follow',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=True),
        sa.Column('call_id', sa.Integer(), nullable=True),
        sa.Column('proposal_id', sa.Integer(), nullable=True),
        sa.Column('draft_id', sa.Integer(), nullable=True),
        sa.Column('subject', sa.String(length=40), nullable=False),
        sa.Column('automatic', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(ONE_SUBJECT, name=op.f('ck_follow_exactly_one_subject')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_follow_user_id_users')),
        sa.ForeignKeyConstraint(['plan_id'], ['action_plan.id'], name=op.f('fk_follow_plan_id_action_plan')),
        sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_follow_call_id_call')),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_follow_proposal_id_proposal')),
        sa.ForeignKeyConstraint(['draft_id'], ['draft_commitment.id'],
                                name=op.f('fk_follow_draft_id_draft_commitment')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_follow')),
        sa.UniqueConstraint('user_id', 'subject', name='uq_follow_user_subject'),
    )
    op.create_index('ix_follow_call_id', 'follow', ['call_id'])
    op.create_index('ix_follow_plan_id', 'follow', ['plan_id'])
    op.create_index('ix_follow_proposal_id', 'follow', ['proposal_id'])
    op.create_index('ix_follow_draft_id', 'follow', ['draft_id'])

    op.create_table(
        'notification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('subject_type', sa.String(length=40), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('event_seq', sa.Integer(), nullable=True),
        sa.Column('occasion', sa.String(length=40), nullable=True),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('path', sa.String(length=300), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('delivery', sa.String(length=32), nullable=False),
        sa.Column('digest_message_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_user_id_users')),
        sa.ForeignKeyConstraint(['digest_message_id'], ['outbox_message.id'],
                                name=op.f('fk_notification_digest_message_id_outbox_message'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
        sa.UniqueConstraint('key', name=op.f('uq_notification_key')),
    )
    op.create_index('ix_notification_user_created', 'notification', ['user_id', 'created_at'])
    op.create_index('ix_notification_undelivered', 'notification', ['delivery', 'digest_message_id', 'user_id'])

    op.create_table(
        'notification_preference',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('frequency', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preference_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preference')),
        sa.UniqueConstraint('user_id', 'kind', name='uq_notification_preference_user_kind'),
    )


def downgrade():
    op.drop_table('notification_preference')
    op.drop_index('ix_notification_undelivered', table_name='notification')
    op.drop_index('ix_notification_user_created', table_name='notification')
    op.drop_table('notification')
    for name in ('draft', 'proposal', 'plan', 'call'):
        op.drop_index(f'ix_follow_{name}_id', table_name='follow')
    op.drop_table('follow')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('headers')
        batch_op.drop_column('body_html')
