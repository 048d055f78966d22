"""Reasoned responses: when they can be given, the justification rule, revisions kept, the author told."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ogpcocreate.core.eventlog import ParticipationEvent
from ogpcocreate.core.outbox import send_due
from ogpcocreate.core.sectors import Seat, Sector
from ogpcocreate.extensions import db
from ogpcocreate.responses.models import Outcome, Response

from .factories import make_call, make_organisation, make_plan, make_proposal, make_seat, make_user


@pytest.fixture
def proposals(app):
    with app.app_context():
        author = make_user("osc@example.org", locale="es")
        org = make_organisation(author)
        gov = make_user("gobierno@example.org")
        make_seat(gov, Seat.GOVERNMENT)
        make_user("otra@example.org")
        plan = make_plan()
        closed = make_call(plan, phase="deliberation")
        still_open = make_call(plan, phase="open")
        answerable = make_proposal(closed, author, org, title="Publicar contratos")
        withdrawn = make_proposal(closed, author, org, title="Retirada")
        from ogpcocreate.core.db import utcnow

        withdrawn.withdrawn_at = utcnow()
        early = make_proposal(still_open, author, org)
        db.session.commit()
        return {"answerable": answerable.id, "withdrawn": withdrawn.id, "early": early.id}


def respond(client, proposal_id, outcome, justification=""):
    return client.post_form(f"/proposals/{proposal_id}/response", {"outcome": outcome, "justification_source": justification})


def responses(app, proposal_id):
    with app.app_context():
        return db.session.scalars(select(Response).where(Response.proposal_id == proposal_id).order_by(Response.revision)).all()


def test_respond_revise_and_notify(app, make_client, inbox, proposals):
    gov = make_client()
    gov.login("gobierno@example.org")
    pid = proposals["answerable"]
    missing = respond(gov, pid, "not_adopted", "")
    assert missing.status_code == 400 and "justificación" in missing.get_data(as_text=True).lower()
    assert responses(app, pid) == []
    first = respond(gov, pid, "not_adopted", "El compromiso ya existe en el **plan anterior**.")
    assert first.status_code == 302
    adopted = respond(gov, pid, "adopted", "")
    assert adopted.status_code == 302  # no justification needed when adopted
    history = responses(app, pid)
    assert [(r.revision, r.is_current, r.outcome) for r in history] == [
        (1, False, Outcome.NOT_ADOPTED), (2, True, Outcome.ADOPTED)]
    assert "<strong>plan anterior</strong>" in history[0].justification
    page = make_client().get(f"/proposals/{pid}").get_data(as_text=True)
    assert "plan anterior" in page and "Adoptada" in page  # the superseded answer stays visible
    with app.app_context():
        events = db.session.scalars(select(ParticipationEvent).where(ParticipationEvent.verb == "responded")).all()
        assert [e.data["revision"] for e in events] == [1, 2]
        assert all(e.sector is Sector.GOVERNMENT and e.data["contributor_sector"] == "civil_society" for e in events)
        send_due()
    mails = inbox.to("osc@example.org")
    assert len(mails) == 2
    assert "Publicar contratos" in mails[0]["Subject"] and "plan anterior" in inbox.body(mails[0])
    assert f"/proposals/{pid}" in inbox.body(mails[1])


def test_responses_wait_for_the_deadline_and_skip_withdrawn_proposals(app, make_client, proposals):
    gov = make_client()
    gov.login("gobierno@example.org")
    early = respond(gov, proposals["early"], "adopted")
    assert early.status_code == 400 and "una vez cerrada" in early.get_data(as_text=True)
    withdrawn = respond(gov, proposals["withdrawn"], "adopted")
    assert withdrawn.status_code == 400 and "no requiere respuesta" in withdrawn.get_data(as_text=True)
    bad = respond(gov, proposals["answerable"], "maybe", "x")
    assert bad.status_code == 400
    assert responses(app, proposals["early"]) == [] and responses(app, proposals["answerable"]) == []


def test_only_the_secretariat_responds(app, make_client, proposals):
    for email in ("osc@example.org", "otra@example.org"):
        c = make_client()
        c.login(email)
        assert respond(c, proposals["answerable"], "adopted").status_code == 403
    assert responses(app, proposals["answerable"]) == []
