"""In a real browser: the notifications page, the preferences, a follow button and the unsubscribe page,
with axe-core (WCAG 2.1 A and AA) on each."""

from __future__ import annotations

from playwright.sync_api import expect

from ogpcocreate.auth.models import User
from ogpcocreate.extensions import db
from ogpcocreate.notifications import services
from ogpcocreate.notifications.models import Frequency, Kind

from ..factories import PASSWORD, make_call, make_plan, make_user
from .conftest import assert_accessible


def submit(page, locator) -> None:
    with page.expect_navigation(wait_until="load"):
        locator.click()


def test_notifications_preferences_follow_and_unsubscribe(page, live_server, app):
    with app.app_context():
        user = make_user("lectora@example.org", name="Lectora Atenta")
        call = make_call(make_plan(), phase="open")
        services.notify(user, Kind.CALL_OPENS, call, f"/calls/{call.id}", occasion="opens", data={"title": call.title})
        services.notify(user, Kind.CALL_CLOSING, call, f"/calls/{call.id}", occasion="closes",
                        data={"title": call.title})
        token = services.unsubscribe_token(user, kind=Kind.REPLY)
        db.session.commit()
        call_id, user_id = call.id, user.id

    page.goto(f"{live_server}/login")
    page.fill("#email", "lectora@example.org")
    page.fill("#password", PASSWORD)
    submit(page, page.locator("form", has=page.locator("#password")).locator("button[type=submit]"))

    page.goto(f"{live_server}/notifications")
    expect(page.locator("h1")).to_have_text("Notificaciones")
    expect(page.locator("header")).to_contain_text("Notificaciones (2 sin leer)")
    assert_accessible(page)
    submit(page, page.get_by_role("button", name="Marcar como leída").first)
    expect(page.locator("header")).to_contain_text("Notificaciones (1 sin leer)")
    assert_accessible(page)

    page.goto(f"{live_server}/notifications/preferences")
    assert_accessible(page)
    page.select_option("#reply", "weekly")
    submit(page, page.get_by_role("button", name="Guardar preferencias"))
    expect(page.locator(".flash-success")).to_be_visible()
    assert_accessible(page)
    with app.app_context():
        assert services.preferences(db.session.get(User, user_id))[Kind.REPLY] is Frequency.WEEKLY

    page.goto(f"{live_server}/calls/{call_id}")
    submit(page, page.get_by_role("button", name="Seguir"))
    expect(page.get_by_role("button", name="Dejar de seguir")).to_be_visible()
    assert_accessible(page)

    page.context.clear_cookies()
    page.goto(f"{live_server}/unsubscribe/{token}")
    assert_accessible(page)
    submit(page, page.get_by_role("button", name="Dejar de recibir estos correos"))
    expect(page.locator("main")).to_contain_text("Listo")
    assert_accessible(page)
    with app.app_context():
        assert services.preferences(db.session.get(User, user_id))[Kind.REPLY] is Frequency.NEVER
