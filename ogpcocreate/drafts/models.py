"""A draft commitment [borrador de compromiso], its immutable versions and their milestones.

DOMAIN.md, "Draft commitment": follows the OGP commitment template; published as immutable versions;
links to the proposals it came from. A version states which contributions it incorporates, and the
responses to those contributions link back to it (responses/models.py): the trace of influence.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..calls.models import Call, Theme
from ..core.db import TimestampMixin, enum_column, utcnow
from ..extensions import db
from ..proposals.models import Proposal


class Section(enum.StrEnum):
    """The sections of the OGP commitment template; comments may be anchored to one of them."""

    PROBLEM = "problem"
    STATUS_QUO = "status_quo"
    DESCRIPTION = "description"
    HOW = "how"
    RELEVANCE = "relevance"
    MILESTONES = "milestones"
    OTHER_ACTORS = "other_actors"

    @property
    def label(self):
        return SECTION_LABELS[self]


SECTION_LABELS = {
    Section.PROBLEM: _l("Problem to address"),
    Section.STATUS_QUO: _l("Status quo"),
    Section.DESCRIPTION: _l("Description of the commitment"),
    Section.HOW: _l("How it addresses the problem"),
    Section.RELEVANCE: _l("Relevance to OGP values"),
    Section.MILESTONES: _l("Milestones"),
    Section.OTHER_ACTORS: _l("Other actors involved"),
}
TEXT_SECTIONS = [s for s in Section if s is not Section.MILESTONES]


class Adoption(enum.StrEnum):
    """How a commitment became final (DOMAIN.md, "Vote"; issue: adopted by approval or by vote)."""

    TRIPARTITE = "tripartite"
    VOTE = "vote"

    @property
    def label(self):
        return {Adoption.TRIPARTITE: _l("Adopted by the secretariat's tripartite approval"),
                Adoption.VOTE: _l("Adopted by participants' vote")}[self]


draft_sources = Table(
    "draft_source",
    db.metadata,
    Column("draft_id", ForeignKey("draft_commitment.id"), primary_key=True),
    Column("proposal_id", ForeignKey("proposal.id"), primary_key=True),
)


class DraftCommitment(TimestampMixin, db.Model):
    __tablename__ = "draft_commitment"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id"))
    title: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    adopted_via: Mapped[Adoption | None] = enum_column(Adoption, nullable=True)
    adopted_at: Mapped[datetime | None]

    call: Mapped[Call] = relationship()
    theme: Mapped[Theme] = relationship()
    sources: Mapped[list[Proposal]] = relationship(secondary=draft_sources, order_by="Proposal.id")
    versions: Mapped[list[DraftVersion]] = relationship(back_populates="draft", order_by="DraftVersion.number")

    @property
    def current_version(self) -> DraftVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def is_adopted(self) -> bool:
        return self.adopted_via is not None


class DraftVersion(db.Model):
    """One published, immutable version; its comment window is the round it opens."""

    __tablename__ = "draft_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft_commitment.id"))
    number: Mapped[int]
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    comments_close_at: Mapped[datetime]
    change_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Markdown as typed and sanitised HTML, per text section of the template.
    problem_source: Mapped[str] = mapped_column(Text)
    problem: Mapped[str] = mapped_column(Text)
    status_quo_source: Mapped[str] = mapped_column(Text)
    status_quo: Mapped[str] = mapped_column(Text)
    description_source: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    how_source: Mapped[str] = mapped_column(Text)
    how: Mapped[str] = mapped_column(Text)
    relevance_source: Mapped[str] = mapped_column(Text)
    relevance: Mapped[str] = mapped_column(Text)
    other_actors_source: Mapped[str] = mapped_column(Text, default="", server_default="")
    other_actors: Mapped[str] = mapped_column(Text, default="", server_default="")

    draft: Mapped[DraftCommitment] = relationship(back_populates="versions")
    published_by: Mapped[User] = relationship()
    milestones: Mapped[list[Milestone]] = relationship(order_by="Milestone.position")

    __table_args__ = (UniqueConstraint("draft_id", "number", name="uq_draft_version_number"),)

    def comments_open_at(self, now: datetime) -> bool:
        return now < self.comments_close_at


class Incorporation(db.Model):
    """A contribution a version took in: the trace from a proposal or comment to the text it changed."""

    __tablename__ = "incorporation"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("draft_version.id"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), index=True)

    version: Mapped[DraftVersion] = relationship()

    __table_args__ = (
        CheckConstraint("(proposal_id IS NULL) <> (comment_id IS NULL)", name="exactly_one_contribution"),
        UniqueConstraint("version_id", "proposal_id", name="uq_incorporation_proposal"),
        UniqueConstraint("version_id", "comment_id", name="uq_incorporation_comment"),
    )


class MilestoneStatus(enum.StrEnum):
    """Where a milestone of an adopted commitment stands (monitoring/: contacts update it)."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    CANCELLED = "cancelled"

    @property
    def label(self):
        return {MilestoneStatus.NOT_STARTED: _l("Not started"), MilestoneStatus.IN_PROGRESS: _l("In progress"),
                MilestoneStatus.COMPLETE: _l("Complete"), MilestoneStatus.CANCELLED: _l("Cancelled")}[self]

    @property
    def is_closed(self) -> bool:
        return self in (MilestoneStatus.COMPLETE, MilestoneStatus.CANCELLED)


class Milestone(db.Model):
    """A milestone of one version. Once the commitment is adopted, the adopted version's milestones are
    the ones implemented: their status and actual dates are kept here as they stand now, and every
    change is a MilestoneUpdate row (monitoring/models.py) and an entry on the participation log."""

    __tablename__ = "milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("draft_version.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(Text)
    due: Mapped[date]  # the planned end date
    responsible: Mapped[str] = mapped_column(String(200))
    planned_start: Mapped[date | None]
    status: Mapped[MilestoneStatus] = enum_column(MilestoneStatus, default=MilestoneStatus.NOT_STARTED,
                                                  server_default=MilestoneStatus.NOT_STARTED.value)
    actual_start: Mapped[date | None]
    actual_end: Mapped[date | None]

    version: Mapped[DraftVersion] = relationship(viewonly=True)

    def is_overdue(self, today: date) -> bool:
        """Past its planned end and not done (a cancelled milestone is not overdue: it was dropped)."""
        return not self.status.is_closed and self.due < today

    __table_args__ = (Index("ix_milestone_version_position", "version_id", "position"),)
