"""Who may vote, and when, as one rule the service enforces and the ballot page explains (DOMAIN.md, "Who counts
as government"): seat holders never vote in participants' ballots, whichever seat they hold and
whichever organisation they would vote for. The secretariat decides through its approvals; a ballot is
where the participants decide, and letting a seat vote there would let government count itself as
the public."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _

from .. import permissions, visibility
from ..organisations.acting import holds_seat
from .models import Electorate


def voter_refusal(user) -> str | None:
    """The reason ``user`` may not vote in any ballot, or None."""
    if holds_seat(user):
        return _("Members of the secretariat do not vote in participants' ballots: the secretariat decides through "
                 "its approvals. Your vote was not recorded.")
    return None


def window_refusal(ballot, now: datetime) -> str | None:
    """Why ``ballot`` takes no vote at ``now`` (with the date), or None: it takes votes once it and its
    call are published, between its opening and its closing."""
    if not visibility.call_is_public(ballot.call, now):
        return _("This call has not been published; nobody can vote on it yet. Your vote was not recorded.")
    if ballot.published_at is None:
        return _("This ballot has not been published; nobody can vote on it yet. Your vote was not recorded.")
    if now < ballot.opens_at:
        return _("Voting on this ballot opens on %(date)s. Your vote was not recorded.",
                 date=format_datetime(ballot.opens_at, "medium"))
    if not ballot.is_open_at(now):
        return _("Voting on this ballot closed on %(date)s. Your vote was not recorded.",
                 date=format_datetime(ballot.closes_at, "medium"))
    return None


def vote_refusal(user, ballot, mine, now: datetime) -> str | None:
    """Why ``user`` may not cast a vote on ``ballot`` now, or None; the ballot page shows the vote form
    only when this is None, and the service refuses on the same conditions. ``mine`` is what
    votes/services.my_vote found of the user's vote and organisations on this ballot."""
    if not permissions.is_participant(user):
        return _("Log in with a confirmed account to vote.")
    if refusal := voter_refusal(user) or window_refusal(ballot, now):
        return refusal
    if mine.voter is not None:
        return _("You have already voted on this ballot, and a vote cannot be changed.")
    if ballot.electorate is Electorate.ORGANISATIONS and not mine.eligible:
        return _("None of your organisations can vote on this ballot: only verified organisations vote, one vote "
                 "each.")
    return None
