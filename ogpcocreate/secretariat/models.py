"""A person's tenure on one seat of the secretariat; ending it keeps the history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..core.db import enum_column, utcnow
from ..core.sectors import Seat
from ..extensions import db


class SecretariatMembership(db.Model):
    __tablename__ = "secretariat_membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    seat: Mapped[Seat] = enum_column(Seat)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])

    __table_args__ = (
        # One seat at a time per person; several people may share a seat.
        Index(
            "uq_secretariat_membership_active",
            "user_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    @property
    def is_current(self) -> bool:
        return self.ended_at is None
