"""A working meeting, who attended (registered people and organisations, plus unregistered counts by
sector), its minutes and agreements. DOMAIN.md, "Meeting"; attendance is participation."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..calls.models import Call, Theme
from ..core.db import TimestampMixin, enum_column
from ..core.sectors import Sector
from ..extensions import db
from ..organisations.models import Organisation


class Modality(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"

    @property
    def label(self):
        return {Modality.IN_PERSON: _l("In person"), Modality.ONLINE: _l("Online"),
                Modality.HYBRID: _l("In person and online")}[self]


class Meeting(TimestampMixin, db.Model):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id"))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    modality: Mapped[Modality] = enum_column(Modality)
    place: Mapped[str] = mapped_column(String(300), default="", server_default="")
    territory: Mapped[str] = mapped_column(String(16))
    minutes_source: Mapped[str] = mapped_column(Text, default="", server_default="")
    minutes: Mapped[str] = mapped_column(Text, default="", server_default="")
    agreements_source: Mapped[str] = mapped_column(Text, default="", server_default="")
    agreements: Mapped[str] = mapped_column(Text, default="", server_default="")
    signed_at: Mapped[datetime | None]  # when all three seats had approved the minutes
    # DOMAIN.md, "What is public, and when": a meeting is public once published; before, nothing of it.
    published_at: Mapped[datetime | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    call: Mapped[Call] = relationship()
    theme: Mapped[Theme | None] = relationship()
    attendees: Mapped[list[Attendance]] = relationship(back_populates="meeting", order_by="Attendance.id")
    unregistered: Mapped[list[UnregisteredAttendance]] = relationship(order_by="UnregisteredAttendance.sector")

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class Attendance(db.Model):
    __tablename__ = "attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (UniqueConstraint("meeting_id", "user_id", name="uq_attendance_person"),)


class UnregisteredAttendance(db.Model):
    """People without an account who attended, counted by sector (no personal data)."""

    __tablename__ = "unregistered_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"))
    sector: Mapped[Sector] = enum_column(Sector)
    count: Mapped[int]

    __table_args__ = (
        UniqueConstraint("meeting_id", "sector", name="uq_unregistered_attendance_sector"),
        CheckConstraint("count >= 0", name="count_not_negative"),
        Index("ix_unregistered_attendance_meeting", "meeting_id"),
    )
