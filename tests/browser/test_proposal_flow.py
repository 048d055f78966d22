"""In a real browser: a CSO submits a proposal, the call closes, the secretariat answers it with a reasoned
response, the author is e-mailed and sees the answer on their dashboard; axe on every page.

Spanish wording is being revised, so this test asserts on ids, values, URLs and the texts it typed, and
reads the outcome's label from the page instead of hard-coding it.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from flask_babel import force_locale
from playwright.sync_api import expect
from sqlalchemy import select

from ogpcocreate.core import eventlog
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.outbox import send_due
from ogpcocreate.core.sectors import Seat
from ogpcocreate.extensions import db
from ogpcocreate.proposals.models import Proposal
from ogpcocreate.responses.models import Outcome, Response

from ..factories import PASSWORD, make_call, make_organisation, make_plan, make_seat, make_user
from .conftest import _PAGE_ERRORS, TIMEOUT_MS, assert_accessible

CSO_EMAIL = "rosa.martinez@example.org"
SECRETARIAT_EMAIL = "enlace.gobierno@example.gob.mx"
TITLE = "Publicar en datos abiertos los contratos de agua potable"
PROBLEM = "Los contratos de **agua potable** de los municipios no son públicos."
ACTION = "Publicar cada contrato en formato abierto en un plazo de 30 días."
EXPECTED = "Cualquier persona puede consultar y comparar los contratos."
LINK = "https://datos.example.org/contratos-agua"
JUSTIFICATION = "La acción ya forma parte del compromiso 3 del plan vigente; no se duplica."


def submit(page, field_id: str) -> None:
    """Click the submit button of the form holding #field_id and wait for the next page to load."""
    form = page.locator("form", has=page.locator(f"#{field_id}"))
    with page.expect_navigation(wait_until="load"):
        form.locator("button[type=submit]").click()


def check_page(page) -> None:
    """The page is served in Spanish and passes axe (WCAG 2.1 A and AA)."""
    assert page.locator("html").get_attribute("lang") == "es", page.url
    assert_accessible(page)


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    submit(page, "password")
    expect(page.locator(".flash-success")).to_be_visible()
    assert not page.url.startswith(f"{base}/login"), page.url


@pytest.fixture
def new_page(browser):
    """Open further pages, each in its own fresh browser context, watched for errors like `page`."""
    opened = []

    def open_page():
        context = browser.new_context(locale="es-MX")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        errors = _PAGE_ERRORS.setdefault(id(page), [])

        def on_console(message):
            if message.type == "error":
                errors.append(f"console error on {page.url}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: errors.append(f"page error on {page.url}: {error}"))
        opened.append((page, errors))
        return page

    yield open_page
    found = []
    for page, errors in opened:
        found.extend(errors)
        _PAGE_ERRORS.pop(id(page), None)
        page.context.close()
    if found:
        pytest.fail("The browser reported errors:\n" + "\n".join(found), pytrace=False)


def test_proposal_is_submitted_answered_notified_and_shown_to_its_author(page, new_page, live_server, app, inbox):
    with app.app_context():
        cso = make_user(CSO_EMAIL, name="Rosa Martínez")
        org = make_organisation(cso, name="Observatorio Ciudadano del Agua")
        officer = make_user(SECRETARIAT_EMAIL, name="Enlace de Gobierno")
        make_seat(officer, Seat.GOVERNMENT)
        call = make_call(make_plan(), phase="open")
        db.session.commit()
        org_id, org_name, call_id, call_title = org.id, org.name, call.id, call.title
        theme_id = call.themes[1].id

    # The CSO logs in, opens the call and follows its "submit a proposal" link.
    log_in(page, live_server, CSO_EMAIL)
    page.goto(f"{live_server}/calls/{call_id}")
    expect(page.locator("h1")).to_have_text(call_title)
    check_page(page)
    new_link = page.locator(f'main a[href="/calls/{call_id}/proposals/new"]')
    expect(new_link).to_have_count(1)
    with page.expect_navigation(wait_until="load"):
        new_link.click()
    expect(page).to_have_url(f"{live_server}/calls/{call_id}/proposals/new")
    expect(page.locator("#organisation")).to_be_visible()
    check_page(page)

    page.select_option("#organisation", str(org_id))
    page.select_option("#theme", str(theme_id))
    page.fill("#title", TITLE)
    page.fill("#problem_source", PROBLEM)
    page.fill("#action_source", ACTION)
    page.fill("#expected_result_source", EXPECTED)
    page.fill("#links", LINK)
    submit(page, "title")

    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server)}/proposals/\d+$"))
    proposal_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("main .facts")).to_contain_text(org_name)
    expect(page.locator("main .richtext strong")).to_have_text("agua potable")
    expect(page.locator(f'main a[href="{LINK}"]')).to_have_count(1)
    expect(page.locator("#response .response-box.awaiting")).to_have_count(1)
    check_page(page)

    # Proposals close. The live server runs in this process, so it sees the travelled clock. Everything
    # else happens inside: session cookies signed "in the future" are refused once the travel ends.
    with time_machine.travel(utcnow() + timedelta(days=11), tick=True):
        # The government seat answers, from its own browser.
        officer_page = new_page()
        log_in(officer_page, live_server, SECRETARIAT_EMAIL)
        officer_page.goto(f"{live_server}/proposals/{proposal_id}")
        expect(officer_page.locator("h1")).to_have_text(TITLE)
        choice = officer_page.locator(f'input[name=outcome][value="{Outcome.NOT_ADOPTED.value}"]')
        expect(choice).to_have_count(1)
        label = officer_page.locator(f'label[for="{choice.get_attribute("id")}"]').inner_text().strip()
        with app.test_request_context(), force_locale("es"):
            assert label == str(Outcome.NOT_ADOPTED.label), "the outcome's label is not the catalog's"
        choice.check()
        officer_page.fill("#justification_source", JUSTIFICATION)
        submit(officer_page, "justification_source")

        expect(officer_page).to_have_url(f"{live_server}/proposals/{proposal_id}#response")
        expect(officer_page.locator(".flash-success")).to_be_visible()
        box = officer_page.locator("#response .response-box")
        expect(box).to_have_count(1)
        expect(box.locator(".outcome")).to_have_text(label)
        expect(box.locator(".richtext")).to_contain_text(JUSTIFICATION)
        expect(officer_page.locator("#response .response-box.awaiting")).to_have_count(0)
        check_page(officer_page)

        # The author is told by e-mail: the outcome, the justification and a link to the public answer.
        with app.app_context():
            report = send_due()
        assert report.sent >= 1 and report.failed == 0, report
        messages = inbox.to(CSO_EMAIL)
        assert len(messages) == 1, [m["Subject"] for m in inbox.messages]
        body = inbox.body(messages[0])
        assert TITLE in messages[0]["Subject"], messages[0]["Subject"]
        assert label in body, body
        assert JUSTIFICATION in body, body
        proposal_url = f"{live_server}/proposals/{proposal_id}"
        assert re.search(rf"{re.escape(proposal_url)}(?![\w/])", body), body
        assert inbox.link(CSO_EMAIL) == proposal_url

        # The author's own browser: its session may have lapsed while time moved on; log in again if so.
        page.goto(f"{live_server}/my/activity")
        if page.url.startswith(f"{live_server}/login"):
            log_in(page, live_server, CSO_EMAIL)
            page.goto(f"{live_server}/my/activity")
        expect(page).to_have_url(f"{live_server}/my/activity")
        item = page.locator("main table.activity tbody tr")
        expect(item).to_have_count(1)
        expect(item.locator(f'a[href="/proposals/{proposal_id}"]')).to_have_text(TITLE)
        expect(item.locator(".outcome")).to_have_text(label)
        expect(item.locator(".justification")).to_contain_text(JUSTIFICATION)
        expect(item.locator(".awaiting")).to_have_count(0)
        check_page(page)

        with app.app_context():
            proposal = db.session.get(Proposal, proposal_id)
            assert proposal.title == TITLE and proposal.organisation_id == org_id and not proposal.is_withdrawn
            current = db.session.scalars(
                select(Response).where(Response.proposal_id == proposal_id, Response.is_current)
            ).all()
            assert len(current) == 1, current
            assert current[0].outcome is Outcome.NOT_ADOPTED and current[0].seat is Seat.GOVERNMENT
            assert current[0].justification_source == JUSTIFICATION
            result = eventlog.verify()
            assert result.ok, result
