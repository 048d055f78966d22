"""The notifications page, preferences, follow buttons and the signed one-click unsubscribe link."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.boundary import carry_out
from ..core.errors import ServiceError
from ..core.forms import EmptyForm
from ..core.urls import safe_next
from ..extensions import csrf
from . import rules, services
from .forms import preferences_form
from .loaders import get_followable_or_404, get_notification_or_404

bp = Blueprint("notifications", __name__)

FOLLOWABLE = "any(plan, call, proposal, draft)"


@bp.get("/notifications")
@login_required
def index():
    items = services.recent(current_user)
    return render_template("notifications/index.html", items=items, sentence=services.sentence,
                           unread=sum(1 for n in items if not n.is_read), form=EmptyForm())


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    notification = get_notification_or_404(notification_id)
    if EmptyForm().validate_on_submit():
        carry_out(services.mark_read, current_user, notification)
    return redirect(url_for("notifications.index"))


@bp.post("/notifications/read")
@login_required
def mark_all_read():
    if EmptyForm().validate_on_submit() and carry_out(services.mark_all_read, current_user):
        flash(_("Every notification is marked as read."), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    kinds = services.offered_kinds(current_user)
    form = preferences_form(kinds, services.preferences(current_user))
    if form.validate_on_submit():
        choices = {kind.value: getattr(form, kind.value).data for kind in kinds}
        if carry_out(services.set_preferences, current_user, choices, form=form):
            flash(_("Your notification preferences have been saved."), "success")
            return redirect(url_for("notifications.preferences"))
    status = 400 if request.method == "POST" else 200
    return render_template("notifications/preferences.html", form=form), status


@bp.post(f"/follow/<{FOLLOWABLE}:kind>/<int:subject_id>")
@login_required
def follow(kind: str, subject_id: int):
    subject = get_followable_or_404(kind, subject_id)
    if EmptyForm().validate_on_submit():
        if refusal := rules.follow_refusal(current_user, subject):
            flash(refusal, "error")
        elif carry_out(services.follow, current_user, subject):
            flash(_("You are following this. Your notifications say what happens to it."), "success")
    return redirect(safe_next())


@bp.post(f"/unfollow/<{FOLLOWABLE}:kind>/<int:subject_id>")
@login_required
def unfollow(kind: str, subject_id: int):
    subject = get_followable_or_404(kind, subject_id)
    if EmptyForm().validate_on_submit() and carry_out(services.unfollow, current_user, subject):
        flash(_("You no longer follow this."), "success")
    return redirect(safe_next())


# CSRF-exempt by design (RFC 8058): mail clients POST "List-Unsubscribe=One-Click" to this URL with no
# session and no form token; the signed token in the URL is what authenticates the request, and all it
# can do is turn notifications off for the account it names. tests/test_csrf.py lists this exemption.
@csrf.exempt
@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    if len(token) > 500:
        abort(404)
    try:
        found = services.read_unsubscribe_token(token)
    except ServiceError as exc:
        return render_template("notifications/unsubscribe.html", error=exc.message, found=None, done=False), 400
    if request.method == "POST":
        if outcome := carry_out(services.unsubscribe, token):
            return render_template("notifications/unsubscribe.html", found=outcome.result, done=True, error=None)
        abort(400)
    return render_template("notifications/unsubscribe.html", found=found, done=False, error=None)
