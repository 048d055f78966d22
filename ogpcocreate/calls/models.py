"""A call for proposals, its themes [mesas temáticas] and its timeline."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import TimestampMixin, enum_column, utcnow
from ..extensions import db
from ..plans.models import ActionPlan
from .phases import Phase


class Submitters(enum.StrEnum):
    """Who may submit proposals to a call (DOMAIN.md, "Call for proposals")."""

    ORGANISATIONS = "organisations"
    ORGANISATIONS_AND_INDIVIDUALS = "organisations_and_individuals"

    @property
    def label(self):
        return {
            Submitters.ORGANISATIONS: _l("Organisations only"),
            Submitters.ORGANISATIONS_AND_INDIVIDUALS: _l("Organisations and individual citizens"),
        }[self]


class Call(TimestampMixin, db.Model):
    __tablename__ = "call"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plan.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description_source: Mapped[str] = mapped_column(Text, default="", server_default="")
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    submitters: Mapped[Submitters] = enum_column(Submitters, default=Submitters.ORGANISATIONS)
    announce_at: Mapped[datetime]
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    deliberation_at: Mapped[datetime]
    decision_at: Mapped[datetime]
    results_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    results_published_at: Mapped[datetime | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    plan: Mapped[ActionPlan] = relationship()
    # A theme belongs to its call: one dropped while the call is still a draft is deleted (nothing refers to
    # it before publication).
    themes: Mapped[list[Theme]] = relationship(back_populates="call", order_by="Theme.position",
                                               cascade="all, delete-orphan")

    __table_args__ = (Index("ix_call_published_opens", "published_at", "opens_at"),)

    def phase_at(self, now: datetime) -> Phase:
        if self.published_at is None:
            return Phase.DRAFT
        if self.results_published_at is not None:
            return Phase.RESULTS
        if now < self.opens_at:
            return Phase.ANNOUNCED
        if now < self.closes_at:
            return Phase.OPEN
        if now < self.deliberation_at:
            return Phase.REVIEW
        if now < self.decision_at:
            return Phase.DELIBERATION
        return Phase.DECISION

    @property
    def phase(self) -> Phase:
        return self.phase_at(utcnow())

    @property
    def is_open(self) -> bool:
        return self.phase is Phase.OPEN

    @property
    def allows_individuals(self) -> bool:
        return self.submitters is Submitters.ORGANISATIONS_AND_INDIVIDUALS

    @property
    def notice(self) -> timedelta:
        return self.opens_at - self.announce_at

    @property
    def short_notice(self) -> bool:
        """Announced fewer days ahead of opening than the plan's notice period (OGP standards)."""
        return self.notice < timedelta(days=self.plan.notice_days)


class Theme(db.Model):
    """A thematic table [mesa temática] of a call."""

    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    call: Mapped[Call] = relationship(back_populates="themes")
