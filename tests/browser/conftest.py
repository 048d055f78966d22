"""Real-browser fixtures: Chromium through Playwright, the app on a live loopback server, axe-core.

Chromium is Debian's (/usr/bin/chromium), never a Playwright download. Without it the browser tests
are skipped, unless OGP_REQUIRE_BROWSER is set (``make test-browser``), in which case they fail.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from ..conftest import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_MS = 10_000

# Console errors and uncaught page errors, per open page (filled by the listeners of the `page` fixture).
_PAGE_ERRORS: dict[int, list[str]] = {}


# --- browser ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = (
            f"Chromium is not installed at {CHROMIUM}; the real-browser tests need it (apt install chromium)."
        )
        if os.environ.get("OGP_REQUIRE_BROWSER"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(browser):
    """A fresh context (Mexican Spanish) and page; fails the test on any console or page error."""
    context = browser.new_context(locale="es-MX")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors = _PAGE_ERRORS.setdefault(id(page), [])

    def on_console(message):
        if message.type == "error":
            location = message.location or {}
            errors.append(f"console error on {page.url}: {message.text} ({location.get('url', '')})")

    def on_page_error(error):
        errors.append(f"page error on {page.url}: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    try:
        yield page
    finally:
        _PAGE_ERRORS.pop(id(page), None)
        context.close()
    if errors:
        pytest.fail("The browser reported errors:\n" + "\n".join(errors), pytrace=False)


def assert_no_browser_errors(page) -> None:
    errors = _PAGE_ERRORS.get(id(page), [])
    if errors:
        pytest.fail("The browser reported errors:\n" + "\n".join(errors), pytrace=False)


def assert_accessible(page) -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA) on the current page; fail listing every violation."""
    from axe_playwright_python.sync_playwright import Axe

    assert_no_browser_errors(page)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    violations = results.response["violations"]
    if violations:
        lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(
                f"- {violation['id']} ({violation.get('impact')}): {violation['help']} <{violation.get('helpUrl', '')}>"
            )
            for node in violation["nodes"]:
                target = ", ".join(str(t) for t in node["target"])
                lines.append(f"    {target}: {' '.join(node.get('html', '').split())}")
                if node.get("failureSummary"):
                    lines.append("      " + " ".join(node["failureSummary"].split()))
        pytest.fail("\n".join(lines), pytrace=False)
    assert_no_browser_errors(page)  # anything axe itself provoked


# --- live server -----------------------------------------------------------------------------------


@pytest.fixture
def live_port() -> int:
    return free_port()


@pytest.fixture
def app_config(app_config, live_port):
    """The suite's configuration, with PUBLIC_URL pointing at the live server so e-mailed links work."""
    return {**app_config, "PUBLIC_URL": f"http://127.0.0.1:{live_port}"}


@pytest.fixture
def live_server(app, live_port):
    """Serve the app on 127.0.0.1 in a daemon thread; yields its base URL."""
    server = make_server("127.0.0.1", live_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{live_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
