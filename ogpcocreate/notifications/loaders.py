"""Loading what a request is about, with its access check (404 when the current user may not see it)."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from .. import permissions
from ..calls.models import Call
from ..drafts.models import DraftCommitment
from ..extensions import db
from ..plans.models import ActionPlan
from ..proposals.models import Proposal
from .models import FollowSubject, Notification

MODELS = {FollowSubject.PLAN: ActionPlan, FollowSubject.CALL: Call, FollowSubject.PROPOSAL: Proposal,
          FollowSubject.DRAFT: DraftCommitment}


def get_followable_or_404(kind: str, subject_id: int):
    """A plan, call, proposal or draft commitment the current user may see."""
    try:
        model = MODELS[FollowSubject(kind)]
    except ValueError:
        abort(404)
    subject = db.session.get(model, subject_id)
    if subject is None:
        abort(404)
    visible = {
        ActionPlan: lambda: permissions.can_see_plan(current_user, subject),
        Call: lambda: permissions.can_see_call(current_user, subject),
        Proposal: lambda: permissions.can_see_call(current_user, subject.call),
        DraftCommitment: lambda: permissions.can_see_draft(current_user, subject),
    }[model]()
    if not visible:
        abort(404)
    return subject


def get_notification_or_404(notification_id: int) -> Notification:
    """One of the current user's own notifications (404 for anyone else's)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    return notification
