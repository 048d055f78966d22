"""Proposal pages: submit, read, edit, withdraw, and each participant's own contributions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import permissions
from ..calls.loaders import get_call_or_404
from ..core import ratelimit
from ..core.boundary import carry_out
from ..core.forms import EmptyForm, options
from ..permissions import participant_required, require
from ..repository import services as repository
from ..responses import services as responses
from ..responses.forms import ResponseForm
from . import rules, services
from .forms import ProposalForm, WithdrawForm
from .loaders import get_proposal_or_404
from .models import Proposal

bp = Blueprint("proposals", __name__)


def _prepare(form: ProposalForm, call, proposal: Proposal | None = None) -> ProposalForm:
    form.theme.choices = options((t.id, t.name) for t in call.themes)
    if proposal is not None:
        # The submitter does not change on edit: show only the one it was submitted as.
        label = proposal.organisation.name if proposal.organisation else _("Myself, as an individual citizen")
        form.organisation.choices = options([(proposal.organisation_id or 0, label)])
        return form
    organisations = services.organisations_for(current_user)
    choices = [(o.id, o.name) for o in organisations]
    if call.allows_individuals:
        choices.append((0, _("Myself, as an individual citizen")))
    form.organisation.choices = options(choices)
    return form


@bp.route("/calls/<int:call_id>/proposals/new", methods=["GET", "POST"])
@participant_required
@ratelimit.contribution_limits
def create(call_id: int):
    call = get_call_or_404(call_id)
    require(permissions.can_submit_proposal(current_user, call))
    # A form is offered only where the act is allowed; a POST is always answered by the service, with what
    # was typed kept on the page (the window may have closed while the person was writing).
    if request.method == "GET" and (refusal := rules.submit_refusal(current_user, call,
                                                                   services.organisations_for(current_user))):
        flash(refusal, "error")
        return redirect(url_for("calls.detail", call_id=call.id))
    form = _prepare(ProposalForm(), call)
    if form.validate_on_submit():
        if outcome := carry_out(services.submit, current_user, call, form.data, form=form):
            proposal = outcome.result
            flash(_("Your proposal has been submitted. You can edit or withdraw it until the call closes."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    status = 400 if form.errors or request.method == "POST" else 200
    return render_template("proposals/form.html", form=form, call=call, proposal=None), status


@bp.route("/proposals/<int:proposal_id>")
def detail(proposal_id: int):
    proposal = get_proposal_or_404(proposal_id)
    return render_template(
        "proposals/detail.html",
        proposal=proposal,
        call=proposal.call,
        history=responses.history(proposal),
        response_form=ResponseForm() if permissions.can_respond(current_user) else None,
        action_form=EmptyForm(),
        attachments=repository.attachments_of(proposal),
    )


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@participant_required
def edit(proposal_id: int):
    proposal = get_proposal_or_404(proposal_id, edit=True)
    form = _prepare(ProposalForm(obj=proposal), proposal.call, proposal)
    if request.method == "GET":
        form.theme.data = proposal.theme_id
        form.organisation.data = proposal.organisation_id or 0
        form.links.data = proposal.links
    if form.validate_on_submit():
        if carry_out(services.edit, current_user, proposal, form.data, form=form):
            flash(_("Your changes have been saved."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    status = 400 if request.method == "POST" else 200
    return render_template("proposals/form.html", form=form, call=proposal.call, proposal=proposal), status


@bp.route("/proposals/<int:proposal_id>/withdraw", methods=["GET", "POST"])
@participant_required
def withdraw(proposal_id: int):
    """Withdrawing asks first, on its own page, and takes an optional reason that is published with it."""
    proposal = get_proposal_or_404(proposal_id, edit=True)
    if request.method == "GET" and (refusal := rules.change_refusal(current_user, proposal)):
        flash(refusal, "error")
        return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    form = WithdrawForm()
    if form.validate_on_submit():
        if carry_out(services.withdraw, current_user, proposal, form.reason.data or "", form=form):
            flash(_("Your proposal has been withdrawn. It stays on the record, marked as withdrawn."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    status = 400 if request.method == "POST" else 200
    return render_template("proposals/withdraw.html", proposal=proposal, call=proposal.call, form=form), status


@bp.route("/my/contributions")
@login_required
def mine():
    """The old address of a person's list of proposals: everything they did is now on one page."""
    return redirect(url_for("main.activity_page"), 301)
