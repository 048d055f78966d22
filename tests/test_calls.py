"""Plans and calls: schedule rules, tripartite approval of publication and results, public lists."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from ogpcocreate.approvals.models import Approval
from ogpcocreate.calls.models import Call
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.eventlog import ParticipationEvent
from ogpcocreate.core.i18n import to_local
from ogpcocreate.core.sectors import Seat, Sector
from ogpcocreate.extensions import db
from ogpcocreate.plans.models import ActionPlan

from .factories import make_call, make_plan, make_seat, make_user

FMT = "%Y-%m-%dT%H:%M"


def seats(app):
    """Three secretariat members, one per seat, plus a second government member."""
    with app.app_context():
        for seat in Seat:
            make_seat(make_user(f"{seat.value}@example.org"), seat)
        make_seat(make_user("government2@example.org"), Seat.GOVERNMENT)
        db.session.commit()


def client_for(make_client, email):
    c = make_client()
    c.login(email)
    return c


def schedule(start_days=1, notice_days=15, **overrides):
    now = utcnow()
    base = {
        "announce_at": now + timedelta(days=start_days),
        "opens_at": now + timedelta(days=start_days + notice_days),
        "closes_at": now + timedelta(days=start_days + notice_days + 20),
        "deliberation_at": now + timedelta(days=start_days + notice_days + 21),
        "decision_at": now + timedelta(days=start_days + notice_days + 40),
        "results_at": now + timedelta(days=start_days + notice_days + 45),
    }
    base.update(overrides)
    return {k: v if isinstance(v, str) else to_local(v).strftime(FMT) for k, v in base.items()}


def call_form(app, **overrides):
    with app.app_context():
        dates = schedule(**{k: v for k, v in overrides.items() if k.endswith("_at") or k in ("start_days", "notice_days")})
    data = {"title": "Convocatoria para el Sexto Plan de Acción", "description_source": "Buscamos **propuestas**.",
            "themes": "Transparencia\n- Participación ciudadana\n\ntransparencia\nDatos abiertos",
            "submitters": "organisations_and_individuals", **dates}
    data.update({k: v for k, v in overrides.items() if not (k.endswith("_at") or k in ("start_days", "notice_days"))})
    return data


def test_secretariat_creates_and_edits_a_plan(app, make_client):
    seats(app)
    c = client_for(make_client, "guarantor@example.org")
    bad = c.post_form("/plans/new", {"name": "Sexto Plan", "period_start": "2027", "period_end": "2025", "status": "co_creation", "notice_days": "14"})
    assert bad.status_code == 400 and 'id="period_end-error"' in bad.get_data(as_text=True)
    ok = c.post_form("/plans/new", {"name": "Sexto Plan", "period_start": "2025", "period_end": "2027", "status": "co_creation",
                                    "notice_days": "14", "requires_tripartite": "y"})
    assert ok.status_code == 302
    with app.app_context():
        plan = db.session.scalar(select(ActionPlan))
        assert plan.requires_tripartite and plan.notice_days == 14
        event = db.session.scalar(select(ParticipationEvent).where(ParticipationEvent.verb == "created"))
        assert event.sector is Sector.GUARANTOR and event.plan_id == plan.id
    edited = c.post_form(f"/plans/{plan.id}/edit", {"name": "Sexto Plan", "period_start": "2025", "period_end": "2027",
                                                    "status": "co_creation", "notice_days": "10"})
    assert edited.status_code == 302
    with app.app_context():
        # Not a field of the form: switching it off is an act of the three seats (tests/test_tripartite.py).
        assert db.session.get(ActionPlan, plan.id).requires_tripartite is True
        assert db.session.get(ActionPlan, plan.id).min_turnout == 10  # left empty: the default
    base = {"name": "Sexto Plan", "period_start": "2025", "period_end": "2027", "status": "co_creation", "notice_days": "10"}
    zero = c.post_form(f"/plans/{plan.id}/edit", {**base, "min_turnout": "0"})
    assert zero.status_code == 400 and 'id="min_turnout-error"' in zero.get_data(as_text=True)
    assert c.post_form(f"/plans/{plan.id}/edit", {**base, "min_turnout": "25"}).status_code == 302
    with app.app_context():
        assert db.session.get(ActionPlan, plan.id).min_turnout == 25
        edit = db.session.scalars(select(ParticipationEvent).where(ParticipationEvent.verb == "edited")
                                  .order_by(ParticipationEvent.seq.desc())).first()
        assert (edit.data["min_turnout"], edit.data["min_turnout_was"]) == (25, 10)  # on the record


def _plan(app, **kw):
    with app.app_context():
        plan = make_plan(**kw)
        db.session.commit()
        return plan.id


def test_create_a_call_with_themes_and_a_valid_schedule(app, make_client):
    seats(app)
    plan_id = _plan(app)
    c = client_for(make_client, "government@example.org")
    response = c.post_form(f"/plans/{plan_id}/calls/new", call_form(app))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        call = db.session.scalar(select(Call))
        assert [t.name for t in call.themes] == ["Transparencia", "Participación ciudadana", "Datos abiertos"]
        assert call.published_at is None and not call.short_notice
        assert "<strong>propuestas</strong>" in call.description
    # A draft is not public.
    assert make_client().get(f"/calls/{call.id}").status_code == 404


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"start_days": -1}, "announce_at", "pasado"),
        ({"closes_at": utcnow() + timedelta(days=5)}, "closes_at", "posterior"),
        ({"results_at": utcnow() + timedelta(days=2)}, "results_at", "posterior"),
        ({"themes": "\n \n"}, "themes", "al menos una mesa temática"),
        ({"opens_at": ""}, "opens_at", "obligatorio"),
        ({"opens_at": "mañana"}, "opens_at", ""),
    ],
)
def test_bad_schedules_are_refused_and_change_nothing(app, make_client, overrides, field, message):
    seats(app)
    plan_id = _plan(app)
    c = client_for(make_client, "government@example.org")
    response = c.post_form(f"/plans/{plan_id}/calls/new", call_form(app, **overrides))
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message.lower() in text.lower()
    assert f'id="{field}-error"' in text
    with app.app_context():
        assert db.session.scalar(select(func.count(Call.id))) == 0


def test_short_notice_is_allowed_but_flagged(app, make_client):
    seats(app)
    plan_id = _plan(app)
    c = client_for(make_client, "government@example.org")
    response = c.post_form(f"/plans/{plan_id}/calls/new", call_form(app, notice_days=3), follow_redirects=True)
    assert "poca anticipación" in response.get_data(as_text=True)
    with app.app_context():
        call = db.session.scalar(select(Call))
        assert call.short_notice
        event = db.session.scalar(select(ParticipationEvent).where(ParticipationEvent.subject_type == "call"))
        assert event.data["short_notice"] is True


def _draft(app, **plan_kw):
    with app.app_context():
        call = make_call(make_plan(**plan_kw), phase="draft")
        db.session.commit()
        return call.id


def position(client, call_id, stance, comment="", action="publish_call"):
    return client.post_form(f"/calls/{call_id}/positions", {"action": action, "stance": stance, "comment": comment},
                            follow_redirects=True)


def published(app, call_id) -> bool:
    with app.app_context():
        return db.session.get(Call, call_id).published_at is not None


def test_publication_needs_all_three_seats_and_an_objection_blocks(app, make_client):
    seats(app)
    call_id = _draft(app)
    gov, gov2, guarantor, cso = (client_for(make_client, f"{n}@example.org")
                                 for n in ("government", "government2", "guarantor", "civil_society"))
    assert "Quedó registrada" in position(gov, call_id, "approve", "De acuerdo").get_data(as_text=True)
    assert not published(app, call_id)
    twice = position(gov2, call_id, "approve")
    assert "ya tomó una posición" in twice.get_data(as_text=True)
    no_reason = position(cso, call_id, "object")
    assert "objetas" in no_reason.get_data(as_text=True).lower()
    position(cso, call_id, "object", "Faltan mesas sobre justicia.")
    position(guarantor, call_id, "approve")
    assert not published(app, call_id)  # all others approved, but the objection blocks
    page = make_client().get(f"/calls/{call_id}")
    assert page.status_code == 404  # still a draft
    with app.app_context():
        objection = db.session.scalar(select(Approval).where(Approval.stance == "object"))
    # Only its author withdraws an objection.
    gov.post_form(f"/calls/{call_id}/positions/{objection.id}/withdraw")
    with app.app_context():
        assert db.session.get(Approval, objection.id).withdrawn_at is None
    cso.post_form(f"/calls/{call_id}/positions/{objection.id}/withdraw")
    assert not published(app, call_id)
    done = position(cso, call_id, "approve", "Resuelto")
    assert published(app, call_id), done.get_data(as_text=True)[:2000]
    # Published, but public only from its announcement date (ogpcocreate/visibility.py).
    assert make_client().get(f"/calls/{call_id}").status_code == 404
    with app.app_context():
        announce_at = db.session.get(Call, call_id).announce_at
    with time_machine.travel(announce_at, tick=False):
        public = make_client().get(f"/calls/{call_id}").get_data(as_text=True)
    assert "Faltan mesas sobre justicia." in public and "Resuelto" in public
    with app.app_context():
        verbs = db.session.scalars(select(ParticipationEvent.verb).where(ParticipationEvent.call_id == call_id)
                                   .order_by(ParticipationEvent.seq)).all()
        assert verbs == ["approved", "objected", "approved", "withdrawn", "approved", "published"]
    again = position(gov2, call_id, "approve")
    assert "ya fue publicada" in again.get_data(as_text=True)


def test_without_the_tripartite_requirement_one_member_suffices(app, make_client):
    seats(app)
    call_id = _draft(app, requires_tripartite=False)
    position(client_for(make_client, "guarantor@example.org"), call_id, "approve")
    assert published(app, call_id)


def test_a_draft_whose_announcement_passed_cannot_be_approved(app, make_client):
    seats(app)
    with app.app_context():
        call = make_call(make_plan(), phase="draft")
        call.announce_at = utcnow() - timedelta(hours=1)
        db.session.commit()
        call_id = call.id
    response = position(client_for(make_client, "government@example.org"), call_id, "approve")
    assert "ya pasó" in response.get_data(as_text=True)
    assert not published(app, call_id)


def test_a_published_call_cannot_be_edited(app, make_client):
    seats(app)
    with app.app_context():
        call = make_call(make_plan(), phase="open")
        db.session.commit()
        call_id = call.id
    c = client_for(make_client, "government@example.org")
    response = c.get(f"/calls/{call_id}/edit")
    assert response.status_code == 302
    refused = c.post_form(f"/calls/{call_id}/edit", call_form(app), follow_redirects=True)
    assert "no se puede editar" in refused.get_data(as_text=True)


def test_results_are_published_with_tripartite_approval_in_the_decision_phase(app, make_client):
    seats(app)
    with app.app_context():
        plan = make_plan()
        early = make_call(plan, phase="deliberation")
        due = make_call(plan, phase="decision")
        db.session.commit()
        early_id, due_id = early.id, due.id
    gov = client_for(make_client, "government@example.org")
    assert "fecha de decisión" in position(gov, early_id, "approve", action="publish_results").get_data(as_text=True)
    for email in ("government", "guarantor", "civil_society"):
        position(client_for(make_client, f"{email}@example.org"), due_id, "approve", action="publish_results")
    with app.app_context():
        assert db.session.get(Call, due_id).results_published_at is not None
        assert db.session.get(Call, early_id).results_published_at is None
        verbs = db.session.scalars(select(ParticipationEvent.verb).where(ParticipationEvent.call_id == due_id)).all()
        assert verbs.count("results_published") == 1 and "published" not in verbs  # two acts, two verbs


def test_call_lists_by_phase(app, client):
    with app.app_context():
        plan = make_plan()
        calls = {phase: make_call(plan, phase=phase).title for phase in ("draft", "announced", "open", "deliberation")}
        db.session.commit()
    text = client.get("/calls").get_data(as_text=True)
    assert calls["announced"] in text and calls["open"] in text and calls["deliberation"] in text
    assert calls["draft"] not in text
    open_section = text.split("Próximas")[0] if "Próximas" in text else text
    assert calls["open"] in open_section


def test_call_page_shows_timeline_figure_and_table(app, client):
    with app.app_context():
        call = make_call(make_plan(), phase="open")
        db.session.commit()
        call_id = call.id
    text = client.get(f"/calls/{call_id}").get_data(as_text=True)
    assert '<svg class="timeline"' in text and text.count("<circle") == 6
    assert text.count('class="timeline-done"') == 2  # announcement and opening have passed
    record = client.get(f"/calls/{call_id}/record").get_data(as_text=True)
    assert "Transparencia" in record and '<svg class="timeline"' in record


def test_absurd_years_are_refused_not_crashed(app, make_client):
    seats(app)
    plan_id = _plan(app)
    c = client_for(make_client, "government@example.org")
    response = c.post_form(f"/plans/{plan_id}/calls/new", call_form(app, results_at="9999-12-31T23:59"))
    assert response.status_code == 400 and 'id="results_at-error"' in response.get_data(as_text=True)


@pytest.mark.parametrize(("days", "open_"), [(1, True), (-1, False)], ids=["announced tomorrow", "announced yesterday"])
def test_the_page_says_why_positions_cannot_be_taken(app, make_client, days, open_):
    """One rule (calls/rules.py) refuses the position in the service and explains it on the page."""
    seats(app)
    call_id = _draft(app)
    with app.app_context():
        call = db.session.get(Call, call_id)
        call.announce_at = utcnow() + timedelta(days=days)
        db.session.commit()
    gov = client_for(make_client, "government@example.org")
    page = gov.get(f"/calls/{call_id}").get_data(as_text=True)
    approvals = page.split('id="approvals"')[1].split("</section>")[0]
    assert ('name="stance"' in approvals) is open_
    assert ("La fecha del anuncio ya pasó" in approvals) is not open_
