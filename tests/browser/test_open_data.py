"""In a real browser, on the demo data: the open-data page and the API's interactive documentation (served
from this site under its Content-Security-Policy) render without errors and pass axe-core; the footer
links to the open data; a phone-width page does not scroll sideways."""

from __future__ import annotations

import pytest

from ogpcocreate.demo import loader
from ogpcocreate.extensions import db

from .conftest import assert_accessible, assert_no_browser_errors


@pytest.fixture
def demo(app):
    with app.app_context():
        loader.load()
        db.session.commit()


def test_the_open_data_page_is_accessible_and_linked_from_the_footer(page, live_server, demo):
    page.goto(f"{live_server}/")
    page.locator("footer a", has_text="Datos abiertos").click()
    assert page.url.endswith("/open-data")
    assert page.locator("h1").inner_text() == "Datos abiertos"
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    # Wide tables scroll inside their own box (.table-scroll); nothing else of the page's content is wider.
    overflowing = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => !e.closest('.table-scroll, pre') && e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => e.tagName + ' ' + (e.textContent || '').slice(0, 40))""")
    assert overflowing == []
    assert_no_browser_errors(page)


def test_the_interactive_documentation_loads_the_generated_document_locally(page, live_server, demo):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server}/api/v1/docs")
    page.locator(".swagger-ui .info .title").wait_for(timeout=10_000)
    assert "ogpcocreate open data" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock-summary-path", has_text="/api/v1/proposals").count() >= 1
    assert all(url.startswith(live_server) or url.startswith("data:") for url in requested), requested
    assert_no_browser_errors(page)
