"""A phone in hand: every public page of the demo at 390 px wide (an ordinary phone held upright) has no
sideways scrolling (a table or a figure scrolls inside its own box), figure labels stay legible, and the
header is one compact row whose menu opens without JavaScript.

The crawl starts at the home page and follows the site's own links, one page per kind of page (ids are
folded together), as the public sees them, then as the secretariat does."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

import pytest

from ogpcocreate.demo import loader
from ogpcocreate.extensions import db

from .conftest import assert_accessible

PHONE = {"width": 390, "height": 844}
# The smallest legible label: 10 CSS pixels, the size of a phone's small print.
MIN_LABEL_PX = 10
# Pages not worth a visit here: downloads, and the log-out and language forms' targets.
SKIP = re.compile(r"\.(csv|json|py|xlsx|ods|zip|svg)$|^/api/|^/static/|/logout$|/language$")

MEASURE = """(MIN_LABEL_PX) => {
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll('body *')].filter(el => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= doc.clientWidth + 1 || el.closest('details:not([open])')) return false;
    // Inside a box that scrolls sideways by itself: that is where wide content belongs.
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && p.getBoundingClientRect().right <= doc.clientWidth + 1) return false;
    }
    return true;
  }).slice(0, 3).map(el => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') + ' ' + Math.round(el.getBoundingClientRect().right) + 'px');
  const small = [...document.querySelectorAll('svg text')].filter(t => {
    const r = t.getBoundingClientRect();
    return r.height > 0 && t.textContent.trim() && r.height < MIN_LABEL_PX;
  }).slice(0, 3).map(t => t.textContent.trim().slice(0, 30) + ' ' + t.getBoundingClientRect().height.toFixed(1) + 'px');
  return {scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, wide, small,
          header: document.querySelector('.site-header').getBoundingClientRect().height};
}"""


@pytest.fixture
def demo(app):
    with app.app_context():
        loader.load()
        db.session.commit()


def _kind(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def _crawl(page, base: str, start: list[str], limit: int = 120) -> tuple[int, list[str]]:
    queue, seen_kinds, problems, visited = deque(start), set(), [], 0
    while queue and visited < limit:
        path = queue.popleft()
        kind = _kind(path)
        if kind in seen_kinds:
            continue
        seen_kinds.add(kind)
        response = page.goto(base + path, wait_until="load")
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited += 1
        found = page.evaluate(MEASURE, MIN_LABEL_PX)
        if found["scrollWidth"] > found["clientWidth"]:
            problems.append(f"{path}: the page is {found['scrollWidth']} px wide at {PHONE['width']} px "
                            f"({', '.join(found['wide'])})")
        if found["small"]:
            problems.append(f"{path}: figure labels smaller than {MIN_LABEL_PX} px: {found['small']}")
        if found["header"] > 120:
            problems.append(f"{path}: the header is {found['header']:.0f} px tall")
        for href in page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
                continue
            queue.append(parts.path)
    return visited, problems


def test_every_public_page_fits_a_phone(browser, live_server, demo):
    context = browser.new_context(locale="es-MX", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        visited, problems = _crawl(page, live_server, ["/"])
        # The secretariat's pages too: forms, queues and the approval tables.
        page.goto(f"{live_server}/login")
        page.fill("#email", f"gobierno@{loader.DOMAIN}")
        page.fill("#password", loader.PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        more, found = _crawl(page, live_server, ["/", "/account", "/my/activity", "/secretariat/work"], limit=80)
    finally:
        context.close()
    assert visited >= 25, f"the crawl reached only {visited} kinds of public page"
    assert not problems + found, "\n".join(problems + found)


def test_the_menu_opens_without_javascript(browser, live_server, demo):
    context = browser.new_context(locale="es-MX", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server + "/")
        menu = page.locator(".phone-menu")
        assert menu.is_visible() and not page.locator(".header-menu").is_visible()
        link = menu.get_by_role("link", name="Convocatorias")
        assert not link.is_visible()
        menu.locator("summary").click()
        assert link.is_visible()
        with page.expect_navigation():
            link.click()
        assert urlsplit(page.url).path == "/calls"
    finally:
        context.close()


def test_the_phone_header_is_accessible(browser, live_server, demo):
    context = browser.new_context(locale="es-MX", viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(live_server + "/")
        page.locator(".phone-menu summary").click()
        assert_accessible(page)
    finally:
        context.close()
