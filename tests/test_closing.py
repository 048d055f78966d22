"""Closing an account (ARCO cancellation): who may, what it refuses, and what it changes.

DOMAIN.md, "What is public, and when": a person who closes their account keeps their contributions on
the record under "closed account #N"; their name is withheld from then on, and the chain still verifies.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ogpcocreate.auth.models import User
from ogpcocreate.core import eventlog
from ogpcocreate.core.outbox import MailStatus, OutboxMessage, queue_mail, send_due
from ogpcocreate.core.sectors import Seat
from ogpcocreate.extensions import db
from ogpcocreate.organisations.models import Invitation, Membership, Role

from .factories import (
    PASSWORD,
    make_call,
    make_comment,
    make_draft,
    make_organisation,
    make_plan,
    make_proposal,
    make_seat,
    make_user,
)
from .snapshots import changed_tables, database_fingerprint

NAME = "Zacarías Quintanilla Marker"
GOOD = "un-puerto-tranquilo-y-largo-42"


@pytest.fixture
def person(app):
    """Someone with a membership, an individual proposal, a comment, invitations and mail in the queue."""
    with app.test_request_context():
        user = make_user("zacarias@example.org", name=NAME)
        other_admin = make_user("admin@example.org")
        org = make_organisation(other_admin, name="Colectivo Transparente", members=[user])
        call = make_call(make_plan(), phase="open")
        proposal = make_proposal(call, user, title="Propuesta de Zacarías")
        author = make_user("autora@example.org")
        draft = make_draft(make_call(make_plan(), phase="deliberation"), author)
        comment = make_comment(draft.versions[0], user, "Comentario de prueba")
        eventlog.record(user, eventlog.Verb.SUBMITTED, proposal, call=call)
        eventlog.record(user, eventlog.Verb.COMMENTED, comment, call=draft.call)
        from datetime import timedelta

        from ogpcocreate.core.db import utcnow

        db.session.add(Invitation(organisation_id=org.id, email="zacarias@example.org", token_hash="a" * 64,
                                  invited_by_id=other_admin.id, expires_at=utcnow() + timedelta(days=5)))
        own_org = make_organisation(make_user(), name="Otra Organización")
        db.session.add(Invitation(organisation_id=own_org.id, email="amiga@example.org", token_hash="b" * 64,
                                  invited_by_id=user.id, expires_at=utcnow() + timedelta(days=5)))
        queue_mail("zacarias@example.org", "Reset your password", "seat_assigned", locale="es", user=user,
                   seat=Seat.GOVERNMENT, url="http://localhost/")
        db.session.commit()
        return {"id": user.id, "org": org.id, "proposal": proposal.id, "draft": draft.id, "comment": comment.id}


def logged(make_client, email, password=PASSWORD):
    client = make_client()
    client.login(email, password)
    return client


def close(client, password=PASSWORD):
    return client.post_form("/account/close", {"close-password": password})


def test_the_profile_explains_closing(make_client, person):
    page = logged(make_client, "zacarias@example.org").get("/account").get_data(as_text=True)
    assert "Cerrar tu cuenta" in page and "No se puede deshacer" in page
    assert f"cuenta cerrada #{person['id']}" in page
    assert 'action="/account/close"' in page


def test_a_wrong_password_changes_nothing(app, make_client, person):
    client = logged(make_client, "zacarias@example.org")
    before = database_fingerprint(app)
    response = close(client, "not-the-password-at-all")
    assert response.status_code == 400
    assert "La contraseña no es correcta. Tu cuenta sigue abierta." in response.get_data(as_text=True)
    assert changed_tables(before, database_fingerprint(app)) == []
    assert client.get("/account").status_code == 200  # still logged in


def test_closing_ends_sessions_erases_data_and_keeps_contributions(app, make_client, inbox, person):
    client = logged(make_client, "zacarias@example.org")
    other_device = logged(make_client, "zacarias@example.org")
    response = close(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Tu cuenta está cerrada" in client.get("/").get_data(as_text=True)
    # Every session ended, this one and the other device's.
    for c in (client, other_device):
        assert c.get("/account").headers["Location"].startswith("/login")
    # Log in is refused exactly as a wrong password is.
    refused = make_client().post_form("/login", {"email": "zacarias@example.org", "password": PASSWORD})
    wrong = make_client().post_form("/login", {"email": "admin@example.org", "password": "not-the-password-at-all"})
    assert refused.status_code == wrong.status_code == 200
    assert "no son correctos" in refused.get_data(as_text=True) and "no son correctos" in wrong.get_data(as_text=True)

    with app.app_context():
        user = db.session.get(User, person["id"])
        assert user.closed_at is not None and not user.is_active
        assert user.email == f"closed-account-{user.id}@closed.invalid"
        assert NAME not in user.display_name and user.territory is None and user.locale is None
        assert not user.check_password(PASSWORD)
        membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
        assert membership.left_at is not None
        invitations = db.session.scalars(select(Invitation)).all()
        assert all(i.revoked_at is not None for i in invitations)
        verbs = db.session.scalars(select(eventlog.ParticipationEvent.verb).where(
            eventlog.ParticipationEvent.actor_id == user.id).order_by(eventlog.ParticipationEvent.seq)).all()
        assert verbs[-2:] == ["left", "account_closed"]
        assert eventlog.verify().ok
        mail = db.session.scalar(select(OutboxMessage))
        assert mail.status is MailStatus.CANCELLED and "zacarias" not in mail.recipient
        assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.recipient.contains("zacarias@example.org"))) == 0
        assert send_due().sent == 0
    assert inbox.to("zacarias@example.org") == []

    # Contributions stay, under "closed account #N", for the public and for other participants.
    closed_name = f"cuenta cerrada #{person['id']}"
    for reader in (make_client(), logged(make_client, "admin@example.org")):
        for url in (f"/proposals/{person['proposal']}", f"/drafts/{person['draft']}", f"/organisations/{person['org']}",
                    "/calls", "/moderation"):
            page = reader.get(url).get_data(as_text=True)
            assert NAME not in page, url
        proposal = reader.get(f"/proposals/{person['proposal']}").get_data(as_text=True)
        assert "Propuesta de Zacarías" in proposal and closed_name in proposal
        draft = reader.get(f"/drafts/{person['draft']}").get_data(as_text=True)
        assert "Comentario de prueba" in draft and closed_name in draft


def test_mail_queued_later_to_a_closed_account_is_never_sent(app, make_client, inbox, person):
    close(logged(make_client, "zacarias@example.org"))
    with app.test_request_context():
        user = db.session.get(User, person["id"])
        message = queue_mail(user.email, "Reset your password", "seat_assigned", user=user, seat=Seat.GOVERNMENT,
                             url="http://localhost/")
        db.session.commit()
        assert message.status is MailStatus.CANCELLED
        assert send_due().sent == 0


def test_the_address_can_register_again(app, make_client, inbox, person):
    close(logged(make_client, "zacarias@example.org"))
    newcomer = make_client()
    response = newcomer.post_form("/register", {"display_name": "Zacarías Nuevo", "email": "zacarias@example.org",
                                                "password": GOOD, "password_confirm": GOOD, "locale": "es"})
    assert response.status_code == 302
    with app.app_context():
        send_due()
        fresh = db.session.scalar(select(User).where(User.email == "zacarias@example.org"))
        assert fresh is not None and fresh.id != person["id"] and fresh.closed_at is None
    newcomer.get(inbox.link("zacarias@example.org").replace("http://localhost", ""))
    newcomer.login("zacarias@example.org", GOOD)
    assert newcomer.get("/account").status_code == 200


@pytest.mark.parametrize("role", ["seat", "site_admin", "sole_admin"])
def test_closing_is_refused_while_others_rely_on_the_account(app, make_client, role):
    with app.app_context():
        user = make_user("zacarias@example.org", admin=role == "site_admin")
        if role == "seat":
            make_seat(user, Seat.GUARANTOR)
        if role == "sole_admin":
            make_organisation(user, name="Colectivo Transparente", members=[make_user()])
        db.session.commit()
    client = logged(make_client, "zacarias@example.org")
    reason = {"seat": "Ocupas un lugar en el secretariado", "site_admin": "Administras el sitio",
              "sole_admin": "Eres la única persona que administra Colectivo Transparente"}[role]
    page = client.get("/account").get_data(as_text=True)
    assert reason in page and 'action="/account/close"' not in page
    before = database_fingerprint(app)
    response = close(client)
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)
    assert changed_tables(before, database_fingerprint(app)) == []


def test_the_only_member_of_an_organisation_may_close_and_the_organisation_stays(app, make_client):
    with app.app_context():
        user = make_user("zacarias@example.org")
        org = make_organisation(user, name="Colectivo Unipersonal")
        db.session.commit()
        org_id = org.id
    assert close(logged(make_client, "zacarias@example.org")).status_code == 302
    with app.app_context():
        membership = db.session.scalar(select(Membership).where(Membership.organisation_id == org_id))
        assert membership.role is Role.ADMIN and membership.left_at is not None
    assert make_client().get(f"/organisations/{org_id}").status_code == 200


def test_an_unconfirmed_account_closes_without_entering_the_record(app, make_client):
    with app.app_context():
        make_user("zacarias@example.org", confirmed=False)
        db.session.commit()
    assert close(logged(make_client, "zacarias@example.org")).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(eventlog.ParticipationEvent.id))) == 0


def test_wrong_passwords_count_like_failed_log_ins(app_config, make_app):
    from .conftest import FormClient

    app = make_app({**app_config, "RATELIMIT_ENABLED": True, "LOGIN_FREE_FAILURES": 2})
    with app.app_context():
        make_user("zacarias@example.org")
        db.session.commit()
    client = FormClient(app.test_client())
    client.login("zacarias@example.org")
    statuses = [close(client, "not-the-password-at-all").status_code for _ in range(3)]
    assert statuses[:2] == [400, 400] and statuses[2] == 429
    assert close(client).status_code == 429  # locked: not even the right password is checked
    with app.app_context():
        assert db.session.scalar(select(User)).closed_at is None


def test_the_remove_admin_command_keeps_the_last_administrator(app, make_client):
    from ogpcocreate.cli import remove_admin

    with app.app_context():
        make_user("zacarias@example.org", admin=True)
        db.session.commit()
    runner = app.test_cli_runner()
    last = runner.invoke(remove_admin, ["--email", "zacarias@example.org"])
    assert last.exit_code != 0 and "only site administrator" in last.output
    assert runner.invoke(remove_admin, ["--email", "nadie@example.org"]).exit_code != 0
    with app.app_context():
        make_user("root@example.org", admin=True)
        db.session.commit()
    done = runner.invoke(remove_admin, ["--email", "Zacarias@example.org"])
    assert done.exit_code == 0, done.output
    # The role gone, the owner may close the account.
    assert close(logged(make_client, "zacarias@example.org")).status_code == 302


def test_attendance_and_a_former_seats_positions_show_the_closed_account(app, make_client):
    """A person who once held a seat and attended a meeting: after the seat ended and the account closed,
    the meeting's attendance and signatures and the call's record of positions name the closed account."""
    from ogpcocreate.approvals.models import Action, Approval, Stance
    from ogpcocreate.core.db import utcnow
    from ogpcocreate.meetings.models import Attendance

    from .factories import make_meeting

    with app.app_context():
        user = make_user("zacarias@example.org", name=NAME)
        seat = make_seat(user, Seat.GUARANTOR)
        call = make_call(make_plan(), phase="deliberation")
        meeting = make_meeting(call, title="Mesa de Oaxaca")
        meeting.published_at = utcnow()
        db.session.add(Attendance(meeting_id=meeting.id, user_id=user.id))
        for subject in ({"meeting_id": meeting.id, "action": Action.SIGN_MINUTES},
                        {"call_id": call.id, "action": Action.PUBLISH_CALL}):
            db.session.add(Approval(seat=Seat.GUARANTOR, user_id=user.id, stance=Stance.APPROVE, **subject))
        seat.ended_at = utcnow()
        make_seat(make_user("garante@example.org"), Seat.GUARANTOR)
        db.session.commit()
        ids = {"user": user.id, "meeting": meeting.id, "call": call.id}
    assert close(logged(make_client, "zacarias@example.org")).status_code == 302
    closed_name = f"cuenta cerrada #{ids['user']}"
    secretariat = logged(make_client, "garante@example.org")
    for client in (make_client(), secretariat):
        for url in (f"/meetings/{ids['meeting']}", f"/calls/{ids['call']}/record"):
            page = client.get(url).get_data(as_text=True)
            assert NAME not in page and closed_name in page, url
