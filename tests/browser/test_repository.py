"""In a real browser, on the demo: a seat uploads a PDF to the repository and publishes it, anyone then
finds it by a word inside the PDF from the header's search box; the repository, a commission report and
the search page pass axe-core (WCAG 2.1 A and AA) and raise no browser error."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ogpcocreate.demo import loader
from ogpcocreate.extensions import db
from ogpcocreate.repository.models import CommissionReport

from ..factories import make_pdf
from .conftest import assert_accessible
from .test_drafting_round import submit_form


@pytest.fixture
def demo(app):
    with app.app_context():
        loader.load()
        db.session.commit()
        return {"report": db.session.scalar(select(CommissionReport.id).where(CommissionReport.folio == "670"))}


def test_a_document_is_uploaded_published_and_found_by_a_word_of_its_pdf(page, live_server, demo, tmp_path):
    pdf = tmp_path / "minuta-mesa-oaxaca.pdf"
    pdf.write_bytes(make_pdf("Acuerdo sobre el padron de cooperativas cafetaleras de la Mixteca"))
    page.goto(f"{live_server}/login")
    page.fill("#email", loader._email("garante"))
    page.fill("#password", loader.PASSWORD)
    submit_form(page, page.locator("form", has=page.locator("#password")))
    expect(page.locator(".flash-success")).to_be_visible()

    page.goto(f"{live_server}/repository/new")
    assert_accessible(page)
    form = page.locator("form.stacked")
    form.locator("#title").fill("Minuta de la mesa de Oaxaca")
    form.locator("#kind").select_option("minutes")
    form.locator("#document_date").fill("2026-03-10")
    form.locator("#file").set_input_files(str(pdf))
    submit_form(page, form)
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("p.not-public")).to_be_visible()
    assert_accessible(page)
    submit_form(page, page.locator("form", has=page.locator("button.primary")).first)
    expect(page.locator(".flash-success")).to_be_visible()

    page.context.clear_cookies()  # the public from here on
    page.goto(f"{live_server}/repository")
    expect(page.get_by_role("link", name="Minuta de la mesa de Oaxaca")).to_be_visible()
    assert_accessible(page)

    page.locator("#header-search-q").fill("COOPERATIVA cafetalera")  # other case, other form of the words
    submit_form(page, page.locator(".header-menu form.header-search"))
    result = page.locator("ol.search-results li").first
    expect(result.get_by_role("link", name="Minuta de la mesa de Oaxaca")).to_be_visible()
    expect(result.locator("mark")).to_have_count(2)
    assert_accessible(page)


def test_a_commission_report_reads_well(page, live_server, demo):
    page.goto(f"{live_server}/commission-reports/{demo['report']}")
    expect(page.locator("h1")).to_contain_text("670")
    expect(page.locator("article")).to_contain_text("DR. EBER OMAR BETANZOS TORRES")
    assert_accessible(page)
    page.goto(f"{live_server}/commission-reports?year=2018")
    expect(page.get_by_role("link", name="670")).to_be_visible()
    assert_accessible(page)
