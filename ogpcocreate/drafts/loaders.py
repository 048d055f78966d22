"""Loading a draft commitment for a request, with its access check (404 when the current user may not
see it): beside the feature's rules, so any view may use them without importing another view."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from .. import permissions
from ..extensions import db
from .models import DraftCommitment


def get_draft_or_404(draft_id: int) -> DraftCommitment:
    draft = db.session.get(DraftCommitment, draft_id)
    if draft is None or not permissions.can_see_draft(current_user, draft):
        abort(404)  # nothing public until the first version is published in a public call
    return draft
