"""The public repository: documents and their versions (files stored by content hash), and commission
reports.

Revision ID: 0011_repository
Revises: 0010_salted_chain
Create Date: 2026-12-02

DOMAIN.md, "Public record [repositorio]". A document belongs to at most one plan, call, meeting or
proposal (explicit nullable keys with a CHECK, no generic foreign key); replacing its file adds a
version row. A commission report holds the fields DOMAIN.md lists, its folio unique.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_repository'
down_revision = '0010_salted_chain'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('commission_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('folio', sa.String(length=40), nullable=False),
    sa.Column('report_date', sa.Date(), nullable=False),
    sa.Column('addressee', sa.String(length=300), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('act', sa.Text(), nullable=False),
    sa.Column('objective', sa.Text(), nullable=False),
    sa.Column('activities', sa.Text(), nullable=False),
    sa.Column('conclusions', sa.Text(), nullable=False),
    sa.Column('results', sa.Text(), nullable=False),
    sa.Column('commissioner', sa.String(length=200), nullable=False),
    sa.Column('position_key', sa.String(length=40), nullable=False),
    sa.Column('position_title', sa.String(length=300), nullable=False),
    sa.Column('unit', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('period_from <= period_to', name=op.f('ck_commission_report_period_in_order')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_commission_report_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commission_report')),
    sa.UniqueConstraint('folio', name=op.f('uq_commission_report_folio'))
    )
    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('minutes', 'annex', 'terms', 'report', 'attachment', 'other', name='documentkind', native_enum=False, length=32), nullable=False),
    sa.Column('document_date', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('language', sa.String(length=8), server_default='es', nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('call_id', sa.Integer(), nullable=True),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(CASE WHEN plan_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN call_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN meeting_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN proposal_id IS NULL THEN 0 ELSE 1 END) <= 1', name=op.f('ck_document_one_subject')),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_document_call_id_call')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_document_created_by_id_users')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_document_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['plan_id'], ['action_plan.id'], name=op.f('fk_document_plan_id_action_plan')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_document_proposal_id_proposal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document'))
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('document_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('extension', sa.String(length=16), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), server_default='', nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_document_version_created_by_id_users')),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_version_document_id_document')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_version')),
    sa.UniqueConstraint('document_id', 'number', name='uq_document_version_number')
    )
    with op.batch_alter_table('document_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_version_sha256'), ['sha256'], unique=False)



    op.create_table('search_index',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('terms', sa.Text(), nullable=False),
    sa.Column('endpoint', sa.String(length=64), nullable=False),
    sa.Column('args', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_index')),
    sa.UniqueConstraint('kind', 'object_id', name='uq_search_index_object')
    )
    with op.batch_alter_table('search_index', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_index_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_index_year'), ['year'], unique=False)
    # The full-text part, per database (search/models.py). The index starts empty: existing data is
    # indexed by `flask --app ogpcocreate repository rebuild-search`.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_search_index_terms ON search_index USING gin (to_tsvector('simple'::regconfig, terms))")
    else:
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(terms)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_index_terms")
    else:
        op.execute("DROP TABLE IF EXISTS search_fts")
    with op.batch_alter_table('search_index', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_index_year'))
        batch_op.drop_index(batch_op.f('ix_search_index_plan_id'))
    op.drop_table('search_index')
    with op.batch_alter_table('document_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_version_sha256'))

    op.drop_table('document_version')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_document_plan_id'))
        batch_op.drop_index(batch_op.f('ix_document_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_document_call_id'))

    op.drop_table('document')
    op.drop_table('commission_report')
