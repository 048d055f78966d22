"""In a real browser: sign up, confirm by e-mail, log in, register an organisation; axe on every page."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from ogpcocreate.auth.models import User
from ogpcocreate.core import eventlog
from ogpcocreate.core.outbox import send_due
from ogpcocreate.extensions import db
from ogpcocreate.organisations.models import Membership, Organisation, Role, Verification

from .conftest import assert_accessible

PASSWORD = "un-puerto-tranquilo-y-largo-42"
EMAIL = "lucia.mendez@example.org"
NAME = "Lucía Méndez"
ORG_NAME = "Colectivo Agua Clara de Oaxaca"


def submit(page, field_id: str) -> None:
    """Click the submit button of the form holding #field_id and wait for the next page to load."""
    form = page.locator("form", has=page.locator(f"#{field_id}"))
    with page.expect_navigation(wait_until="load"):
        form.locator("button[type=submit]").click()


def test_register_confirm_login_and_create_organisation(page, live_server, app, inbox):
    # Register.
    page.goto(f"{live_server}/register")
    expect(page.locator("label[for=display_name]")).to_contain_text("Nombre público")
    assert_accessible(page)
    page.fill("#display_name", NAME)
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    page.select_option("#territory", "MX-OAX")
    submit(page, "display_name")

    # "Check your e-mail".
    expect(page.locator("h1")).to_have_text("Revisa tu correo")
    expect(page.locator("main")).to_contain_text(EMAIL)
    assert_accessible(page)

    # The worker delivers the confirmation; its link points at the live server.
    with app.app_context():
        report = send_due()
    assert report.sent >= 1 and report.failed == 0, report
    link = inbox.link(EMAIL)
    assert link.startswith(f"{live_server}/confirm/"), link

    # Confirm: redirected to the login page with a success message.
    page.goto(link)
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.locator(".flash-success")).to_contain_text("correo electrónico está confirmado")
    assert_accessible(page)

    # Log in.
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    submit(page, "password")
    expect(page.locator(".flash-success")).to_contain_text(NAME)
    expect(page.locator(".header-menu .account-nav")).to_contain_text(NAME)
    assert_accessible(page)

    # Register a civil-society organisation.
    page.goto(f"{live_server}/organisations/new")
    expect(page.locator("h1")).to_have_text("Registrar una organización")
    assert_accessible(page)
    page.fill("#name", ORG_NAME)
    page.fill("#acronym", "CACO")
    page.select_option("#sector", "civil_society")
    page.select_option("#territory", "MX-OAX")
    page.fill("#cluni", "ABC0512150901A")
    page.fill("#website", "https://agua-clara.example.org")
    page.fill(
        "#description_source",
        "Vigilamos el **acceso al agua** en comunidades de *Oaxaca*.\n\n- Monitoreo ciudadano\n- Talleres\n",
    )
    submit(page, "name")

    # Its page: name, pending verification, the rendered Markdown.
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server)}/organisations/\d+$"))
    expect(page.locator("h1")).to_contain_text(ORG_NAME)
    expect(page.locator(".badge")).to_have_text("Verificación pendiente")
    expect(page.locator(".richtext strong")).to_have_text("acceso al agua")
    expect(page.locator(".richtext li")).to_have_count(2)
    assert_accessible(page)
    org_id = int(page.url.rsplit("/", 1)[1])

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == EMAIL))
        assert user is not None and user.is_confirmed
        assert user.display_name == NAME and user.territory == "MX-OAX"
        org = db.session.get(Organisation, org_id)
        assert org is not None and org.name == ORG_NAME
        assert org.cluni == "ABC0512150901A" and org.territory == "MX-OAX"
        assert org.verification is Verification.PENDING
        admins = db.session.scalars(
            select(Membership.user_id).where(
                Membership.organisation_id == org.id,
                Membership.role == Role.ADMIN,
                Membership.left_at.is_(None),
            )
        ).all()
        assert admins == [user.id]
        result = eventlog.verify()
        assert result.ok, result


def test_public_pages_are_accessible_and_spanish(page, live_server):
    for path in ("/", "/organisations", "/secretariat", "/record", "/login", "/register"):
        response = page.goto(f"{live_server}{path}")
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        assert page.locator("html").get_attribute("lang") == "es", path
        assert_accessible(page)
