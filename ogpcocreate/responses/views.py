"""The secretariat's reasoned response to a proposal."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import permissions
from ..core.boundary import carry_out
from ..core.forms import EmptyForm, flash_errors
from ..extensions import db
from ..permissions import require, secretariat_required
from ..proposals.loaders import get_proposal_or_404
from ..repository import services as repository
from . import services
from .forms import ResponseForm

bp = Blueprint("responses", __name__)


@bp.route("/proposals/<int:proposal_id>/response", methods=["POST"])
@secretariat_required
def respond(proposal_id: int):
    proposal = get_proposal_or_404(proposal_id)
    require(permissions.can_respond(current_user))
    form = ResponseForm()
    if form.validate_on_submit():
        if carry_out(services.respond, current_user, permissions.seat_of(current_user), proposal,
                     form.outcome.data, form.justification_source.data):
            flash(_("The response has been published and the author notified."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id) + "#response")
    # Re-show the page with what was typed and the errors, so nothing written is lost.
    return render_template(
        "proposals/detail.html",
        proposal=proposal,
        call=proposal.call,
        history=services.history(proposal),
        attachments=repository.attachments_of(proposal),
        response_form=form,
        action_form=EmptyForm(),
    ), 400


@bp.route("/comments/<int:comment_id>/response", methods=["POST"])
@secretariat_required
def respond_to_comment(comment_id: int):
    from ..comments.models import Comment
    from ..drafts.loaders import get_draft_or_404

    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    draft = get_draft_or_404(comment.version.draft_id)
    require(permissions.can_respond(current_user))
    form = ResponseForm(prefix=f"r{comment.id}")
    if form.validate_on_submit():
        if carry_out(services.respond, current_user, permissions.seat_of(current_user), comment,
                     form.outcome.data, form.justification_source.data):
            flash(_("The response has been published and the author notified."), "success")
    else:
        flash_errors(form)
    return redirect(url_for("drafts.version", draft_id=draft.id, number=comment.version.number) + f"#comment-{comment.id}")
