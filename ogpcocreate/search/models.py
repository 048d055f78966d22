"""The search index: one row per searchable thing, kept current in the same transaction as each write
(search/index.py). The full-text part lives beside it, per database: an FTS5 table ``search_fts`` on
SQLite (rowid = this row's id), a GIN index on ``to_tsvector('simple', terms)`` on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class SearchEntry(db.Model):
    __tablename__ = "search_index"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int] = mapped_column(Integer)
    plan_id: Mapped[int | None] = mapped_column(Integer, index=True)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)  # the readable text, for the highlighted passage
    terms: Mapped[str] = mapped_column(Text)  # stems of title and body (search/text.py)
    endpoint: Mapped[str] = mapped_column(String(64))
    args: Mapped[str] = mapped_column(String(200))  # JSON of url_for's arguments

    __table_args__ = (UniqueConstraint("kind", "object_id", name="uq_search_index_object"),)
