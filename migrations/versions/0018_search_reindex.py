"""The search index ranks by relevance, weighs titles above bodies, sorts by date, and is filled by the
upgrade itself.

Revision ID: 0018_search_reindex
Revises: 0017_counting_indexes
Create Date: 2026-12-02

Until now the index kept one column of stems (title and body together), so neither database could tell a
match in a title from one in a body, and a database upgraded past 0011 had an empty index until someone
ran `flask repository rebuild-search`. Here:

- ``title_terms`` keeps the title's stems apart from the body's (``terms``); SQLite's FTS5 table gets a
  column for each, so ``bm25()`` can weigh them, and PostgreSQL a stored ``tsvector`` with the title's
  lexemes at weight A and the body's at B (for ``ts_rank_cd``), GIN-indexed in place of the expression
  index on ``terms``.
- ``dated_on``: the subject's own date, for the "newest first" order.
- ``search_index_state`` records which version of the indexer wrote the index. After every upgrade that
  reaches the head, migrations/env.py compares it with ``search.index.INDEX_VERSION`` and rebuilds the
  index in the upgrade's transaction when they differ (in batches, with the models of the code that runs
  the upgrade). This revision leaves the stamp empty, so the first upgrade to it fills the index.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_search_reindex'
down_revision = '0017_counting_indexes'
branch_labels = None
depends_on = None

VECTOR = ("setweight(to_tsvector('simple'::regconfig, title_terms), 'A') || "
          "setweight(to_tsvector('simple'::regconfig, terms), 'B')")


def upgrade():
    op.create_table(
        "search_index_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_index_state")),
    )
    with op.batch_alter_table("search_index") as batch:
        batch.add_column(sa.Column("title_terms", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("dated_on", sa.Date(), nullable=True))
    # Rows of the old layout would be found by the wrong columns: the rebuild after the upgrade rewrites
    # them all; until then (an upgrade stopped at this revision) the index is simply empty.
    op.execute("DELETE FROM search_index")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_index_terms")
        op.execute(f"ALTER TABLE search_index ADD COLUMN vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED")
        op.execute("CREATE INDEX ix_search_index_vector ON search_index USING gin (vector)")
    else:
        op.execute("DROP TABLE IF EXISTS search_fts")
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, body)")


def downgrade():
    # Back to one column of stems, title first, as revision 0011 wrote them.
    op.execute("UPDATE search_index SET terms = title_terms || ' ' || terms WHERE title_terms <> ''")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_index_vector")
        op.execute("ALTER TABLE search_index DROP COLUMN vector")
        op.execute("CREATE INDEX ix_search_index_terms ON search_index USING gin (to_tsvector('simple'::regconfig, terms))")
    else:
        op.execute("DROP TABLE IF EXISTS search_fts")
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(terms)")
        op.execute("INSERT INTO search_fts(rowid, terms) SELECT id, terms FROM search_index")
    with op.batch_alter_table("search_index") as batch:
        batch.drop_column("dated_on")
        batch.drop_column("title_terms")
    op.drop_table("search_index_state")
