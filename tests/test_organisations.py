"""Organisations: registration, duplicates, members and invitations, transfer, verification, directory."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
import time_machine
from sqlalchemy import func, select

from ogpcocreate.core.db import utcnow
from ogpcocreate.core.eventlog import ParticipationEvent
from ogpcocreate.core.outbox import send_due
from ogpcocreate.core.sectors import Seat, Sector
from ogpcocreate.extensions import db
from ogpcocreate.organisations.models import Invitation, Membership, Organisation, Role, Verification

from .factories import make_organisation, make_seat, make_user

CSO = {
    "name": "Red Oaxaqueña por el Derecho a Saber",
    "acronym": "ROADS",
    "sector": "civil_society",
    "territory": "MX-OAX",
    "cluni": "roa-0512150901a",
    "rfc": "",
    "website": "https://roads.example.org",
    "description_source": "Promovemos el **acceso a la información**.<script>alert(1)</script>",
}


def org_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Organisation.id)))


def seed_person(app, email="ana@example.org", **kw) -> str:
    with app.app_context():
        make_user(email, **kw)
        db.session.commit()
    return email


def test_register_an_organisation(app, client):
    client.login(seed_person(app))
    response = client.post_form("/organisations/new", CSO)
    assert response.status_code == 302
    with app.app_context():
        org = db.session.scalar(select(Organisation))
        assert org.cluni == "ROA0512150901A"  # normalised
        assert org.verification is Verification.PENDING
        assert "<strong>acceso a la información</strong>" in org.description
        assert "<script" not in org.description and "<script>" in org.description_source
        membership = db.session.scalar(select(Membership))
        assert membership.role is Role.ADMIN
        event = db.session.scalar(select(ParticipationEvent).where(ParticipationEvent.verb == "created"))
        assert (event.sector, event.territory, event.organisation_id) == (Sector.CIVIL_SOCIETY, "MX-OAX", org.id)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Red Oaxaqueña" in page and "Verificación pendiente" in page and "<script>alert" not in page


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"cluni": ""}, "deben indicar su clave CLUNI"),
        ({"cluni": "ABC"}, "de 10 a 20 letras"),
        ({"rfc": "XYZ"}, "12 o 13 caracteres"),
        ({"territory": "MX-ZZZ"}, "Opción inválida"),
        ({"sector": "citizen"}, "Opción inválida"),
        ({"website": "javascript:alert(1)"}, "https://"),
        ({"name": ""}, "Este campo es obligatorio"),
    ],
)
def test_bad_organisation_input_is_refused(app, client, changes, message):
    client.login(seed_person(app))
    response = client.post_form("/organisations/new", {**CSO, **changes})
    assert message in response.get_data(as_text=True)
    assert org_count(app) == 0


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": "red oaxaqueña por el derecho a saber."}, "Ya hay una organización registrada con este nombre"),
        ({"name": "RED OAXAQUENA  POR EL DERECHO A SABER"}, "con este nombre"),
        ({"name": "Otra", "cluni": "ROA0512150901A"}, "con esta clave CLUNI"),
    ],
)
def test_duplicate_organisations_are_refused(app, client, changes, message):
    client.login(seed_person(app))
    first = client.post_form("/organisations/new", CSO)
    assert first.status_code == 302
    response = client.post_form("/organisations/new", {**CSO, **changes})
    assert message in response.get_data(as_text=True)
    assert org_count(app) == 1
    # The refusal links to the organisation already registered, to ask for an invitation there.
    assert f'Ya registrada: <a href="{first.location}">' in response.get_data(as_text=True)


def test_non_cso_needs_no_cluni_but_rfc_must_be_unique(app, client):
    client.login(seed_person(app))
    company = {**CSO, "name": "Cámara Tecnológica", "sector": "private_sector", "cluni": "", "rfc": "CTC050101AB1"}
    assert client.post_form("/organisations/new", company).status_code == 302
    again = client.post_form("/organisations/new", {**company, "name": "Otra cámara"})
    assert "con este RFC" in again.get_data(as_text=True)


def test_editing_identity_sends_a_verified_organisation_back_to_review(app, client):
    with app.app_context():
        admin = make_user("ana@example.org")
        org = make_organisation(admin, name="Colectivo Uno", verified=True)
        db.session.commit()
        org_id = org.id
    client.login("ana@example.org")
    form = {**CSO, "name": "Colectivo Uno", "cluni": "COL0512150901A", "description_source": "Nueva descripción"}
    client.post_form(f"/organisations/{org_id}/edit", {**form, "cluni": f"ORG{1:010d}"})
    response = client.post_form(f"/organisations/{org_id}/edit", form)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Organisation, org_id).verification is Verification.PENDING


def test_invitation_flow(app, client, make_client, inbox):
    with app.app_context():
        admin = make_user("ana@example.org")
        make_user("luis@example.org", name="Luis Ortega")
        org = make_organisation(admin, name="Colectivo Uno")
        db.session.commit()
        org_id = org.id
    client.login("ana@example.org")
    response = client.post_form(f"/organisations/{org_id}/invitations", {"email": "Luis@Example.org"})
    assert response.status_code == 302
    with app.app_context():
        send_due()
    link = inbox.link("luis@example.org").replace("http://localhost", "")
    assert "Colectivo Uno" in inbox.to("luis@example.org")[0]["Subject"]

    stranger = make_client()
    seed_person(app, "eva@example.org")
    stranger.login("eva@example.org")
    token = link.rsplit("/", 1)[1]
    wrong = stranger.post_form(f"/invitations/{token}/accept")
    assert wrong.status_code == 400 and "se envió a luis@example.org" in wrong.get_data(as_text=True)

    invitee = make_client()
    assert "Colectivo Uno" in invitee.get(link).get_data(as_text=True)
    invitee.login("luis@example.org")
    accepted = invitee.post_form(f"/invitations/{token}/accept")
    assert accepted.status_code == 302
    again = invitee.post_form(f"/invitations/{token}/accept")
    assert "ya fue aceptada" in again.get_data(as_text=True)
    with app.app_context():
        members = db.session.scalar(select(func.count(Membership.id)).where(Membership.organisation_id == org_id))
        assert members == 2
        assert db.session.scalar(select(func.count(ParticipationEvent.id)).where(ParticipationEvent.verb == "joined")) == 1
    # Members see each other; the public sees a count only.
    assert "Luis Ortega" in invitee.get(f"/organisations/{org_id}").get_data(as_text=True)
    assert "Luis Ortega" not in make_client().get(f"/organisations/{org_id}").get_data(as_text=True)
    # Inviting an existing member is refused.
    dup = client.post_form(f"/organisations/{org_id}/invitations", {"email": "luis@example.org"}, follow_redirects=True)
    assert "ya es integrante" in dup.get_data(as_text=True)


def test_expired_and_withdrawn_invitations(app, client, make_client, inbox):
    with app.app_context():
        admin = make_user("ana@example.org")
        make_user("luis@example.org")
        org = make_organisation(admin)
        db.session.commit()
        org_id = org.id
    client.login("ana@example.org")
    client.post_form(f"/organisations/{org_id}/invitations", {"email": "luis@example.org"})
    with app.app_context():
        send_due()
    token = inbox.link("luis@example.org").rsplit("/", 1)[1]
    invitee = make_client()
    invitee.login("luis@example.org")
    with time_machine.travel(utcnow() + timedelta(days=15)):
        expired = invitee.post_form(f"/invitations/{token}/accept")
    assert expired.status_code == 400 and "caducó" in expired.get_data(as_text=True)
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id))
    client.post_form(f"/organisations/{org_id}/invitations/{invitation_id}/revoke")
    invitee = make_client()  # the session cookie signed in the future is (rightly) no longer accepted
    invitee.login("luis@example.org")
    withdrawn = invitee.post_form(f"/invitations/{token}/accept")
    assert "fue retirada" in withdrawn.get_data(as_text=True)
    assert invitee.get("/invitations/nonsense").status_code == 400


def test_only_administrators_invite(app, make_client):
    with app.app_context():
        admin = make_user("ana@example.org")
        member = make_user("luis@example.org")
        make_user("eva@example.org")
        org = make_organisation(admin, members=[member])
        db.session.commit()
        org_id = org.id
    for email in ("luis@example.org", "eva@example.org"):
        c = make_client()
        c.login(email)
        assert c.post_form(f"/organisations/{org_id}/invitations", {"email": "x@example.org"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(Invitation.id))) == 0


def test_leave_and_transfer(app, make_client):
    with app.app_context():
        admin = make_user("ana@example.org")
        member = make_user("luis@example.org", name="Luis Ortega")
        org = make_organisation(admin, members=[member])
        db.session.commit()
        org_id = org.id
        member_membership = db.session.scalar(select(Membership.id).where(Membership.user_id == member.id))
    ana = make_client()
    ana.login("ana@example.org")
    refused = ana.post_form(f"/organisations/{org_id}/leave", follow_redirects=True)
    assert "única persona que administra" in refused.get_data(as_text=True)
    bad = ana.post_form(f"/organisations/{org_id}/transfer", {"member": "999999"}, follow_redirects=True)
    assert "Elige a una persona integrante" in bad.get_data(as_text=True)
    luis = make_client()
    luis.login("luis@example.org")
    assert luis.post_form(f"/organisations/{org_id}/transfer", {"member": str(member_membership)}).status_code == 403
    assert ana.post_form(f"/organisations/{org_id}/transfer", {"member": str(member_membership)}).status_code == 302
    with app.app_context():
        roles = dict(db.session.execute(select(Membership.user_id, Membership.role)).all())
        assert sorted(r.value for r in roles.values()) == ["admin", "member"]
    assert ana.post_form(f"/organisations/{org_id}/leave").status_code == 302
    with app.app_context():
        active = db.session.scalar(select(func.count(Membership.id)).where(Membership.left_at.is_(None)))
        assert active == 1
        assert db.session.scalar(select(func.count(Membership.id))) == 2  # history kept


def test_secretariat_verifies_and_rejects(app, make_client, inbox):
    with app.app_context():
        admin = make_user("ana@example.org")
        reviewer = make_user("garante@example.org")
        make_seat(reviewer, Seat.GUARANTOR)
        make_user("luis@example.org")
        org = make_organisation(admin, verified=False)
        db.session.commit()
        org_id = org.id
    luis = make_client()
    luis.login("luis@example.org")
    assert luis.post_form(f"/organisations/{org_id}/verification", {"decision": "verified"}).status_code == 403
    assert luis.get("/organisations/review").status_code == 403
    garante = make_client()
    garante.login("garante@example.org")
    assert "Organización" in garante.get("/organisations/review").get_data(as_text=True)
    no_reason = garante.post_form(f"/organisations/{org_id}/verification", {"decision": "rejected", "reason": ""}, follow_redirects=True)
    assert "Indica el motivo" in no_reason.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Organisation, org_id).verification is Verification.PENDING
    ok = garante.post_form(f"/organisations/{org_id}/verification", {"decision": "rejected", "reason": "La CLUNI no coincide."})
    assert ok.status_code == 302
    with app.app_context():
        org = db.session.get(Organisation, org_id)
        assert org.verification is Verification.REJECTED and org.verification_reason == "La CLUNI no coincide."
        event = db.session.scalar(select(ParticipationEvent).where(ParticipationEvent.verb == "rejected"))
        assert event.sector is Sector.GUARANTOR and event.data["reason"] == "La CLUNI no coincide."
        send_due()
    assert "La CLUNI no coincide." in inbox.body(inbox.to("ana@example.org")[0])
    assert "La CLUNI no coincide." in make_client().get(f"/organisations/{org_id}").get_data(as_text=True)


def test_directory_filters_and_pagination(app, client):
    with app.app_context():
        for i in range(30):
            make_organisation(name=f"Colectivo {i:02d}", territory="MX-OAX" if i % 2 else "MX-YUC",
                              sector=Sector.CIVIL_SOCIETY if i % 3 else Sector.ACADEMIA, verified=i % 5 != 0)
        db.session.commit()
    assert "30 organizaciones" in client.get("/organisations").get_data(as_text=True)
    page2 = client.get("/organisations?page=2").get_data(as_text=True)
    assert "Colectivo 29" in page2 and "Colectivo 00" not in page2
    oax = client.get("/organisations?territory=MX-OAX").get_data(as_text=True)
    assert "15 organizaciones" in oax
    academia = client.get("/organisations?sector=academia&verification=pending").get_data(as_text=True)
    assert "2 organizaciones" in academia  # i in {0, 15}
    found = client.get("/organisations?q=colectivo 07").get_data(as_text=True)
    assert "1 organización" in found
    assert client.get("/organisations?sector=nonsense").status_code == 200
    assert client.get("/organisations?page=999").status_code == 200


def test_an_invitation_survives_registering(app, client, make_client, inbox):
    """Someone invited without an account registers from the invitation with the address filled in,
    confirms it from the e-mail, logs in and lands back on the invitation, and joins."""
    with app.app_context():
        admin = make_user("ana@example.org")
        org = make_organisation(admin, name="Colectivo Uno")
        db.session.commit()
        org_id = org.id
    client.login("ana@example.org")
    client.post_form(f"/organisations/{org_id}/invitations", {"email": "nueva@example.org"})
    with app.app_context():
        send_due()
    invitation = inbox.link("nueva@example.org").replace("http://localhost", "")

    newcomer = make_client()
    page = newcomer.get(invitation).get_data(as_text=True)
    register_url = f"/register?next={quote(invitation, safe='')}"
    assert "/register?next=/invitations/" in page or "/register?next=%2Finvitations%2F" in page
    form = newcomer.get(register_url).get_data(as_text=True)
    assert 'value="nueva@example.org"' in form and "Colectivo Uno" in form
    registered = newcomer.post_form("/register", {
        "display_name": "Nueva Persona", "email": "nueva@example.org", "password": "a-long-and-quiet-harbour-42",
        "password_confirm": "a-long-and-quiet-harbour-42", "territory": "MX-OAX", "locale": "es", "next": invitation})
    assert registered.status_code == 302
    with app.app_context():
        send_due()
    confirm = inbox.link("nueva@example.org").replace("http://localhost", "")
    assert "/confirm/" in confirm
    confirmed = newcomer.get(confirm)
    assert confirmed.status_code == 302 and confirmed.location == f"/login?next={invitation}"
    logged_in = newcomer.post_form(f"/login?next={quote(invitation, safe='')}",
                                   {"email": "nueva@example.org", "password": "a-long-and-quiet-harbour-42"})
    assert logged_in.status_code == 302 and logged_in.location == invitation
    newcomer._token = None  # the session was renewed at login, and its CSRF token with it
    token = invitation.rsplit("/", 1)[1]
    assert newcomer.post_form(f"/invitations/{token}/accept").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Membership.id)).where(Membership.organisation_id == org_id)) == 2


def test_a_registration_never_carries_a_foreign_next(app, make_client, inbox):
    newcomer = make_client()
    newcomer.post_form("/register", {
        "display_name": "Otra Persona", "email": "otra@example.org", "password": "a-long-and-quiet-harbour-42",
        "password_confirm": "a-long-and-quiet-harbour-42", "territory": "MX-OAX", "locale": "es",
        "next": "https://evil.example.com/"})
    with app.app_context():
        send_due()
    confirmed = newcomer.get(inbox.link("otra@example.org").replace("http://localhost", ""))
    assert confirmed.status_code == 302 and confirmed.location == "/login"
