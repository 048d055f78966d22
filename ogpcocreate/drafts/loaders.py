"""Loading a draft commitment for a request, with its access check (404 when the current user may not
see it): beside the feature's rules, so any view may use them without importing another view."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from .. import permissions
from ..extensions import db
from .models import DraftCommitment


def get_draft_or_404(draft_id: int) -> DraftCommitment:
    # Its call and theme (every draft page names them, and the access check reads the call) in the same
    # statement, its versions in one more.
    draft = db.session.get(DraftCommitment, draft_id, options=[
        joinedload(DraftCommitment.call), joinedload(DraftCommitment.theme), selectinload(DraftCommitment.versions)])
    if draft is None or not permissions.can_see_draft(current_user, draft):
        abort(404)  # nothing public until the first version is published in a public call
    return draft
