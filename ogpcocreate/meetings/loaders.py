"""Loading a meeting for a request, with its access check (404 when the current user may not
see it): beside the feature's rules, so any view may use them without importing another view."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from .. import permissions
from ..extensions import db
from .models import Meeting


def get_meeting_or_404(meeting_id: int) -> Meeting:
    """Load a meeting the current user may see: public, or any for the secretariat (404 otherwise)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not permissions.can_see_meeting(current_user, meeting):
        abort(404)
    return meeting
