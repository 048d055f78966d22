"""A proposal [propuesta]: a contribution to a call, for an organisation or as an individual."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..calls.models import Call, Theme
from ..core.db import TimestampMixin, utcnow
from ..extensions import db
from ..organisations.models import Organisation


class Proposal(TimestampMixin, db.Model):
    __tablename__ = "proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # None: submitted by the author as an individual citizen (where the call allows it).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    title: Mapped[str] = mapped_column(String(200))
    # Each rich-text field: the Markdown as typed, and its sanitised HTML (core/richtext.py).
    problem_source: Mapped[str] = mapped_column(Text)
    problem: Mapped[str] = mapped_column(Text)
    action_source: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    expected_result_source: Mapped[str] = mapped_column(Text)
    expected_result: Mapped[str] = mapped_column(Text)
    links: Mapped[str] = mapped_column(Text, default="", server_default="")  # one URL per line
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)  # the author's, published with the withdrawal
    edited_at: Mapped[datetime | None]  # when the author last edited the text (withdrawing is not editing)

    call: Mapped[Call] = relationship()
    theme: Mapped[Theme] = relationship()
    author: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (
        Index("ix_proposal_call_theme", "call_id", "theme_id"),
        Index("ix_proposal_author_id", "author_id"),
        Index("ix_proposal_organisation_id", "organisation_id"),
        # A call's proposals newest first (its pages) and its counts per outcome, without sorting the call.
        Index("ix_proposal_call_created", "call_id", "created_at", "withdrawn_at"),
    )

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def link_list(self) -> list[str]:
        return [line for line in self.links.splitlines() if line.strip()]
