"""In a real browser, on the demo data: a plan's performance page (issue 15). Each figure says what its
data table says (the figure is aria-hidden, the table is what a screen reader reads); the page passes
axe-core, works without JavaScript, fits a 390px phone, and prints without its forms; so does a
commitment's implementation page, with the forms a contact sees."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ogpcocreate.demo import loader
from ogpcocreate.drafts.models import DraftCommitment
from ogpcocreate.extensions import db
from ogpcocreate.plans.models import ActionPlan

from .conftest import assert_accessible


@pytest.fixture
def demo(app):
    with app.app_context():
        loader.load()
        db.session.commit()
        plans = db.session.scalars(select(ActionPlan).order_by(ActionPlan.period_start)).all()
        starred = db.session.scalar(select(DraftCommitment.id).where(DraftCommitment.title == "Política de datos abiertos"))
        return {"older": plans[0].id, "current": plans[-1].id, "datos": starred}


def _pairs(page, selector: str, key: str, value: str) -> dict[str, str]:
    return {el.get_attribute(key): el.get_attribute(value) for el in page.locator(selector).all()}


def test_the_performance_page_figures_agree_with_their_tables(page, live_server, demo):
    page.goto(f"{live_server}/plans/{demo['older']}/performance")
    for metric in ("completion", "ambition"):
        bars = _pairs(page, f"[data-figure={metric}] g.perf-bar", "data-plan", "data-value")
        rows = _pairs(page, "tr[data-plan]", "data-plan", f"data-{metric}")
        assert bars and bars == rows, metric
    assert page.locator("[data-figure=completion] line.chart-reference").count() == 1  # the reference line
    indicators = _pairs(page, "g.indicator-bar", "data-indicator", "data-share")
    assert len(indicators) == 3 and indicators == _pairs(page, "tr[data-indicator]", "data-indicator", "data-share")
    marks = _pairs(page, "g.timeline-mark", "data-milestone", "data-overdue")
    assert marks == _pairs(page, "tr[data-milestone]", "data-milestone", "data-overdue")
    assert "yes" in marks.values()  # the older plan left milestones overdue
    data = page.request.get(f"{live_server}/api/v1/plans/{demo['older']}/commitments").json()
    assert data["plan"]["starred"] == 1 and len(data["commitments"]) == 3
    assert_accessible(page)
    page.goto(f"{live_server}/plans/{demo['current']}/performance")
    assert page.locator("#recommendations article").count() == 4
    assert_accessible(page)


def test_the_pages_read_on_a_phone_without_javascript_and_print(browser, live_server, demo):
    context = browser.new_context(locale="es-MX", java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        for url in (f"/plans/{demo['older']}/performance", f"/commitments/{demo['datos']}/implementation"):
            page.goto(f"{live_server}{url}")
            assert page.locator("h1").count() == 1
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (url, width)
        page.emulate_media(media="print")
        page.goto(f"{live_server}/plans/{demo['current']}/performance")
        assert page.locator("table").first.is_visible()
    finally:
        context.close()


def test_a_contact_sees_an_accessible_implementation_page(page, live_server, demo):
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "gobierno@demo.example.org")
    page.fill("input[name=password]", loader.PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    page.goto(f"{live_server}/commitments/{demo['datos']}/implementation")
    assert page.locator("text=Compromiso estelar").count() == 1
    assert page.locator("#milestones form").count() >= 2  # the seat reports progress and adds evidence
    assert_accessible(page)
