"""Loading a continuity archive for a request, with its access check."""

from __future__ import annotations

from pathlib import Path

from flask import abort

from .. import permissions
from ..extensions import db
from . import services
from .models import ArchiveExport, ExportStatus


def get_ready_export_or_404(user, export_id: int) -> tuple[ArchiveExport, Path]:
    """A finished archive and its file, for a member of the secretariat; 403 for anyone else."""
    permissions.require(permissions.is_secretariat(user))
    export = db.session.get(ArchiveExport, export_id)
    if export is None or export.status is not ExportStatus.DONE or not export.file_name:
        abort(404)
    path = services.archive_folder() / export.file_name
    if not path.is_file():
        abort(404)
    return export, path
