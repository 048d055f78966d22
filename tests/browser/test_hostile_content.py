"""In Chromium: the XSS corpus (tests/data/xss_vectors.txt), stored through the real services (so the real
sanitiser), shown on every page, and nothing runs.

The data is seeded directly in an application context: the services that the forms call store it, so
what is stored is what a form would have stored (tests/test_hostile_content.py submits it through the
forms). Each vector's alert(1)/confirm(1)/prompt(1) is numbered 1000 + its line among the vectors, so a
dialog names the vector that opened it. Rich-text fields hold several vectors each (one per paragraph) to
keep the number of pages down; every vector is stored at least once. Besides organisations, proposals,
plans, calls and responses, that covers drafting (draft titles; two versions of each draft, with their
sections, milestones and change notes; comments, replies, reports, hide/dismiss reasons, responses to
comments, objections to adoption), meetings (title, place, minutes, agreements, attendance, objections to
the minutes) and ballots (questions; votes; results published).

Every page is then opened by a secretariat member (who sees all the public does, plus member lists and
forms, the moderation queue and attendance pages), the lists also by an anonymous visitor, and /account,
/my/... and the drafts' pages (with their reply and report forms) by a participant; the authors of hidden
comments open the page where they can still read them, and the secretariat adopts drafts by vote, whose
message names them. Comparisons of versions are opened both ways. The test fails if: a dialog opens; the browser logs a console error or an uncaught page error (a
Content-Security-Policy violation is logged as a console error: it means inline script was attempted,
and its target element names the vector); the document holds any <script> element; or the DOM the browser
built holds an on* attribute, a javascript:/vbscript:/data:text/html URL, an <iframe>/<object>/<embed>/
<base>/<meta http-equiv> or a form posting elsewhere.
"""

from __future__ import annotations

import html
import re
import time
from collections import deque
from datetime import date, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from ogpcocreate.auth import services as auth
from ogpcocreate.calls import services as calls
from ogpcocreate.comments import services as comments
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.sectors import Seat
from ogpcocreate.drafts import services as drafts
from ogpcocreate.drafts.models import TEXT_SECTIONS, Section
from ogpcocreate.extensions import db
from ogpcocreate.meetings import services as meetings
from ogpcocreate.moderation import services as moderation
from ogpcocreate.organisations import services as organisations
from ogpcocreate.plans import services as plans
from ogpcocreate.proposals import services as proposals
from ogpcocreate.responses import services as responses
from ogpcocreate.votes import services as votes

from ..factories import PASSWORD, make_call, make_plan, make_proposal, make_seat, make_user
from ..test_hostile_content import (
    DELIBERATION_DATES,
    MODALITIES,
    OUTCOMES,
    WEB_PREFIX,
    Campaign,
    Corpus,
    load_vectors,
)
from .conftest import _PAGE_ERRORS, TIMEOUT_MS

PER_RICH_FIELD = 5  # vectors per rich-text field, one per paragraph
ORGANISATIONS = 10
PROPOSALS = 12
PLANS = 4
CALLS = 4
ANSWERED = 4
REVISIONS = 3
DRAFTS = 2
DRAFT_MILESTONES = 2
COMMENTS_PER_DRAFT = 4
REPLIES_PER_DRAFT = 2
MEETINGS = 3
BALLOTS = 3  # on themes (results published), on the drafts (results published, adopted in the browser), open

LISTS = ["/", "/organisations", "/secretariat", "/record", "/plans", "/calls", "/moderation"]

# Installed before any page script runs (and, being the browser's, not subject to the page's CSP).
MONITOR = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  const t = e.target;
  window.__csp.push({directive: e.violatedDirective, blocked: e.blockedURI, line: e.lineNumber,
                     element: t && t.outerHTML ? t.outerHTML.slice(0, 300) : String(t)});
});
"""

# The DOM as the browser built it (after its own parsing, mutation and all).
DOM_AUDIT = r"""
() => {
  const found = [];
  const forbidden = new Set(['script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'portal', 'fencedframe']);
  const urlAttributes = new Set(['href', 'src', 'action', 'formaction', 'srcdoc', 'xlink:href', 'data', 'poster',
                                 'background', 'codebase', 'dynsrc', 'lowsrc', 'to', 'from', 'values', 'by']);
  const invisible = /[\u0000-\u0020\u007f-\u009f\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff]+/g;
  const dangerous = /^(javascript:|vbscript:|data:text\/html)/;
  const show = (el) => el.outerHTML.slice(0, 300);
  for (const el of document.querySelectorAll('*')) {
    const tag = el.localName;
    if (forbidden.has(tag)) found.push(`<${tag}> element: ${show(el)}`);
    if (tag === 'meta' && el.hasAttribute('http-equiv')) found.push(`<meta http-equiv>: ${show(el)}`);
    if (el.shadowRoot) found.push(`shadow root: ${show(el)}`);
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      const value = a.value.replace(invisible, '').toLowerCase();
      if (name.startsWith('on')) found.push(`event-handler attribute ${name}=: ${show(el)}`);
      if (urlAttributes.has(name) && dangerous.test(value)) found.push(`${name}= with a script-running URL: ${show(el)}`);
    }
    if (tag === 'form' && el.getAttribute('action')) {
      const target = new URL(el.getAttribute('action'), location.href);
      if (target.origin !== location.origin) found.push(`form posting off the site: ${show(el)}`);
    }
  }
  return found;
}
"""

DIALOG_CALL = re.compile(r"\b(alert|confirm|prompt)(\(1\)|`1`)")


def numbered(vectors: list[str]) -> list[str]:
    """Each vector's dialog calls carry 1000 + its index, so a dialog's message names its vector."""
    return [DIALOG_CALL.sub(lambda m, i=i: f"{m.group(1)}({1000 + i})", v) for i, v in enumerate(vectors)]


def seed(app, vectors: list[str]) -> dict:
    """Store the corpus through the services, as the forms would; return the people and pages."""
    corpus = Corpus(vectors)

    def one(field, **limits):
        s = corpus.take(field, "", **limits)
        s.accepted = True
        return s

    def text(field, **limits):
        return vectors[one(field, **limits).vector].strip()

    def rich(field):
        return "\n\n".join(vectors[one(field).vector] for _ in range(PER_RICH_FIELD))

    name = {"min_length": 2, "max_length": 120}
    title = {"min_length": 5, "max_length": 200}
    with app.test_request_context():
        seats = {}
        for seat in Seat:
            user = make_user(f"seat-{seat.value}@example.org")
            make_seat(user, seat)
            auth.update_profile(user, text("profile display_name", **name), None, "es")
            seats[seat] = user
        gov, guarantor = seats[Seat.GOVERNMENT], seats[Seat.GUARANTOR]
        people = []
        for i in range(2):
            user = auth.register(text("registration display_name", **name), f"registrant{i}@example.org", PASSWORD, None, "es")
            user.email_confirmed_at = utcnow()
            people.append(user)
        for i in range(3):
            user = make_user(f"participant{i}@example.org")
            auth.update_profile(user, text("profile display_name", **name), None, "es")
            people.append(user)

        orgs = []
        for i in range(ORGANISATIONS):
            data = {"name": text("organisation name", min_length=3, max_length=200),
                    "acronym": text("organisation acronym", max_length=30), "sector": "academia", "territory": "MX-OAX",
                    "cluni": None, "rfc": None,
                    "website": WEB_PREFIX + text("organisation website", max_length=300 - len(WEB_PREFIX)),
                    "description_source": rich("organisation description_source")}
            if organisations.name_key(data["name"]) in {o.name_key for o in orgs}:
                data["name"] = f"Organización {i}"
            orgs.append(organisations.create_organisation(people[i % len(people)], data))

        open_calls = [make_call(make_plan(), phase="open") for _ in range(2)]
        submitted = []
        for i in range(PROPOSALS):
            author = people[i % len(people)]
            call = open_calls[i % 2]
            own = [o for o in orgs if o.created_by_id == author.id]
            data = {"organisation": own[0].id if own and i % 3 else None, "theme": call.themes[i % len(call.themes)].id,
                    "title": text("proposal title", **title), "problem_source": rich("proposal problem_source"),
                    "action_source": rich("proposal action_source"),
                    "expected_result_source": rich("proposal expected_result_source"),
                    "links": [WEB_PREFIX + text("proposal links", max_length=400, allow_space=False)]}
            submitted.append(proposals.submit(author, call, data))

        for org in orgs[: ORGANISATIONS - 2]:
            organisations.set_verification(guarantor, Seat.GUARANTOR, org, "rejected",
                                           text("verification reason", max_length=2000))

        made_plans = []
        for _ in range(PLANS):
            made_plans.append(plans.create_plan(gov, Seat.GOVERNMENT, {
                "name": text("plan name", min_length=3, max_length=200), "period_start": 2025, "period_end": 2027,
                "status": "co_creation", "description_source": rich("plan description_source"),
                "requires_tripartite": True, "notice_days": 14}))
        now = utcnow()
        days = {"announce_at": 1, "opens_at": 16, "closes_at": 36, "deliberation_at": 37, "decision_at": 56, "results_at": 61}
        made_calls = []
        for i in range(CALLS):
            call = calls.create_call(gov, Seat.GOVERNMENT, made_plans[i % PLANS], {
                "title": text("call title", **title), "description_source": rich("call description_source"),
                "themes": "\n".join(text("call themes", max_length=200) for _ in range(3)),
                "submitters": "organisations_and_individuals",
                **{k: now + timedelta(days=d) for k, d in days.items()}})
            for seat, member in seats.items():
                calls.take_position(member, seat, call, "publish_call", "approve", text("approval comment", max_length=5000))
            call.announce_at = now - timedelta(minutes=1)  # announced: public from now (ogpcocreate/visibility.py)
            made_calls.append(call)

        deliberation = make_call(make_plan(), phase="deliberation")
        answered = [make_proposal(deliberation, people[i % len(people)]) for i in range(ANSWERED)]
        outcomes = ["not_adopted", "partially_adopted", "out_of_scope"]
        for revision in range(REVISIONS):
            for proposal in answered:
                responses.respond(gov, Seat.GOVERNMENT, proposal, outcomes[revision % len(outcomes)],
                                  rich("response justification_source"))

        # Drafting: the second open call moves on to deliberation and its proposals become drafts, each
        # with two versions; comments, replies, reports, moderation and responses on the first round.
        drafting = open_calls[1]
        now = utcnow()
        for name, days in DELIBERATION_DATES.items():
            setattr(drafting, name, now + timedelta(days=days))
        db.session.flush()
        voice = {o.created_by_id: o.id for o in orgs[ORGANISATIONS - 2:]}  # not rejected: one may comment for them

        def version(incorporate=()):
            return {**{f"{s.value}_source": rich(f"draft version {s.value}_source") for s in TEXT_SECTIONS},
                    "milestones": [{"description": text("draft milestone description", max_length=500),
                                    "due": date(2027, i + 1, 15),
                                    "responsible": text("draft milestone responsible", max_length=200)}
                                   for i in range(DRAFT_MILESTONES)],
                    "change_note": text("draft version change_note", max_length=5000), "comment_days": 7,
                    "incorporate_comments": list(incorporate)}

        def comment(author, version_, field, k, parent=None):
            return comments.add(author, version_, {
                "body_source": rich(field), "section": None if parent else ([None, *Section][k % (len(Section) + 1)]),
                "organisation": voice.get(author.id) if k % 2 else None, "parent": parent.id if parent else None})

        made_drafts, hidden_for = [], []
        for d in range(DRAFTS):
            draft = drafts.create_draft(gov, Seat.GOVERNMENT, drafting, {
                "title": text("draft title", **title), "theme": drafting.themes[0].id,
                "sources": [p.id for p in submitted if p.call_id == drafting.id][d::DRAFTS]})
            first = drafts.publish_version(gov, Seat.GOVERNMENT, draft, version())
            said = [comment(people[(d + k) % len(people)], first, "comment body_source", k) for k in range(COMMENTS_PER_DRAFT)]
            comment(gov, first, "comment body_source (secretariat)", d)
            said += [comment(people[(d + k + 2) % len(people)], first, "reply body_source", k, parent=said[k])
                     for k in range(REPLIES_PER_DRAFT)]
            for k, c in enumerate(said[:3]):
                reporter = next(p for p in people[k + 1:] + people if p.id != c.author_id)
                moderation.report(reporter, c, text("report reason", max_length=2000))
            moderation.hide(guarantor, Seat.GUARANTOR, said[0], text("moderation hide reason", max_length=2000))
            moderation.dismiss(gov, Seat.GOVERNMENT, said[1], text("moderation dismiss reason", max_length=2000))
            hidden_for.append((said[0].author, f"/drafts/{draft.id}/versions/1"))
            first.comments_close_at = utcnow() - timedelta(minutes=1)
            visible = said[1:]
            for k, c in enumerate(visible):
                responses.respond(gov, Seat.GOVERNMENT, c, OUTCOMES[k % len(OUTCOMES)],
                                  rich("comment response justification_source"))
            second = drafts.publish_version(gov, Seat.GOVERNMENT, draft, version([c.id for c in visible[:2]]))
            if d % 2:  # the second round closes; the seats object to adopting the draft as it stands
                second.comments_close_at = utcnow() - timedelta(minutes=1)
                for seat, member in seats.items():
                    drafts.take_adoption_position(member, seat, draft, "object",
                                                  text("adoption position comment", max_length=5000))
            else:
                comment(people[0], second, "comment body_source", d)
            made_drafts.append(draft)

        # Meetings of the hostile calls and of the drafting call: attendance, objections to the minutes.
        made_meetings = []
        for i in range(MEETINGS):
            call = (made_calls + [drafting])[i % (len(made_calls) + 1)]
            data = {"title": text("meeting title", min_length=3, max_length=200), "theme": call.themes[0].id if i % 2 else None,
                    "starts_at": now - timedelta(days=1), "modality": MODALITIES[i % len(MODALITIES)],
                    "place": text("meeting place", max_length=300), "territory": "national" if i % 2 else "MX-OAX",
                    "minutes_source": rich("meeting minutes_source"), "agreements_source": rich("meeting agreements_source")}
            meeting = meetings.create_meeting(gov, Seat.GOVERNMENT, call, data)
            meetings.publish_meeting(gov, Seat.GOVERNMENT, meeting)
            if i == 0:
                meetings.update_meeting(gov, Seat.GOVERNMENT, meeting, {
                    **data, "title": text("meeting title", min_length=3, max_length=200),
                    "place": text("meeting place", max_length=300), "minutes_source": rich("meeting minutes_source"),
                    "agreements_source": rich("meeting agreements_source")})
            meetings.add_attendees(gov, Seat.GOVERNMENT, meeting, [u.email for u in people + list(seats.values())])
            meetings.set_unregistered(gov, Seat.GOVERNMENT, meeting, {"citizen": 7, "academia": 2})
            if meeting.minutes:
                for seat, member in seats.items():
                    meetings.take_position(member, seat, meeting, "object", text("minutes position comment", max_length=5000))
            made_meetings.append(meeting)

        # Ballots: set up to open later (as the form requires), then moved into the past to be voted on.
        made_ballots = []
        for i in range(BALLOTS):
            on_drafts = i == 1
            ballot = votes.create_ballot(gov, Seat.GOVERNMENT, drafting if on_drafts else made_calls[i % len(made_calls)], {
                "kind": "commitments" if on_drafts else "themes", "electorate": "participants",
                "question": text("ballot question", min_length=5, max_length=300),
                "opens_at": now + timedelta(hours=1), "closes_at": now + timedelta(days=3),
                "drafts": [d.id for d in made_drafts] if on_drafts else []})
            votes.publish_ballot(gov, Seat.GOVERNMENT, ballot)
            ballot.opens_at = now - timedelta(days=2)
            for person in people[:3]:
                votes.cast_vote(person, ballot, {"approve": [o.id for o in ballot.options]})
            if i < 2:
                ballot.closes_at = utcnow() - timedelta(minutes=1)
                votes.publish_results(gov, Seat.GOVERNMENT, ballot)
            made_ballots.append(ballot)
        db.session.commit()

        calls_shown = made_calls + open_calls + [deliberation]
        pages = [*LISTS, *(f"/organisations/{o.id}" for o in orgs), *(f"/proposals/{p.id}" for p in submitted + answered),
                 *(f"/calls/{c.id}" for c in calls_shown), *(f"/calls/{c.id}/record" for c in calls_shown),
                 *(f"/plans/{p.id}" for p in made_plans)]
        drafting_pages = [page for d in made_drafts for page in (
            f"/drafts/{d.id}", f"/drafts/{d.id}/versions/1", f"/drafts/{d.id}/compare", f"/drafts/{d.id}/compare?from=2&to=1")]
        pages += [*drafting_pages, *(f"/calls/{c.id}/meetings" for c in calls_shown),
                  *(f"/meetings/{m.id}" for m in made_meetings), *(f"/calls/{c.id}/ballots" for c in calls_shown),
                  *(f"/ballots/{b.id}" for b in made_ballots)]
        result = {"pages": pages, "secretariat": gov.email, "participant": people[0].email,
                  "secretariat_only": ["/moderation/reports", *(f"/meetings/{m.id}/attendance" for m in made_meetings)],
                  "drafting_pages": drafting_pages, "hidden_for": [(u.email, page) for u, page in hidden_for],
                  "adopt": f"/ballots/{made_ballots[1].id}"}
    missing = set(range(len(vectors))) - {s.vector for s in corpus.submissions}
    assert not missing, f"{len(missing)} vectors were not stored"
    result["stored"] = len(corpus.submissions)
    return result


class Watch:
    """What one browser page reports: dialogs, console and page errors (through the conftest's list)."""

    def __init__(self, page, errors: list[str]):
        self.page, self.errors, self.dialogs = page, errors, []
        page.add_init_script(MONITOR)

        def on_dialog(dialog):
            self.dialogs.append(f"{dialog.type} dialog on {page.url}: {dialog.message!r}")
            dialog.dismiss()

        page.on("dialog", on_dialog)


def open_watched(browser, opened: list) -> Watch:
    """A further page in its own context, with the same console/page-error listeners as the `page` fixture."""
    context = browser.new_context(locale="es-MX")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors = _PAGE_ERRORS.setdefault(id(page), [])

    def on_console(message):
        if message.type == "error":
            errors.append(f"console error on {page.url}: {message.text} ({(message.location or {}).get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"page error on {page.url}: {error}"))
    opened.append(page)
    return Watch(page, errors)


def log_in(watch: Watch, base: str, email: str) -> None:
    page = watch.page
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator("form", has=page.locator("#password")).locator("button[type=submit]").click()
    assert not urlsplit(page.url).path.startswith("/login"), f"{email} could not log in"


def inspect(watch: Watch, path: str, before_errors: int, before_dialogs: int, problems: list[str]) -> None:
    """What the page now open holds and what it reported since it was asked for."""
    page = watch.page
    scripts = page.evaluate("document.querySelectorAll('script').length")
    if scripts:
        problems.append(f"{path}: {scripts} <script> element(s) in the document")
    problems.extend(f"{path}: {found}" for found in page.evaluate(DOM_AUDIT))
    violations = page.evaluate("window.__csp")
    if violations is None:
        problems.append(f"{path}: the CSP violation monitor is not installed")
    problems.extend(f"{path}: CSP violation {v}" for v in violations or [])
    problems.extend(watch.errors[before_errors:])
    problems.extend(watch.dialogs[before_dialogs:])


def submit(watch: Watch, base: str, path: str, form: str, problems: list[str]) -> None:
    """Open ``path``, submit its ``form`` (a selector) and inspect the page it leads to, with its message."""
    page = watch.page
    page.goto(base + path, wait_until="load")
    before_errors, before_dialogs = len(watch.errors), len(watch.dialogs)
    with page.expect_navigation(wait_until="load"):
        page.locator(form).locator("button[type=submit]").click()
    if not page.locator(".flash").count():
        problems.append(f"{path}: submitting {form} showed no message")
    inspect(watch, f"{path} (after submitting {form})", before_errors, before_dialogs, problems)


def tour(watch: Watch, base: str, seeds: list[str], follow: bool, problems: list[str]) -> int:
    """Open the seeds (and, with ``follow``, the listed pages they link to, as the server-side crawl does)."""
    page = watch.page
    queue, seen = deque(seeds), set()
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        before_errors, before_dialogs = len(watch.errors), len(watch.dialogs)
        response = page.goto(base + path, wait_until="load")
        if response is None or response.status != 200:
            problems.append(f"{path}: HTTP {response.status if response else 'no response'}")
            continue
        inspect(watch, path, before_errors, before_dialogs, problems)
        for href in page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not Campaign.PAGE.match(parts.path):
                continue
            if not follow and parts.path != urlsplit(path).path:
                continue
            if any(key not in Campaign.PAGING for key, _v in parse_qsl(parts.query)):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return len(seen)


def explain(problem: str, vectors: list[str]) -> list[str]:
    """The vector(s) behind a problem: by the dialog's number, or by the markup the browser reported."""
    numbers = re.findall(r"dialog on .*: '(\d{4})'|(?:alert|confirm|prompt)\((\d{4})\)", problem)
    exact = sorted({int(a or b) - 1000 for a, b in numbers} & set(range(len(vectors))))
    if exact:
        return [f"    vector #{i}: {vectors[i][:200]}" for i in exact]
    markup = re.search(r"(<[a-z][^>]*>)", problem)
    if not markup:
        return []
    tokens = re.findall(r"(on\w+|javascript|vbscript|data:text/html|<\w+)", html.unescape(markup.group(1)).lower())
    hits = [i for i, v in enumerate(vectors) if tokens and all(t in html.unescape(v).lower() for t in tokens)]
    return [f"    maybe vector #{i}: {vectors[i][:200]}" for i in hits[:3]]


def test_no_hostile_content_runs_in_the_browser(page, browser, live_server, app):
    started = time.monotonic()
    vectors = numbered(load_vectors())
    seeded = seed(app, vectors)
    anonymous = Watch(page, _PAGE_ERRORS[id(page)])
    opened = []
    problems: list[str] = []
    try:
        # The secretariat sees every page the public does, plus member lists and forms: anonymous visitors
        # only open the lists (and their next pages), to keep the number of page loads down.
        visited = tour(anonymous, live_server, LISTS, False, problems)
        secretariat = open_watched(browser, opened)
        log_in(secretariat, live_server, seeded["secretariat"])
        visited += tour(secretariat, live_server, [*seeded["pages"], "/organisations/review", "/account", "/my/activity",
                                                   *seeded["secretariat_only"]], True, problems)
        # Adopting drafts by vote: the message names them (their titles are hostile).
        submit(secretariat, live_server, seeded["adopt"], "form[action$='/adopt']", problems)
        participant = open_watched(browser, opened)
        log_in(participant, live_server, seeded["participant"])
        visited += tour(participant, live_server, ["/", "/account", "/my/activity", "/my/organisations",
                                                   *seeded["drafting_pages"]], False, problems)
        for email, path in seeded["hidden_for"]:  # the authors of hidden comments can still read them
            author = participant if email == seeded["participant"] else open_watched(browser, opened)
            if author is not participant:
                log_in(author, live_server, email)
            visited += tour(author, live_server, [path], False, problems)
    finally:
        for other in opened:
            _PAGE_ERRORS.pop(id(other), None)
            other.context.close()
    report = []
    for problem in dict.fromkeys(problems):
        report.append(problem)
        report.extend(explain(problem, vectors))
    print(f"{len(vectors)} vectors stored in {seeded['stored']} field values; {visited} pages opened in "
          f"{time.monotonic() - started:.1f} s; {len(dict.fromkeys(problems))} problem(s)")
    if report:
        _PAGE_ERRORS.get(id(page), []).clear()  # they are in this report; the fixture need not repeat them
        pytest.fail("Hostile content ran, or tried to, in the browser:\n" + "\n".join(report[:300]), pytrace=False)
