"""Proposals: who may submit, the deadline (with frozen time, at the boundary too), editing and
withdrawing, the dashboard, filters, and a page cost that does not grow with the proposals."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import event, func, select

from ogpcocreate.calls.models import Call
from ogpcocreate.core import eventlog
from ogpcocreate.core.eventlog import ParticipationEvent, Verb
from ogpcocreate.core.sectors import Seat, Sector
from ogpcocreate.extensions import db
from ogpcocreate.organisations.models import Verification
from ogpcocreate.proposals.models import Proposal

from .factories import (
    make_call,
    make_organisation,
    make_plan,
    make_proposal,
    make_response,
    make_seat,
    make_user,
)


@pytest.fixture
def world(app):
    with app.app_context():
        admin = make_user("osc@example.org", territory="MX-CHP")
        org = make_organisation(admin, name="Red Oaxaqueña", territory="MX-OAX")
        rejected_admin = make_user("rechazada@example.org")
        rejected = make_organisation(rejected_admin, name="Rechazada")
        rejected.verification = Verification.REJECTED
        make_user("ciudadana@example.org", territory="MX-YUC")
        make_user("otra@example.org")
        plan = make_plan()
        open_call = make_call(plan, phase="open")
        orgs_only = make_call(plan, phase="open", individuals=False)
        db.session.commit()
        return {"org": org.id, "rejected": rejected.id, "call": open_call.id, "orgs_only": orgs_only.id,
                "theme": open_call.themes[1].id, "orgs_only_theme": orgs_only.themes[0].id}


def proposal_form(theme_id, organisation=0, **overrides):
    return {"organisation": str(organisation), "theme": str(theme_id), "title": "Datos abiertos de contrataciones",
            "problem_source": "No se publican los contratos.", "action_source": "Publicar en formato abierto.",
            "expected_result_source": "Contratos consultables.", "links": "https://ejemplo.org/estudio", **overrides}


def count(app, model=Proposal):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def logged(make_client, email):
    c = make_client()
    c.login(email)
    return c


def test_submit_for_an_organisation(app, make_client, world):
    c = logged(make_client, "osc@example.org")
    response = c.post_form(f"/calls/{world['call']}/proposals/new", proposal_form(world["theme"], world["org"]))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert proposal.organisation_id == world["org"] and proposal.link_list == ["https://ejemplo.org/estudio"]
        event_ = db.session.scalar(select(ParticipationEvent).where(ParticipationEvent.verb == "submitted"))
        assert (event_.sector, event_.territory, event_.call_id) == (Sector.CIVIL_SOCIETY, "MX-OAX", world["call"])
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "Datos abiertos de contrataciones" in page and "Red Oaxaqueña" in page


def test_submit_as_an_individual_where_the_call_allows_it(app, make_client, world):
    c = logged(make_client, "ciudadana@example.org")
    assert c.post_form(f"/calls/{world['call']}/proposals/new", proposal_form(world["theme"])).status_code == 302
    with app.app_context():
        event_ = db.session.scalar(select(ParticipationEvent).where(ParticipationEvent.verb == "submitted"))
        assert (event_.sector, event_.territory) == (Sector.CITIZEN, "MX-YUC")
    refused = c.post_form(f"/calls/{world['orgs_only']}/proposals/new", proposal_form(world["orgs_only_theme"]))
    assert refused.status_code == 400 and "solo acepta propuestas de organizaciones" in refused.get_data(as_text=True)
    assert count(app) == 1


@pytest.mark.parametrize(
    "who, organisation_key, overrides, message",
    [
        ("otra@example.org", "org", {}, "Opción inválida"),
        ("rechazada@example.org", "rejected", {}, "Opción inválida"),
        ("osc@example.org", "org", {"theme": "999999"}, "Opción inválida"),
        ("osc@example.org", "org", {"title": ""}, "obligatorio"),
        ("osc@example.org", "org", {"links": "javascript:alert(1)"}, "https://"),
        ("osc@example.org", "org", {"links": "\n".join(f"https://e.org/{i}" for i in range(11))}, "10"),
    ],
)
def test_bad_submissions_are_refused_and_change_nothing(app, make_client, world, who, organisation_key, overrides, message):
    c = logged(make_client, who)
    response = c.post_form(f"/calls/{world['call']}/proposals/new",
                           proposal_form(world["theme"], world[organisation_key], **overrides))
    assert response.status_code == 400
    assert message.lower() in response.get_data(as_text=True).lower()
    assert count(app) == 0


def test_the_service_refuses_organisations_one_does_not_belong_to(appctx, world):
    from ogpcocreate.auth.models import User
    from ogpcocreate.core.errors import ServiceError
    from ogpcocreate.proposals import services

    outsider = db.session.scalar(select(User).where(User.email == "otra@example.org"))
    call = db.session.get(Call, world["call"])
    data = {"organisation": world["org"], "theme": world["theme"], "title": "x" * 10}
    with pytest.raises(ServiceError, match="formes parte"):
        services.submit(outsider, call, data)
    rejected_admin = db.session.scalar(select(User).where(User.email == "rechazada@example.org"))
    with pytest.raises(ServiceError, match="no fue verificada|no verificó|Rechazada"):
        services.submit(rejected_admin, call, {**data, "organisation": world["rejected"]})


def test_theme_of_another_call_is_refused(app, make_client, world):
    c = logged(make_client, "osc@example.org")
    response = c.post_form(f"/calls/{world['call']}/proposals/new", proposal_form(world["orgs_only_theme"], world["org"]))
    assert response.status_code == 400 and count(app) == 0


@contextmanager
def frozen_at(moment):
    with time_machine.travel(moment, tick=False):
        yield


def _times(app, call_id):
    with app.app_context():
        call = db.session.get(Call, call_id)
        return call.opens_at, call.closes_at


@pytest.mark.parametrize(
    "when, accepted",
    [
        (lambda o, c: o - timedelta(seconds=1), False),
        (lambda o, c: o, True),
        (lambda o, c: c - timedelta(microseconds=1), True),
        (lambda o, c: c, False),
        (lambda o, c: c + timedelta(days=3), False),
    ],
    ids=["before-opening", "at-opening", "last-microsecond", "at-closing", "after-closing"],
)
def test_the_submission_window_at_its_boundaries(app, make_client, world, when, accepted):
    opens, closes = _times(app, world["call"])
    with frozen_at(when(opens, closes)):
        c = logged(make_client, "osc@example.org")
        response = c.post_form(f"/calls/{world['call']}/proposals/new", proposal_form(world["theme"], world["org"]))
    assert (response.status_code == 302) is accepted
    assert count(app) == (1 if accepted else 0)
    if not accepted:
        text = response.get_data(as_text=True)
        assert "No se guardó nada" in text


def test_edit_and_withdraw_until_the_deadline_then_refused(app, make_client, world):
    opens, closes = _times(app, world["call"])
    with frozen_at(closes - timedelta(hours=1)):
        c = logged(make_client, "osc@example.org")
        created = c.post_form(f"/calls/{world['call']}/proposals/new", proposal_form(world["theme"], world["org"]))
        url = created.headers["Location"]
        edited = c.post_form(f"{url}/edit", proposal_form(world["theme"], world["org"], title="Título corregido"))
        assert edited.status_code == 302
        other = logged(make_client, "otra@example.org")
        assert other.post_form(f"{url}/edit", proposal_form(world["theme"], world["org"])).status_code == 403
        assert other.post_form(f"{url}/withdraw").status_code == 403
    with frozen_at(closes):
        c = logged(make_client, "osc@example.org")
        late = c.post_form(f"{url}/edit", proposal_form(world["theme"], world["org"], title="Demasiado tarde"))
        assert late.status_code == 400 and "cerró" in late.get_data(as_text=True)
        late_withdraw = c.post_form(f"{url}/withdraw", follow_redirects=True)
        assert "cerró" in late_withdraw.get_data(as_text=True)
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert proposal.title == "Título corregido" and proposal.withdrawn_at is None
    with frozen_at(closes - timedelta(minutes=5)):
        c = logged(make_client, "osc@example.org")
        assert c.post_form(f"{url}/withdraw").status_code == 302
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert proposal.withdrawn_at is not None  # kept, marked withdrawn
        verbs = db.session.scalars(select(ParticipationEvent.verb).where(ParticipationEvent.subject_type == "proposal")
                                   .order_by(ParticipationEvent.seq)).all()
        assert verbs == ["submitted", "edited", "withdrawn"]


def test_withdrawing_asks_first_and_keeps_the_reason(app, make_client, world):
    opens, closes = _times(app, world["call"])
    with frozen_at(closes - timedelta(hours=1)):
        c = logged(make_client, "osc@example.org")
        url = c.post_form(f"/calls/{world['call']}/proposals/new",
                          proposal_form(world["theme"], world["org"])).headers["Location"]
        page = c.get(url).get_data(as_text=True)
        assert f'href="{url}/withdraw"' in page and "editada por última vez" not in page
        confirm = c.get(f"{url}/withdraw")
        assert confirm.status_code == 200 and "no se puede deshacer" in confirm.get_data(as_text=True)
        too_long = c.post_form(f"{url}/withdraw", {"reason": "x" * 1001})
        assert too_long.status_code == 400
        with app.app_context():
            assert db.session.scalar(select(Proposal)).withdrawn_at is None
        done = c.post_form(f"{url}/withdraw", {"reason": "La integramos en la propuesta de otra red."})
        assert done.status_code == 302
        page = c.get(url).get_data(as_text=True)
        assert "Motivo: La integramos en la propuesta de otra red." in page
        assert "editada por última vez" not in page  # withdrawing is not editing
        assert c.get(f"{url}/withdraw").status_code == 403  # a withdrawn proposal is no longer the author's to change
    with app.app_context():
        event = db.session.scalar(select(ParticipationEvent).where(ParticipationEvent.verb == "withdrawn"))
        assert event.data == {"reason": "La integramos en la propuesta de otra red."}


def test_dashboard_lists_my_proposals_and_responses(app, make_client, world):
    with app.app_context():
        me = db.session.scalar(select(make_user.__globals__["User"]).where(make_user.__globals__["User"].email == "osc@example.org"))
        gov = make_user("gobierno@example.org")
        make_seat(gov, Seat.GOVERNMENT)
        done = make_call(make_plan(), phase="deliberation")
        answered = make_proposal(done, me, title="Propuesta respondida")
        make_response(answered, gov, "partially_adopted")
        waiting = make_proposal(done, me, title="Propuesta en espera")
        other = make_proposal(done, gov, title="De otra persona")
        for author, proposal in ((me, answered), (me, waiting), (gov, other)):  # as proposals/services.submit logs them
            eventlog.record(author, Verb.SUBMITTED, proposal, call=done)
        db.session.commit()
    c = logged(make_client, "osc@example.org")
    text = c.get("/my/activity").get_data(as_text=True)
    assert "Propuesta respondida" in text and "Propuesta en espera" in text and "De otra persona" not in text
    assert "Porque sí" in text


def test_filters_on_the_call_page(app, client, world):
    with app.app_context():
        call = db.session.get(Call, world["call"])
        author = make_user(territory="MX-YUC")
        org = db.session.get(make_organisation.__globals__["Organisation"], world["org"])
        academia = make_organisation(make_user(), sector=Sector.ACADEMIA, territory="MX-JAL")
        make_proposal(call, author, org, title="Uno CSO", theme=call.themes[0])
        make_proposal(call, author, academia, title="Dos academia", theme=call.themes[1])
        make_proposal(call, author, None, title="Tres ciudadana", theme=call.themes[1])
        db.session.commit()
        theme_id = call.themes[1].id
    base = f"/calls/{world['call']}"
    assert "3 propuestas" in client.get(base).get_data(as_text=True)
    by_theme = client.get(f"{base}?theme={theme_id}").get_data(as_text=True)
    assert "Dos academia" in by_theme and "Uno CSO" not in by_theme
    by_sector = client.get(f"{base}?sector=academia").get_data(as_text=True)
    assert "Dos academia" in by_sector and "Tres ciudadana" not in by_sector
    citizens = client.get(f"{base}?sector=citizen").get_data(as_text=True)
    assert "Tres ciudadana" in citizens and "Dos academia" not in citizens
    yucatan = client.get(f"{base}?territory=MX-YUC").get_data(as_text=True)
    assert "Tres ciudadana" in yucatan and "Uno CSO" not in yucatan
    awaiting = client.get(f"{base}?status=awaiting").get_data(as_text=True)
    assert "3 propuestas" in awaiting
    # A filter that names nothing is ignored; a page that is not a page is a 400 that says so.
    assert client.get(f"{base}?status=nonsense&theme=x").status_code == 200
    refused = client.get(f"{base}?status=nonsense&theme=x&page=-3")
    assert refused.status_code == 400 and "La página debe ser un número entero" in refused.get_data(as_text=True)


@contextmanager
def count_statements(app):
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _statements_for(app, client, url):
    client.get(url)  # warm caches (e.g. translations) so both measurements are alike
    with count_statements(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_page_cost_does_not_grow_with_the_proposals(app, client, make_client, world):
    """The call page, a proposal and the dashboard run the same number of SQL statements for 3 or 40."""
    with app.app_context():
        call = db.session.get(Call, world["call"])
        authors = [make_user(territory="MX-OAX") for _ in range(3)]
        orgs = [make_organisation(make_user(), territory=t) for t in ("MX-OAX", "MX-YUC", "MX-JAL")]
        gov = make_user()
        for i in range(3):
            make_response(make_proposal(call, authors[i], orgs[i]), gov)
        db.session.commit()
        gov_id = gov.id
    small = _statements_for(app, client, f"/calls/{world['call']}")
    small_record = _statements_for(app, client, f"/calls/{world['call']}/record")
    with app.app_context():
        call = db.session.get(Call, world["call"])
        gov = db.session.get(type(authors[0]), gov_id)
        for i in range(37):
            author = make_user(territory="MX-CHP")
            org = make_organisation(make_user(), territory="MX-YUC") if i % 2 else None
            proposal = make_proposal(call, author, org, theme=call.themes[i % 2])
            if i % 3:
                make_response(proposal, gov, "adopted")
        db.session.commit()
    assert _statements_for(app, client, f"/calls/{world['call']}") == small
    assert _statements_for(app, client, f"/calls/{world['call']}/record") == small_record


def test_flooding_a_call_is_rate_limited_per_account(app_config, make_app, world):
    from .conftest import FormClient

    flood_app = make_app({**app_config, "RATELIMIT_ENABLED": True, "CONTRIBUTION_RATE_LIMIT": "3 per minute"})
    c = FormClient(flood_app.test_client())
    c.login("osc@example.org")
    statuses = [c.post_form(f"/calls/{world['call']}/proposals/new",
                            proposal_form(world["theme"], world["org"], title=f"Propuesta número {n}")).status_code
                for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert count(flood_app) == 3
    # The same account from another address is still limited.
    other = FormClient(flood_app.test_client())
    other.login("osc@example.org")
    blocked = other.post_form(f"/calls/{world['call']}/proposals/new", proposal_form(world["theme"], world["org"]),
                              environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert blocked.status_code == 429 and "muchas contribuciones" in blocked.get_data(as_text=True).lower()
