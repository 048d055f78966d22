"""Reporting comments, the secretariat's moderation queue, the public moderation log, the code of conduct."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import permissions
from ..comments import rules as comment_rules
from ..comments.models import Comment
from ..core.boundary import carry_out
from ..core.forms import flash_errors
from ..core.params import page_arg
from ..extensions import db
from ..permissions import require, secretariat_required
from . import services
from .forms import DecisionForm, ReportForm

bp = Blueprint("moderation", __name__)


def _comment_or_404(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or not permissions.can_see_draft(current_user, comment.version.draft):
        abort(404)
    return comment


def _back(comment: Comment):
    return redirect(url_for("drafts.version", draft_id=comment.version.draft_id, number=comment.version.number)
                    + f"#comment-{comment.id}")


@bp.route("/comments/<int:comment_id>/report", methods=["POST"])
@login_required
def report(comment_id: int):
    comment = _comment_or_404(comment_id)
    require(permissions.can_report(current_user))
    form = ReportForm(prefix=f"rep{comment.id}")
    if form.validate_on_submit():
        if carry_out(services.report, current_user, comment, form.reason.data, form=form):
            flash(_("Thank you. The secretariat will review the comment."), "success")
            return _back(comment)
    # A refusal is shown on a page of its own, with the comment, the reason as typed and the error beside
    # it: on the draft's page it would appear at the top, out of sight of the comment scrolled to.
    return render_template("moderation/report.html", comment=comment, form=form,
                           text=comment_rules.text_for(current_user, comment)), 400


def _decide(comment_id: int, decide):
    comment = _comment_or_404(comment_id)
    require(permissions.can_moderate(current_user))
    form = DecisionForm(prefix=f"mod{comment.id}")
    if form.validate_on_submit():
        if carry_out(decide, current_user, permissions.seat_of(current_user), comment, form.reason.data):
            flash(_("The decision has been recorded in the public moderation log."), "success")
    else:
        flash_errors(form)
    if request.form.get("back") == "queue":
        return redirect(url_for("moderation.reports"))
    return _back(comment)


@bp.route("/comments/<int:comment_id>/hide", methods=["POST"])
@secretariat_required
def hide(comment_id: int):
    return _decide(comment_id, services.hide)


@bp.route("/comments/<int:comment_id>/dismiss", methods=["POST"])
@secretariat_required
def dismiss(comment_id: int):
    return _decide(comment_id, services.dismiss)


@bp.route("/moderation/reports")
@secretariat_required
def reports():
    queue = services.queue()
    return render_template("moderation/reports.html", queue=queue,
                           texts={c.id: comment_rules.text_for(current_user, c) for c, _n in queue},
                           reasons=services.open_reasons([c.id for c, _n in queue]), decision_form=DecisionForm)


@bp.route("/moderation")
def log():
    page = page_arg()
    actions, total = services.public_log(page)
    return render_template("moderation/log.html", actions=actions, total=total, page=page,
                           pages=max((total + 49) // 50, 1))


@bp.route("/code-of-conduct")
def code_of_conduct():
    return render_template("moderation/code_of_conduct.html")
