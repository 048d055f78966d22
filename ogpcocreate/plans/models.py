"""An action plan and whether its decisions need all three seats of the secretariat."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import TimestampMixin, enum_column, utcnow
from ..extensions import db


class PlanStatus(enum.StrEnum):
    CO_CREATION = "co_creation"
    IMPLEMENTATION = "implementation"
    CLOSED = "closed"

    @property
    def label(self):
        return {
            PlanStatus.CO_CREATION: _l("Co-creation"),
            PlanStatus.IMPLEMENTATION: _l("Implementation"),
            PlanStatus.CLOSED: _l("Closed"),
        }[self]


class ActionPlan(TimestampMixin, db.Model):
    __tablename__ = "action_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[int]
    period_end: Mapped[int]
    status: Mapped[PlanStatus] = enum_column(PlanStatus, default=PlanStatus.CO_CREATION)
    description_source: Mapped[str] = mapped_column(Text, default="", server_default="")
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    # DOMAIN.md "Tripartite approval": a plan can switch the requirement off; then one member suffices.
    requires_tripartite: Mapped[bool] = mapped_column(default=True, server_default="1")
    # OGP standards: a call is announced this many days before it opens (shorter is allowed, but flagged).
    notice_days: Mapped[int] = mapped_column(default=14, server_default="14")
    # DOMAIN.md, "Refinements of the influence rules": empower needs a deciding vote with at least this
    # many voters, so a handful of people cannot stand for "the public makes the final decision".
    min_turnout: Mapped[int] = mapped_column(default=10, server_default="10")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def period(self) -> str:
        return f"{self.period_start}–{self.period_end}"
