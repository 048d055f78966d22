"""Seats of the tripartite secretariat: assigned and ended by a site administrator, listed publicly."""

from __future__ import annotations

from sqlalchemy import select

from ogpcocreate.core.eventlog import ParticipationEvent
from ogpcocreate.core.outbox import send_due
from ogpcocreate.core.sectors import Seat, Sector
from ogpcocreate.extensions import db
from ogpcocreate.secretariat.models import SecretariatMembership

from .factories import make_seat, make_user


def test_admin_assigns_and_ends_seats(app, make_client, inbox):
    with app.app_context():
        make_user("root@example.org", admin=True)
        make_user("laura@example.org", name="Laura Méndez")
        make_user("nuevo@example.org", confirmed=False)
        db.session.commit()
    root = make_client()
    root.login("root@example.org")
    ok = root.post_form("/admin/secretariat", {"email": "laura@example.org", "seat": "government"})
    assert ok.status_code == 302
    public = make_client().get("/secretariat").get_data(as_text=True)
    assert "Laura Méndez" in public and "Este lugar está vacante" in public
    twice = root.post_form("/admin/secretariat", {"email": "laura@example.org", "seat": "guarantor"})
    assert twice.status_code == 400 and "ya ocupa el lugar" in twice.get_data(as_text=True)
    unknown = root.post_form("/admin/secretariat", {"email": "nadie@example.org", "seat": "guarantor"})
    assert "No hay nadie registrado" in unknown.get_data(as_text=True)
    unconfirmed = root.post_form("/admin/secretariat", {"email": "nuevo@example.org", "seat": "guarantor"})
    assert "aún no confirma" in unconfirmed.get_data(as_text=True)
    bad_seat = root.post_form("/admin/secretariat", {"email": "laura@example.org", "seat": "king"})
    assert bad_seat.status_code == 400
    with app.app_context():
        membership_id = db.session.scalar(select(SecretariatMembership.id))
        event = db.session.scalar(select(ParticipationEvent).where(ParticipationEvent.verb == "seat_assigned"))
        assert event.sector is Sector.GOVERNMENT
        send_due()
    assert "Gobierno federal" in inbox.body(inbox.to("laura@example.org")[0])
    assert root.post_form(f"/admin/secretariat/{membership_id}/end").status_code == 302
    with app.app_context():
        ended = db.session.get(SecretariatMembership, membership_id)
        assert ended.ended_at is not None
    assert "Laura Méndez" not in make_client().get("/secretariat").get_data(as_text=True)
    again = root.post_form(f"/admin/secretariat/{membership_id}/end", follow_redirects=True)
    assert "ya concluyó" in again.get_data(as_text=True)


def test_only_site_administrators_manage_seats(app, make_client):
    with app.app_context():
        seat_holder = make_user("laura@example.org")
        make_seat(seat_holder, Seat.GOVERNMENT)
        db.session.commit()
    laura = make_client()
    laura.login("laura@example.org")
    assert laura.get("/admin/secretariat").status_code == 403
    assert laura.post_form("/admin/secretariat", {"email": "laura@example.org", "seat": "guarantor"}).status_code == 403
    assert make_client().get("/admin/secretariat").status_code == 302  # anonymous: log in first
