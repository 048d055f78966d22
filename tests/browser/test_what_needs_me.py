"""In a real browser, on the demo: the home page's "open now", a participant's activity and the
secretariat's work queue, each with work in it, pass axe-core (WCAG 2.1 A and AA)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ogpcocreate.demo import loader
from ogpcocreate.extensions import db

from .conftest import assert_accessible


@pytest.fixture
def demo(app):
    with app.app_context():  # the demo holds the clock, which is never done inside a request
        loader.load()
        db.session.commit()


def log_in(page, base: str, login: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", f"{login}@{loader.DOMAIN}")
    page.fill("#password", loader.PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator("form", has=page.locator("#password")).locator("button[type=submit]").click()


def test_open_now_activity_and_work_queue(page, live_server, demo):
    page.goto(live_server + "/")
    expect(page.locator("#open-now li").first).to_be_visible()
    assert_accessible(page)

    log_in(page, live_server, "osc")
    page.goto(live_server + "/my/activity")
    expect(page.locator("table.activity tbody tr").first).to_be_visible()
    assert_accessible(page)

    page.context.clear_cookies()
    log_in(page, live_server, "nucleo")
    page.goto(live_server + "/secretariat/work")
    expect(page.locator("h1")).to_have_text("Pendientes")
    assert page.locator(".stat-list .stat").count() == 6  # one per queue
    assert_accessible(page)
