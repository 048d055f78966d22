"""Loading an adopted commitment's monitoring for a request, with its access check (404 when the
current user may not see it): beside the feature's rules, so any view may use them."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from .. import permissions
from ..drafts.models import DraftCommitment
from ..extensions import db
from .models import Contact, Recommendation


def get_commitment_or_404(draft_id: int) -> DraftCommitment:
    """An adopted commitment the current user may see (permissions.can_see_monitoring), else 404."""
    draft = db.session.get(DraftCommitment, draft_id)
    if draft is None or not permissions.can_see_monitoring(current_user, draft):
        abort(404)
    return draft


def get_contact_or_404(draft: DraftCommitment, contact_id: int) -> Contact:
    contact = db.session.get(Contact, contact_id)
    if contact is None or contact.draft_id != draft.id:
        abort(404)
    return contact


def get_recommendation_or_404(plan_id: int, recommendation_id: int) -> Recommendation:
    rec = db.session.get(Recommendation, recommendation_id)
    if rec is None or rec.plan_id != plan_id:
        abort(404)
    return rec
