"""A ballot, its options and the votes cast. DOMAIN.md, "Vote": one vote per verified organisation or
per participant, as the call says; the tally is recorded. Voters approve any number of options
(approval voting): it suits both choosing priority themes and adopting commitments."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..calls.models import Call, Theme
from ..core.db import TimestampMixin, enum_column, utcnow
from ..core.sectors import Sector
from ..drafts.models import DraftCommitment
from ..extensions import db


class BallotKind(enum.StrEnum):
    THEMES = "themes"
    COMMITMENTS = "commitments"

    @property
    def label(self):
        return {BallotKind.THEMES: _l("Priority themes"), BallotKind.COMMITMENTS: _l("Adoption of commitments")}[self]


class Electorate(enum.StrEnum):
    ORGANISATIONS = "organisations"
    PARTICIPANTS = "participants"

    @property
    def label(self):
        return {Electorate.ORGANISATIONS: _l("One vote per verified organisation"),
                Electorate.PARTICIPANTS: _l("One vote per participant")}[self]


class Ballot(TimestampMixin, db.Model):
    __tablename__ = "ballot"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), index=True)
    kind: Mapped[BallotKind] = enum_column(BallotKind)
    electorate: Mapped[Electorate] = enum_column(Electorate)
    question: Mapped[str] = mapped_column(String(300))
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    # DOMAIN.md, "What is public, and when": a ballot is public once published; before, nothing of it.
    published_at: Mapped[datetime | None]
    results_published_at: Mapped[datetime | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    call: Mapped[Call] = relationship()
    options: Mapped[list[BallotOption]] = relationship(order_by="BallotOption.id")

    def is_open_at(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at

    @property
    def is_open(self) -> bool:
        return self.is_open_at(utcnow())


class BallotOption(db.Model):
    __tablename__ = "ballot_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"), index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id"))
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft_commitment.id"))

    theme: Mapped[Theme | None] = relationship()
    draft: Mapped[DraftCommitment | None] = relationship()

    __table_args__ = (
        CheckConstraint("(theme_id IS NULL) <> (draft_id IS NULL)", name="exactly_one_subject"),
    )

    @property
    def label(self) -> str:
        return self.theme.name if self.theme else self.draft.title


class BallotVoter(db.Model):
    """Who has voted on a ballot: one row per voter (organisation or person), whatever they chose."""

    __tablename__ = "ballot_voter"

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    sector: Mapped[Sector] = enum_column(Sector)
    territory: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        # One vote per organisation (organisations' ballots) and one per person (always).
        Index("uq_ballot_voter_organisation", "ballot_id", "organisation_id", unique=True,
              sqlite_where=text("organisation_id IS NOT NULL"), postgresql_where=text("organisation_id IS NOT NULL")),
        Index("uq_ballot_voter_person", "ballot_id", "user_id", unique=True),
    )


class Vote(db.Model):
    """One approved option in a voter's ballot."""

    __tablename__ = "vote"

    id: Mapped[int] = mapped_column(primary_key=True)
    voter_id: Mapped[int] = mapped_column(ForeignKey("ballot_voter.id"), index=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("ballot_option.id"), index=True)
