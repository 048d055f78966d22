"""Loading an action plan for a request, with its access check (404 when the current user may not
see it): beside the feature's rules, so any view may use them without importing another view."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from .. import permissions, visibility
from ..extensions import db
from .models import ActionPlan


def load_plan_or_404(plan_id: int) -> tuple[ActionPlan, bool]:
    """The plan and whether it is public now, in one statement; 404 unless the current user may see it
    (public, or any plan for the secretariat: permissions.py)."""
    row = db.session.execute(select(ActionPlan, visibility.public_plan()).where(ActionPlan.id == plan_id)).first()
    if row is None or not (row[1] or permissions.can_manage_plans(current_user)):
        abort(404)
    return row[0], bool(row[1])


def get_plan_or_404(plan_id: int) -> ActionPlan:
    return load_plan_or_404(plan_id)[0]
