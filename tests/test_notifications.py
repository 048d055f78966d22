"""Following and notifications (issue 17): one test per kind of event, preference, language and failure,
and digests that deliver every notification exactly once."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update

from ogpcocreate.approvals.models import Action
from ogpcocreate.calls import services as calls
from ogpcocreate.comments import services as comments
from ogpcocreate.core import eventlog
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.outbox import MailStatus, OutboxMessage, build_message, send_due
from ogpcocreate.core.sectors import Seat
from ogpcocreate.drafts import services as drafts
from ogpcocreate.extensions import db
from ogpcocreate.meetings import services as meetings
from ogpcocreate.moderation import services as moderation
from ogpcocreate.notifications import services
from ogpcocreate.notifications.models import Follow, Frequency, Kind, Notification, Preference
from ogpcocreate.organisations import services as organisations
from ogpcocreate.proposals import services as proposals
from ogpcocreate.responses import services as responses
from ogpcocreate.votes import services as votes
from ogpcocreate.votes.models import Ballot, BallotKind, BallotOption, Electorate

from .conftest import Inbox, free_port
from .factories import (
    make_adopted,
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


def of(user, kind=None) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


def mails_to(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient.contains(address))
                                   .order_by(OutboxMessage.id)))


def version_data() -> dict:
    from datetime import date

    data = {f"{s}_source": f"Texto {s}" for s in ("problem", "status_quo", "description", "how", "relevance",
                                                  "other_actors")}
    return {**data, "comment_days": 10,
            "milestones": [{"description": "Publicar", "due": date(2027, 6, 30), "responsible": "SFP"}]}


@pytest.fixture
def seats(appctx):
    people = {}
    for seat in Seat:
        person = make_user(f"{seat.value}@example.org", name=f"Titular {seat.value}")
        make_seat(person, seat)
        people[seat] = person
    return people


# --- following ----------------------------------------------------------------------------------------


def test_a_proposal_follows_itself_and_its_call(appctx):
    author = make_user("autora@example.org")
    call = make_call(make_plan(), phase="open")
    proposal = proposals.submit(author, call, {"title": "Datos abiertos", "theme": call.themes[0].id,
                                               "problem_source": "P", "action_source": "A",
                                               "expected_result_source": "R"})
    follows = {f.subject: f.automatic for f in db.session.scalars(select(Follow).where(Follow.user_id == author.id))}
    assert follows == {f"proposal:{proposal.id}": True, f"call:{call.id}": True}
    assert services.is_following(author, call) and services.is_following(author, proposal)


def test_a_comment_follows_its_draft_and_call_and_a_reply_tells_the_parent_author(appctx):
    first, second = make_user("primera@example.org"), make_user("segunda@example.org", name="Segunda Persona")
    call = make_call(make_plan(), phase="deliberation")
    draft = make_draft(call, make_user())
    version = draft.versions[0]
    parent = comments.add(first, version, {"body_source": "Me parece bien"})
    assert services.is_following(first, draft) and services.is_following(first, call)
    assert of(first) == []
    comments.add(second, version, {"body_source": "Respuesta con texto privado", "parent": str(parent.id)})
    [reply] = of(first, Kind.REPLY)
    assert reply.delivery is Frequency.DAILY and reply.digest_message_id is None  # replies: daily by default
    assert "Segunda Persona" in services.sentence(reply)
    assert "texto privado" not in str(reply.data)  # never a comment's text
    comments.add(first, version, {"body_source": "Yo misma", "parent": str(parent.id)})
    assert len(of(first, Kind.REPLY)) == 1  # replying in your own thread tells nobody


def test_voting_and_attending_follow_the_call(appctx, seats):
    voter = make_user("votante@example.org")
    call = make_call(make_plan(), phase="open")
    ballot = Ballot(call_id=call.id, kind=BallotKind.THEMES, electorate=Electorate.PARTICIPANTS, question="¿Temas?",
                    opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=2),
                    created_by_id=seats[Seat.GOVERNMENT].id, published_at=utcnow())
    ballot.options = [BallotOption(theme_id=call.themes[0].id)]
    db.session.add(ballot)
    db.session.flush()
    votes.cast_vote(voter, ballot, {"approve": [ballot.options[0].id]})
    assert services.is_following(voter, call)


def test_follow_and_unfollow_buttons(app, make_client):
    with app.app_context():
        make_user("lectora@example.org").locale = "en"
        plan = make_plan()
        call = make_call(plan, phase="open")
        hidden = make_call(plan, phase="draft")
        db.session.commit()
        call_id, hidden_id = call.id, hidden.id
    client = make_client()
    assert "Follow" not in client.get(f"/calls/{call_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    client.login("lectora@example.org")
    page = client.get(f"/calls/{call_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'action="/follow/call/{call_id}' in page
    response = client.post_form(f"/follow/call/{call_id}?next=/calls/{call_id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/calls/{call_id}")
    page = client.get(f"/calls/{call_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'action="/unfollow/call/{call_id}' in page and "Unfollow" in page
    assert client.post_form(f"/follow/call/{hidden_id}").status_code == 404  # not public: not followable
    assert client.post_form(f"/follow/call/{call_id}").status_code == 302  # twice: still one row
    with app.app_context():
        assert db.session.scalar(select(func.count(Follow.id))) == 1
    client.post_form(f"/unfollow/call/{call_id}")
    with app.app_context():
        assert db.session.scalar(select(func.count(Follow.id))) == 0
    # Unfollowing what you do not follow is refused with a message and changes nothing.
    refused = client.post_form(f"/unfollow/call/{call_id}", follow_redirects=True, headers={"Accept-Language": "en"})
    assert "You were not following this." in refused.get_data(as_text=True)


# --- one test per kind of event ------------------------------------------------------------------------


def _publish(call, seats):
    for seat, person in seats.items():
        calls.take_position(person, seat, call, Action.PUBLISH_CALL.value, "approve", "")


def test_call_announced_opens_and_closing_in_48_hours(appctx, seats):
    follower = make_user("seguidora@example.org")
    plan = make_plan()
    services.follow(follower, plan)
    call = make_call(plan, phase="draft")
    now = utcnow()
    call.announce_at, call.opens_at = now + timedelta(days=1), now + timedelta(days=3)
    call.closes_at = now + timedelta(days=10)
    db.session.flush()
    _publish(call, seats)
    # Published, but its announcement date is still to come: nobody outside the secretariat hears of it.
    assert of(follower) == []
    assert services.tick(now + timedelta(days=1, minutes=1)) >= 1
    [announced] = of(follower, Kind.CALL_ANNOUNCED)
    assert announced.delivery is Frequency.WEEKLY and announced.path == f"/calls/{call.id}"
    services.tick(now + timedelta(days=3, minutes=1))
    assert len(of(follower, Kind.CALL_OPENS)) == 1
    assert of(follower, Kind.CALL_CLOSING) == []  # closing notices go to the call's own followers
    services.follow(follower, call)
    services.tick(now + timedelta(days=8, hours=1))
    assert len(of(follower, Kind.CALL_CLOSING)) == 1
    # Idempotent: the same dates produce nothing new however often the tick runs.
    assert services.tick(now + timedelta(days=8, hours=2)) == 0
    assert len(of(follower)) == 3


def test_a_response_is_mailed_at_once_in_the_authors_language_and_only_once(appctx, seats):
    author = make_user("author@example.org", name="Ana Autora")
    author.locale = "en"
    call = make_call(make_plan(), phase="review")
    proposal = make_proposal(call, author, title="Contratos públicos")
    responses.respond(seats[Seat.GOVERNMENT], Seat.GOVERNMENT, proposal, "not_adopted", "Fuera de alcance ahora")
    [note] = of(author, Kind.RESPONSE)
    assert note.delivery is Frequency.IMMEDIATE and note.digest_message_id is not None
    [mail] = mails_to("author@example.org")
    assert mail.subject.endswith("Response to your proposal: Contratos públicos")
    assert "Fuera de alcance ahora" in mail.body_text and mail.body_html and "<html" in mail.body_html
    responses.respond(seats[Seat.GOVERNMENT], Seat.GOVERNMENT, proposal, "adopted", "")
    assert [m.subject.split("] ")[1] for m in mails_to("author@example.org")] == [
        "Response to your proposal: Contratos públicos", "Revised response to your proposal: Contratos públicos"]
    assert of(author, Kind.RESPONSE)[1].data["revised"] is True


def test_spanish_is_the_default_language_of_a_mail(appctx, seats):
    author = make_user("autora@example.org")
    call = make_call(make_plan(), phase="review")
    responses.respond(seats[Seat.GOVERNMENT], Seat.GOVERNMENT, make_proposal(call, author, title="Agua"), "adopted", "")
    [mail] = mails_to("autora@example.org")
    assert "Agua" in mail.subject and "Response" not in mail.subject


def test_a_hidden_comment_tells_its_author_only_and_nobody_its_text(appctx, seats):
    author, reader = make_user("autora@example.org"), make_user("lectora@example.org")
    call = make_call(make_plan(), phase="deliberation")
    draft = make_draft(call, author)
    services.follow(reader, draft)
    comment = make_comment(draft.versions[0], author, "TEXTO-SECRETO del comentario")
    moderation.report(reader, comment, "Ofensivo")
    for person in seats.values():
        [report] = of(person, Kind.REPORT_TO_MODERATE)
        assert report.delivery is Frequency.DAILY and report.path == "/moderation/reports"
    moderation.hide(seats[Seat.GUARANTOR], Seat.GUARANTOR, comment, "Insultos")
    [hidden] = of(author, Kind.COMMENT_MODERATED)
    assert hidden.delivery is Frequency.IMMEDIATE
    [mail] = mails_to("autora@example.org")
    assert "Insultos" in mail.body_text  # the author's own e-mail (as before notifications existed)
    assert of(reader) == []
    for row in db.session.scalars(select(Notification)):
        assert "TEXTO-SECRETO" not in str(row.data) and "TEXTO-SECRETO" not in services.sentence(row)
    for message in db.session.scalars(select(OutboxMessage)):
        if "autora@example.org" not in message.recipient:
            assert "TEXTO-SECRETO" not in message.body_text


def test_a_new_version_tells_the_followers_of_the_call_and_draft(appctx, seats):
    follower, creator = make_user("seguidora@example.org"), seats[Seat.GOVERNMENT]
    call = make_call(make_plan(), phase="deliberation")
    draft = make_draft(call, creator, open_for_comments=False)
    services.follow(follower, call)
    drafts.publish_version(creator, Seat.GOVERNMENT, draft, version_data())
    [note] = of(follower, Kind.NEW_VERSION)
    assert note.delivery is Frequency.WEEKLY and note.path == f"/drafts/{draft.id}/versions/2"
    assert of(creator, Kind.NEW_VERSION) == []  # not told of one's own act


def test_a_ballot_opens_and_publishes_its_results(appctx, seats):
    follower = make_user("seguidora@example.org")
    call = make_call(make_plan(), phase="open")
    services.follow(follower, call)
    ballot = Ballot(call_id=call.id, kind=BallotKind.THEMES, electorate=Electorate.PARTICIPANTS, question="¿Qué temas?",
                    opens_at=utcnow() + timedelta(hours=2), closes_at=utcnow() - timedelta(days=1) + timedelta(days=5),
                    created_by_id=seats[Seat.GOVERNMENT].id)
    ballot.options = [BallotOption(theme_id=call.themes[0].id)]
    db.session.add(ballot)
    db.session.flush()
    votes.publish_ballot(seats[Seat.GOVERNMENT], Seat.GOVERNMENT, ballot)
    assert of(follower, Kind.BALLOT_OPENS) == []  # published, not open yet
    services.tick(utcnow() + timedelta(hours=3))
    [opens] = of(follower, Kind.BALLOT_OPENS)
    assert opens.path == f"/ballots/{ballot.id}"
    services.tick(utcnow() + timedelta(hours=4))
    assert len(of(follower, Kind.BALLOT_OPENS)) == 1
    ballot.closes_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    votes.publish_results(seats[Seat.GOVERNMENT], Seat.GOVERNMENT, ballot)
    assert len(of(follower, Kind.BALLOT_RESULTS)) == 1


def test_a_meeting_scheduled_and_its_minutes_signed(appctx, seats):
    follower = make_user("seguidora@example.org")
    plan = make_plan(requires_tripartite=False)
    call = make_call(plan, phase="deliberation")
    services.follow(follower, plan)
    meeting = make_meeting(call, seats[Seat.GOVERNMENT], published=False)
    meetings.publish_meeting(seats[Seat.GOVERNMENT], Seat.GOVERNMENT, meeting)
    [scheduled] = of(follower, Kind.MEETING_SCHEDULED)
    assert scheduled.path == f"/meetings/{meeting.id}"
    meetings.take_position(seats[Seat.GOVERNMENT], Seat.GOVERNMENT, meeting, "approve", "")
    assert len(of(follower, Kind.MINUTES_SIGNED)) == 1


def test_an_unpublished_meeting_tells_nobody(appctx, seats):
    follower = make_user("seguidora@example.org")
    call = make_call(make_plan(), phase="scheduled")  # published by the seats, not public yet
    services.follow(follower, call.plan)
    meeting = make_meeting(call, seats[Seat.GOVERNMENT], published=False)
    meetings.publish_meeting(seats[Seat.GOVERNMENT], Seat.GOVERNMENT, meeting)
    assert of(follower) == []


def test_an_invitation_reaches_the_invitees_account(appctx):
    admin, invitee = make_user("admin@example.org"), make_user("invitada@example.org")
    org = make_organisation(admin, name="Colectivo Transparencia")
    organisations.invite(admin, org, "invitada@example.org")
    [note] = of(invitee, Kind.INVITATION)
    # The invitation e-mail itself goes out whatever the account's choices: the notification only echoes it.
    assert note.delivery is Frequency.NEVER and len(mails_to("invitada@example.org")) == 1
    assert "Colectivo Transparencia" in services.sentence(note)
    organisations.invite(admin, org, "sin-cuenta@example.org")  # no account yet: the e-mail alone
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == Kind.INVITATION)) == 1


def test_an_approval_waits_for_the_other_seats(appctx, seats):
    call = make_call(make_plan(), phase="draft")
    calls.take_position(seats[Seat.GOVERNMENT], Seat.GOVERNMENT, call, Action.PUBLISH_CALL.value, "approve", "")
    assert of(seats[Seat.GOVERNMENT]) == []
    for seat in (Seat.GUARANTOR, Seat.CIVIL_SOCIETY):
        [waiting] = of(seats[seat], Kind.APPROVAL_WAITING)
        assert waiting.delivery is Frequency.DAILY and waiting.path == f"/calls/{call.id}"


def test_contributions_due_a_response_reach_the_secretariat(appctx, seats):
    call = make_call(make_plan(), phase="review")  # closed two days ago
    make_proposal(call, make_user())
    answered = make_call(make_plan(), phase="review")
    responses.respond(seats[Seat.GOVERNMENT], Seat.GOVERNMENT, make_proposal(answered, make_user()), "adopted", "")
    draft = make_draft(make_call(make_plan(), phase="deliberation"), seats[Seat.GOVERNMENT], open_for_comments=False)
    make_comment(draft.versions[0], make_user())
    services.tick()
    for person in seats.values():
        due = of(person, Kind.RESPONSE_DUE)
        assert {n.path for n in due} == {f"/calls/{call.id}", f"/drafts/{draft.id}/versions/1"}
    participant = make_user()
    assert of(participant) == []


def test_a_milestone_flagged_at_risk_or_overdue_tells_the_commitments_followers(appctx, seats):
    """Monitoring (issue 15): a participant flags a milestone at risk, and a milestone passes its planned
    end without being done; each reaches whoever follows the commitment, once."""
    from ogpcocreate.monitoring import services as monitoring

    assert Kind.MILESTONE_AT_RISK.default is Frequency.WEEKLY
    call = make_call(make_plan(seats[Seat.GOVERNMENT]), phase="results")
    today = utcnow().date()
    commitment = make_adopted(call, seats[Seat.GOVERNMENT], milestones=[
        {"description": "Publicar", "due": today + timedelta(days=30), "responsible": "SFP"},
        {"description": "Evaluar", "due": today - timedelta(days=2), "responsible": "SFP"}])
    follower, flagger, bystander = make_user(), make_user(), make_user()
    services.follow(follower, commitment)
    first = commitment.versions[0].milestones[0]
    monitoring.add_comment(flagger, commitment, {"body_source": "No hay presupuesto.", "milestone": first.id,
                                                 "at_risk": True})
    assert [n.subject_type for n in of(follower, Kind.MILESTONE_AT_RISK)] == ["implementation_comment"]
    assert of(flagger, Kind.MILESTONE_AT_RISK) == []  # the flagger knows; they now follow the commitment
    services.tick()
    services.tick()  # again: nothing new
    overdue = [n for n in of(follower, Kind.MILESTONE_AT_RISK) if n.subject_type == "milestone"]
    assert len(overdue) == 1 and overdue[0].path == f"/commitments/{commitment.id}/implementation"
    assert len([n for n in of(flagger, Kind.MILESTONE_AT_RISK) if n.subject_type == "milestone"]) == 1
    assert of(bystander) == []


def test_a_follower_never_hears_of_what_is_not_public(appctx, seats):
    follower = make_user("seguidora@example.org")
    plan = make_plan()
    services.follow(follower, plan)
    services.follow(seats[Seat.GUARANTOR], plan)
    call = make_call(plan, phase="scheduled")
    draft = make_draft(call, seats[Seat.GOVERNMENT], open_for_comments=False)
    drafts.publish_version(seats[Seat.GOVERNMENT], Seat.GOVERNMENT, draft, version_data())
    services.tick()
    assert of(follower) == []
    assert len(of(seats[Seat.GUARANTOR], Kind.NEW_VERSION)) == 1  # the secretariat prepares it


# --- preferences and unsubscribing ---------------------------------------------------------------------


def test_a_preference_decides_the_delivery(appctx, seats):
    author = make_user("autora@example.org")
    services.set_preferences(author, {Kind.RESPONSE.value: Frequency.WEEKLY.value})
    call = make_call(make_plan(), phase="review")
    responses.respond(seats[Seat.GOVERNMENT], Seat.GOVERNMENT, make_proposal(call, author), "adopted", "")
    [note] = of(author, Kind.RESPONSE)
    assert note.delivery is Frequency.WEEKLY and mails_to("autora@example.org") == []
    services.set_preferences(author, {Kind.RESPONSE.value: Frequency.NEVER.value})
    responses.respond(seats[Seat.GOVERNMENT], Seat.GOVERNMENT, make_proposal(call, author), "adopted", "")
    assert of(author, Kind.RESPONSE)[1].delivery is Frequency.NEVER
    db.session.commit()
    assert services.run_digest(Frequency.WEEKLY).messages == 1
    assert services.run_digest(Frequency.DAILY).messages == 0


def test_the_preferences_page(app, make_client):
    with app.app_context():
        make_user("lectora@example.org").locale = "en"
        db.session.commit()
    client = make_client()
    client.login("lectora@example.org")
    page = client.get("/notifications/preferences", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "A reply to your comment" in page and "An approval waits for your seat" not in page  # seats only
    form = {kind.value: kind.default.value for kind in Kind if not kind.for_secretariat and not kind.mailed_elsewhere}
    bad = client.post_form("/notifications/preferences", {**form, "reply": "hourly"})
    assert bad.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Preference.id))) == 0
    ok = client.post_form("/notifications/preferences", {**form, "reply": "never"})
    assert ok.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(Preference.frequency).where(Preference.kind == Kind.REPLY))
        assert user is Frequency.NEVER


def _unsubscribe_url(message: OutboxMessage) -> str:
    return re.match(r"<(.+)>", message.headers["List-Unsubscribe"]).group(1)


def test_one_click_unsubscribe_works_without_logging_in(app, make_client, seats):
    author = make_user("autora@example.org")
    call = make_call(make_plan(), phase="review")
    responses.respond(seats[Seat.GOVERNMENT], Seat.GOVERNMENT, make_proposal(call, author), "adopted", "")
    [mail] = mails_to("autora@example.org")
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = _unsubscribe_url(mail)
    assert url in mail.body_text and url in mail.body_html
    db.session.commit()
    _sender, _recipient, outgoing = build_message(mail)
    parsed = message_from_bytes(outgoing.as_bytes(), policy=policy.default)
    assert parsed["List-Unsubscribe"] == f"<{url}>"
    assert {p.get_content_type() for p in parsed.walk()} >= {"text/plain", "text/html"}
    path = url.removeprefix("http://localhost")
    client = make_client()
    page = client.get(path, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Stop these e-mails" in page.get_data(as_text=True)
    # What a mail client sends (RFC 8058): no session, no form token.
    done = client.client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert services.preferences(author)[Kind.RESPONSE] is Frequency.NEVER
    assert services.preferences(author)[Kind.REPLY] is Frequency.DAILY  # only the kind the link names
    assert client.client.post(path[:-3] + "xyz").status_code == 400  # forged: refused
    assert client.get("/unsubscribe/forged").status_code == 400


def test_a_digest_link_unsubscribes_from_that_digest(appctx, seats):
    author = make_user("autora@example.org")
    services.set_preferences(author, {Kind.RESPONSE.value: "daily"})
    call = make_call(make_plan(), phase="review")
    responses.respond(seats[Seat.GOVERNMENT], Seat.GOVERNMENT, make_proposal(call, author), "adopted", "")
    db.session.commit()
    services.run_digest(Frequency.DAILY)
    [mail] = mails_to("autora@example.org")
    token = _unsubscribe_url(mail).rsplit("/", 1)[1]
    services.unsubscribe(token)
    assert {k for k, f in services.preferences(author).items() if f is Frequency.DAILY} == set()
    assert services.preferences(author)[Kind.CALL_OPENS] is Frequency.WEEKLY


# --- the notifications page ----------------------------------------------------------------------------


def test_the_notifications_page_read_and_unread(app, make_client):
    with app.app_context():
        reader, other = make_user("lectora@example.org"), make_user("otra@example.org")
        reader.locale = "en"
        call = make_call(make_plan(), phase="open")
        for user in (reader, other):
            services.notify(user, Kind.CALL_OPENS, call, f"/calls/{call.id}", occasion="opens",
                            data={"title": call.title})
        services.notify(reader, Kind.CALL_CLOSING, call, f"/calls/{call.id}", occasion="closes_48h",
                        data={"title": call.title})
        db.session.commit()
        mine = [n.id for n in of(reader)]
        theirs = of(other)[0].id
    client = make_client()
    client.login("lectora@example.org")
    page = client.get("/notifications", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "2 unread" in page and "Notifications (2 unread)" in page and "is open for proposals" in page
    assert client.post_form(f"/notifications/{theirs}/read").status_code == 404
    client.post_form(f"/notifications/{mine[0]}/read")
    page = client.get("/notifications", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Notifications (1 unread)" in page
    client.post_form("/notifications/read")
    page = client.get("/notifications", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Notifications (0 unread)" in page and "Read:" in page
    with app.app_context():
        assert of(db.session.get(type(reader), other.id))[0].read_at is None
    with app.app_context():
        db.session.get(type(reader), reader.id).locale = "es"
        db.session.commit()
    spanish = client.get("/notifications").get_data(as_text=True)
    assert "Notificaciones (0 sin leer)" in spanish


# --- digests ---------------------------------------------------------------------------------------------


def _pending(user, call, n: int, kind=Kind.CALL_OPENS):
    for i in range(n):
        services.notify(user, kind, call, f"/calls/{call.id}", occasion=f"test-{i}", data={"title": call.title})


def test_a_digest_delivers_each_notification_exactly_once(appctx):
    ana, beto = make_user("ana@example.org"), make_user("beto@example.org")
    beto.locale = "en"
    call = make_call(make_plan(), phase="open", )
    _pending(ana, call, 3)
    _pending(beto, call, 2)
    db.session.commit()
    report = services.run_digest(Frequency.WEEKLY)
    assert (report.messages, report.notifications) == (2, 5)
    [for_ana], [for_beto] = mails_to("ana@example.org"), mails_to("beto@example.org")
    assert "3" in for_ana.subject and "resumen semanal" in for_ana.subject
    assert "weekly summary" in for_beto.subject and for_beto.body_text.count(f"/calls/{call.id}") == 2
    assert for_ana.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert services.run_digest(Frequency.WEEKLY).messages == 0  # nothing repeated
    _pending(ana, call, 1, kind=Kind.CALL_CLOSING)
    db.session.commit()
    assert services.run_digest(Frequency.WEEKLY).notifications == 1  # the next run takes only the new one
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.digest_message_id.is_(None))) == 0


def test_events_created_during_a_run_go_to_the_next_run(appctx):
    ana, beto = make_user("ana@example.org"), make_user("beto@example.org")
    call = make_call(make_plan(), phase="open")
    _pending(ana, call, 1)
    _pending(beto, call, 1)
    db.session.commit()
    cutoff = utcnow()

    def meanwhile(user_id):
        # An act committed while the digest is being built, for someone already done and someone not yet.
        for user in (ana, beto):
            services.notify(db.session.get(type(user), user.id), Kind.CALL_CLOSING, call, f"/calls/{call.id}",
                            occasion=f"during-{user_id}", data={"title": call.title})
        db.session.commit()

    first = services.run_digest(Frequency.WEEKLY, cutoff=cutoff, after_each=meanwhile)
    assert (first.messages, first.notifications) == (2, 2)
    second = services.run_digest(Frequency.WEEKLY)
    assert (second.messages, second.notifications) == (2, 4)
    assert services.run_digest(Frequency.WEEKLY).messages == 0
    delivered = db.session.execute(select(Notification.digest_message_id, func.count())
                                   .group_by(Notification.digest_message_id)).all()
    assert all(message_id is not None for message_id, _count in delivered) and sum(c for _m, c in delivered) == 6


def test_a_worker_killed_between_recipients_loses_and_repeats_nothing(appctx):
    people = [make_user(f"p{i}@example.org") for i in range(3)]
    call = make_call(make_plan(), phase="open")
    for person in people:
        _pending(person, call, 2)
    db.session.commit()

    class Killed(BaseException):
        pass

    def kill(user_id):
        raise Killed

    with pytest.raises(Killed):
        services.run_digest(Frequency.WEEKLY, after_each=kill)
    db.session.rollback()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1  # the first recipient's, committed
    rerun = services.run_digest(Frequency.WEEKLY)
    assert (rerun.messages, rerun.notifications) == (2, 4)
    assert sorted(len(mails_to(p.email)) for p in people) == [1, 1, 1]


def test_a_digest_killed_before_commit_leaves_its_recipient_for_the_next_run(appctx):
    ana = make_user("ana@example.org")
    call = make_call(make_plan(), phase="open")
    _pending(ana, call, 2)
    db.session.commit()
    services.digest_one(ana.id, Frequency.WEEKLY, utcnow())
    db.session.rollback()  # the process died before its commit
    assert mails_to("ana@example.org") == []
    assert services.run_digest(Frequency.WEEKLY).notifications == 2


def test_the_digest_command(app):
    with app.app_context():
        ana = make_user("ana@example.org")
        _pending(ana, make_call(make_plan(), phase="open"), 1, kind=Kind.REPLY)
        db.session.execute(update(Notification).values(delivery=Frequency.DAILY))
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["mail", "digest", "daily"])
    assert result.exit_code == 0 and "queued 1 daily digests with 1 notifications" in result.output
    assert "queued 0" in runner.invoke(args=["mail", "digest", "daily"]).output
    assert runner.invoke(args=["mail", "digest", "hourly"]).exit_code != 0
    assert "new notifications" in runner.invoke(args=["notifications", "tick"]).output


def test_concurrent_digest_runs_deliver_once(app_config, make_app):
    """Two workers running the same digest: each recipient's rows are claimed by one of them only."""
    import threading

    app = make_app(app_config)
    with app.app_context():
        call = make_call(make_plan(), phase="open")
        for i in range(6):
            _pending(make_user(f"c{i}@example.org"), call, 2)
        db.session.commit()
    errors = []

    def worker():
        try:
            with app.app_context():
                services.run_digest(Frequency.WEEKLY)
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 6
        assert db.session.scalar(select(func.count(Notification.id)).where(
            Notification.digest_message_id.is_(None))) == 0


# --- the SMTP server down ------------------------------------------------------------------------------


def test_with_smtp_down_a_digest_waits_and_goes_out_once(app_config, make_app):
    port = free_port()
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    server.stop()  # down before anything is sent
    app = make_app({**app_config, "MAIL_PORT": port})
    with app.app_context():
        ana = make_user("ana@example.org")
        _pending(ana, make_call(make_plan(), phase="open"), 2)
        db.session.commit()
        services.run_digest(Frequency.WEEKLY)
        report = send_due()
        assert report.failed == 1 and report.sent == 0
        [message] = mails_to("ana@example.org")
        assert message.status is MailStatus.PENDING and message.attempts == 1
        server = Controller(inbox, hostname="127.0.0.1", port=port)
        server.start()
        try:
            db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
            db.session.commit()
            assert send_due().sent == 1
            assert send_due().sent == 0
            assert services.run_digest(Frequency.WEEKLY).messages == 0
        finally:
            server.stop()
    [received] = inbox.messages
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received.get_body(preferencelist=("html",)) is not None
    assert "resumen semanal" in str(received["Subject"])


def test_the_log_listener_is_registered_once(app):
    assert eventlog._LISTENERS.count(services.on_append) == 1
