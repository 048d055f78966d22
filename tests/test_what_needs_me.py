"""What needs me: what is open now on the home page, a person's whole activity, and the secretariat's
work queues. Each list shows only what its reader may see, and each item says where it is done."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ogpcocreate.approvals.models import Action, Approval, Stance
from ogpcocreate.core import eventlog
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.eventlog import Verb
from ogpcocreate.core.sectors import Seat
from ogpcocreate.drafts.models import MilestoneStatus
from ogpcocreate.extensions import db
from ogpcocreate.main import activity
from ogpcocreate.main.open_now import open_now
from ogpcocreate.moderation.models import Report
from ogpcocreate.secretariat import queues
from ogpcocreate.votes import services as votes
from ogpcocreate.votes.models import Electorate

from .factories import (
    make_adopted,
    make_call,
    make_comment,
    make_draft,
    make_meeting,
    make_organisation,
    make_plan,
    make_proposal,
    make_response,
    make_response_to_comment,
    make_seat,
    make_user,
)
from .test_votes import make_ballot

DAY = timedelta(days=1)


@pytest.fixture
def ctx(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield app


def _seats():
    seats = {}
    for seat in Seat:
        seats[seat] = make_user(locale="en")
        make_seat(seats[seat], seat)
    return seats


# --- open now --------------------------------------------------------------------------------------------


def test_open_now_lists_only_what_is_open_and_public(ctx):
    seats = _seats()
    plan = make_plan(seats[Seat.GOVERNMENT])
    open_call = make_call(plan, phase="open")
    announced = make_call(plan, phase="announced")
    closed = make_call(plan, phase="review")
    unpublished = make_call(plan, phase="draft")
    scheduled = make_call(plan, phase="scheduled")  # approved, its announcement date still to come
    deliberating = make_call(plan, phase="deliberation")
    commenting = make_draft(deliberating, seats[Seat.GOVERNMENT], open_for_comments=True)
    quiet = make_draft(deliberating, seats[Seat.GOVERNMENT], open_for_comments=False)
    hidden_draft = make_draft(unpublished, seats[Seat.GOVERNMENT], open_for_comments=True)
    ballot = make_ballot(open_call, seats[Seat.GOVERNMENT])
    unpublished_ballot = make_ballot(open_call, seats[Seat.GOVERNMENT], public=False)
    soon = make_meeting(open_call, starts_at=utcnow() + 3 * DAY)
    past = make_meeting(open_call)
    unpublished_meeting = make_meeting(open_call, starts_at=utcnow() + 2 * DAY, published=False)
    found = open_now(utcnow())
    assert [i.id for i in found.calls] == [open_call.id]
    assert [i.id for i in found.announced] == [announced.id]
    assert [i.id for i in found.drafts] == [commenting.id]
    assert [i.id for i in found.ballots] == [ballot.id]
    assert [i.id for i in found.meetings] == [soon.id]
    assert found.calls[0].deadline == open_call.closes_at
    assert found.drafts[0].deadline == commenting.current_version.comments_close_at
    for absent in (closed, unpublished, scheduled, quiet, hidden_draft, unpublished_ballot, past, unpublished_meeting):
        assert absent  # each is absent from the lists above, compared whole


def test_the_home_page_says_what_is_open(app, client):
    with app.test_request_context():
        call = make_call(phase="open")
        db.session.commit()
        title, call_id = call.title, call.id
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Open now" in page and f'href="/calls/{call_id}"' in page and title in page


# --- my activity -----------------------------------------------------------------------------------------


def test_my_activity_lists_every_act_with_its_status(ctx):
    seats = _seats()
    me = make_user(locale="en")
    org = make_organisation(me)
    call = make_call(make_plan(seats[Seat.GOVERNMENT]), phase="review")
    answered = make_proposal(call, me, org, title="Answered")
    eventlog.record(me, Verb.SUBMITTED, answered, org, call=call)
    make_response(answered, seats[Seat.GOVERNMENT], "partially_adopted")
    waiting = make_proposal(call, me, title="Waiting")
    eventlog.record(me, Verb.SUBMITTED, waiting, call=call)
    draft = make_draft(make_call(make_plan(seats[Seat.GOVERNMENT]), phase="deliberation"), seats[Seat.GOVERNMENT])
    comment = make_comment(draft.current_version, me)
    eventlog.record(me, Verb.COMMENTED, comment, call=draft.call)
    make_response_to_comment(comment, seats[Seat.GOVERNMENT], "adopted")
    reply = make_comment(draft.current_version, me, parent=comment)
    eventlog.record(me, Verb.COMMENTED, reply, call=draft.call)
    hidden = make_comment(draft.current_version, me)
    hidden.hidden_at, hidden.hidden_reason = utcnow(), "Insults"
    eventlog.record(me, Verb.COMMENTED, hidden, call=draft.call)
    ballot = make_ballot(make_call(make_plan(seats[Seat.GOVERNMENT])), seats[Seat.GOVERNMENT],
                         electorate=Electorate.PARTICIPANTS)
    votes.cast_vote(me, ballot, {"approve": [ballot.options[1].id]})
    meeting = make_meeting(call)
    eventlog.record(me, Verb.ATTENDED, meeting, call=call)
    someone_else = make_user()
    eventlog.record(someone_else, Verb.SUBMITTED, make_proposal(call, someone_else), call=call)

    entries, more = activity.page(me.id)
    assert more is None
    by_kind = [(e.kind, e.status.kind) for e in entries]
    assert by_kind == [("meeting", "done"), ("ballot", "done"), ("comment", "hidden"), ("reply", "awaiting"),
                       ("comment", "answered"), ("proposal", "awaiting"), ("proposal", "answered")]
    assert entries[-1].organisation == org.name and entries[-1].status.outcome.value == "partially_adopted"
    assert entries[2].status.hidden_reason == "Insults"
    assert activity.counts(me.id) == {"proposal": 2, "comment": 3, "ballot": 1, "meeting": 1}
    assert activity.unanswered(me.id) == 2  # the waiting proposal and the reply; the hidden comment needs none

    first, cursor = activity.page(me.id, per_page=3)
    rest, end = activity.page(me.id, before=cursor, per_page=10)
    assert [e.seq for e in first + rest] == [e.seq for e in entries] and end is None


def test_my_activity_never_says_how_i_voted(app, make_client):
    with app.test_request_context():
        seat = make_user()
        make_seat(seat, Seat.GOVERNMENT)
        voter = make_user("votante@example.org", locale="en")
        ballot = make_ballot(make_call(make_plan(seat)), seat, electorate=Electorate.PARTICIPANTS)
        labels, question = [o.label for o in ballot.options], ballot.question
        votes.cast_vote(voter, ballot, {"approve": [ballot.options[0].id]})
        db.session.commit()
    client = make_client()
    client.login("votante@example.org")
    page = client.get("/my/activity").get_data(as_text=True)
    assert "You voted." in page and question in page
    assert not any(label in page for label in labels)
    # The old address of "my contributions" leads here.
    old = client.get("/my/contributions")
    assert old.status_code == 301 and old.location.endswith("/my/activity")


# --- the secretariat's work queues -------------------------------------------------------------------------


def test_contributions_due_a_response_oldest_first(ctx):
    seats = _seats()
    plan = make_plan(seats[Seat.GOVERNMENT])
    closed = make_call(plan, phase="review")
    still_open = make_call(plan, phase="open")
    due = make_proposal(closed, make_user(), title="Due")
    answered = make_proposal(closed, make_user(), title="Answered")
    make_response(answered, seats[Seat.GOVERNMENT])
    withdrawn = make_proposal(closed, make_user(), title="Withdrawn")
    withdrawn.withdrawn_at = utcnow()
    make_proposal(still_open, make_user(), title="Not yet due")
    draft = make_draft(make_call(plan, phase="deliberation"), seats[Seat.GOVERNMENT], open_for_comments=False)
    comment = make_comment(draft.current_version, make_user())
    own = make_comment(draft.current_version, seats[Seat.GOVERNMENT], is_contribution=False)
    open_draft = make_draft(make_call(plan, phase="deliberation"), seats[Seat.GOVERNMENT], open_for_comments=True)
    make_comment(open_draft.current_version, make_user())  # its round is still open: not due yet
    found = queues.queues(Seat.GUARANTOR, utcnow()).responses
    assert {(d.kind, d.id) for d in found.items} == {("proposal", due.id), ("comment", comment.id)}
    assert found.total == 2 and own.id not in {d.id for d in found.items if d.kind == "comment"}
    assert [d.due_at for d in found.items] == sorted(d.due_at for d in found.items)


# (case, positions: list of (seat, stance, withdrawn), carried out, waiting for the guarantor)
APPROVALS = [
    ("the government approved", [(Seat.GOVERNMENT, Stance.APPROVE, False)], False, True),
    ("the guarantor approved too", [(Seat.GOVERNMENT, Stance.APPROVE, False), (Seat.GUARANTOR, Stance.APPROVE, False)],
     False, False),
    ("the guarantor objected", [(Seat.GOVERNMENT, Stance.APPROVE, False), (Seat.GUARANTOR, Stance.OBJECT, False)],
     False, False),
    ("the government's approval was withdrawn", [(Seat.GOVERNMENT, Stance.APPROVE, True)], False, False),
    ("nobody took a position", [], False, False),
    ("already carried out", [(Seat.GOVERNMENT, Stance.APPROVE, False)], True, False),
]


@pytest.mark.parametrize(("case", "positions", "done", "waiting"), APPROVALS, ids=[a[0] for a in APPROVALS])
def test_approvals_waiting_for_my_seat(ctx, case, positions, done, waiting):
    seats = _seats()
    call = make_call(make_plan(seats[Seat.GOVERNMENT]), phase="draft")
    for seat, stance, withdrawn in positions:
        db.session.add(Approval(action=Action.PUBLISH_CALL, call_id=call.id, seat=seat, user_id=seats[seat].id,
                                stance=stance, withdrawn_at=utcnow() if withdrawn else None))
    if done:
        call.published_at = utcnow()
    db.session.flush()
    found = queues.queues(Seat.GUARANTOR, utcnow()).approvals
    assert [(w.action, w.kind, w.id) for w in found.items] == ([(Action.PUBLISH_CALL, "calls", call.id)] if waiting
                                                               else [])


def test_the_other_queues(ctx):
    seats = _seats()
    call = make_call(make_plan(seats[Seat.GOVERNMENT]), phase="review")
    pending = make_organisation(make_user(), verified=False)
    make_organisation(make_user())  # verified
    unsigned = make_meeting(call)
    make_meeting(call, starts_at=utcnow() + DAY)  # not held yet
    draft = make_draft(make_call(make_plan(seats[Seat.GOVERNMENT]), phase="deliberation"), seats[Seat.GOVERNMENT])
    reported = make_comment(draft.current_version, make_user())
    for _ in range(2):
        db.session.add(Report(comment_id=reported.id, reporter_id=make_user().id, reason="Insultos"))
    db.session.flush()
    today = utcnow().date()
    commitment = make_adopted(make_call(make_plan(seats[Seat.GOVERNMENT]), phase="results"), seats[Seat.GOVERNMENT],
                              milestones=[{"description": "Late", "due": today - 3 * DAY, "responsible": "SFP"},
                                          {"description": "On time", "due": today + 3 * DAY, "responsible": "SFP"},
                                          {"description": "Done", "due": today - 9 * DAY, "responsible": "SFP",
                                           "status": MilestoneStatus.COMPLETE}])
    found = queues.queues(Seat.CIVIL_SOCIETY, utcnow())
    assert [(m[1], m[3]) for m in found.milestones.items] == [("Late", commitment.id)]
    assert [o[0] for o in found.organisations.items] == [pending.id]
    assert [m[0] for m in found.meetings.items] == [unsigned.id]
    assert [(c, n) for c, _since, n in found.reports.items] == [(reported.id, 2)]


def test_the_work_page(app, make_client):
    with app.test_request_context():
        seat = make_user("garante@example.org", locale="en")
        make_seat(seat, Seat.GUARANTOR)
        call = make_call(make_plan(seat), phase="review")
        proposal = make_proposal(call, make_user(), title="Una propuesta pendiente")
        db.session.commit()
        proposal_id = proposal.id
    client = make_client()
    client.login("garante@example.org")
    page = client.get("/secretariat/work").get_data(as_text=True)
    assert "Una propuesta pendiente" in page and f"/proposals/{proposal_id}#respond" in page
    assert "/secretariat/work" in client.get("/").get_data(as_text=True)
