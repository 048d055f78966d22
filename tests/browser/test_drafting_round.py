"""In a real browser: one full drafting round. The government seat writes a draft commitment from a proposal
and publishes version 1; two CSOs comment (one on the whole text, one anchored to a section), one reports the
other's comment, an abusive comment is hidden with a public reason; after the comment window the secretariat
gives reasoned responses and publishes version 2 incorporating a comment; the comparison shows the change and
the contribution that caused it; the contributors are e-mailed; axe runs on every page visited.

Spanish wording is being revised, so this test asserts on ids, names, values, URLs and the texts it typed,
never on translated labels; buttons are found by type=submit inside their form.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import expect
from sqlalchemy import select

from ogpcocreate.comments.models import Comment
from ogpcocreate.core import eventlog
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.outbox import send_due
from ogpcocreate.core.sectors import Seat
from ogpcocreate.drafts.models import DraftCommitment, Incorporation
from ogpcocreate.extensions import db
from ogpcocreate.moderation.models import Decision, ModerationAction, Report
from ogpcocreate.responses.models import Outcome, Response

from ..factories import PASSWORD, make_call, make_organisation, make_plan, make_proposal, make_seat, make_user
from .conftest import _PAGE_ERRORS, TIMEOUT_MS, assert_accessible

GOV_EMAIL = "enlace.gobierno@example.gob.mx"
GUARANTOR_EMAIL = "garante@example.org.mx"
CSO1_EMAIL = "rosa.martinez@example.org"
CSO2_EMAIL = "tomas.hernandez@example.org"
ORG1 = "Observatorio Ciudadano del Agua"
ORG2 = "Colectivo por la Transparencia de Oaxaca"
PROPOSAL_TITLE = "Publicar los contratos de agua potable"

DRAFT_TITLE = "Contratos de agua potable abiertos y comparables"
PROBLEM = "Los contratos de agua potable de los municipios no son públicos."
STATUS_QUO = "Solo tres de cada diez municipios publican sus contratos, y en formatos cerrados."
DESCRIPTION_V1 = "Los municipios publicarán sus contratos de agua potable cada trimestre."
DESCRIPTION_V2 = "Los municipios publicarán sus contratos de agua potable cada mes en formato abierto."
HOW = "La ciudadanía podrá comparar precios y plazos entre municipios."
RELEVANCE = "Transparencia y rendición de cuentas sobre un servicio esencial."
OTHER_ACTORS = "Comisión Estatal del Agua; organismos operadores municipales."
MILESTONE = "Portal de contratos en línea con los primeros cien contratos"
MILESTONE_DUE = "2027-06-30"
MILESTONE_RESPONSIBLE = "Secretaría de la Función Pública"
CHANGE_NOTE = "Publicación mensual y en formato abierto, como pidió el Colectivo."

COMMENT_WHOLE = "El compromiso debería incluir también los convenios modificatorios."
COMMENT_SECTION = "Cada trimestre es poco: pedimos publicación mensual y en formato abierto."
REPORT_REASON = "El comentario repite una propuesta ya respondida; que la secretaría lo revise."
ABUSIVE = "Son unos corruptos inútiles y merecen lo peor."
HIDE_REASON = "Insulta a personas servidoras públicas; incumple el código de conducta."
JUSTIFICATION_WHOLE = "Los convenios modificatorios quedan fuera del alcance de este compromiso."
JUSTIFICATION_SECTION = "Se adopta la publicación mensual en formato abierto en la versión 2."


# --- helpers ---------------------------------------------------------------------------------------


def submit_form(page, form) -> None:
    """Click the submit button of ``form`` and wait for the next page to load."""
    with page.expect_navigation(wait_until="load"):
        form.locator("[type=submit]").click()


def submit(page, field_id: str) -> None:
    submit_form(page, page.locator("form", has=page.locator(f"#{field_id}")))


def check_page(page) -> None:
    """The page is served in Spanish and passes axe (WCAG 2.1 A and AA)."""
    assert page.locator("html").get_attribute("lang") == "es", page.url
    assert_accessible(page)


def log_in(page, base: str, email: str, *, check: bool = False) -> None:
    page.goto(f"{base}/login")
    if check:
        check_page(page)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    submit(page, "password")
    expect(page.locator(".flash-success")).to_be_visible()
    assert not page.url.startswith(f"{base}/login"), page.url


def open_disclosure(page, comment_id: int, action: str):
    """Open the <details> of comment #comment_id holding the form that posts to ``action``; return that form."""
    form = page.locator(f'#comment-{comment_id} form[action="{action}"]')
    expect(form).to_have_count(1)
    details = page.locator(f"#comment-{comment_id} details", has=page.locator(f'form[action="{action}"]'))
    details.locator("summary").click()
    expect(form).to_be_visible()
    return form


def comment_id_from(page, base: str, draft_id: int) -> int:
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/drafts/{draft_id}#comment-\d+$"))
    return int(page.url.rsplit("-", 1)[1])


@pytest.fixture
def new_page(browser):
    """Open pages, each in its own fresh browser context (Mexican Spanish), watched for console and page errors."""
    opened = []

    def open_page():
        context = browser.new_context(locale="es-MX")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        errors = _PAGE_ERRORS.setdefault(id(page), [])

        def on_console(message):
            if message.type == "error":
                errors.append(f"console error on {page.url}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: errors.append(f"page error on {page.url}: {error}"))
        opened.append((page, errors))
        return page

    yield open_page
    found = []
    for page, errors in opened:
        found.extend(errors)
        _PAGE_ERRORS.pop(id(page), None)
        page.context.close()
    if found:
        pytest.fail("The browser reported errors:\n" + "\n".join(found), pytrace=False)


# --- the round -------------------------------------------------------------------------------------


def test_a_full_drafting_round_in_the_browser(new_page, live_server, app, inbox):
    base = live_server

    # 1. Seed: a tripartite plan, a call in deliberation, two verified CSOs, a proposal, two secretariat seats.
    with app.app_context():
        gov = make_user(GOV_EMAIL, name="Enlace de Gobierno")
        make_seat(gov, Seat.GOVERNMENT)
        guarantor = make_user(GUARANTOR_EMAIL, name="Persona Garante")
        make_seat(guarantor, Seat.GUARANTOR)
        cso1 = make_user(CSO1_EMAIL, name="Rosa Martínez")
        org1 = make_organisation(cso1, name=ORG1)
        cso2 = make_user(CSO2_EMAIL, name="Tomás Hernández")
        org2 = make_organisation(cso2, name=ORG2)
        call = make_call(make_plan(gov, requires_tripartite=True), phase="deliberation")
        theme = call.themes[1]
        proposal = make_proposal(call, cso1, org1, title=PROPOSAL_TITLE, theme=theme)
        db.session.commit()
        call_id, call_title, theme_id, proposal_id = call.id, call.title, theme.id, proposal.id
        org1_id, org2_id, cso1_name, cso2_name = org1.id, org2.id, cso1.display_name, cso2.display_name

    # 2. The government seat opens the call, follows "New draft commitment" and creates a draft from the proposal.
    gov_page = new_page()
    log_in(gov_page, base, GOV_EMAIL, check=True)
    gov_page.goto(f"{base}/calls/{call_id}")
    expect(gov_page.locator("h1")).to_have_text(call_title)
    check_page(gov_page)
    new_link = gov_page.locator(f'main a[href="/calls/{call_id}/drafts/new"]')
    expect(new_link).to_have_count(1)
    with gov_page.expect_navigation(wait_until="load"):
        new_link.click()
    expect(gov_page).to_have_url(f"{base}/calls/{call_id}/drafts/new")
    check_page(gov_page)

    gov_page.fill("#title", DRAFT_TITLE)
    gov_page.select_option("#theme", str(theme_id))
    source = gov_page.locator(f'input[type=checkbox][name=sources][value="{proposal_id}"]')
    expect(source).to_have_count(1)
    source.check()
    submit(gov_page, "title")

    expect(gov_page).to_have_url(re.compile(rf"^{re.escape(base)}/drafts/\d+/versions/new$"))
    draft_id = int(gov_page.url.rsplit("/")[-3])
    draft_url = f"{base}/drafts/{draft_id}"
    expect(gov_page.locator(".flash-success")).to_be_visible()
    check_page(gov_page)

    # The publish form of version 1: every section of the template, one milestone, a 7-day window.
    proposal_box = gov_page.locator(f'input[name=incorporate_proposals][value="{proposal_id}"]')
    expect(proposal_box).to_have_count(1)
    expect(proposal_box).to_be_checked()  # the first version comes from the draft's proposals
    for field_id, text in (("problem_source", PROBLEM), ("status_quo_source", STATUS_QUO),
                           ("description_source", DESCRIPTION_V1), ("how_source", HOW),
                           ("relevance_source", RELEVANCE), ("other_actors_source", OTHER_ACTORS)):
        gov_page.fill(f"#{field_id}", text)
    gov_page.fill('input[name="milestones-0-description"]', MILESTONE)
    due = gov_page.locator('input[name="milestones-0-due"]')
    assert due.get_attribute("type") == "date"
    due.fill(MILESTONE_DUE)
    gov_page.fill('input[name="milestones-0-responsible"]', MILESTONE_RESPONSIBLE)
    gov_page.fill("#comment_days", "7")
    submit(gov_page, "description_source")

    expect(gov_page).to_have_url(draft_url)
    expect(gov_page.locator(".flash-success")).to_be_visible()
    expect(gov_page.locator("h1")).to_have_text(DRAFT_TITLE)
    expect(gov_page.locator("#section-description + .richtext")).to_have_text(DESCRIPTION_V1)
    expect(gov_page.locator("#section-other_actors + .richtext")).to_have_text(OTHER_ACTORS)
    expect(gov_page.locator(".commitment table tbody tr")).to_have_count(1)
    expect(gov_page.locator(".commitment table tbody td").first).to_have_text(MILESTONE)
    expect(gov_page.locator(f'main a[href="/proposals/{proposal_id}"]').first).to_have_text(PROPOSAL_TITLE)
    check_page(gov_page)

    # 3. CSO 1 comments on the whole commitment, for its organisation.
    cso1_page = new_page()
    log_in(cso1_page, base, CSO1_EMAIL)
    cso1_page.goto(draft_url)
    expect(cso1_page.locator("#body_source")).to_be_visible()
    check_page(cso1_page)
    cso1_page.select_option("#section", "")
    cso1_page.select_option("#organisation", str(org1_id))
    cso1_page.fill("#body_source", COMMENT_WHOLE)
    submit(cso1_page, "body_source")
    whole_id = comment_id_from(cso1_page, base, draft_id)
    expect(cso1_page.locator(".flash-success")).to_be_visible()
    expect(cso1_page.locator(f"#comment-{whole_id} .richtext").first).to_have_text(COMMENT_WHOLE)
    expect(cso1_page.locator(f"#comment-{whole_id} .meta").first).to_contain_text(f"{ORG1} · {cso1_name}")
    expect(cso1_page.locator(f"#comment-{whole_id} .response-box.awaiting")).to_have_count(1)

    # CSO 2 comments on the description, for its organisation, then reports CSO 1's comment.
    cso2_page = new_page()
    log_in(cso2_page, base, CSO2_EMAIL)
    cso2_page.goto(draft_url)
    cso2_page.select_option("#section", "description")
    cso2_page.select_option("#organisation", str(org2_id))
    cso2_page.fill("#body_source", COMMENT_SECTION)
    submit(cso2_page, "body_source")
    section_id = comment_id_from(cso2_page, base, draft_id)
    expect(cso2_page.locator(".flash-success")).to_be_visible()
    section_meta = cso2_page.locator(f"#comment-{section_id} .meta").first
    expect(section_meta).to_contain_text(f"{ORG2} · {cso2_name}")
    expect(section_meta.locator('a[href="#section-description"]')).to_have_count(1)

    report_form = open_disclosure(cso2_page, whole_id, f"/comments/{whole_id}/report")
    report_form.locator(f"#rep{whole_id}-reason").fill(REPORT_REASON)
    check_page(cso2_page)  # with the report form open
    submit_form(cso2_page, report_form)
    expect(cso2_page).to_have_url(f"{draft_url}/versions/1#comment-{whole_id}")
    expect(cso2_page.locator(".flash-success")).to_be_visible()
    check_page(cso2_page)

    # CSO 1's second comment is abusive.
    cso1_page.goto(draft_url)
    cso1_page.select_option("#organisation", str(org1_id))
    cso1_page.fill("#body_source", ABUSIVE)
    submit(cso1_page, "body_source")
    abusive_id = comment_id_from(cso1_page, base, draft_id)
    expect(cso1_page.locator(f"#comment-{abusive_id} .richtext").first).to_have_text(ABUSIVE)

    # The report reached the secretariat's queue.
    gov_page.goto(f"{base}/moderation/reports")
    queued = gov_page.locator(f"main #comment-{whole_id}")
    expect(queued).to_have_count(1)
    expect(queued).to_contain_text(REPORT_REASON)
    check_page(gov_page)

    # The government seat hides the abusive comment, with a published reason.
    gov_page.goto(draft_url)
    expect(gov_page.locator(f"#comment-{abusive_id} .richtext").first).to_have_text(ABUSIVE)
    check_page(gov_page)  # the draft page as the secretariat sees it while the round is open
    hide_form = open_disclosure(gov_page, abusive_id, f"/comments/{abusive_id}/hide")
    hide_form.locator(f"#mod{abusive_id}-reason").fill(HIDE_REASON)
    check_page(gov_page)  # with the moderation form open
    submit_form(gov_page, hide_form)
    expect(gov_page).to_have_url(f"{draft_url}/versions/1#comment-{abusive_id}")
    expect(gov_page.locator(".flash-success")).to_be_visible()
    expect(gov_page.locator(f"#comment-{abusive_id} .hidden-note")).to_contain_text(HIDE_REASON)

    # The public sees that it was hidden and why, never the text.
    anon_page = new_page()
    anon_page.goto(draft_url)
    expect(anon_page.locator("h1")).to_have_text(DRAFT_TITLE)
    hidden = anon_page.locator(f"#comment-{abusive_id}")
    expect(hidden.locator(".hidden-note")).to_contain_text(HIDE_REASON)
    expect(hidden.locator("details")).to_have_count(0)
    assert ABUSIVE not in anon_page.content(), "the hidden text reaches the public page"
    expect(anon_page.locator(f"#comment-{whole_id} .richtext").first).to_have_text(COMMENT_WHOLE)
    expect(anon_page.locator(f"#comment-{section_id} .richtext").first).to_have_text(COMMENT_SECTION)
    expect(anon_page.locator("#body_source")).to_have_count(0)
    expect(anon_page.locator('main a[href^="/login?next="]')).not_to_have_count(0)
    check_page(anon_page)

    # Its author can still read it, behind "show the hidden text".
    cso1_page.goto(draft_url)
    own = cso1_page.locator(f"#comment-{abusive_id}")
    expect(own.locator(".hidden-note")).to_contain_text(HIDE_REASON)
    own.locator("details summary").click()
    expect(own.locator("details .richtext")).to_be_visible()
    expect(own.locator("details .richtext")).to_have_text(ABUSIVE)
    check_page(cso1_page)

    # The public moderation log lists the decision with its reason.
    anon_page.goto(f"{base}/moderation")
    row = anon_page.locator("main table tbody tr", has=anon_page.locator(f'a[href$="#comment-{abusive_id}"]'))
    expect(row).to_have_count(1)
    expect(row).to_contain_text(HIDE_REASON)
    expect(row).to_contain_text("Enlace de Gobierno")
    expect(row.locator(f'a[href="/drafts/{draft_id}/versions/1#comment-{abusive_id}"]')).to_have_text(f"#{abusive_id}")
    check_page(anon_page)

    # 4. The comment window closes. The live server shares this process's clock; stay inside the travel
    # (cookies signed "in the future" are refused once it ends), and use fresh browser contexts.
    with time_machine.travel(utcnow() + timedelta(days=8), tick=True):
        gov_page = new_page()
        log_in(gov_page, base, GOV_EMAIL)
        gov_page.goto(draft_url)
        expect(gov_page.locator("h1")).to_have_text(DRAFT_TITLE)
        expect(gov_page.locator("#body_source")).to_have_count(0)  # the round is closed
        check_page(gov_page)  # the closed round, as the secretariat sees it

        for cid, outcome, justification in ((whole_id, Outcome.NOT_ADOPTED, JUSTIFICATION_WHOLE),
                                             (section_id, Outcome.PARTIALLY_ADOPTED, JUSTIFICATION_SECTION)):
            form = open_disclosure(gov_page, cid, f"/comments/{cid}/response")
            form.locator(f'input[type=radio][name="r{cid}-outcome"][value="{outcome.value}"]').check()
            form.locator(f'textarea[name="r{cid}-justification_source"]').fill(justification)
            if cid == whole_id:
                check_page(gov_page)  # with the response form open
            submit_form(gov_page, form)
            expect(gov_page).to_have_url(f"{draft_url}/versions/1#comment-{cid}")
            expect(gov_page.locator(".flash-success")).to_be_visible()
            box = gov_page.locator(f"#comment-{cid} .response-box")
            expect(box).to_have_count(1)
            expect(box).not_to_have_class(re.compile(r"\bawaiting\b"))
            expect(box.locator(".richtext")).to_have_text(justification)
        # The hidden comment needs no response and offers no form.
        expect(gov_page.locator(f'#comment-{abusive_id} form[action="/comments/{abusive_id}/response"]')).to_have_count(0)
        check_page(gov_page)

        # "Publish the next version": prefilled from version 1.
        next_link = gov_page.locator(f'main a[href="/drafts/{draft_id}/versions/new"]')
        expect(next_link).to_have_count(1)
        with gov_page.expect_navigation(wait_until="load"):
            next_link.click()
        expect(gov_page).to_have_url(f"{draft_url}/versions/new")
        for field_id, text in (("problem_source", PROBLEM), ("status_quo_source", STATUS_QUO),
                               ("description_source", DESCRIPTION_V1), ("how_source", HOW),
                               ("relevance_source", RELEVANCE), ("other_actors_source", OTHER_ACTORS)):
            expect(gov_page.locator(f"#{field_id}")).to_have_value(text)
        expect(gov_page.locator('input[name="milestones-0-description"]')).to_have_value(MILESTONE)
        expect(gov_page.locator('input[name="milestones-0-due"]')).to_have_value(MILESTONE_DUE)
        expect(gov_page.locator('input[name="milestones-0-responsible"]')).to_have_value(MILESTONE_RESPONSIBLE)
        incorporate = gov_page.locator("input[type=checkbox][name=incorporate_comments]")
        expect(incorporate.and_(gov_page.locator(f'[value="{whole_id}"]'))).to_have_count(1)
        expect(incorporate.and_(gov_page.locator(f'[value="{section_id}"]'))).to_have_count(1)
        expect(incorporate.and_(gov_page.locator(f'[value="{abusive_id}"]'))).to_have_count(0)  # hidden: not offered
        check_page(gov_page)

        gov_page.fill("#description_source", DESCRIPTION_V2)
        incorporate.and_(gov_page.locator(f'[value="{section_id}"]')).check()
        gov_page.fill("#change_note", CHANGE_NOTE)
        submit(gov_page, "description_source")

        expect(gov_page).to_have_url(draft_url)
        expect(gov_page.locator(".flash-success")).to_be_visible()
        expect(gov_page.locator("#section-description + .richtext")).to_have_text(DESCRIPTION_V2)
        versions_nav = gov_page.locator("nav.versions")
        expect(versions_nav.locator(f'a[href="/drafts/{draft_id}/versions/1"]')).to_have_count(1)
        expect(versions_nav.locator("[aria-current=page]")).to_contain_text("2")
        expect(gov_page.locator(f'.round a[href="/drafts/{draft_id}/versions/1#comment-{section_id}"]')).to_have_text(
            f"#{section_id}")
        check_page(gov_page)

        # 5. The comparison, followed from the versions bar, as the public sees it.
        anon_page = new_page()
        anon_page.goto(draft_url)
        expect(anon_page.locator(".round")).to_contain_text(CHANGE_NOTE)
        check_page(anon_page)  # version 2, open for comments, anonymous
        compare_link = anon_page.locator(f'nav.versions a[href="/drafts/{draft_id}/compare"]')
        expect(compare_link).to_have_count(1)
        with anon_page.expect_navigation(wait_until="load"):
            compare_link.click()
        expect(anon_page).to_have_url(f"{draft_url}/compare")
        tables = anon_page.locator("main table.diff-table")
        expect(tables).to_have_count(1)  # only the description changed, shown side by side
        diffs = tables.locator(".diff")
        expect(diffs).to_have_count(2)
        expect(diffs.nth(0).locator("del")).to_have_text(["trimestre."])
        expect(diffs.nth(1).locator("ins")).to_have_text(["mes en formato abierto."])
        expect(diffs.nth(0).locator("ins")).to_have_count(0)
        expect(diffs.nth(1).locator("del")).to_have_count(0)
        expect(diffs.nth(1)).to_contain_text("Los municipios publicarán sus contratos de agua potable cada")
        incorporated = anon_page.locator("main ul.incorporated > li")
        expect(incorporated).to_have_count(1)
        expect(incorporated.locator(f'a[href="/drafts/{draft_id}/versions/1#comment-{section_id}"]')).to_have_text(
            f"#{section_id}")
        expect(incorporated).to_contain_text(ORG2)
        expect(incorporated.locator("q")).to_have_text(COMMENT_SECTION)
        expect(anon_page.locator("main")).to_contain_text(CHANGE_NOTE)
        check_page(anon_page)

        # The response to CSO 2's comment, on the version 1 page, links to version 2.
        anon_page.goto(f"{draft_url}/versions/1")
        expect(anon_page.locator("nav.versions [aria-current=page]")).to_contain_text("1")
        trace = anon_page.locator(f'#comment-{section_id} .response-box a[href="/drafts/{draft_id}/compare?to=2"]')
        expect(trace).to_have_count(1)
        expect(trace).to_contain_text("2")
        expect(anon_page.locator(f"#comment-{section_id} .response-box .richtext")).to_have_text(JUSTIFICATION_SECTION)
        expect(anon_page.locator(f'#comment-{whole_id} .response-box a[href*="/compare"]')).to_have_count(0)
        expect(anon_page.locator(f"#comment-{whole_id} .response-box .richtext")).to_have_text(JUSTIFICATION_WHOLE)
        check_page(anon_page)

        # 6. The mail goes out: CSO 2 has its response, CSO 1 its response and the moderation notice.
        with app.app_context():
            report = send_due()
        assert report.failed == 0 and report.sent >= 3, report
        to_cso2 = inbox.to(CSO2_EMAIL)
        assert len(to_cso2) == 1, [m["Subject"] for m in to_cso2]
        assert DRAFT_TITLE in to_cso2[0]["Subject"], to_cso2[0]["Subject"]
        body = inbox.body(to_cso2[0])
        assert JUSTIFICATION_SECTION in body, body
        assert re.search(rf"{re.escape(draft_url)}/versions/1#comment-{section_id}(?!\d)", body), body

        to_cso1 = inbox.to(CSO1_EMAIL)
        hidden_mail = [m for m in to_cso1 if HIDE_REASON in inbox.body(m)]
        assert len(hidden_mail) == 1, [m["Subject"] for m in to_cso1]
        body = inbox.body(hidden_mail[0])
        assert DRAFT_TITLE in body, body
        assert re.search(rf"{re.escape(draft_url)}/versions/1#comment-{abusive_id}(?!\d)", body), body
        assert f"{base}/code-of-conduct" in body, body
        responses_to_cso1 = [m for m in to_cso1 if JUSTIFICATION_WHOLE in inbox.body(m)]
        assert len(responses_to_cso1) == 1, [m["Subject"] for m in to_cso1]
        assert len(to_cso1) == 2, [m["Subject"] for m in to_cso1]

        # 7. The record.
        with app.app_context():
            result = eventlog.verify()
            assert result.ok, result
            draft = db.session.get(DraftCommitment, draft_id)
            assert [v.number for v in draft.versions] == [1, 2]
            v1, v2 = draft.versions
            assert [p.id for p in draft.sources] == [proposal_id]
            assert v1.description_source == DESCRIPTION_V1 and v2.description_source == DESCRIPTION_V2
            assert v2.change_note == CHANGE_NOTE
            assert [(m.description, m.due.isoformat(), m.responsible) for m in v2.milestones] == [
                (MILESTONE, MILESTONE_DUE, MILESTONE_RESPONSIBLE)]
            rows = db.session.scalars(select(Incorporation).order_by(Incorporation.id)).all()
            assert [(r.version_id, r.proposal_id, r.comment_id) for r in rows] == [
                (v1.id, proposal_id, None), (v2.id, None, section_id)], rows

            hidden_comment = db.session.get(Comment, abusive_id)
            assert hidden_comment.is_hidden and hidden_comment.hidden_reason == HIDE_REASON
            assert hidden_comment.body_source == ABUSIVE and ABUSIVE in hidden_comment.body
            section_comment = db.session.get(Comment, section_id)
            assert section_comment.section.value == "description" and section_comment.organisation_id == org2_id
            assert db.session.get(Comment, whole_id).section is None

            actions = db.session.scalars(select(ModerationAction)).all()
            assert [(a.comment_id, a.decision, a.reason) for a in actions] == [
                (abusive_id, Decision.HIDDEN, HIDE_REASON)]
            reports = db.session.scalars(select(Report)).all()
            assert [(r.comment_id, r.reason, r.decision) for r in reports] == [(whole_id, REPORT_REASON, None)]
            assert reports[0].reporter.email == CSO2_EMAIL

            current = {r.comment_id: r for r in db.session.scalars(
                select(Response).where(Response.comment_id.is_not(None), Response.is_current))}
            assert set(current) == {whole_id, section_id}, current
            assert current[whole_id].outcome is Outcome.NOT_ADOPTED
            assert current[section_id].outcome is Outcome.PARTIALLY_ADOPTED
            assert current[section_id].justification_source == JUSTIFICATION_SECTION
            assert {r.seat for r in current.values()} == {Seat.GOVERNMENT}

        # 8. Each author follows the link they were e-mailed: it must show their comment and what became of it.
        # Last, so that every check above runs first; both links are checked before failing.
        broken = []
        for email, link, cid in ((CSO2_EMAIL, inbox.link(CSO2_EMAIL), section_id),
                                 (CSO1_EMAIL, re.findall(r"https?://\S+", inbox.body(hidden_mail[0]))[0], abusive_id)):
            author_page = new_page()
            log_in(author_page, base, email)
            author_page.goto(link)
            if author_page.locator(f"#comment-{cid}").count() != 1:
                broken.append(f"{link} (e-mailed to {email}) does not show comment #{cid}: it opens {author_page.url}, "
                              "the current version, and the comment is on version 1")
        assert not broken, "\n".join(broken)
