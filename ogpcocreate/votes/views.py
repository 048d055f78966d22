"""Ballot pages: a call's ballots, each ballot with its vote form and published results, and the
secretariat's forms to set one up, publish its results and adopt commitments by vote."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import permissions
from ..calls.loaders import get_call_or_404
from ..core.boundary import carry_out
from ..core.db import utcnow
from ..core.errors import ServiceError
from ..core.forms import EmptyForm, options
from ..core.i18n import from_local
from ..drafts.models import DraftCommitment
from ..extensions import db
from ..organisations.acting import individual_sector
from ..permissions import participant_required, require, secretariat_required
from . import rules, services
from .forms import BallotForm, VoteForm
from .loaders import get_ballot_or_404
from .models import Ballot, Electorate

bp = Blueprint("votes", __name__)


@bp.route("/calls/<int:call_id>/ballots")
def index(call_id: int):
    call = get_call_or_404(call_id)
    now = utcnow()
    rows = [(ballot, voters, services.state_at(ballot, now)) for ballot, voters in services.ballots_of(
        call, include_unpublished=permissions.can_manage_ballots(current_user))]
    return render_template("votes/index.html", call=call, rows=rows)


def _open_drafts(call) -> list[DraftCommitment]:
    return list(db.session.scalars(
        select(DraftCommitment)
        .where(DraftCommitment.call_id == call.id, DraftCommitment.adopted_via.is_(None))
        .order_by(DraftCommitment.id)
    ))


def _ballot_data(form: BallotForm) -> dict:
    data = dict(form.data)
    for name in BallotForm.DATE_FIELDS:
        try:
            data[name] = from_local(data[name])
        except OverflowError:  # the last hours of year 9999, Mexico City time, are past the end of UTC's calendar
            raise ServiceError(_("Give a date before the year 9999."), field=name) from None
    return data


@bp.route("/calls/<int:call_id>/ballots/new", methods=["GET", "POST"])
@secretariat_required
def create(call_id: int):
    call = get_call_or_404(call_id)
    form = BallotForm()
    form.drafts.choices = options((d.id, d.title) for d in _open_drafts(call))
    if form.validate_on_submit():
        # Reading the dates can be refused too (a date past year 9999): inside the boundary.
        if outcome := carry_out(lambda: services.create_ballot(current_user,
                                permissions.seat_of(current_user), call,
                                                               _ballot_data(form)), form=form):
            ballot = outcome.result
            flash(_("The ballot has been set up. It is not public yet: check it, then publish it so participants "
                    "can see it and vote."), "success")
            return redirect(url_for("votes.detail", ballot_id=ballot.id))
    status = 400 if request.method == "POST" else 200
    return render_template("votes/form.html", form=form, call=call), status


def _vote_form(ballot: Ballot, organisations) -> VoteForm:
    """The vote form: the ballot's options and, on organisations' ballots, the voter's organisations."""
    form = VoteForm()
    form.approve.choices = options((o.id, o.label) for o in ballot.options)
    if ballot.electorate is Electorate.ORGANISATIONS:
        form.organisation.choices = options((o.id, o.name) for o in organisations)
        if len(organisations) == 1 and form.organisation.data is None:
            form.organisation.data = organisations[0].id
    else:
        del form.organisation
    return form


def _detail(ballot: Ballot, form: VoteForm | None = None, status: int = 200):
    state = services.state(ballot)
    mine = services.my_vote(current_user, ballot)
    refusal = rules.voter_refusal(current_user) if permissions.is_participant(current_user) else None
    may_vote = mine is not None and rules.vote_refusal(current_user, ballot, mine, utcnow()) is None
    if form is None and may_vote:
        form = _vote_form(ballot, mine.eligible)  # only the organisations that can still vote
    return render_template(
        "votes/detail.html",
        ballot=ballot,
        call=ballot.call,
        state=state,
        mine=mine,
        form=form,
        tally=services.tally(ballot) if state.shows_results else None,
        refusal=refusal,
        voter_sector=individual_sector(current_user) if may_vote else None,
        action_form=EmptyForm(),
        publish_refusal=services.publish_refusal(ballot),
    ), status


@bp.route("/ballots/<int:ballot_id>")
def detail(ballot_id: int):
    return _detail(get_ballot_or_404(ballot_id))


@bp.route("/ballots/<int:ballot_id>/vote", methods=["POST"])
@participant_required
def vote(ballot_id: int):
    ballot = get_ballot_or_404(ballot_id)
    require(permissions.is_participant(current_user))
    # Every verified organisation of theirs is a valid choice, so one that has voted gets the service's
    # refusal naming it, rather than a bare "not a valid choice".
    form = _vote_form(ballot, services.my_vote(current_user, ballot).verified)
    if form.validate_on_submit():
        if carry_out(services.cast_vote, current_user, ballot, form.data, form=form):
            flash(_("Your vote has been recorded. It cannot be changed."), "success")
            return redirect(url_for("votes.detail", ballot_id=ballot.id))
    return _detail(ballot, form, 400)


@bp.route("/ballots/<int:ballot_id>/publication", methods=["POST"])
@secretariat_required
def publish_ballot(ballot_id: int):
    ballot = get_ballot_or_404(ballot_id)
    require(permissions.can_publish_ballot(current_user, ballot))
    if EmptyForm().validate_on_submit():
        if carry_out(services.publish_ballot, current_user, permissions.seat_of(current_user), ballot):
            flash(_("The ballot has been published: anyone can read it once its call is public, and participants "
                    "can vote from %(date)s.", date=format_datetime(ballot.opens_at, "medium")), "success")
    else:
        abort(400)
    return redirect(url_for("votes.detail", ballot_id=ballot.id))


@bp.route("/ballots/<int:ballot_id>/publish", methods=["POST"])
@secretariat_required
def publish(ballot_id: int):
    ballot = get_ballot_or_404(ballot_id)
    if EmptyForm().validate_on_submit():
        if carry_out(services.publish_results, current_user, permissions.seat_of(current_user), ballot):
            flash(_("The results have been published with the tally by sector."), "success")
    return redirect(url_for("votes.detail", ballot_id=ballot.id) + "#results")


@bp.route("/ballots/<int:ballot_id>/adopt", methods=["POST"])
@secretariat_required
def adopt(ballot_id: int):
    ballot = get_ballot_or_404(ballot_id)
    if EmptyForm().validate_on_submit():
        if outcome := carry_out(services.adopt_by_vote, current_user, permissions.seat_of(current_user),
                                ballot):
            adopted = outcome.result
            if adopted:
                flash(ngettext("%(num)d commitment was adopted by vote: %(titles)s.",
                               "%(num)d commitments were adopted by vote: %(titles)s.", len(adopted),
                               titles="; ".join(d.title for d in adopted)), "success")
            else:
                flash(_("No commitment was adopted: none that was still open had the approval of more than half "
                        "of the voters."), "warning")
    return redirect(url_for("votes.detail", ballot_id=ballot.id) + "#results")
