"""Indexes that let the heavy pages count and page without reading whole tables.

Revision ID: 0017_counting_indexes
Revises: 0016_page_generation
Create Date: 2026-12-02

A draft with thousands of comments and a call with thousands of proposals: the page of threads, the
threads' count, the count per section and the round's count of contributions awaiting a response read
every comment row of the version; the call's page of proposals sorted every proposal of the call, and
its count per outcome looked each current response up by row. Each of these is now a range of one
index, which holds every column the query needs (SQLite and PostgreSQL alike).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017_counting_indexes'
down_revision = '0016_page_generation'
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_comment_version_thread", "comment", ["version_id", "parent_id", "created_at"]),
    ("ix_comment_version_counts", "comment", ["version_id", "section", "is_contribution", "hidden_at"]),
    ("ix_response_comment_current", "response", ["comment_id", "is_current"]),
    ("ix_response_proposal_current", "response", ["proposal_id", "is_current", "outcome"]),
    ("ix_proposal_call_created", "proposal", ["call_id", "created_at", "withdrawn_at"]),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
