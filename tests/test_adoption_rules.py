"""Adopting a commitment, by the seats or by vote (DOMAIN.md, "Refinements of the influence rules"): it
closes the draft's open comment window and is refused while a contribution on it has no response.
Table-driven: each case on both ways in."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ogpcocreate.core.db import utcnow
from ogpcocreate.core.errors import ServiceError
from ogpcocreate.core.sectors import Seat
from ogpcocreate.drafts import services as drafts
from ogpcocreate.drafts.models import Adoption
from ogpcocreate.extensions import db
from ogpcocreate.votes import services as votes
from ogpcocreate.votes.models import BallotKind, BallotVoter, Electorate, Vote

from .factories import (
    make_call,
    make_comment,
    make_draft,
    make_plan,
    make_response_to_comment,
    make_seat,
    make_user,
)
from .test_votes import make_ballot

# (name, window open, comments: list of answered?, hidden unanswered comment, refused)
CASES = [
    ("closed round, every comment answered", False, [True, True], False, False),
    ("closed round, one comment unanswered", False, [True, False], False, True),
    ("open round, every comment answered: adoption closes it", True, [True], False, False),
    ("open round, a comment unanswered", True, [False], False, True),
    ("a hidden comment needs no response", False, [True], True, False),
    ("no comment at all", True, [], False, False),
]


def _draft(window_open, comments, hidden):
    seats = {}
    for seat in Seat:
        seats[seat] = make_user()
        make_seat(seats[seat], seat)
    call = make_call(make_plan(seats[Seat.GOVERNMENT]), phase="deliberation")
    draft = make_draft(call, seats[Seat.GOVERNMENT], open_for_comments=window_open)
    author = make_user()
    for answered in comments:
        comment = make_comment(draft.current_version, author)
        if answered:
            make_response_to_comment(comment, seats[Seat.GOVERNMENT])
    if hidden:
        make_comment(draft.current_version, author).hidden_at = utcnow()
    db.session.flush()
    return call, draft, seats


def _by_seats(call, draft, seats):
    for seat in Seat:
        drafts.take_adoption_position(seats[seat], seat, draft, "approve", "")


def _by_vote(call, draft, seats):
    ballot = make_ballot(call, seats[Seat.GOVERNMENT], kind=BallotKind.COMMITMENTS, electorate=Electorate.PARTICIPANTS,
                         drafts=[draft], opens=-timedelta(days=2), closes=-timedelta(hours=1), published=True)
    voter = BallotVoter(ballot_id=ballot.id, user_id=make_user().id, sector="citizen", territory="MX-OAX")
    db.session.add(voter)
    db.session.flush()
    db.session.add(Vote(voter_id=voter.id, option_id=ballot.options[0].id))
    db.session.flush()
    votes.adopt_by_vote(seats[Seat.GOVERNMENT], Seat.GOVERNMENT, ballot)


@pytest.mark.parametrize("way", [_by_seats, _by_vote], ids=["by the seats", "by vote"])
@pytest.mark.parametrize(("name", "window_open", "comments", "hidden", "refused"), CASES, ids=[c[0] for c in CASES])
def test_adoption(app, way, name, window_open, comments, hidden, refused):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        call, draft, seats = _draft(window_open, comments, hidden)
        before = draft.current_version.comments_close_at
        if refused:
            with pytest.raises(ServiceError, match="no reasoned response yet"):
                way(call, draft, seats)
            db.session.rollback()
            return
        way(call, draft, seats)
        assert draft.adopted_via is (Adoption.TRIPARTITE if way is _by_seats else Adoption.VOTE)
        closes = draft.current_version.comments_close_at
        if window_open:  # adoption closed the window: nobody comments on a final text
            assert closes == draft.adopted_at < before
            assert not draft.current_version.comments_open_at(utcnow() + timedelta(seconds=1))
        else:
            assert closes == before


def test_an_objection_needs_no_answered_comments(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        call, draft, seats = _draft(False, [False], False)
        assert drafts.take_adoption_position(seats[Seat.GUARANTOR], Seat.GUARANTOR, draft, "object", "Falta") is False
