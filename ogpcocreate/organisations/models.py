"""Organisations, their memberships and invitations."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..core.db import TimestampMixin, enum_column, utcnow
from ..core.sectors import Sector
from ..extensions import db


class Verification(enum.StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class Role(enum.StrEnum):
    ADMIN = "admin"
    MEMBER = "member"


class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower-cased, accent- and space-folded name: two organisations may not differ only in spelling.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    acronym: Mapped[str | None] = mapped_column(String(30))
    sector: Mapped[Sector] = enum_column(Sector)
    territory: Mapped[str] = mapped_column(String(16))
    cluni: Mapped[str | None] = mapped_column(String(20), unique=True)
    rfc: Mapped[str | None] = mapped_column(String(13), unique=True)
    website: Mapped[str | None] = mapped_column(String(300))
    description_source: Mapped[str] = mapped_column(Text, default="", server_default="")
    description: Mapped[str] = mapped_column(Text, default="", server_default="")  # sanitised HTML
    verification: Mapped[Verification] = enum_column(
        Verification, default=Verification.PENDING, server_default=Verification.PENDING.value
    )
    verification_reason: Mapped[str | None] = mapped_column(Text)
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    __table_args__ = (
        Index("ix_organisation_sector_territory", "sector", "territory"),
        Index("ix_organisation_verification", "verification"),
    )

    @property
    def is_verified(self) -> bool:
        return self.verification is Verification.VERIFIED

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name}>"


class Membership(db.Model):
    """A person's membership of an organisation; leaving ends it (left_at) and keeps the history."""

    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[Role] = enum_column(Role, default=Role.MEMBER)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    user: Mapped[User] = relationship()

    __table_args__ = (
        Index(
            "uq_membership_active",
            "organisation_id",
            "user_id",
            unique=True,
            sqlite_where=text("left_at IS NULL"),
            postgresql_where=text("left_at IS NULL"),
        ),
        Index("ix_membership_user_id", "user_id"),
    )

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


class Invitation(db.Model):
    """An e-mailed invitation to join an organisation. Only a hash of its token is stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User] = relationship(foreign_keys=[invited_by_id])

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > utcnow()
