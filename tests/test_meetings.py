"""Working meetings: recording and editing them, attendance as participation (with its channel, sector
and territory), counts of unregistered attendees, tripartite signing of the minutes, who may do what,
and what the public page shows.

Everyone here reads the site in English, so the assertions do not depend on the Spanish catalog.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from ogpcocreate.approvals.models import Approval
from ogpcocreate.core import eventlog
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.eventlog import Channel, ParticipationEvent
from ogpcocreate.core.i18n import to_local
from ogpcocreate.core.sectors import Seat, Sector
from ogpcocreate.extensions import db
from ogpcocreate.meetings.models import Attendance, Meeting, Modality, UnregisteredAttendance

from .factories import make_call, make_meeting, make_organisation, make_plan, make_seat, make_user
from .snapshots import changed_tables, database_fingerprint

FMT = "%Y-%m-%dT%H:%M"
ENGLISH = {"Accept-Language": "en"}




@pytest.fixture
def world(app):
    """Three seats (plus a second government member), a call, attendees with 0, 1 and 2 organisations."""
    with app.app_context():
        for seat in Seat:
            make_seat(make_user(f"{seat.value}@example.org", locale="en"), seat)
        make_seat(make_user("government2@example.org", locale="en"), Seat.GOVERNMENT)
        make_user("participant@example.org", locale="en")
        ana = make_user("ana@example.org", name="Ana Robles", territory="MX-CHP", locale="en")
        org = make_organisation(ana, name="Red Oaxaqueña", sector=Sector.CIVIL_SOCIETY, territory="MX-OAX")
        luis = make_user("luis@example.org", name="Luis Pérez", territory="MX-YUC", locale="en")
        both = make_user("doble@example.org", name="Dora Doble", territory="MX-JAL", locale="en")
        make_organisation(both, name="Universidad Abierta", sector=Sector.ACADEMIA, territory="MX-JAL")
        make_organisation(make_user(), name="Colectivo Dos", members=[both])
        plan = make_plan()
        call = make_call(plan, phase="deliberation")
        other_call = make_call(plan, phase="open")
        draft = make_call(plan, phase="draft")
        past = make_meeting(call, theme=call.themes[0], title="Mesa de transparencia")
        online = make_meeting(call, modality="online", title="Mesa en línea")
        future = make_meeting(call, starts_at=utcnow() + timedelta(days=3), title="Mesa futura")
        hidden = make_meeting(draft, title="Mesa de una convocatoria en borrador")
        db.session.commit()
        return {"call": call.id, "theme": call.themes[1].id, "other_theme": other_call.themes[0].id, "org": org.id,
                "past": past.id, "online": online.id, "future": future.id, "hidden": hidden.id,
                "ana": ana.id, "luis": luis.id, "both": both.id}


def logged(make_client, email):
    c = make_client()
    c.login(email)
    return c


def meeting_form(**overrides):
    data = {"title": "Mesa de trabajo sobre contrataciones", "theme": "0", "starts_at": "2025-03-10T10:00",
            "modality": "hybrid", "place": "Palacio de Gobierno, Oaxaca", "territory": "MX-OAX",
            "minutes_source": "Se revisaron **tres** propuestas.<script>alert(1)</script>",
            "agreements_source": "1. Publicar el padrón.\n2. Reunirse en abril."}
    data.update(overrides)
    return data


def events(app, verb=None, **where):
    with app.app_context():
        query = select(ParticipationEvent).order_by(ParticipationEvent.seq)
        if verb:
            query = query.where(ParticipationEvent.verb == verb)
        for name, value in where.items():
            query = query.where(getattr(ParticipationEvent, name) == value)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def get_meeting(app, meeting_id) -> Meeting:
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        db.session.expunge(meeting)
        return meeting


# --- recording and editing ------------------------------------------------------------------------


def test_the_secretariat_records_a_meeting(app, make_client, world):
    c = logged(make_client, "guarantor@example.org")
    assert c.get(f"/calls/{world['call']}/meetings/new").status_code == 200
    response = c.post_form(f"/calls/{world['call']}/meetings/new", meeting_form(theme=str(world["theme"])))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        meeting = db.session.scalar(select(Meeting).where(Meeting.title == "Mesa de trabajo sobre contrataciones"))
        # Typed in Mexico City time (UTC-6, no daylight saving since 2022), stored in UTC.
        assert meeting.starts_at == datetime.fromisoformat("2025-03-10T16:00:00+00:00")
        assert meeting.theme_id == world["theme"] and meeting.modality is Modality.HYBRID
        assert "<strong>tres</strong>" in meeting.minutes and "<script" not in meeting.minutes
        assert meeting.minutes_source.startswith("Se revisaron **tres**")
        assert "<ol>" in meeting.agreements and meeting.signed_at is None
        meeting_id = meeting.id
    assert response.headers["Location"].endswith(f"/meetings/{meeting_id}")
    (created,) = events(app, "created", subject_type="meeting")
    assert (created.sector, created.territory, created.call_id) == (Sector.GUARANTOR, "national", world["call"])


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"title": ""}, "title", "required"),
        ({"place": "", "modality": "in_person"}, "place", "Say where the meeting is held"),
        ({"theme": "999999"}, "theme", "Not a valid choice"),
        ({"territory": "MX-XXX"}, "territory", "Not a valid choice"),
        ({"modality": "by_telepathy"}, "modality", "Not a valid choice"),
        ({"starts_at": ""}, "starts_at", "required"),
        ({"starts_at": "9999-12-31T23:59"}, "starts_at", "between the years"),
        ({"starts_at": "mañana"}, "starts_at", "Not a valid datetime"),
        ({"minutes_source": "x" * 50001}, "minutes_source", "50000"),
    ],
)
def test_bad_meetings_are_refused_and_change_nothing(app, make_client, world, overrides, field, message):
    c = logged(make_client, "government@example.org")
    before = database_fingerprint(app)
    response = c.post_form(f"/calls/{world['call']}/meetings/new", meeting_form(**overrides))
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in text and message.lower() in text.lower()
    assert changed_tables(before, database_fingerprint(app)) == []


def test_an_online_meeting_needs_no_place(app, make_client, world):
    c = logged(make_client, "government@example.org")
    response = c.post_form(f"/calls/{world['call']}/meetings/new", meeting_form(modality="online", place=""))
    assert response.status_code == 302


def test_the_secretariat_edits_a_meeting(app, make_client, world):
    c = logged(make_client, "civil_society@example.org")
    meeting = get_meeting(app, world["past"])
    page = c.get(f"/meetings/{meeting.id}/edit").get_data(as_text=True)
    with app.app_context():
        typed = to_local(meeting.starts_at).strftime(FMT)
    assert f'value="{typed}"' in page and "Se acordó **publicar**" in page
    response = c.post_form(f"/meetings/{meeting.id}/edit", meeting_form(title="Mesa de transparencia (2a sesión)"))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    edited = get_meeting(app, meeting.id)
    assert edited.title == "Mesa de transparencia (2a sesión)" and edited.theme_id is None
    (event_,) = events(app, "edited", subject_type="meeting")
    assert event_.sector is Sector.CIVIL_SOCIETY and event_.data["title"] == edited.title


def test_a_signed_record_cannot_be_edited(app, make_client, world):
    with app.app_context():
        db.session.get(Meeting, world["past"]).signed_at = utcnow()
        db.session.commit()
    c = logged(make_client, "government@example.org")
    page = c.get(f"/meetings/{world['past']}/edit", follow_redirects=True)
    assert "The signed record cannot be changed" in page.get_data(as_text=True)
    before = database_fingerprint(app)
    refused = c.post_form(f"/meetings/{world['past']}/edit", meeting_form(title="Otro título"), follow_redirects=True)
    assert "The signed record cannot be changed" in refused.get_data(as_text=True)
    for url, data in ((f"/meetings/{world['past']}/attendees", {"emails": "ana@example.org"}),
                      (f"/meetings/{world['past']}/unregistered", {"count_citizen": "3"})):
        assert "The signed record cannot be changed" in c.post_form(url, data).get_data(as_text=True)
    assert changed_tables(before, database_fingerprint(app)) == []
    assert get_meeting(app, world["past"]).title == "Mesa de transparencia"


def test_an_edit_withdraws_the_approvals_of_the_record_and_objections_stand(app, make_client, world):
    """DOMAIN.md, "Tripartite approval, precisely": a seat approves a specific text; editing it withdraws
    the standing approvals (recorded) and the page shows what changed since each position."""
    gov, cso = logged(make_client, "government@example.org"), logged(make_client, "civil_society@example.org")
    sign(gov, world["past"], "approve")
    sign(cso, world["past"], "object", "Faltan los acuerdos.")
    assert gov.post_form(f"/meetings/{world['past']}/edit", meeting_form()).status_code == 302
    positions = standing(app, world["past"])
    assert [(p.seat, p.stance.value) for p in positions] == [(Seat.CIVIL_SOCIETY, "object")]  # the objection stands
    with app.app_context():
        withdrawn = db.session.scalar(select(Approval).where(Approval.meeting_id == world["past"],
                                                             Approval.withdrawn_at.is_not(None)))
        assert (withdrawn.seat, withdrawn.withdrawn_because) == (Seat.GOVERNMENT, "edited")
        withdrawn_id = withdrawn.id
    entry = [e for e in events(app, "withdrawn") if e.subject_id == withdrawn_id]
    assert entry and entry[0].data["because"] == "edited" and "title" in entry[0].data["changed"]
    page = gov.get(f"/meetings/{world['past']}").get_data(as_text=True)
    assert "because the text changed" in page and "Changed since this position: title" in page
    # The same text again changes nothing: a fresh approval stands.
    sign(gov, world["past"], "approve")
    assert gov.post_form(f"/meetings/{world['past']}/edit", meeting_form()).status_code == 302
    assert {p.seat for p in standing(app, world["past"])} == {Seat.GOVERNMENT, Seat.CIVIL_SOCIETY}


# --- attendance -----------------------------------------------------------------------------------


def attendance(app, meeting_id):
    with app.app_context():
        return {a.user_id: a.organisation_id for a in db.session.scalars(
            select(Attendance).where(Attendance.meeting_id == meeting_id))}


def test_registered_attendees_are_recorded_as_participation(app, make_client, world):
    c = logged(make_client, "guarantor@example.org")
    assert c.get(f"/meetings/{world['past']}/attendance").status_code == 200
    response = c.post_form(f"/meetings/{world['past']}/attendees",
                           {"emails": " Ana@Example.org \nluis@example.org, doble@example.org\n\nana@example.org"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    # One organisation: recorded for it; none, or several: recorded as an individual.
    assert attendance(app, world["past"]) == {world["ana"]: world["org"], world["luis"]: None, world["both"]: None}
    attended = {e.actor_id: e for e in events(app, "attended")}
    assert len(attended) == 3 and len(events(app, "attended")) == 3
    ana, luis, dora = attended[world["ana"]], attended[world["luis"]], attended[world["both"]]
    assert (ana.organisation_id, ana.sector, ana.territory) == (world["org"], Sector.CIVIL_SOCIETY, "MX-OAX")
    assert (luis.organisation_id, luis.sector, luis.territory) == (None, Sector.CITIZEN, "MX-YUC")
    assert (dora.sector, dora.territory) == (Sector.CITIZEN, "MX-JAL")
    for e in (ana, luis, dora):
        assert e.channel is Channel.IN_PERSON and e.call_id == world["call"]
        assert (e.subject_type, e.subject_id, e.data) == ("meeting", world["past"], {"meeting": world["past"]})
    # The same people again: left as they were, and no second event.
    again = c.post_form(f"/meetings/{world['past']}/attendees", {"emails": "luis@example.org"}, follow_redirects=True)
    assert "Already recorded" in again.get_data(as_text=True) and "Luis Pérez" in again.get_data(as_text=True)
    assert len(events(app, "attended")) == 3
    with app.app_context():
        assert eventlog.verify().ok


def test_online_attendance_is_logged_as_online(app, make_client, world):
    c = logged(make_client, "guarantor@example.org")
    c.post_form(f"/meetings/{world['online']}/attendees", {"emails": "luis@example.org"})
    (event_,) = events(app, "attended")
    assert event_.channel is Channel.ONLINE


def test_unknown_addresses_are_named_and_nothing_is_saved(app, make_client, world):
    c = logged(make_client, "guarantor@example.org")
    before = database_fingerprint(app)
    response = c.post_form(f"/meetings/{world['past']}/attendees",
                           {"emails": "ana@example.org\nnadie@example.org\notra.persona@example.org"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="emails-error"' in text
    assert "nadie@example.org, otra.persona@example.org" in text and "Nothing was saved" in text
    assert "ana@example.org\nnadie@example.org" in text  # what was typed is shown back
    assert changed_tables(before, database_fingerprint(app)) == []


def test_attendance_waits_until_the_meeting_has_taken_place(app, make_client, world):
    c = logged(make_client, "guarantor@example.org")
    response = c.post_form(f"/meetings/{world['future']}/attendees", {"emails": "ana@example.org"})
    assert response.status_code == 400 and "once it has taken place" in response.get_data(as_text=True)
    assert attendance(app, world["future"]) == {}


def unregistered(app, meeting_id):
    with app.app_context():
        return {r.sector.value: r.count for r in db.session.scalars(
            select(UnregisteredAttendance).where(UnregisteredAttendance.meeting_id == meeting_id))}


def test_unregistered_attendees_are_counted_by_sector(app, make_client, world):
    c = logged(make_client, "civil_society@example.org")
    url = f"/meetings/{world['past']}/unregistered"
    assert c.post_form(url, {"count_citizen": "12", "count_academia": "3"}).status_code == 302
    assert unregistered(app, world["past"]) == {"citizen": 12, "academia": 3}
    # The new numbers replace the old ones, sector by sector.
    assert c.post_form(url, {"count_citizen": "10", "count_academia": "", "count_government": "2"}).status_code == 302
    assert unregistered(app, world["past"]) == {"citizen": 10, "academia": 0, "government": 2}
    logged_counts = [e for e in events(app, "edited", subject_type="meeting") if "unregistered" in e.data]
    assert [e.data["unregistered"] for e in logged_counts] == [{"citizen": 12, "academia": 3},
                                                               {"citizen": 10, "government": 2}]
    last = logged_counts[-1]
    assert (last.sector, last.territory, last.channel, last.call_id) == (
        Sector.CIVIL_SOCIETY, "MX-OAX", Channel.IN_PERSON, world["call"])
    assert events(app, "attended") == []  # the member who typed the counts did not "attend" for them
    # The same numbers again: nothing to log.
    c.post_form(url, {"count_citizen": "10", "count_government": "2"})
    assert len([e for e in events(app, "edited") if "unregistered" in e.data]) == 2


@pytest.mark.parametrize("value", ["-1", "tres", "1.5", "100001"])
def test_bad_counts_are_refused_and_change_nothing(app, make_client, world, value):
    c = logged(make_client, "civil_society@example.org")
    c.post_form(f"/meetings/{world['past']}/unregistered", {"count_citizen": "5"})
    before = database_fingerprint(app)
    response = c.post_form(f"/meetings/{world['past']}/unregistered", {"count_citizen": "1", "count_academia": value})
    assert response.status_code == 400 and 'id="count_academia-error"' in response.get_data(as_text=True)
    assert changed_tables(before, database_fingerprint(app)) == []


def test_the_services_take_plain_data(appctx, world):
    from ogpcocreate.auth.models import User
    from ogpcocreate.core.errors import ServiceError
    from ogpcocreate.meetings import services

    member = db.session.scalar(select(User).where(User.email == "guarantor@example.org"))
    meeting = db.session.get(Meeting, world["past"])
    result = services.add_attendees(member, Seat.GUARANTOR, meeting, ["luis@example.org", "LUIS@example.org"])
    assert [a.user_id for a in result.added] == [world["luis"]] and result.already == []
    with pytest.raises(ServiceError) as refused:
        services.set_unregistered(member, Seat.GUARANTOR, meeting, {"citizen": -4})
    assert refused.value.field == "count_citizen"
    with pytest.raises(ServiceError, match="aliens"):
        services.set_unregistered(member, Seat.GUARANTOR, meeting, {"aliens": 4})
    assert services.parse_emails("a@x.org; b@x.org,\n<c@x.org>\na@x.org") == ["a@x.org", "b@x.org", "c@x.org"]


# --- signing the minutes --------------------------------------------------------------------------


def sign(client, meeting_id, stance, comment=""):
    return client.post_form(f"/meetings/{meeting_id}/positions", {"stance": stance, "comment": comment},
                            follow_redirects=True)


def standing(app, meeting_id):
    with app.app_context():
        return db.session.scalars(select(Approval).where(Approval.meeting_id == meeting_id,
                                                         Approval.withdrawn_at.is_(None))).all()


def signed(app, meeting_id) -> bool:
    return get_meeting(app, meeting_id).signed_at is not None


def test_the_three_seats_sign_the_minutes_and_an_objection_blocks(app, make_client, world):
    gov, gov2, guarantor, cso = (logged(make_client, f"{n}@example.org")
                                 for n in ("government", "government2", "guarantor", "civil_society"))
    mid = world["past"]
    assert "Your seat&#39;s position has been recorded" in sign(gov, mid, "approve", "Conforme").get_data(as_text=True)
    assert "already taken a position" in sign(gov2, mid, "approve").get_data(as_text=True)
    assert "Say why you object" in sign(cso, mid, "object").get_data(as_text=True)
    sign(cso, mid, "object", "Falta el acuerdo sobre el padrón.")
    sign(guarantor, mid, "approve")
    assert not signed(app, mid)  # the other two approved, but the objection blocks
    page = make_client().get(f"/meetings/{mid}", headers=ENGLISH).get_data(as_text=True)
    assert "Falta el acuerdo sobre el padrón." in page and "not yet signed" in page
    objection = next(a for a in standing(app, mid) if a.stance.value == "object")
    gov.post_form(f"/meetings/{mid}/positions/{objection.id}/withdraw")  # only its author can withdraw it
    assert any(a.id == objection.id for a in standing(app, mid))
    cso.post_form(f"/meetings/{mid}/positions/{objection.id}/withdraw")
    assert not signed(app, mid)
    done = sign(cso, mid, "approve", "Resuelto")
    assert "The minutes are signed" in done.get_data(as_text=True)
    assert signed(app, mid)
    verbs = [(e.verb, e.subject_type) for e in events(app, call_id=world["call"])]
    assert verbs == [("approved", "approval"), ("objected", "approval"), ("approved", "approval"),
                     ("withdrawn", "approval"), ("approved", "approval"), ("signed", "meeting")]
    published = events(app, "signed")[0]
    assert published.data["action"] == "sign_minutes" and published.subject_id == mid
    assert set(published.data["approved_by"]) == {"government", "guarantor", "civil_society"}
    # Signed: nothing more to sign, nothing to withdraw, nothing to edit.
    assert "already signed" in sign(gov2, mid, "object", "Tarde").get_data(as_text=True)
    own = next(a for a in standing(app, mid) if a.seat is Seat.GOVERNMENT)
    assert "part of the record" in gov.post_form(f"/meetings/{mid}/positions/{own.id}/withdraw",
                                                 follow_redirects=True).get_data(as_text=True)
    assert len(standing(app, mid)) == 3
    assert "The signed record cannot be changed" in gov.get(f"/meetings/{mid}/edit", follow_redirects=True).get_data(as_text=True)
    public = make_client().get(f"/meetings/{mid}", headers=ENGLISH).get_data(as_text=True)
    assert "Signed minutes." in public and "not yet signed" not in public and "Resuelto" in public


def test_empty_minutes_cannot_be_signed(app, make_client, world):
    with app.app_context():
        meeting = db.session.get(Meeting, world["past"])
        meeting.minutes_source, meeting.minutes = "  ", ""
        db.session.commit()
    gov = logged(make_client, "government@example.org")
    assert "The minutes are empty" in sign(gov, world["past"], "approve").get_data(as_text=True)
    assert standing(app, world["past"]) == []


def test_minutes_are_signed_once_the_meeting_has_taken_place(app, make_client, world):
    gov = logged(make_client, "government@example.org")
    assert "once it has taken place" in sign(gov, world["future"], "approve").get_data(as_text=True)
    assert standing(app, world["future"]) == []


def test_without_the_tripartite_requirement_one_member_signs(app, make_client, world):
    with app.app_context():
        call = make_call(make_plan(requires_tripartite=False), phase="open")
        meeting_id = make_meeting(call).id
        db.session.commit()
    sign(logged(make_client, "guarantor@example.org"), meeting_id, "approve")
    assert signed(app, meeting_id)


# --- who may do what ------------------------------------------------------------------------------


def secretariat_urls(world):
    m = world["past"]
    return [("GET", f"/calls/{world['call']}/meetings/new"), ("POST", f"/calls/{world['call']}/meetings/new"),
            ("GET", f"/meetings/{m}/edit"), ("POST", f"/meetings/{m}/edit"), ("GET", f"/meetings/{m}/attendance"),
            ("POST", f"/meetings/{m}/attendees"), ("POST", f"/meetings/{m}/unregistered"),
            ("POST", f"/meetings/{m}/positions"), ("POST", f"/meetings/{m}/positions/1/withdraw")]


def test_only_the_secretariat_records_meetings(app, make_client, world):
    participant = logged(make_client, "ana@example.org")
    anonymous = make_client()
    before = database_fingerprint(app)
    for method, url in secretariat_urls(world):
        data = {**meeting_form(), "emails": "luis@example.org", "count_citizen": "4", "stance": "approve"}
        response = participant.get(url) if method == "GET" else participant.post_form(url, data)
        assert response.status_code == 403, (method, url)
        response = anonymous.get(url) if method == "GET" else anonymous.post_form(url, data)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), (method, url)
    assert changed_tables(before, database_fingerprint(app)) == []


def test_meetings_of_a_draft_call_are_hidden_from_the_public(app, make_client, world):
    assert make_client().get(f"/meetings/{world['hidden']}").status_code == 404
    assert logged(make_client, "ana@example.org").get(f"/meetings/{world['hidden']}").status_code == 404
    assert logged(make_client, "guarantor@example.org").get(f"/meetings/{world['hidden']}").status_code == 200
    assert make_client().get("/meetings/999999").status_code == 404


# --- public pages ---------------------------------------------------------------------------------


def test_the_public_page_shows_the_whole_record(app, make_client, world):
    with app.app_context():
        meeting = db.session.get(Meeting, world["past"])
        meeting.starts_at = datetime.fromisoformat("2025-03-10T16:00:00+00:00")
        meeting.agreements_source, meeting.agreements = "Publicar el padrón", "<p>Publicar el padrón</p>"
        db.session.commit()
    c = logged(make_client, "guarantor@example.org")
    c.post_form(f"/meetings/{world['past']}/attendees", {"emails": "ana@example.org\nluis@example.org"})
    c.post_form(f"/meetings/{world['past']}/unregistered", {"count_citizen": "7", "count_academia": "2"})
    sign(c, world["past"], "approve", "Sin observaciones")
    response = make_client().get(f"/meetings/{world['past']}", headers=ENGLISH)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Mar 10, 2025, 10:00:00\u202fAM" in text or "Mar 10, 2025, 10:00:00 AM" in text  # Mexico City time
    assert "In person" in text and "Casa de la Cultura, Oaxaca de Juárez" in text and "Oaxaca" in text
    assert "Transparencia" in text  # the theme
    assert "<strong>publicar</strong>" in text and "Publicar el padrón" in text
    assert "Draft minutes, not yet signed." in text
    assert "Transparency guarantor" in text and "Sin observaciones" in text and "pending" in text
    assert "Red Oaxaqueña" in text and "Ana Robles" in text and "Luis Pérez" in text
    assert "ana@example.org" not in text  # addresses are never shown
    assert "11 people attended." in text
    table = text.split("<caption>Attendance by sector</caption>")[1].split("</table>")[0]
    assert '<th scope="row">Individual citizen</th><td class="num">0</td><td class="num">1</td><td class="num">7</td><td class="num">8</td>' in table
    assert '<th scope="row">Civil society organisation</th><td class="num">1</td><td class="num">1</td><td class="num">0</td><td class="num">1</td>' in table
    assert '<th scope="row">Total</th><td class="num">1</td><td class="num">2</td><td class="num">9</td><td class="num">11</td>' in table
    assert "<script" not in text and " style=" not in text
    # Nobody but the secretariat sees the forms.
    assert "/edit" not in text and 'name="stance"' not in text


def test_the_list_of_a_calls_meetings(app, make_client, world):
    c = logged(make_client, "guarantor@example.org")
    c.post_form(f"/meetings/{world['past']}/unregistered", {"count_citizen": "4"})
    text = make_client().get(f"/calls/{world['call']}/meetings", headers=ENGLISH).get_data(as_text=True)
    assert text.index("Mesa de transparencia") < text.index("Mesa futura")  # by date
    assert "Mesa en línea" in text and "Not yet signed" in text and '<td class="num">4</td>' in text
    assert "Record a meeting" not in text
    assert "Record a meeting" in c.get(f"/calls/{world['call']}/meetings").get_data(as_text=True)
    assert make_client().get(f"/calls/{world['call']}/meetings", headers=ENGLISH).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count(Meeting.id))) == 4


@pytest.mark.parametrize(("published", "open_"), [(True, True), (False, False)], ids=["published", "unpublished"])
def test_the_page_and_the_service_share_one_signing_rule(app, make_client, published, open_):
    """meetings/rules.py: the form appears exactly when the service would accept a position, and a seat
    sees why it does not (here: the meeting is not published yet)."""
    with app.app_context():
        seat = make_user("firma@example.org", locale="en")
        make_seat(seat, Seat.GUARANTOR)
        meeting = make_meeting(make_call(phase="deliberation"), published=published)
        db.session.commit()
        meeting_id = meeting.id
    page = logged(make_client, "firma@example.org").get(f"/meetings/{meeting_id}").get_data(as_text=True)
    signatures = page.split('id="signatures"')[1].split("</section>")[0]
    assert ('name="stance"' in signatures) is open_
    assert ("Publish the meeting before its minutes are signed" in signatures) is not open_
