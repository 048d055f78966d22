"""Each act's rule (<feature>/rules.py), table-driven with a case on each side of every boundary: the
rule the service enforces is the one the page asks before showing a button or a form, so a page never
offers what the service refuses, and never hides what it allows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ogpcocreate.approvals.models import Action
from ogpcocreate.calls import rules as call_rules
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.sectors import Seat
from ogpcocreate.extensions import db
from ogpcocreate.meetings import rules as meeting_rules
from ogpcocreate.proposals import rules as proposal_rules
from ogpcocreate.proposals import services as proposals
from ogpcocreate.responses import rules as response_rules
from ogpcocreate.votes import rules as vote_rules
from ogpcocreate.votes import services as votes
from ogpcocreate.votes.models import Electorate

from .factories import (
    make_call,
    make_comment,
    make_draft,
    make_meeting,
    make_organisation,
    make_plan,
    make_proposal,
    make_seat,
    make_user,
)
from .test_votes import make_ballot

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


@pytest.fixture
def ctx(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield app


def _seat_holder():
    user = make_user(locale="en")
    make_seat(user, Seat.GOVERNMENT)
    return user


# --- proposals: submitting -------------------------------------------------------------------------------

# (case, phase, call takes individuals, the person belongs to an organisation, refused with)
SUBMIT = [
    ("open call, individual welcome", "open", True, False, None),
    ("call announced, not open yet", "announced", True, False, "opens for proposals"),
    ("call closed for proposals", "review", True, False, "closed on"),
    ("organisations only, person without one", "open", False, False, "organisations only"),
    ("organisations only, person with one", "open", False, True, None),
]


@pytest.mark.parametrize(("case", "phase", "individuals", "member", "refused"), SUBMIT, ids=[c[0] for c in SUBMIT])
def test_submit_refusal(ctx, case, phase, individuals, member, refused):
    call = make_call(phase=phase, individuals=individuals)
    user = make_user(locale="en")
    if member:
        make_organisation(user)
    refusal = proposal_rules.submit_refusal(user, call, proposals.organisations_for(user))
    assert (refusal is None) if refused is None else (refused in refusal)


def test_submit_refusal_for_the_public(ctx):
    assert "confirmed account" in proposal_rules.submit_refusal(None, make_call(), [])
    assert proposal_rules.submit_refusal(make_user(confirmed=False), make_call(), []) is not None


def test_the_call_page_offers_the_form_only_where_the_service_takes_it(app, make_client):
    with app.app_context():
        only_orgs = make_call(individuals=False)
        open_call = make_call()
        make_user("sola@example.org", locale="en")
        db.session.commit()
        only_orgs_id, open_id = only_orgs.id, open_call.id
    client = make_client()
    client.login("sola@example.org")
    page = client.get(f"/calls/{only_orgs_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"/calls/{only_orgs_id}/proposals/new" not in page and "organisations only" in page
    # The form itself sends the person back with the reason, changing nothing.
    refused = client.get(f"/calls/{only_orgs_id}/proposals/new", headers={"Accept-Language": "en"})
    assert refused.status_code == 302 and refused.location.endswith(f"/calls/{only_orgs_id}")
    assert f"/calls/{open_id}/proposals/new" in client.get(f"/calls/{open_id}").get_data(as_text=True)


# --- proposals: editing and withdrawing --------------------------------------------------------------------

# (case, phase, the author asks, withdrawn, refused with)
CHANGE = [
    ("author, call open", "open", True, False, None),
    ("author, call closed", "review", True, False, "closed on"),
    ("someone else, call open", "open", False, False, "Only the author"),
    ("author, proposal withdrawn", "open", True, True, "withdrawn"),
]


@pytest.mark.parametrize(("case", "phase", "author", "withdrawn", "refused"), CHANGE, ids=[c[0] for c in CHANGE])
def test_change_refusal(ctx, case, phase, author, withdrawn, refused):
    call = make_call(phase=phase)
    writer = make_user(locale="en")
    proposal = make_proposal(call, writer)
    if withdrawn:
        proposal.withdrawn_at = utcnow()
    refusal = proposal_rules.change_refusal(writer if author else make_user(locale="en"), proposal)
    assert (refusal is None) if refused is None else (refused in refusal)


# --- responses -------------------------------------------------------------------------------------------

# (case, phase, withdrawn, the secretariat answers, refused with)
RESPOND_PROPOSAL = [
    ("secretariat, call closed", "review", False, True, None),
    ("secretariat, call still open", "open", False, True, "once proposals have closed"),
    ("secretariat, proposal withdrawn", "review", True, True, "withdrawn"),
    ("a participant, call closed", "review", False, False, "Only the secretariat"),
]


@pytest.mark.parametrize(("case", "phase", "withdrawn", "secretariat", "refused"), RESPOND_PROPOSAL,
                         ids=[c[0] for c in RESPOND_PROPOSAL])
def test_response_refusal_on_proposals(ctx, case, phase, withdrawn, secretariat, refused):
    proposal = make_proposal(make_call(phase=phase), make_user())
    if withdrawn:
        proposal.withdrawn_at = utcnow()
    refusal = response_rules.response_refusal(_seat_holder() if secretariat else make_user(locale="en"), proposal)
    assert (refusal is None) if refused is None else (refused in refusal)


# (case, written by the secretariat, hidden, refused with)
RESPOND_COMMENT = [
    ("a participant's comment", False, False, None),
    ("the secretariat's own comment", True, False, "written by the secretariat"),
    ("a hidden comment", False, True, "hidden by moderation"),
]


@pytest.mark.parametrize(("case", "by_secretariat", "hidden", "refused"), RESPOND_COMMENT,
                         ids=[c[0] for c in RESPOND_COMMENT])
def test_response_refusal_on_comments(ctx, case, by_secretariat, hidden, refused):
    responder = _seat_holder()
    draft = make_draft(make_call(phase="deliberation"), responder)
    comment = make_comment(draft.current_version, responder if by_secretariat else make_user(),
                           is_contribution=not by_secretariat)
    if hidden:
        comment.hidden_at = utcnow()
    refusal = response_rules.response_refusal(responder, comment)
    assert (refusal is None) if refused is None else (refused in refusal)


# --- votes -----------------------------------------------------------------------------------------------

# (case, opens (offset from now), closes, published ballot, the voter holds a seat, voted already, refused)
VOTE = [
    ("open ballot, a participant", -DAY, DAY, True, False, False, None),
    ("opens in a second", SECOND, DAY, True, False, False, "opens on"),
    ("closed a second ago", -DAY, -SECOND, True, False, False, "closed on"),
    ("not published", -DAY, DAY, False, False, False, "not been published"),
    ("a seat holder", -DAY, DAY, True, True, False, "do not vote"),
    ("voted already", -DAY, DAY, True, False, True, "already voted"),
]


@pytest.mark.parametrize(("case", "opens", "closes", "public", "seat", "voted", "refused"), VOTE,
                         ids=[c[0] for c in VOTE])
def test_vote_refusal(ctx, case, opens, closes, public, seat, voted, refused):
    creator = _seat_holder()
    call = make_call(make_plan(creator))
    ballot = make_ballot(call, creator, electorate=Electorate.PARTICIPANTS, opens=opens, closes=closes, public=public)
    voter = _seat_holder() if seat else make_user(locale="en")
    if voted:
        votes.cast_vote(voter, ballot, {"approve": [ballot.options[0].id]})
    refusal = vote_rules.vote_refusal(voter, ballot, votes.my_vote(voter, ballot), utcnow())
    assert (refusal is None) if refused is None else (refused in refusal)


def test_vote_refusal_on_an_organisations_ballot(ctx):
    creator = _seat_holder()
    ballot = make_ballot(make_call(make_plan(creator)), creator, electorate=Electorate.ORGANISATIONS)
    without = make_user(locale="en")
    assert "None of your organisations" in vote_rules.vote_refusal(without, ballot, votes.my_vote(without, ballot),
                                                                    utcnow())
    member = make_user(locale="en")
    make_organisation(member)  # verified by default in the factories
    assert vote_rules.vote_refusal(member, ballot, votes.my_vote(member, ballot), utcnow()) is None


# --- meetings --------------------------------------------------------------------------------------------

# (case, starts (offset from now), published, signed, refused with)
ATTENDANCE = [
    ("published, took place", -DAY, True, False, None),
    ("starts in a second", SECOND, True, False, "starts on"),
    ("not published", -DAY, False, False, "Publish the meeting first"),
    ("minutes signed", -DAY, True, True, "signed"),
]


@pytest.mark.parametrize(("case", "starts", "published", "signed", "refused"), ATTENDANCE,
                         ids=[c[0] for c in ATTENDANCE])
def test_attendance_refusal(ctx, case, starts, published, signed, refused):
    meeting = make_meeting(make_call(phase="review"), starts_at=utcnow() + starts, published=published)
    if signed:
        meeting.signed_at = utcnow()
    refusal = meeting_rules.attendance_refusal(meeting, utcnow())
    assert (refusal is None) if refused is None else (refused in refusal)
    assert (meeting_rules.change_refusal(meeting) is None) is (not signed)


# --- calls: the acts the page offers ------------------------------------------------------------------------

# (phase, acts offered)
ACTS = [
    ("deliberation", [Action.PUBLISH_CALL]),
    ("decision", [Action.PUBLISH_CALL, Action.PUBLISH_RESULTS]),
    ("results", [Action.PUBLISH_CALL, Action.PUBLISH_RESULTS]),
]


@pytest.mark.parametrize(("phase", "acts"), ACTS, ids=[a[0] for a in ACTS])
def test_acts_shown_on_the_call_page(ctx, phase, acts):
    assert call_rules.acts_shown(make_call(phase=phase), utcnow()) == acts
