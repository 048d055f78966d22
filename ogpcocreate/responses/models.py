"""A reasoned response to a contribution, kept as a history of revisions.

DOMAIN.md, "Contribution": every contribution (a proposal or a comment) receives an outcome and a
justification (mandatory unless adopted). Each response answers exactly one contribution: explicit
``proposal_id`` and ``comment_id`` with a CHECK that one is set (STYLE.md, convention 9). Revising a
response adds a row and moves ``is_current``; nothing is overwritten. Which version of a draft took a
contribution in is recorded by the version itself (drafts/models.py, ``Incorporation``).
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..core.db import enum_column, utcnow
from ..core.sectors import Seat
from ..extensions import db


class Outcome(enum.StrEnum):
    ADOPTED = "adopted"
    PARTIALLY_ADOPTED = "partially_adopted"
    MERGED = "merged"
    NOT_ADOPTED = "not_adopted"
    OUT_OF_SCOPE = "out_of_scope"

    @property
    def label(self):
        return OUTCOME_LABELS[self]

    @property
    def needs_justification(self) -> bool:
        return self is not Outcome.ADOPTED


OUTCOME_LABELS = {
    Outcome.ADOPTED: _l("Adopted"),
    Outcome.PARTIALLY_ADOPTED: _l("Partially adopted"),
    Outcome.MERGED: _l("Merged with another contribution"),
    Outcome.NOT_ADOPTED: _l("Not adopted"),
    Outcome.OUT_OF_SCOPE: _l("Out of scope"),
}


class Response(db.Model):
    __tablename__ = "response"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"))
    # A comment on a commitment's implementation (monitoring/models.py), answered the same way.
    implementation_comment_id: Mapped[int | None] = mapped_column(ForeignKey("implementation_comment.id"))
    revision: Mapped[int] = mapped_column(default=1)
    is_current: Mapped[bool] = mapped_column(default=True)
    outcome: Mapped[Outcome] = enum_column(Outcome)
    justification_source: Mapped[str] = mapped_column(Text, default="", server_default="")
    justification: Mapped[str] = mapped_column(Text, default="", server_default="")
    responder_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The seat the responder answered for; none for a commitment's contact (the responsible institution).
    seat: Mapped[Seat | None] = enum_column(Seat, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    responder: Mapped[User] = relationship()

    __table_args__ = (
        CheckConstraint("(CASE WHEN proposal_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN comment_id IS NULL THEN 0 ELSE 1 END)"
                        " + (CASE WHEN implementation_comment_id IS NULL THEN 0 ELSE 1 END) = 1",
                        name="exactly_one_contribution"),
        UniqueConstraint("proposal_id", "revision", name="uq_response_proposal_revision"),
        UniqueConstraint("comment_id", "revision", name="uq_response_comment_revision"),
        Index(
            "uq_response_current_proposal",
            "proposal_id",
            unique=True,
            sqlite_where=text("is_current AND proposal_id IS NOT NULL"),
            postgresql_where=text("is_current AND proposal_id IS NOT NULL"),
        ),
        UniqueConstraint("implementation_comment_id", "revision", name="uq_response_implementation_comment_revision"),
        Index(
            "uq_response_current_implementation_comment",
            "implementation_comment_id",
            unique=True,
            sqlite_where=text("is_current AND implementation_comment_id IS NOT NULL"),
            postgresql_where=text("is_current AND implementation_comment_id IS NOT NULL"),
        ),
        # The current response of each comment or proposal of a page or a count, read from the index alone.
        Index("ix_response_comment_current", "comment_id", "is_current"),
        Index("ix_response_proposal_current", "proposal_id", "is_current", "outcome"),
        Index(
            "uq_response_current_comment",
            "comment_id",
            unique=True,
            sqlite_where=text("is_current AND comment_id IS NOT NULL"),
            postgresql_where=text("is_current AND comment_id IS NOT NULL"),
        ),
    )
