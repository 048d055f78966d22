"""Ballots: the secretariat sets one up, participants vote while it is open, the secretariat publishes
the tally and, on commitments, adopts those a majority approved.

DOMAIN.md, "Vote": where a call lets participants decide (choose priority themes, adopt commitments),
one vote per verified organisation or participant, as the ballot says; the tally is recorded. Voting
is by approval (votes/models.py): a voter approves any number of options, and an option's tally is the
number of voters who approved it. A vote cannot be changed once cast, so nobody can be pressed into
changing it after the fact, and the tally stays hidden until the secretariat publishes it after the close.

Publication (DOMAIN.md, "What is public, and when": a ballot is public once published): a ballot is set
up unpublished, seen by the secretariat only, so its question and options can be checked before anyone
sees them; a secretariat member publishes it, and it is public from then on (once its call is). What
depends on publication: nobody votes on an unpublished ballot, whatever its dates say; its results
cannot be published (there are none), so it adopts nothing. A ballot cannot be published once its
voting has closed, nor before its call is published. Publishing cannot be undone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import permissions, visibility
from ..auth.models import User
from ..calls.models import Call
from ..core import eventlog
from ..core.db import utcnow
from ..core.errors import ServiceError
from ..core.eventlog import Verb
from ..core.sectors import Seat, Sector
from ..drafts import adoption
from ..drafts.models import Adoption, DraftCommitment
from ..extensions import db
from ..organisations.acting import individual_sector
from ..organisations.models import Membership, Organisation
from . import rules, secrecy
from .models import Ballot, BallotKind, BallotOption, BallotVoter, Electorate, Vote
from .secrecy import PublishedTally

QUESTION_MAX = 300


class BallotState(enum.StrEnum):
    """Where a ballot stands; the dates are data on the ballot, what each state allows is here."""

    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"  # voting over, results not yet published
    PUBLISHED = "published"

    @property
    def label(self):
        return {
            BallotState.UPCOMING: _l("Not open yet"),
            BallotState.OPEN: _l("Open for voting"),
            BallotState.CLOSED: _l("Closed; results not yet published"),
            BallotState.PUBLISHED: _l("Results published"),
        }[self]

    @property
    def accepts_votes(self) -> bool:
        return self is BallotState.OPEN

    @property
    def can_publish(self) -> bool:
        return self is BallotState.CLOSED

    @property
    def shows_results(self) -> bool:
        return self is BallotState.PUBLISHED


def state_at(ballot: Ballot, now: datetime) -> BallotState:
    if ballot.published_at is None:
        return BallotState.UPCOMING  # nobody votes on a ballot nobody can see yet, whatever its dates
    if ballot.results_published_at is not None:
        return BallotState.PUBLISHED
    if now < ballot.opens_at:
        return BallotState.UPCOMING
    if ballot.is_open_at(now):
        return BallotState.OPEN
    return BallotState.CLOSED


def state(ballot: Ballot) -> BallotState:
    return state_at(ballot, utcnow())


# --- setting a ballot up ---------------------------------------------------------------------------


def _check_dates(opens_at: datetime | None, closes_at: datetime | None, now: datetime) -> None:
    if opens_at is None:
        raise ServiceError(_("Give the date and time voting opens."), field="opens_at")
    if closes_at is None:
        raise ServiceError(_("Give the date and time voting closes."), field="closes_at")
    # Forms give minutes: the current minute counts as "now", not as the past.
    if opens_at < now.replace(second=0, microsecond=0):
        raise ServiceError(_("Voting cannot open in the past."), field="opens_at")
    if closes_at <= opens_at:
        raise ServiceError(_("Voting must close after it opens."), field="closes_at")


def _options(call: Call, kind: BallotKind, draft_ids) -> list[BallotOption]:
    if kind is BallotKind.THEMES:
        if len(call.themes) < 2:
            raise ServiceError(_("A ballot on priority themes needs at least two themes to choose from; this call has %(n)d.",
                                 n=len(call.themes)), field="kind")
        return [BallotOption(theme_id=theme.id) for theme in call.themes]
    try:
        ids = sorted({int(i) for i in draft_ids or []})
    except (TypeError, ValueError):
        ids = None
    if not ids:
        raise ServiceError(_("Choose at least one draft commitment to put to the vote."), field="drafts")
    drafts = list(db.session.scalars(select(DraftCommitment).where(DraftCommitment.id.in_(ids)).order_by(DraftCommitment.id)))
    if len(drafts) != len(ids) or any(d.call_id != call.id or d.is_adopted for d in drafts):
        raise ServiceError(_("Choose draft commitments of this call that have not been adopted yet."), field="drafts")
    return [BallotOption(draft_id=draft.id) for draft in drafts]


def create_ballot(actor: User, seat: Seat, call: Call, data: dict) -> Ballot:
    """A ballot on the call's themes, or on adopting some of its draft commitments (options chosen here)."""
    try:
        kind = BallotKind(data.get("kind"))
    except ValueError:
        raise ServiceError(_("Choose what participants vote on."), field="kind") from None
    try:
        electorate = Electorate(data.get("electorate"))
    except ValueError:
        raise ServiceError(_("Choose who votes."), field="electorate") from None
    question = (data.get("question") or "").strip()
    if not question:
        raise ServiceError(_("Write the question participants answer."), field="question")
    _check_dates(data.get("opens_at"), data.get("closes_at"), utcnow())
    options = _options(call, kind, data.get("drafts"))
    ballot = Ballot(call_id=call.id, call=call, kind=kind, electorate=electorate, question=question[:QUESTION_MAX],
                    opens_at=data["opens_at"], closes_at=data["closes_at"], created_by_id=actor.id, options=options)
    db.session.add(ballot)
    db.session.flush()
    eventlog.record(actor, Verb.CREATED, ballot, sector=seat.sector, territory="national", call=call,
                    data={"question": ballot.question, "kind": kind.value, "electorate": electorate.value,
                          "options": [o.theme_id or o.draft_id for o in options]})
    return ballot


# --- publishing the ballot -------------------------------------------------------------------------


def publish_refusal(ballot: Ballot, now: datetime | None = None) -> str | None:
    """Why the ballot cannot be published now, or None; the page shows the same reason by the button."""
    now = now or utcnow()
    if ballot.published_at is not None:
        return _("This ballot was published on %(date)s.", date=format_datetime(ballot.published_at, "medium"))
    if ballot.call.published_at is None:
        return _("The call of this ballot has not been published. Publish the call first: a ballot cannot be "
                 "public before its process.")
    if ballot.closes_at <= now:
        return _("Voting on this ballot was to close on %(date)s, before anyone could see it. Set up a new ballot "
                 "with new dates.", date=format_datetime(ballot.closes_at, "medium"))
    return None


def publish_ballot(actor: User, seat: Seat, ballot: Ballot) -> None:
    if reason := publish_refusal(ballot):
        raise ServiceError(reason)
    ballot.published_at = utcnow()
    eventlog.record(actor, Verb.PUBLISHED, ballot, sector=seat.sector, territory="national", call=ballot.call,
                    data={"action": "publish_ballot", "question": ballot.question, "opens_at": ballot.opens_at,
                          "closes_at": ballot.closes_at})
    db.session.flush()


# --- voting ----------------------------------------------------------------------------------------


def check_window(ballot: Ballot) -> None:
    """Refuse, with the reason and the date, unless the ballot accepts votes right now."""
    if refusal := rules.window_refusal(ballot, utcnow()):
        raise ServiceError(refusal)


def organisations_for(user: User) -> list[Organisation]:
    """The organisations the person currently belongs to, verified or not (the page says which may vote)."""
    return list(db.session.scalars(
        select(Organisation)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user.id, Membership.left_at.is_(None))
        .order_by(Organisation.name_key)
    ))


def _voter_organisation(actor: User, organisation_id) -> Organisation:
    if not organisation_id:
        raise ServiceError(_("Choose the organisation you vote for."), field="organisation")
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not permissions.is_member(actor, organisation):
        raise ServiceError(_("You can only vote for an organisation you belong to."), field="organisation")
    if not organisation.is_verified:
        raise ServiceError(_("%(name)s has not been verified by the secretariat, and only verified organisations vote. "
                             "Your vote was not recorded.", name=organisation.name), field="organisation")
    return organisation


def _check_not_voted(actor: User, ballot: Ballot, organisation: Organisation | None) -> None:
    """One vote per person on every ballot, and one per organisation on organisations' ballots.

    The refusal names the organisation, never the member who voted for it: that is their personal data.
    """
    if db.session.scalar(select(BallotVoter.id).where(BallotVoter.ballot_id == ballot.id, BallotVoter.user_id == actor.id)):
        raise ServiceError(_("You have already voted on this ballot, and a vote cannot be changed."))
    if organisation is not None and db.session.scalar(
        select(BallotVoter.id).where(BallotVoter.ballot_id == ballot.id, BallotVoter.organisation_id == organisation.id)
    ):
        raise ServiceError(_("%(name)s has already voted on this ballot; each organisation has one vote. "
                             "Your vote was not recorded.", name=organisation.name), field="organisation")


def _chosen_options(ballot: Ballot, option_ids) -> list[int]:
    try:
        chosen = sorted({int(i) for i in option_ids or []})
    except (TypeError, ValueError):
        chosen = None
    if not chosen:
        raise ServiceError(_("Choose at least one option you approve."), field="approve")
    if not set(chosen) <= {o.id for o in ballot.options}:
        raise ServiceError(_("Choose among this ballot's options."), field="approve")
    return chosen


def cast_vote(actor: User, ballot: Ballot, data: dict) -> BallotVoter:
    """Record one voter's approvals. ``data``: ``approve`` (option ids) and, on organisations' ballots,
    ``organisation`` (the id of a verified organisation the actor belongs to)."""
    refusal = rules.voter_refusal(actor)
    if refusal:
        raise ServiceError(refusal)
    check_window(ballot)
    chosen = _chosen_options(ballot, data.get("approve"))
    organisation = None
    if ballot.electorate is Electorate.ORGANISATIONS:
        organisation = _voter_organisation(actor, data.get("organisation"))
    _check_not_voted(actor, ballot, organisation)
    # Copied now, like the log: the record stays true if the organisation later moves or changes sector.
    # A person voting in their own name counts in the sector "Who counts as government" gives them.
    voter = BallotVoter(ballot_id=ballot.id, user_id=actor.id, organisation_id=organisation.id if organisation else None,
                        sector=organisation.sector if organisation else individual_sector(actor),
                        territory=organisation.territory if organisation else actor.territory)
    try:
        with db.session.begin_nested():  # a concurrent vote for the same organisation or person loses here
            db.session.add(voter)
            db.session.flush()
    except IntegrityError:
        _check_not_voted(actor, ballot, organisation)
        raise ServiceError(_("Your vote could not be recorded because one was just recorded for you or your organisation.")) from None
    db.session.add_all([Vote(voter_id=voter.id, option_id=option_id) for option_id in chosen])
    db.session.flush()
    # The log records that a vote was cast, by whom and for which organisation, never what it chose:
    # the public record must not make a ballot less secret than the tally.
    eventlog.record(actor, Verb.VOTED, ballot, organisation, call=ballot.call, data={"ballot": ballot.id})
    return voter


# --- results ---------------------------------------------------------------------------------------


@dataclass
class OptionResult:
    option: BallotOption
    approvals: int
    # Approvals per published group (votes/secrecy.py), or None where the breakdown would reveal a choice.
    by_group: dict[str, int] | None = None

    def majority_of(self, voters: int) -> bool:
        """More than half of the voters approved it (the rule for adopting a commitment by vote)."""
        return voters > 0 and 2 * self.approvals > voters


@dataclass
class Tally:
    """The tally as it may be published: totals per option, and a breakdown by sector group only as far
    as ballot secrecy allows (votes/secrecy.py)."""

    voters: int
    options: list[OptionResult]
    published: PublishedTally

    @property
    def groups(self):
        return self.published.groups

    @property
    def totals_only(self) -> bool:
        return self.published.totals_only

    @property
    def withheld_rows(self) -> int:
        return self.published.withheld_rows

    def as_data(self) -> dict:
        """The tally as it is written into the log: labels included, since the log outlives the tables."""
        return self.published.as_data({r.option.id: r.option.label for r in self.options})


def tally(ballot: Ballot) -> Tally:
    """Approvals per option, overall and by sector group: two GROUP BY statements, whatever the number of
    votes. The raw counts by sector never leave this function; only what secrecy allows does."""
    voters_by_sector = dict(db.session.execute(
        select(BallotVoter.sector, func.count(BallotVoter.id))
        .where(BallotVoter.ballot_id == ballot.id)
        .group_by(BallotVoter.sector)
    ).all())
    rows = db.session.execute(
        select(Vote.option_id, BallotVoter.sector, func.count(Vote.id))
        .join(BallotVoter, BallotVoter.id == Vote.voter_id)
        .where(BallotVoter.ballot_id == ballot.id)
        .group_by(Vote.option_id, BallotVoter.sector)
    ).all()
    cells: dict[int, dict[Sector, int]] = {option.id: {} for option in ballot.options}
    for option_id, sector, n in rows:
        cells[option_id][sector] = n
    published = secrecy.publishable(voters_by_sector, cells, current_app.config["BALLOT_MIN_GROUP"])
    results = [OptionResult(option, published.approvals[option.id], published.breakdown[option.id])
               for option in ballot.options]
    return Tally(published.voters, results, published)


def publish_results(actor: User, seat: Seat, ballot: Ballot) -> Tally:
    now = utcnow()
    if ballot.results_published_at is not None:
        raise ServiceError(_("The results of this ballot were published on %(date)s.",
                             date=format_datetime(ballot.results_published_at, "medium")))
    if ballot.published_at is None:
        raise ServiceError(_("This ballot was never published, so nobody voted on it: it has no results to publish."))
    if now < ballot.closes_at:
        raise ServiceError(_("Results can be published once voting closes (%(date)s).",
                             date=format_datetime(ballot.closes_at, "medium")))
    result = tally(ballot)
    ballot.results_published_at = now
    eventlog.record(actor, Verb.RESULTS_PUBLISHED, ballot, sector=seat.sector, territory="national", call=ballot.call,
                    data={"ballot": ballot.id, "tally": result.as_data()})
    db.session.flush()
    return result


def adopt_by_vote(actor: User, seat: Seat, ballot: Ballot) -> list[DraftCommitment]:
    """Adopt every draft on the ballot that more than half of the voters approved; return those adopted.

    The other way to adopt a commitment is the secretariat's tripartite approval (drafts/services.py);
    ``adopted_via`` says which one did. Drafts adopted in the meantime either way are left as they are.
    """
    if ballot.kind is not BallotKind.COMMITMENTS:
        raise ServiceError(_("Only a ballot on the adoption of commitments can adopt them."))
    if ballot.results_published_at is None:
        raise ServiceError(_("Publish the results first: commitments are adopted on the published tally."))
    result = tally(ballot)
    now = utcnow()
    winners = [row for row in result.options if not row.option.draft.is_adopted and row.majority_of(result.voters)]
    # Adoption closes each commitment's comment window and waits for every response (drafts/adoption.py):
    # refuse the whole act, naming each commitment, rather than adopt some of what the vote chose.
    refusals = [reason for row in winners if (reason := adoption.adoption_refusal(row.option.draft))]
    if refusals:
        raise ServiceError(" ".join(refusals))
    adopted = []
    for row in winners:
        draft = row.option.draft
        closed = adoption.adopt(draft, Adoption.VOTE, now)
        eventlog.record(actor, Verb.ADOPTED, draft, sector=seat.sector, territory="national", call=ballot.call,
                        data={"adopted_by": "vote", "ballot": ballot.id, "yes": row.approvals, "voters": result.voters,
                              "closed_comments": closed})
        adopted.append(draft)
    db.session.flush()
    return adopted


# --- queries for pages -----------------------------------------------------------------------------


def ballots_of(call: Call, include_unpublished: bool = False) -> list[tuple[Ballot, int]]:
    """The call's ballots, newest first, each with its number of voters (shown once results are out):
    the public ones (visibility.py), or every one for the secretariat."""
    query = (select(Ballot, func.count(BallotVoter.id))
             .outerjoin(BallotVoter, BallotVoter.ballot_id == Ballot.id)
             .where(Ballot.call_id == call.id)
             .group_by(Ballot.id)
             .order_by(Ballot.opens_at.desc(), Ballot.id.desc()))
    if not include_unpublished:
        query = query.where(visibility.public_ballot())
    return [tuple(row) for row in db.session.execute(query).all()]


@dataclass
class MyVote:
    """What the page tells one person about their vote: theirs, and which of their organisations voted."""

    voter: BallotVoter | None
    voted_for: Organisation | None  # the organisation their vote was cast for, if any
    approved: list[int]
    organisations: list[Organisation]
    voted_organisations: set[int]

    @property
    def verified(self) -> list[Organisation]:
        return [o for o in self.organisations if o.is_verified]

    @property
    def eligible(self) -> list[Organisation]:
        """Verified organisations of theirs that have not voted yet."""
        return [o for o in self.verified if o.id not in self.voted_organisations]

    @property
    def voted(self) -> list[Organisation]:
        return [o for o in self.verified if o.id in self.voted_organisations]

    @property
    def unverified(self) -> list[Organisation]:
        return [o for o in self.organisations if not o.is_verified]


def my_vote(user, ballot: Ballot) -> MyVote | None:
    """None for anonymous visitors; otherwise a fixed handful of statements, whatever the number of voters."""
    if not getattr(user, "is_authenticated", False):
        return None
    voter = db.session.scalar(select(BallotVoter).where(BallotVoter.ballot_id == ballot.id,
                                                        BallotVoter.user_id == user.id))
    approved = list(db.session.scalars(select(Vote.option_id).where(Vote.voter_id == voter.id).order_by(Vote.option_id))) \
        if voter else []
    organisations = organisations_for(user) if ballot.electorate is Electorate.ORGANISATIONS else []
    ids = [o.id for o in organisations]
    voted = set(db.session.scalars(select(BallotVoter.organisation_id).where(
        BallotVoter.ballot_id == ballot.id, BallotVoter.organisation_id.in_(ids)))) if ids else set()
    voted_for = None
    if voter is not None and voter.organisation_id is not None:  # they may have left it since
        voted_for = db.session.get(Organisation, voter.organisation_id)
    return MyVote(voter, voted_for, approved, organisations, voted)
