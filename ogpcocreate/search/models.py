"""The search index: one row per searchable thing, kept current in the same transaction as each write
(search/index.py). The full-text part lives beside it, per database, outside the models (migrations
0011 and 0018_search_reindex): on SQLite an FTS5 table ``search_fts(title, body)`` (rowid = this row's id)
holding copies of ``title_terms`` and ``terms``; on PostgreSQL a stored generated column ``vector``
(title lexemes at weight A, body at B) with a GIN index."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class SearchEntry(db.Model):
    __tablename__ = "search_index"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int] = mapped_column(Integer)
    plan_id: Mapped[int | None] = mapped_column(Integer, index=True)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    dated_on: Mapped[date | None] = mapped_column(Date)  # the subject's date, for "newest first"
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)  # the readable text, for the highlighted passage
    title_terms: Mapped[str] = mapped_column(Text, server_default="")  # stems of the title (search/text.py)
    terms: Mapped[str] = mapped_column(Text)  # stems of the body
    endpoint: Mapped[str] = mapped_column(String(64))
    args: Mapped[str] = mapped_column(String(200))  # JSON of url_for's arguments

    __table_args__ = (UniqueConstraint("kind", "object_id", name="uq_search_index_object"),)


class SearchIndexState(db.Model):
    """One row: the version of the indexer that wrote the index (search/index.py, ``INDEX_VERSION``)."""

    __tablename__ = "search_index_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
