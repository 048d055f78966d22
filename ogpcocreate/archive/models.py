"""A request for a continuity archive, queued by the secretariat and prepared by the worker (never by a
web request: an export of everything takes minutes)."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..core.db import enum_column, utcnow
from ..extensions import db


class ExportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    REMOVED = "removed"  # ready once; its file was removed to keep only the latest (services.prune)

    @property
    def label(self):
        return {ExportStatus.QUEUED: _l("Waiting to be prepared"), ExportStatus.RUNNING: _l("Being prepared"),
                ExportStatus.DONE: _l("Ready"), ExportStatus.FAILED: _l("Failed"),
                ExportStatus.REMOVED: _l("Removed (only the latest are kept)")}[self]

    @property
    def pending(self) -> bool:
        return self in (ExportStatus.QUEUED, ExportStatus.RUNNING)


class ArchiveExport(db.Model):
    __tablename__ = "archive_export"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[ExportStatus] = enum_column(ExportStatus, default=ExportStatus.QUEUED)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    file_name: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    rows: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)

    requested_by: Mapped[User] = relationship()
