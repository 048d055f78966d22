"""A comment [comentario] on a published draft version.

DOMAIN.md, "Comment": optionally anchored to one section; replies are threaded; rich text sanitised
on the way in. "Moderation": a hidden comment keeps its text (author and secretariat can still read
it) and the public sees that it was hidden and why. Nothing a participant contributed is deleted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..core.db import TimestampMixin, enum_column
from ..drafts.models import DraftVersion, Section
from ..extensions import db
from ..organisations.models import Organisation


class Comment(TimestampMixin, db.Model):
    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("draft_version.id"))
    section: Mapped[Section | None] = enum_column(Section, nullable=True)
    # Replies: a reply's parent is a top-level comment, so threads are two levels deep.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    # False for the secretariat's own comments: they answer contributions, they are not contributions.
    is_contribution: Mapped[bool] = mapped_column(default=True)
    body_source: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    version: Mapped[DraftVersion] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (
        Index("ix_comment_version_created", "version_id", "created_at"),
        Index("ix_comment_parent_id", "parent_id"),
        Index("ix_comment_author_id", "author_id"),
        # A version's threads in order and their count; its comments per section and its contributions:
        # ranges of these two indexes, which hold every column those queries read.
        Index("ix_comment_version_thread", "version_id", "parent_id", "created_at"),
        Index("ix_comment_version_counts", "version_id", "section", "is_contribution", "hidden_at"),
    )

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None
