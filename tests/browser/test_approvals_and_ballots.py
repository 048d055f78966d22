"""In a real browser, on the demo: the approval of an act as a seat sees it (the seats' list, the form,
the table of positions with what changed since), and a ballot's published tally under ballot secrecy;
each page passes axe-core (WCAG 2.1 A and AA) and raises no browser error."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ogpcocreate.demo import loader
from ogpcocreate.extensions import db
from ogpcocreate.plans.models import ActionPlan
from ogpcocreate.votes.models import Ballot

from .conftest import assert_accessible, assert_no_browser_errors
from .test_drafting_round import submit_form


@pytest.fixture
def demo(app):
    with app.app_context():  # the demo holds the clock, which is never done inside a request
        loader.load()
        db.session.commit()
        plan = db.session.scalars(select(ActionPlan).order_by(ActionPlan.period_start.desc())).first()
        ballot = db.session.scalar(select(Ballot).where(Ballot.results_published_at.is_not(None)).order_by(Ballot.id))
        return {"plan": plan.id, "ballot": ballot.id}


def test_a_seat_takes_a_position_on_switching_off_the_requirement(page, live_server, demo):
    page.goto(f"{live_server}/login")
    page.fill("#email", loader._email("gobierno"))
    page.fill("#password", loader.PASSWORD)  # the demo's published password
    submit_form(page, page.locator("form", has=page.locator("#password")))
    expect(page.locator(".flash-success")).to_be_visible()
    page.goto(f"{live_server}/plans/{demo['plan']}#approvals")
    section = page.locator("#approvals")
    expect(section.locator("ul.seat-list li")).to_have_count(3)
    assert_accessible(page)
    form = section.locator("form", has=page.locator("input[name=stance]"))
    form.locator("input[name=stance][value=object]").check()
    form.locator("textarea[name=comment]").fill("Mientras dure la cocreación, los tres lugares deciden.")
    submit_form(page, form)
    expect(page.locator(".flash-success")).to_be_visible()
    table = page.locator("#approvals table.positions")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Mientras dure la cocreación")
    assert_accessible(page)
    # Its author can withdraw the objection.
    submit_form(page, table.locator("form"))
    expect(page.locator("#approvals table.positions")).to_contain_text("retirada")
    assert_no_browser_errors(page)


def test_a_published_tally_keeps_the_ballot_secret(page, live_server, demo):
    page.goto(f"{live_server}/ballots/{demo['ballot']}#results")
    expect(page.locator("#tally")).to_be_visible()
    by_sector = page.locator("#tally-by-sector")
    expect(by_sector).to_have_count(1)
    # Either a breakdown whose every column has at least the threshold of voters, or only the totals.
    if by_sector.evaluate("e => e.tagName") == "TABLE":
        voters = [int(c.text_content()) for c in by_sector.locator("tfoot td.num").all()[:-1]]
        assert voters and all(v >= 5 for v in voters)
    assert_accessible(page)
    assert_no_browser_errors(page)
