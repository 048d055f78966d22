"""Loading a call for a request, with its access check (404 when the current user may not
see it): beside the feature's rules, so any view may use them without importing another view."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload

from .. import permissions
from ..extensions import db
from .models import Call


def get_call_or_404(call_id: int) -> Call:
    """Load a call the current user may see (drafts only for the secretariat; 404 otherwise)."""
    call = db.session.get(Call, call_id, options=[joinedload(Call.plan)])  # every call page names its plan
    if call is None or not permissions.can_see_call(current_user, call):
        abort(404)
    return call
