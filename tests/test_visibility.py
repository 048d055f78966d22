"""What is public, and when (ogpcocreate/visibility.py; DOMAIN.md, "What is public, and when"): each
rule on both sides of its boundary, the predicate and the SQL form agreeing; what the log discloses of
each kind of subject, in a fixed number of queries; publishing meetings and ballots; and the lists
and reports that must leave out what is not public yet.

Pages are read in English, so the assertions do not depend on the Spanish catalog.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from ogpcocreate import visibility
from ogpcocreate.approvals.models import Action, Approval, Stance
from ogpcocreate.calls.models import Call
from ogpcocreate.core import eventlog
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.errors import ServiceError
from ogpcocreate.core.eventlog import ParticipationEvent, Verb
from ogpcocreate.core.sectors import Seat
from ogpcocreate.drafts.models import DraftCommitment
from ogpcocreate.extensions import db
from ogpcocreate.meetings import services as meetings
from ogpcocreate.meetings.models import Meeting
from ogpcocreate.moderation.models import Decision, ModerationAction, Report
from ogpcocreate.organisations import services as organisations
from ogpcocreate.plans.models import ActionPlan
from ogpcocreate.votes import services as votes
from ogpcocreate.votes.models import Ballot, BallotKind, BallotOption, Electorate

from .factories import (
    make_call,
    make_comment,
    make_draft,
    make_meeting,
    make_organisation,
    make_plan,
    make_proposal,
    make_response,
    make_seat,
    make_user,
)
from .test_proposals import count_statements

ENGLISH = {"Accept-Language": "en"}
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)


def _ballot(call, creator, *, published: bool, opens=-DAY, closes=DAY, question="¿Qué temas primero?") -> Ballot:
    now = utcnow()
    ballot = Ballot(call_id=call.id, call=call, kind=BallotKind.THEMES, electorate=Electorate.ORGANISATIONS,
                    question=question, opens_at=now + opens, closes_at=now + closes, created_by_id=creator.id,
                    published_at=now - DAY if published else None,
                    options=[BallotOption(theme_id=t.id) for t in call.themes])
    db.session.add(ballot)
    db.session.flush()
    return ballot


# --- each rule, both sides of its boundary, predicate and SQL alike ----------------------------------------


CALL_CASES = [
    # (published, announce_at relative to now, public)
    (False, -DAY, False),
    (False, +DAY, False),
    (True, +SECOND, False),  # published, announced a second from now
    (True, 0 * SECOND, True),  # the announcement is now
    (True, -SECOND, True),
]


@pytest.mark.parametrize(("published", "announce", "public"), CALL_CASES)
def test_a_call_is_public_from_its_announcement_once_published(appctx, published, announce, public):
    now = utcnow()
    call = make_call(phase="draft")
    call.announce_at = now + announce
    call.published_at = now - DAY if published else None
    db.session.flush()
    assert visibility.call_is_public(call, now) is public
    assert (db.session.scalar(select(Call.id).where(Call.id == call.id, visibility.public_call(now))) is not None) is public
    # The plan follows its only call.
    assert visibility.plan_is_public(call.plan, now) is public
    listed = db.session.scalar(select(ActionPlan.id).where(ActionPlan.id == call.plan_id, visibility.public_plan(now)))
    assert (listed is not None) is public


@pytest.mark.parametrize("call_phase", ["open", "scheduled", "draft"])
@pytest.mark.parametrize("published", [True, False])
def test_meetings_and_ballots_are_public_once_published_and_with_their_call(appctx, call_phase, published):
    call = make_call(phase=call_phase)
    creator = make_user()
    meeting = make_meeting(call, creator, published=published)
    ballot = _ballot(call, creator, published=published)
    public = published and call_phase == "open"
    assert visibility.meeting_is_public(meeting) is public
    assert visibility.ballot_is_public(ballot) is public
    assert (db.session.scalar(select(Meeting.id).where(Meeting.id == meeting.id, visibility.public_meeting())) is not None) is public
    assert (db.session.scalar(select(Ballot.id).where(Ballot.id == ballot.id, visibility.public_ballot())) is not None) is public


@pytest.mark.parametrize("call_phase", ["deliberation", "scheduled"])
@pytest.mark.parametrize("with_version", [True, False])
def test_a_draft_is_public_once_it_has_a_version_and_its_call_is_public(appctx, call_phase, with_version):
    call = make_call(phase=call_phase)
    creator = make_user()
    if with_version:
        draft = make_draft(call, creator)
    else:
        draft = DraftCommitment(call_id=call.id, theme_id=call.themes[0].id, title="Sin versión", created_by_id=creator.id)
        db.session.add(draft)
        db.session.flush()
        db.session.refresh(draft)
    public = with_version and call_phase == "deliberation"
    assert visibility.draft_is_public(draft) is public
    assert (db.session.scalar(select(DraftCommitment.id).where(DraftCommitment.id == draft.id,
                                                                visibility.public_draft())) is not None) is public


def test_a_hidden_comment_is_shown_but_not_its_text(appctx):
    call = make_call(phase="deliberation")
    draft = make_draft(call, make_user())
    comment = make_comment(draft.versions[0], make_user())
    assert visibility.comment_is_public(comment) and visibility.comment_text_is_public(comment)
    comment.hidden_at = utcnow()
    assert visibility.comment_is_public(comment) and not visibility.comment_text_is_public(comment)


# --- what the log discloses ---------------------------------------------------------------------------


def _entry(actor, verb, subject, **context) -> ParticipationEvent:
    return eventlog.record(actor, verb, subject, sector=None, **context)


def test_what_the_log_discloses_of_each_kind_of_subject(appctx):
    seat = make_user()
    seat_membership = make_seat(seat, Seat.GOVERNMENT)
    former = make_user()
    former_seat = make_seat(former, Seat.GUARANTOR)
    former.closed_at = utcnow()  # a seat holder who later closed their account: the entry names them
    public_call = make_call(phase="deliberation")
    draft_call = make_call(public_call.plan, phase="draft")
    scheduled = make_call(public_call.plan, phase="scheduled")
    lonely_plan = make_plan()
    author = make_user()
    org = make_organisation(author)
    public_draft = make_draft(public_call, seat)
    bare_draft = DraftCommitment(call_id=public_call.id, theme_id=public_call.themes[0].id, title="Sin versión",
                                 created_by_id=seat.id)
    db.session.add(bare_draft)
    comment = make_comment(public_draft.versions[0], author)
    hidden = make_comment(public_draft.versions[0], author, "oculto")
    hidden.hidden_at = utcnow()
    proposal = make_proposal(public_call, author, org)
    response = make_response(proposal, seat)
    published_meeting, unpublished_meeting = make_meeting(public_call), make_meeting(public_call, published=False)
    published_ballot, unpublished_ballot = _ballot(public_call, seat, published=True), _ballot(public_call, seat, published=False)
    objection = Approval(action=Action.PUBLISH_CALL, call_id=draft_call.id, seat=Seat.GOVERNMENT, user_id=seat.id,
                         stance=Stance.OBJECT, comment="secreto")
    signature = Approval(action=Action.SIGN_MINUTES, meeting_id=published_meeting.id, seat=Seat.GOVERNMENT,
                         user_id=seat.id, stance=Stance.APPROVE)
    switch_off = Approval(action=Action.SWITCH_OFF_TRIPARTITE, plan_id=public_call.plan.id, seat=Seat.GOVERNMENT,
                          user_id=seat.id, stance=Stance.APPROVE)
    switch_off_lonely = Approval(action=Action.SWITCH_OFF_TRIPARTITE, plan_id=lonely_plan.id, seat=Seat.GOVERNMENT,
                                 user_id=seat.id, stance=Stance.OBJECT, comment="secreto")
    report = Report(comment_id=hidden.id, reporter_id=author.id, reason="motivo")
    decision = ModerationAction(comment_id=hidden.id, decision=Decision.HIDDEN, reason="porque", moderator_id=seat.id,
                                moderator_name="Moderadora")
    invitation = organisations.invite(author, org, "invitada@example.org")
    unconfirmed = make_user(confirmed=False)
    db.session.add_all([objection, signature, switch_off, switch_off_lonely, report, decision])
    db.session.flush()
    cases = [
        (_entry(seat, Verb.PUBLISHED, public_call, call=public_call), True),
        (_entry(seat, Verb.CREATED, draft_call, call=draft_call), False),
        (_entry(seat, Verb.PUBLISHED, scheduled, call=scheduled), False),
        (_entry(seat, Verb.CREATED, public_call.plan, plan=public_call.plan), True),
        (_entry(seat, Verb.CREATED, lonely_plan, plan=lonely_plan), False),
        (_entry(author, Verb.SUBMITTED, proposal, call=public_call), True),
        (_entry(seat, Verb.RESPONDED, response, call=public_call), True),
        (_entry(seat, Verb.OBJECTED, objection, call=draft_call), False),
        (_entry(seat, Verb.APPROVED, signature, call=public_call), True),
        (_entry(seat, Verb.APPROVED, switch_off, plan=public_call.plan), True),
        (_entry(seat, Verb.OBJECTED, switch_off_lonely, plan=lonely_plan), False),
        (_entry(seat, Verb.CREATED, published_meeting, call=public_call), True),
        (_entry(seat, Verb.CREATED, unpublished_meeting, call=public_call), False),
        (_entry(seat, Verb.CREATED, published_ballot, call=public_call), True),
        (_entry(seat, Verb.CREATED, unpublished_ballot, call=public_call), False),
        (_entry(seat, Verb.CREATED, public_draft, call=public_call), True),
        (_entry(seat, Verb.CREATED, bare_draft, call=public_call), False),
        (_entry(seat, Verb.PUBLISHED, public_draft.versions[0], call=public_call), True),
        (_entry(author, Verb.COMMENTED, comment, call=public_call), True),
        (_entry(author, Verb.COMMENTED, hidden, call=public_call), False),
        (_entry(None, Verb.MODERATED, report, call=public_call), False),
        (_entry(seat, Verb.MODERATED, decision, call=public_call), True),
        (_entry(author, Verb.INVITED, invitation), False),
        (_entry(author, Verb.CREATED, org), True),
        (_entry(author, Verb.REGISTERED, author), True),
        (_entry(unconfirmed, Verb.REGISTERED, unconfirmed), False),
        (_entry(seat, Verb.SEAT_ASSIGNED, None), True),
        (_entry(seat, Verb.SEAT_ASSIGNED, seat_membership), True),
        (_entry(seat, Verb.SEAT_ASSIGNED, former_seat), False),
    ]
    events = [event for event, _public in cases]
    with count_statements(appctx) as seen:
        result = visibility.disclosure(events)
    assert {e.id: result[e.id].what for e in events} == {e.id: public for e, public in cases}
    assert all(d.who for d in result.values())
    # A fixed number of queries, whatever the size of the batch.
    with count_statements(appctx) as few:
        visibility.disclosure(events[:3])
    assert len(seen) <= 20 and len(few) <= len(seen)

    author.closed_at = utcnow()
    db.session.flush()
    closed = visibility.disclosure(events)
    assert [closed[e.id].who for e in events] == [e.actor_id != author.id for e in events]


def test_disclosure_needs_no_more_queries_for_a_bigger_batch(appctx):
    call = make_call(phase="open")
    people = [make_user() for _ in range(30)]
    events = [eventlog.record(p, Verb.SUBMITTED, make_proposal(call, p), call=call) for p in people]
    with count_statements(appctx) as small:
        visibility.disclosure(events[:2])
    with count_statements(appctx) as large:
        visibility.disclosure(events)
    assert len(large) == len(small)


# --- publishing a meeting or a ballot ---------------------------------------------------------------------


@pytest.fixture
def world(app):
    with app.app_context():
        seats = {}
        for seat in Seat:
            seats[seat] = make_user(f"{seat.value}@example.org", locale="en")
            make_seat(seats[seat], seat)
        make_user("participant@example.org", locale="en")
        call = make_call(phase="open")
        draft_call = make_call(call.plan, phase="draft")
        meeting = make_meeting(call, seats[Seat.GOVERNMENT], published=False, title="Mesa reservada")
        meeting_of_draft = make_meeting(draft_call, seats[Seat.GOVERNMENT], published=False)
        ballot = _ballot(call, seats[Seat.GOVERNMENT], published=False, opens=timedelta(hours=1), closes=3 * DAY,
                         question="¿Pregunta reservada?")
        closed_ballot = _ballot(call, seats[Seat.GOVERNMENT], published=False, opens=-3 * DAY, closes=-DAY)
        db.session.commit()
        return {"call": call.id, "meeting": meeting.id, "meeting_of_draft": meeting_of_draft.id,
                "ballot": ballot.id, "closed_ballot": closed_ballot.id}


def _client(make_client, email=None):
    client = make_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if email:
        client.login(email)
    return client


def test_an_unpublished_meeting_is_the_secretariats_until_a_member_publishes_it(app, make_client, world):
    url = f"/meetings/{world['meeting']}"
    for viewer in (_client(make_client), _client(make_client, "participant@example.org")):
        assert viewer.get(url).status_code == 404
        assert "Mesa reservada" not in viewer.get(f"/calls/{world['call']}/meetings").get_data(as_text=True)
    seat = _client(make_client, "guarantor@example.org")
    page = seat.get(url).get_data(as_text=True)
    assert "Not public yet." in page and "Publish the meeting" in page
    assert "Mesa reservada" in seat.get(f"/calls/{world['call']}/meetings").get_data(as_text=True)
    # Signing and attendance wait for publication.
    signed = seat.post_form(f"{url}/positions", {"stance": "approve", "comment": ""}, follow_redirects=True)
    assert "Publish the meeting before its minutes are signed" in signed.get_data(as_text=True)
    assert "Publish the meeting first" in seat.get(f"{url}/attendance", follow_redirects=True).get_data(as_text=True)

    response = seat.post_form(f"{url}/publication")
    assert response.status_code == 302
    with app.app_context():
        meeting = db.session.get(Meeting, world["meeting"])
        assert meeting.published_at is not None
        entry = db.session.scalar(select(ParticipationEvent).order_by(ParticipationEvent.seq.desc()).limit(1))
        assert (entry.verb, entry.subject_type, entry.subject_id) == ("published", "meeting", meeting.id)
        assert entry.data["action"] == "publish_meeting" and entry.data["title"] == "Mesa reservada"
    assert "Mesa reservada" in _client(make_client).get(url).get_data(as_text=True)
    again = seat.post_form(f"{url}/publication", follow_redirects=True).get_data(as_text=True)
    assert "This meeting was published on" in again


def test_a_meeting_of_a_draft_call_cannot_be_published(app, make_client, world):
    seat = _client(make_client, "government@example.org")
    url = f"/meetings/{world['meeting_of_draft']}"
    page = seat.get(url).get_data(as_text=True)
    assert "Publish the call first" in page and f'action="{url}/publication"' not in page
    seat.post_form(f"{url}/publication")
    with app.app_context():
        assert db.session.get(Meeting, world["meeting_of_draft"]).published_at is None


def test_nobody_votes_on_a_ballot_before_it_is_published(app, make_client, world):
    with app.app_context():
        ballot = db.session.get(Ballot, world["ballot"])
        ballot.opens_at = utcnow() - DAY  # its window is open, yet it is not published
        db.session.commit()
        voter = make_user("voter@example.org", locale="en")
        make_organisation(voter)
        db.session.commit()
        ballot = db.session.get(Ballot, world["ballot"])
        assert votes.state(ballot) is votes.BallotState.UPCOMING
        with pytest.raises(ServiceError, match="no se ha publicado"):  # services speak the default locale
            votes.check_window(ballot)
    url = f"/ballots/{world['ballot']}"
    assert _client(make_client, "voter@example.org").get(url).status_code == 404
    assert "¿Pregunta reservada?" not in _client(make_client).get(f"/calls/{world['call']}/ballots").get_data(as_text=True)
    seat = _client(make_client, "civil_society@example.org")
    page = seat.get(url).get_data(as_text=True)
    assert "Not public yet." in page and "Publish the ballot" in page
    assert seat.post_form(f"{url}/publication").status_code == 302
    with app.app_context():
        ballot = db.session.get(Ballot, world["ballot"])
        assert ballot.published_at is not None and votes.state(ballot) is votes.BallotState.OPEN
        entry = db.session.scalar(select(ParticipationEvent).order_by(ParticipationEvent.seq.desc()).limit(1))
        assert (entry.verb, entry.subject_type, entry.data["action"]) == ("published", "ballot", "publish_ballot")
    assert "¿Pregunta reservada?" in _client(make_client).get(url).get_data(as_text=True)


def test_a_ballot_whose_voting_has_closed_cannot_be_published(app, make_client, world):
    seat = _client(make_client, "government@example.org")
    url = f"/ballots/{world['closed_ballot']}"
    assert "Set up a new ballot" in seat.get(url).get_data(as_text=True)
    flashed = seat.post_form(f"{url}/publication", follow_redirects=True).get_data(as_text=True)
    assert "Set up a new ballot" in flashed
    with app.app_context():
        ballot = db.session.get(Ballot, world["closed_ballot"])
        assert ballot.published_at is None
        with pytest.raises(ServiceError, match="nunca se publicó"):
            votes.publish_results(make_user(), Seat.GOVERNMENT, ballot)


def test_services_refuse_what_depends_on_publication(appctx):
    seat = make_user()
    call = make_call(phase="open")
    meeting = make_meeting(call, seat, published=False)
    with pytest.raises(ServiceError, match="Primero publica la mesa"):
        meetings.add_attendees(seat, Seat.GOVERNMENT, meeting, "nadie@example.org")
    with pytest.raises(ServiceError, match="Primero publica la mesa"):
        meetings.set_unregistered(seat, Seat.GOVERNMENT, meeting, {"citizen": 3})
    meetings.publish_meeting(seat, Seat.GOVERNMENT, meeting)
    with pytest.raises(ServiceError, match="se publicó el"):
        meetings.publish_meeting(seat, Seat.GOVERNMENT, meeting)


# --- lists and reports leave out what is not public yet --------------------------------------------------


def test_lists_and_the_api_leave_out_what_is_not_public(app, make_client):
    with app.app_context():
        seat = make_user("government@example.org", locale="en")
        make_seat(seat, Seat.GOVERNMENT)
        hidden_plan = make_plan(seat, name="Plan en preparación")
        make_call(hidden_plan, phase="scheduled").title = "Convocatoria programada"
        shown = make_call(make_plan(seat, name="Plan en curso"), phase="open")
        shown.title = "Convocatoria abierta"
        db.session.commit()
        hidden_plan_id = hidden_plan.id
    anonymous = _client(make_client)
    for url in ("/plans", "/calls", "/api/v1/plans", "/api/v1/calls", "/plans/compare?first=1&second=2"):
        body = anonymous.get(url).get_data(as_text=True)
        assert "Plan en preparación" not in body and "Convocatoria programada" not in body, url
    assert "Plan en curso" in anonymous.get("/plans").get_data(as_text=True)
    assert "Convocatoria abierta" in anonymous.get("/calls").get_data(as_text=True)
    for url in (f"/plans/{hidden_plan_id}", f"/plans/{hidden_plan_id}/influence",
                f"/api/v1/plans/{hidden_plan_id}/influence", f"/plans/{hidden_plan_id}/influence/sector.csv"):
        assert anonymous.get(url).status_code == 404, url
    secretariat = _client(make_client, "government@example.org")
    page = secretariat.get(f"/plans/{hidden_plan_id}").get_data(as_text=True)
    assert "Not public yet." in page and "Convocatoria programada" in page
    assert "not public yet" in secretariat.get("/plans").get_data(as_text=True)
    api = secretariat.get(f"/api/v1/plans/{hidden_plan_id}/influence")
    assert api.status_code == 200 and "no-store" in api.headers["Cache-Control"]


def test_the_influence_report_leaves_out_unpublished_meetings_and_ballots(app, make_client):
    with app.app_context():
        seat = make_user()
        call = make_call(phase="deliberation")
        make_meeting(call, seat, title="Mesa pública")
        make_meeting(call, seat, title="Mesa no publicada", published=False)
        _ballot(call, seat, published=True, question="¿Votación pública?")
        _ballot(call, seat, published=False, question="¿Votación no publicada?")
        draft_call = make_call(call.plan, phase="draft")
        make_meeting(draft_call, seat, title="Mesa de un borrador")
        db.session.commit()
        plan_id, call_id = call.plan_id, call.id
    client = _client(make_client)
    for url in (f"/plans/{plan_id}/influence", f"/calls/{call_id}/influence", f"/api/v1/plans/{plan_id}/influence",
                f"/api/v1/calls/{call_id}/influence"):
        response = client.get(url)
        body = json.dumps(response.get_json(), ensure_ascii=False) if response.is_json else response.get_data(as_text=True)
        assert "Mesa pública" in body and "¿Votación pública?" in body, url
        assert "Mesa no publicada" not in body and "¿Votación no publicada?" not in body, url
        assert "Mesa de un borrador" not in body, url
    timeline = client.get(f"/api/v1/plans/{plan_id}/influence").get_json()["timeline"]
    assert {e["kind"] for e in timeline} >= {"call", "meeting", "ballot"}
    assert len([e for e in timeline if e["kind"] == "meeting"]) == 1
