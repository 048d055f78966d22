"""The demo tells the story of issue 5: an older plan that reached "consult" beside a current plan at
"collaborate" (shared/DOMAIN.md, "Level of public influence"), on a record whose times match the acts."""

from __future__ import annotations

import pytest
from sqlalchemy import and_, func, or_, select

from ogpcocreate.calls.models import Call
from ogpcocreate.comments.models import Comment
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.eventlog import Channel, ParticipationEvent, Verb, verify
from ogpcocreate.core.sectors import Sector
from ogpcocreate.drafts.models import Adoption, DraftCommitment, DraftVersion
from ogpcocreate.extensions import db
from ogpcocreate.meetings.models import Meeting
from ogpcocreate.plans.models import ActionPlan, PlanStatus
from ogpcocreate.proposals.models import Proposal
from ogpcocreate.responses.models import Outcome, Response

from .conftest import rolled_back
from .test_record import offline_problem

CURRENT, OLDER = "Quinto Plan de Acción Nacional", "Cuarto Plan de Acción Nacional"


@pytest.fixture
def demo(demo_app):
    """The demo, loaded once per session (tests/conftest.py); whatever a test changes is rolled back."""
    with rolled_back(demo_app), demo_app.test_request_context():
        yield demo_app


def _plan(name: str) -> ActionPlan:
    return db.session.scalar(select(ActionPlan).where(ActionPlan.name == name))


def _calls(plan: ActionPlan) -> list[Call]:
    return list(db.session.scalars(select(Call).where(Call.plan_id == plan.id).order_by(Call.id)))


def _current(contribution_column, ids) -> set[int]:
    return set(db.session.scalars(select(contribution_column).where(contribution_column.in_(ids), Response.is_current)))


def _due_unanswered(plan: ActionPlan, now) -> tuple[list[Proposal], list[Comment]]:
    """The rule of reports/influence.py, written out independently: contributions whose window closed
    (a proposal once its call closed, a comment once its version's window closed) without a response."""
    proposals = list(db.session.scalars(
        select(Proposal).join(Call, Call.id == Proposal.call_id)
        .where(Call.plan_id == plan.id, Proposal.withdrawn_at.is_(None), Call.closes_at <= now)))
    comments = list(db.session.scalars(
        select(Comment).join(DraftVersion, DraftVersion.id == Comment.version_id)
        .join(DraftCommitment, DraftCommitment.id == DraftVersion.draft_id)
        .join(Call, Call.id == DraftCommitment.call_id)
        .where(Call.plan_id == plan.id, Comment.is_contribution, Comment.hidden_at.is_(None),
               DraftVersion.comments_close_at <= now)))
    answered_p = _current(Response.proposal_id, [p.id for p in proposals])
    answered_c = _current(Response.comment_id, [c.id for c in comments])
    return [p for p in proposals if p.id not in answered_p], [c for c in comments if c.id not in answered_c]


def _completed_rounds(draft: DraftCommitment, now) -> list[int]:
    numbers = {v.number for v in draft.versions}
    done = []
    for version in draft.versions:
        comments = list(db.session.scalars(select(Comment.id).where(
            Comment.version_id == version.id, Comment.is_contribution, Comment.hidden_at.is_(None))))
        answered = _current(Response.comment_id, comments)
        if version.comments_close_at <= now and set(comments) == answered \
                and (version.number + 1 in numbers or draft.adopted_at is not None):
            done.append(version.number)
    return done


def _territories(plan: ActionPlan) -> set[str]:
    """Where the participants came from: the territory of every participation act in the plan
    (government and secretariat acts aside), not counting "national"."""
    acts = (Verb.SUBMITTED, Verb.COMMENTED, Verb.ATTENDED, Verb.VOTED)
    return set(db.session.scalars(select(ParticipationEvent.territory).where(
        ParticipationEvent.plan_id == plan.id, ParticipationEvent.verb.in_([v.value for v in acts]),
        ParticipationEvent.sector != Sector.GOVERNMENT, ParticipationEvent.territory.is_not(None)))) - {"national"}


def test_the_record_verifies_and_its_times_are_those_of_the_acts(demo):
    assert verify().ok
    assert offline_problem() is None  # and so does its public CSV, with the standalone verifier
    now = utcnow()
    assert db.session.scalar(select(func.max(ParticipationEvent.occurred_at))) <= now
    for plan in (_plan(OLDER), _plan(CURRENT)):
        for call in _calls(plan):
            assert call.announce_at <= call.opens_at < call.closes_at <= call.deliberation_at <= call.decision_at \
                <= call.results_at
            assert call.notice.days >= 14 and call.published_at == call.announce_at
            # every proposal was submitted while its call was open, and its log entry says so
            rows = db.session.execute(
                select(Proposal, ParticipationEvent.occurred_at)
                .join(ParticipationEvent, and_(ParticipationEvent.subject_type == "proposal",
                                               ParticipationEvent.subject_id == Proposal.id,
                                               ParticipationEvent.verb == Verb.SUBMITTED.value))
                .where(Proposal.call_id == call.id)
            ).all()
            assert len(rows) == db.session.scalar(select(func.count(Proposal.id)).where(Proposal.call_id == call.id))
            for proposal, at in rows:
                assert call.opens_at <= at < call.closes_at, proposal.title
                assert at == proposal.created_at
            # responses to proposals come after the call closed
            responded = db.session.scalars(
                select(ParticipationEvent.occurred_at).where(ParticipationEvent.call_id == call.id,
                                                             ParticipationEvent.verb == Verb.RESPONDED.value,
                                                             ParticipationEvent.data["proposal"].is_not(None))).all()
            assert all(call.closes_at <= at <= now for at in responded)
    older = _plan(OLDER)
    older_times = db.session.scalars(select(ParticipationEvent.occurred_at)
                                     .where(ParticipationEvent.plan_id == older.id,
                                            ParticipationEvent.subject_type != "action_plan")).all()
    # co-created in 2019; its implementation was reported until the plan's end (demo/monitoring.py)
    assert older_times and all(2019 <= t.year <= older.period_end for t in older_times)
    assert min(older_times).year == 2019
    # the plan itself was created in 2019 and closed at the end of its period
    plan_acts = db.session.execute(select(ParticipationEvent.verb, ParticipationEvent.occurred_at).where(
        ParticipationEvent.subject_type == "action_plan", ParticipationEvent.subject_id == older.id)
        .order_by(ParticipationEvent.seq)).all()
    assert (plan_acts[0].verb, plan_acts[0].occurred_at.year) == ("created", 2019)
    assert (plan_acts[-1].verb, plan_acts[-1].occurred_at.year) == ("edited", 2021)
    # the log runs in the order things happened, the older plan first
    process = db.session.scalars(select(ParticipationEvent.occurred_at).where(ParticipationEvent.plan_id.is_not(None))
                                 .order_by(ParticipationEvent.seq)).all()
    assert process == sorted(process)
    # comments lie inside their version's window, versions after the previous window closed
    for draft in db.session.scalars(select(DraftCommitment)):
        for previous, version in zip(draft.versions, draft.versions[1:], strict=False):
            assert previous.comments_close_at <= version.published_at
        for version in draft.versions:
            created = db.session.scalars(select(Comment.created_at).where(Comment.version_id == version.id)).all()
            assert all(version.published_at <= at < version.comments_close_at for at in created)


def test_the_current_plan_answers_every_due_contribution_in_rounds(demo):
    now = utcnow()
    plan = _plan(CURRENT)
    assert plan.status is PlanStatus.CO_CREATION
    national, local = _calls(plan)
    assert national.closes_at < now and local.opens_at < now < local.closes_at
    assert _due_unanswered(plan, now) == ([], [])
    due_proposals = db.session.scalar(select(func.count(Proposal.id)).where(Proposal.call_id == national.id,
                                                                             Proposal.withdrawn_at.is_(None)))
    assert due_proposals >= 25
    # no response that does not adopt its contribution lacks a justification
    assert not db.session.scalar(select(func.count(Response.id)).where(
        Response.outcome != Outcome.ADOPTED, Response.justification_source == ""))
    # replies by participants are contributions, and are answered too
    replies = db.session.scalars(select(Comment).where(Comment.parent_id.is_not(None), Comment.is_contribution)).all()
    assert replies and all(_current(Response.comment_id, [r.id]) for r in replies)
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.is_contribution.is_(False))) >= 1
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.hidden_at.is_not(None))) >= 1

    drafts = {d.title: d for d in db.session.scalars(select(DraftCommitment).where(DraftCommitment.call_id == national.id))}
    padron = drafts["Padrón único y abierto de beneficiarios de programas sociales"]
    assert [v.number for v in padron.versions] == [1, 2, 3]
    assert _completed_rounds(padron, now) == [1, 2]
    live = padron.versions[-1]
    assert live.published_at < now < live.comments_close_at
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.version_id == live.id)) >= 1
    assert not padron.is_adopted
    # each later version took in comments of the previous round, and the responses say so
    for version in padron.versions[1:]:
        from ogpcocreate.drafts.services import incorporations

        _proposals, taken = incorporations(version)
        assert taken and all(c.version.number == version.number - 1 for c in taken)
        for comment in taken:
            response = db.session.scalar(select(Response).where(Response.comment_id == comment.id, Response.is_current))
            assert f"versión {version.number}" in response.justification_source
    agua = drafts["Registro abierto de concesiones de agua"]
    assert [v.number for v in agua.versions] == [1, 2]
    assert agua.adopted_via is Adoption.TRIPARTITE and _completed_rounds(agua, now) == [1, 2]


def test_the_current_plan_sets_its_agenda_and_meets_often_across_the_country(demo):
    from ogpcocreate.votes.models import Ballot, BallotKind, BallotVoter

    now = utcnow()
    plan = _plan(CURRENT)
    calls = [c.id for c in _calls(plan)]
    ballot = db.session.scalar(select(Ballot).where(Ballot.call_id.in_(calls), Ballot.kind == BallotKind.THEMES))
    assert ballot.results_published_at is not None and ballot.results_published_at < now
    assert db.session.scalar(select(func.count(BallotVoter.id)).where(
        BallotVoter.ballot_id == ballot.id, BallotVoter.sector != Sector.GOVERNMENT)) >= 20
    meetings = db.session.scalars(select(Meeting).where(Meeting.call_id.in_(calls)).order_by(Meeting.starts_at)).all()
    assert len(meetings) >= 2 and any(m.is_signed for m in meetings)
    assert all(m.starts_at < now for m in meetings)
    assert all((b.starts_at - a.starts_at).days <= 183 for a, b in zip(meetings, meetings[1:], strict=False))
    territories = _territories(plan)
    assert len(territories) >= 15, territories
    channels = set(db.session.scalars(select(ParticipationEvent.channel).where(
        ParticipationEvent.plan_id == plan.id, ParticipationEvent.verb == Verb.ATTENDED.value)))
    assert channels == {Channel.IN_PERSON, Channel.ONLINE}


def test_the_older_plan_stopped_at_consult(demo):
    now = utcnow()
    plan = _plan(OLDER)
    assert plan.status is PlanStatus.CLOSED and (plan.period_start, plan.period_end) == (2019, 2021)
    (call,) = _calls(plan)
    assert call.results_published_at is not None and call.results_published_at.year == 2019
    assert call.phase.value == "results"
    proposals = db.session.scalar(select(func.count(Proposal.id)).where(Proposal.call_id == call.id))
    unanswered, _comments = _due_unanswered(plan, now)
    assert 15 <= proposals <= 20 and 0.35 * proposals <= len(unanswered) <= 0.65 * proposals
    # Its only commitments are the three the IRM summary highlights, adopted without rounds of comments
    # (demo/monitoring.py): the older plan drafted nothing in the open.
    drafts = db.session.scalars(select(DraftCommitment).where(DraftCommitment.call_id == call.id)).all()
    assert len(drafts) == 3 and all(d.is_adopted and len(d.versions) == 1 for d in drafts)
    assert not db.session.scalar(select(func.count(Comment.id)).join(DraftVersion, DraftVersion.id == Comment.version_id)
                                 .where(DraftVersion.draft_id.in_([d.id for d in drafts])))
    from ogpcocreate.votes.models import Ballot

    assert not db.session.scalar(select(func.count(Ballot.id)).where(Ballot.call_id == call.id))
    (meeting,) = db.session.scalars(select(Meeting).where(Meeting.call_id == call.id)).all()
    assert meeting.territory == "MX-CMX" and meeting.starts_at.year == 2019
    territories = _territories(plan)
    assert 1 <= len(territories) <= 5 and "MX-CMX" in territories, territories


def test_the_side_by_side_levels(demo):
    """The decisive check, against the rules in reports/influence.py."""
    from ogpcocreate.reports.influence import assess
    from ogpcocreate.reports.levels import Level
    from ogpcocreate.reports.scope import Scope

    assert assess(Scope.of_plan(_plan(OLDER))).level is Level.CONSULT
    assert assess(Scope.of_plan(_plan(CURRENT))).level is Level.COLLABORATE


def test_the_whole_log_runs_in_the_order_things_happened_and_verifies(demo):
    """One write path: every entry was appended at its act's moment, so the chain's order is time order."""
    times = db.session.scalars(select(ParticipationEvent.occurred_at).order_by(ParticipationEvent.seq)).all()
    assert len(times) > 500 and times == sorted(times)
    result = verify()  # what `flask audit verify` runs
    assert result.ok and result.checked == len(times)


def test_nobody_acts_before_registering_nor_for_an_organisation_before_joining_it(demo):
    from ogpcocreate.auth.models import User
    from ogpcocreate.organisations.models import Membership, Organisation

    # every person's first entry is their registration, once their address was confirmed
    early = db.session.execute(
        select(ParticipationEvent.seq, ParticipationEvent.verb, User.email)
        .join(User, User.id == ParticipationEvent.actor_id)
        .where(or_(User.email_confirmed_at.is_(None), ParticipationEvent.occurred_at < User.email_confirmed_at,
                   ParticipationEvent.occurred_at < User.created_at))).all()
    assert early == []
    registered = db.session.scalar(select(func.count(ParticipationEvent.seq)).where(
        ParticipationEvent.verb == Verb.REGISTERED.value))
    assert registered == db.session.scalar(select(func.count(User.id)))
    # nothing is done for an organisation before it was registered, nor by someone before they joined it
    before_organisation = db.session.execute(
        select(ParticipationEvent.seq, ParticipationEvent.verb, Organisation.acronym)
        .join(Organisation, Organisation.id == ParticipationEvent.organisation_id)
        .where(ParticipationEvent.occurred_at < Organisation.created_at)).all()
    assert before_organisation == []
    member_then = (select(Membership.id).where(Membership.organisation_id == ParticipationEvent.organisation_id,
                                               Membership.user_id == ParticipationEvent.actor_id,
                                               Membership.joined_at <= ParticipationEvent.occurred_at)
                   .exists())
    for_others = db.session.execute(
        select(ParticipationEvent.seq, ParticipationEvent.verb)
        .where(ParticipationEvent.organisation_id.is_not(None), ParticipationEvent.actor_id.is_not(None),
               ParticipationEvent.verb != Verb.INVITED.value, ~member_then)).all()
    assert for_others == []


def test_the_secretariat_acts_only_from_seats_assigned_before(demo):
    """The seat holders of both plans were seated (December 2018) before any act of their seat."""
    from ogpcocreate.secretariat.models import SecretariatMembership

    seat_acts = [Verb.APPROVED, Verb.OBJECTED, Verb.RESPONDED, Verb.MODERATED, Verb.VERIFIED, Verb.REJECTED,
                 Verb.SIGNED, Verb.ADOPTED, Verb.RESULTS_PUBLISHED]
    seated_then = (select(SecretariatMembership.id)
                   .where(SecretariatMembership.user_id == ParticipationEvent.actor_id,
                          SecretariatMembership.started_at <= ParticipationEvent.occurred_at,
                          or_(SecretariatMembership.ended_at.is_(None),
                              SecretariatMembership.ended_at > ParticipationEvent.occurred_at))
                   .exists())
    from ogpcocreate.monitoring.models import Contact

    # A commitment's contacts answer comments on its implementation without holding a seat (monitoring/).
    contact_answers = and_(ParticipationEvent.verb == Verb.RESPONDED.value,
                           ParticipationEvent.actor_id.in_(select(Contact.user_id)))
    acts = select(func.count(ParticipationEvent.seq)).where(ParticipationEvent.verb.in_([v.value for v in seat_acts]),
                                                            ~contact_answers)
    assert db.session.scalar(acts) > 100
    assert db.session.scalar(acts.where(~seated_then)) == 0
    first_seat = db.session.scalar(select(func.max(SecretariatMembership.started_at)))
    first_process_act = db.session.scalar(select(func.min(ParticipationEvent.occurred_at))
                                          .where(ParticipationEvent.plan_id.is_not(None)))
    assert first_seat < first_process_act and first_seat.year == 2018


def test_the_clock_runs_in_real_time_once_the_demo_is_loaded(demo):
    from datetime import UTC, datetime, timedelta

    from ogpcocreate.core import db as core_db

    assert core_db._held_at.get() is None
    assert abs(utcnow() - datetime.now(UTC)) < timedelta(seconds=30)
