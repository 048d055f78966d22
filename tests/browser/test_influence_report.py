"""In a real browser, on the demo data: the influence report of the current plan and the comparison with
the older one. Every figure must say what its data table says (the figure is aria-hidden; the table is
what a screen reader reads), and every page must pass axe-core."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ogpcocreate.demo import loader
from ogpcocreate.extensions import db
from ogpcocreate.plans.models import ActionPlan

from .conftest import assert_accessible


@pytest.fixture
def demo(app):
    with app.app_context():  # the demo holds the clock, which is never done inside a request
        loader.load()
        db.session.commit()
        plans = db.session.scalars(select(ActionPlan).order_by(ActionPlan.period_start)).all()
        return {"older": plans[0].id, "current": plans[-1].id}


def _attribute_map(page, selector: str, key: str, value: str) -> dict[str, str]:
    return {el.get_attribute(key): el.get_attribute(value) for el in page.locator(selector).all()}


def data_national(page, live_server, demo) -> int:
    data = page.request.get(f"{live_server}/api/v1/plans/{demo['current']}/influence").json()
    # People counted at meetings without an account take the meeting's territory (DOMAIN.md).
    return next(r["people"] + r["unregistered"] for r in data["participants"]["by_territory"]
                if r["territory"] == "national")


def test_report_figures_agree_with_their_tables(page, live_server, demo):
    page.goto(f"{live_server}/plans/{demo['current']}/influence")
    assert page.locator("p.level-result").get_attribute("class").endswith("level-collaborate")

    # The spectrum: the level each process reached, in the figure and in the table.
    figure_marks = _attribute_map(page, "svg g.spectrum-mark", "data-index", "data-level")
    table_marks = _attribute_map(page, "table li[data-level][data-index]", "data-index", "data-level")
    assert figure_marks and figure_marks == table_marks
    assert "collaborate" in figure_marks.values() and "consult" in figure_marks.values()

    # Who participated by sector: the bar labels and values against the table rows.
    bars = page.locator("[data-figure=sector] svg text.chart-value").all_text_contents()
    rows = page.locator("[data-figure=sector] table.sector-table tbody tr[data-value]")
    assert [int(v) for v in bars] == [int(r.get_attribute("data-value")) for r in rows.all()]
    labels = page.locator("[data-figure=sector] svg text.chart-label").all_text_contents()
    assert labels == [r.get_attribute("data-label") for r in rows.all()]

    # The tile map: every state's count in the SVG equals the table, never-reached states are marked.
    tiles = _attribute_map(page, "svg g.tile", "data-code", "data-value")
    table = _attribute_map(page, "table tr[data-code]", "data-code", "data-value")
    assert len(tiles) == 32 and all(c.startswith("MX-") for c in tiles)
    national = table.pop("national")
    assert tiles == table
    assert national == str(data_national(page, live_server, demo))
    for el in page.locator("svg g.tile").all():
        assert el.locator("text.tile-value").text_content().strip() == el.get_attribute("data-value")
    reached = page.locator("text.tile-legend-summary").get_attribute("data-reached")
    assert reached == page.locator("p.tile-map-summary").get_attribute("data-reached")
    never = [c for c, v in tiles.items() if v == "0" and c.startswith("MX-")]
    assert never and int(reached) == 32 - len(never)
    assert page.locator("svg g.tile.not-reached").count() == len(never)

    # The timeline: each lane's count equals the number of table rows of that kind.
    for lane in page.locator("svg g.ptl-lane").all():
        kind, count = lane.get_attribute("data-kind"), int(lane.get_attribute("data-count"))
        assert page.locator(f"table.process-timeline-table tr[data-kind={kind}]").count() == count

    # The JSON says what the page says.
    data = page.request.get(f"{live_server}/api/v1/plans/{demo['current']}/influence").json()
    assert data["level"] == "collaborate"
    assert data["participants"]["territories_reached"] == int(reached)
    assert_accessible(page)


def test_comparison_and_call_report_are_accessible(page, live_server, demo):
    page.goto(f"{live_server}/plans/compare?first={demo['older']}&second={demo['current']}")
    levels = [c.get_attribute("data-level") for c in page.locator("table.compare-table td[data-level]").all()]
    assert levels == ["consult", "collaborate"]
    assert_accessible(page)
    page.goto(f"{live_server}/plans/{demo['older']}/influence")
    assert page.locator("p.level-result").get_attribute("class").endswith("level-consult")
    assert_accessible(page)
    page.locator("a", has_text="JSON").first.wait_for()
    page.goto(f"{live_server}/plans/{demo['current']}")
    page.locator(f"a[href='/plans/{demo['current']}/influence']").click()
    page.wait_for_url(f"**/plans/{demo['current']}/influence")
    calls = page.locator("table.process-timeline-table a[href^='/calls/']").first.get_attribute("href")
    page.goto(f"{live_server}{calls}/influence")
    assert page.locator("p.level-result").count() == 1
    assert_accessible(page)
