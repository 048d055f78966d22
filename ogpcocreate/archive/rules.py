"""When the secretariat may ask for a continuity archive: one at a time."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from .. import permissions
from ..extensions import db
from .models import ArchiveExport, ExportStatus


def request_refusal(user) -> str | None:
    if not permissions.is_secretariat(user):
        return _("Only members of the secretariat can ask for the continuity archive.")
    pending = db.session.scalar(select(ArchiveExport.id).where(
        ArchiveExport.status.in_([ExportStatus.QUEUED, ExportStatus.RUNNING])).limit(1))
    if pending is not None:
        return _("An archive is already being prepared; it will be listed here when it is ready.")
    return None
