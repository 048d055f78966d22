"""Reports on comments and the public log of moderation decisions."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..comments.models import Comment
from ..core.db import enum_column, utcnow
from ..extensions import db


class Decision(enum.StrEnum):
    HIDDEN = "hidden"
    DISMISSED = "dismissed"

    @property
    def label(self):
        return {Decision.HIDDEN: _l("Comment hidden"), Decision.DISMISSED: _l("Report dismissed")}[self]


class Report(db.Model):
    __tablename__ = "report"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decision: Mapped[Decision | None] = enum_column(Decision, nullable=True)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    comment: Mapped[Comment] = relationship()
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])

    __table_args__ = (Index("ix_report_open", "decision", "created_at"), Index("ix_report_comment_id", "comment_id"))


class ModerationAction(db.Model):
    """One line of the public moderation log: no personal data beyond the moderator's public name."""

    __tablename__ = "moderation_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), index=True)
    decision: Mapped[Decision] = enum_column(Decision)
    reason: Mapped[str] = mapped_column(Text)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    moderator_name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    comment: Mapped[Comment] = relationship()
    moderator: Mapped[User] = relationship(foreign_keys=[moderator_id])

    @property
    def moderator_public_name(self) -> str:
        """The name as it stood at the decision, unless the moderator has since closed the account."""
        return self.moderator.public_name if self.moderator.is_closed else self.moderator_name
