"""The one route pair for every approvable act (approvals/registry.py): a seat takes a position on an
object's act, or its author withdraws it. Each answers with a redirect to the object's page, where the
positions are shown (templates/approvals/_positions.html)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect
from flask_babel import gettext as _
from flask_login import current_user

from .. import permissions
from ..core.boundary import carry_out
from ..core.forms import EmptyForm, flash_errors
from ..permissions import require, secretariat_required
from .forms import PositionForm
from .models import Action
from .registry import ACTS, KINDS

bp = Blueprint("approvals", __name__)
KIND = "<any({}):kind>".format(", ".join(KINDS))


@bp.route(f"/{KIND}/<int:subject_id>/positions", methods=["POST"])
@secretariat_required
def take_position(kind: str, subject_id: int):
    entry = ACTS[kind]
    subject = entry.load(subject_id)
    require(entry.may(current_user, subject))
    form = PositionForm()
    if form.validate_on_submit():
        # An object with one act needs no choice; one with several names it, and it must be one of its own.
        action = Action(form.action.data) if form.action.data else (entry.actions[0] if len(entry.actions) == 1 else None)
        if action not in entry.actions:
            flash(_("Only these acts are decided on this page: %(acts)s.",
                    acts=", ".join(str(a.label) for a in entry.actions)), "error")
            return redirect(entry.page(subject))
        if outcome := carry_out(entry.take, current_user, permissions.seat_of(current_user), subject, action,
                                form.stance.data, form.comment.data):
            done = outcome.result
            flash(entry.done(action) if done else _("Your seat's position has been recorded."), "success")
    else:
        flash_errors(form)
    return redirect(entry.page(subject))


@bp.route(f"/{KIND}/<int:subject_id>/positions/<int:approval_id>/withdraw", methods=["POST"])
@secretariat_required
def withdraw_position(kind: str, subject_id: int, approval_id: int):
    entry = ACTS.get(kind) or abort(404)
    subject = entry.load(subject_id)
    if EmptyForm().validate_on_submit():
        if carry_out(entry.withdraw, current_user, subject, approval_id):
            flash(_("Your position has been withdrawn."), "success")
    return redirect(entry.page(subject))
