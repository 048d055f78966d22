"""Participation tallies: the participation log counted per process, kept beside it (reports/tally.py)."""

from __future__ import annotations

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class ParticipationTally(db.Model):
    """How many participation acts one person did in one call, for one organisation (0: as an
    individual), under one sector, territory and channel, in one phase of the call.

    Derived data: every row can be recomputed from the log (tally.rebuild), so it has no foreign keys
    and no history; its key columns are NOT NULL (0 / "" stand for "none") so the unique key holds.
    """

    __tablename__ = "participation_tally"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int]
    call_id: Mapped[int]
    actor_id: Mapped[int]
    organisation_id: Mapped[int] = mapped_column(default=0, server_default="0")
    sector: Mapped[str] = mapped_column(String(32))
    territory: Mapped[str] = mapped_column(String(16), default="", server_default="")
    channel: Mapped[str] = mapped_column(String(32))
    phase: Mapped[str] = mapped_column(String(32))
    acts: Mapped[int] = mapped_column(default=0, server_default="0")

    __table_args__ = (
        UniqueConstraint("call_id", "actor_id", "organisation_id", "sector", "territory", "channel", "phase",
                         name="uq_participation_tally_key"),
        Index("ix_participation_tally_plan_id", "plan_id"),
    )
