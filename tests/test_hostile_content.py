"""Hostile content: every XSS vector of tests/data/xss_vectors.txt goes in through the site's own forms
(with CSRF, as a browser would send them), and no page that shows it back may carry anything that runs.

The vectors are dealt out to the text fields in turn: each field of each object gets the next vector
that its form can hold (length limits), the least used first, so the whole corpus goes through and
most vectors through several fields. URL fields (website, proposal links) get the vector after
https://xss.example.org/, since the forms refuse anything but http(s) URLs (a few raw javascript:/data:
URLs are tried too, and must be refused); a sample is also reflected through query strings (directory
search, login ?next=). What a form refuses is counted, not failed; refused forms are re-shown with what
was typed, so those pages are audited too. Then every page that shows the data is
fetched by an anonymous visitor, by the secretariat (member lists, verification and response forms), by each
participant (/account, /my/...), and parsed: no <script>, no on* attribute, no javascript:/vbscript:/
data:text/html URL, no <iframe>/<object>/<embed>/<base>/<meta http-equiv>, no <form> but the site's
own, and a Content-Security-Policy without inline script on every response.

The same goes for drafting, moderation, meetings and votes: draft commitments (title; each version's six
template sections, milestones and change note, in two rounds), comments and replies (some for an
organisation), reports and the hide/dismiss reasons (the per-comment forms, prefixed rep<id>-, mod<id>-,
r<id>-), reasoned responses to comments, the seats' comments on adopting a draft and on signing minutes,
meetings (title, place, minutes, agreements; attendance, whose refusal names the unknown addresses given)
and ballot questions, with votes, published results and drafts adopted by vote; their pages are crawled
too. Each comparison of two versions, both ways, must read back as exactly the two versions' texts: its
word diff is built as Markup in drafts/services.py, so every piece of both must have been escaped.

tests/browser/test_hostile_content.py loads the same data into Chromium and watches for dialogs.
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from markupsafe import escape
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from ogpcocreate.approvals.models import Approval
from ogpcocreate.auth.models import User
from ogpcocreate.calls.models import Call
from ogpcocreate.comments.models import Comment
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.forms import SINGLE_LINE_MESSAGE
from ogpcocreate.core.i18n import to_local
from ogpcocreate.core.sectors import Seat
from ogpcocreate.core.text import single_line_problem
from ogpcocreate.drafts.models import TEXT_SECTIONS, DraftCommitment, DraftVersion, Section
from ogpcocreate.extensions import db
from ogpcocreate.meetings.models import Attendance, Meeting
from ogpcocreate.moderation.models import ModerationAction, Report
from ogpcocreate.proposals.models import Proposal
from ogpcocreate.responses.models import Response
from ogpcocreate.votes.models import Ballot, BallotVoter

from .factories import PASSWORD, make_call, make_plan, make_proposal, make_seat, make_user

VECTORS_FILE = Path(__file__).parent / "data" / "xss_vectors.txt"
MIN_VECTORS = 150


def load_vectors() -> list[str]:
    """One payload per line (split on \\n only: tabs and other controls belong to the payload)."""
    with VECTORS_FILE.open(encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    vectors = [line for line in lines if line and not line.startswith("#")]
    assert len(vectors) >= MIN_VECTORS, f"{VECTORS_FILE} has {len(vectors)} vectors, fewer than {MIN_VECTORS}"
    assert len(set(vectors)) == len(vectors), "duplicate vectors in the corpus"
    return vectors


# --- what a served page must not contain --------------------------------------------------------------

FORBIDDEN_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal", "fencedframe"}
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "srcdoc", "xlink:href", "data", "poster", "background", "codebase",
    "dynsrc", "lowsrc", "to", "from", "values", "by",
}  # fmt: skip
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
# White space, C0/C1 controls and invisible format characters: browsers ignore them around (and tabs and
# newlines inside) a URL, so they are removed before looking at the scheme.
INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff]+")
STYLE_SCRIPT = re.compile(r"expression\(|javascript:|vbscript:|-moz-binding|behavior:")


class PageAudit(HTMLParser):
    """Collects offences (and the site-relative links, for the crawl) from one HTML page."""

    def __init__(self, url_adapter):
        super().__init__(convert_charrefs=True)
        self.url_adapter = url_adapter
        self.offences: list[tuple[str, str]] = []  # (what, raw start tag)
        self.links: list[str] = []

    def _offend(self, what: str) -> None:
        self.offences.append((what, (self.get_starttag_text() or "")[:400]))

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self._offend(f"<{tag}> element")
        values = {}
        for name, value in attrs:
            name, value = name.lower(), value or ""
            values[name] = value
            if name.startswith("on"):
                self._offend(f"event-handler attribute {name}=")
            squeezed = INVISIBLE.sub("", value).lower()
            if name in URL_ATTRIBUTES and squeezed.startswith(DANGEROUS_SCHEMES):
                self._offend(f"{name}= with a script-running URL")
            if name == "style" and STYLE_SCRIPT.search(squeezed):
                self._offend("style= with a script-running value")
        if tag == "meta" and "http-equiv" in values:
            self._offend(f"<meta http-equiv={values['http-equiv']!r}>")
        if tag == "form":
            self._check_form(values.get("action"), (values.get("method") or "get").upper())
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])

    def _check_form(self, action: str | None, method: str) -> None:
        """The site's own forms post to one of its routes (no action: to the page itself)."""
        if not action:
            return
        parts = urlsplit(action)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            self._offend("<form> posting off the site")
            return
        try:
            self.url_adapter.match(parts.path, method=method)
        except RequestRedirect:
            pass
        except HTTPException:
            self._offend(f"<form> posting to {parts.path}, which is not one of the site's {method} routes")


def csp_problems(response) -> list[str]:
    policy = response.headers.get("Content-Security-Policy")
    if not policy:
        return ["no Content-Security-Policy header"]
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = [w.lower() for w in words[1:]]
    problems = []
    if "'self'" not in directives.get("script-src", []):
        problems.append(f"script-src is not 'self': {policy}")
    for bad in ("'unsafe-inline'", "'unsafe-eval'"):
        if bad in policy.lower():
            problems.append(f"the policy allows {bad}: {policy}")
    return problems


class DiffText(HTMLParser):
    """The text of each element of class "diff" on a comparison page, read two ways: the old text
    (unchanged and struck-through text) and the new text (unchanged and inserted text). One such element
    per changed section holds both (an inline diff); two per section are its old and new columns (side by
    side). Any element in there other than <del>/<ins> is noted: a diff must hold nothing else."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[list[str]] = []  # [old, new] per element of class "diff"
        self.inside: str | None = None  # the tag of the diff element being read
        self.mark: str | None = None
        self.stray: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.inside:
            if tag in ("del", "ins") and self.mark is None:
                self.mark = tag
            else:
                self.stray.append((self.get_starttag_text() or tag)[:200])
        elif "diff" in (dict(attrs).get("class") or "").split():
            self.inside = tag
            self.texts.append(["", ""])

    def handle_endtag(self, tag):
        if self.inside and tag == self.mark:
            self.mark = None
        elif self.inside and tag == self.inside:
            self.inside = None

    def handle_data(self, data):
        if self.inside:
            if self.mark != "ins":
                self.texts[-1][0] += data
            if self.mark != "del":
                self.texts[-1][1] += data

    def sections(self, changed: int) -> list[tuple[str, str]] | None:
        """(old, new) per changed section, whichever the layout; None if the count fits neither."""
        if len(self.texts) == changed:
            return [(old, new) for old, new in self.texts]
        if len(self.texts) == 2 * changed:
            return [(self.texts[i][0], self.texts[i + 1][1]) for i in range(0, len(self.texts), 2)]
        return None


# --- dealing the vectors out --------------------------------------------------------------------------


@dataclass
class Submission:
    field: str
    vector: int
    url: str
    accepted: bool | None = None
    page: str | None = None  # the page of the object it was saved on


@dataclass
class Corpus:
    """Deals vectors to fields, the least used (that fits) first, in corpus order from a moving cursor."""

    vectors: list[str]
    uses: list[int] = field(default_factory=list)
    cursor: int = 0
    submissions: list[Submission] = field(default_factory=list)

    def __post_init__(self):
        self.uses = [0] * len(self.vectors)

    def take(self, field_name: str, url: str, max_length: int = 10**6, min_length: int = 1,
             allow_space: bool = True) -> Submission:
        n = len(self.vectors)

        def fits(i):
            v = self.vectors[i].strip()
            return min_length <= len(v) <= max_length and (allow_space or not re.search(r"\s", v))

        best = min((i for i in range(n) if fits(i)), key=lambda i: (self.uses[i], (i - self.cursor) % n))
        self.uses[best] += 1
        self.cursor = (best + 1) % n
        submission = Submission(field_name, best, url)
        self.submissions.append(submission)
        return submission

    def text(self, submission: Submission) -> str:
        return self.vectors[submission.vector]


# Form limits (the forms' Length validators); a longer vector would make the whole form be refused.
NAME = {"min_length": 2, "max_length": 120}
TITLE = {"min_length": 5, "max_length": 200}
WEB_PREFIX = "https://xss.example.org/"


def field_errors(page: str) -> dict[str, str]:
    """The fields a re-shown form marks as wrong, and why (the field macro gives each error an id)."""
    return {name: html.unescape(why).strip() for name, why in re.findall(r'id="([\w-]+)-error">(.*?)</p>', page, re.S)}


class Campaign:
    """Submits hostile data through the forms, audits every response, then crawls the pages."""

    def __init__(self, app, make_client, vectors):
        self.app = app
        self.make_client = make_client
        self.corpus = Corpus(vectors)
        self.offences: list[tuple[str, str, str]] = []  # (url, what, raw tag)
        self.csp: list[str] = []
        self.rejected: Counter = Counter()
        self.rejections: list[tuple[str, str, int, str]] = []  # (field, url, vector, why)
        self.pages: Counter = Counter()
        self.responses = 0
        with app.app_context():
            self.adapter = app.url_map.bind("localhost")

    # Every response passes through here.
    def audit(self, url: str, response) -> PageAudit:
        self.responses += 1
        self.csp.extend(f"{url}: {p}" for p in csp_problems(response))
        parser = PageAudit(self.adapter)
        if response.mimetype == "text/html":
            parser.feed(response.get_data(as_text=True))
            parser.close()
        self.offences.extend((url, what, raw) for what, raw in parser.offences)
        return parser

    def post(self, client, url: str, data: dict, slots: dict[str, Submission], page: str | None = None,
             stored: Callable[[], bool] | None = None):
        """POST a form holding the vectors of ``slots`` (form field -> submission); a redirect means saved.

        ``page``: where the saved object is shown, if not where the form redirects to. ``stored``: for the
        forms that redirect whatever happens (the per-comment forms, positions), whether the database
        now holds what was sent; if not, the page redirected to is fetched (and audited) for its flashed
        error, which says why.
        """
        response = client.post_form(url, data)
        self.audit(url, response)
        redirected = response.status_code in (302, 303)
        saved = redirected and (stored is None or stored())
        wrong, default = {}, f"HTTP {response.status_code}"
        if not saved and redirected:
            back = urlsplit(response.headers.get("Location", "")).path
            shown = client.get(back)
            self.audit(back, shown)
            flashed = re.findall(r'class="flash flash-error">(.*?)</p>', shown.get_data(as_text=True), re.S)
            default = "; ".join(html.unescape(f).strip() for f in flashed) or "redirected, nothing stored"
        elif not saved:
            wrong = field_errors(response.get_data(as_text=True))
        for name, submission in slots.items():
            submission.accepted = saved
            submission.page = (page or urlsplit(response.headers.get("Location", "")).path) if saved else None
            if not saved and (name in wrong or not wrong):
                self.rejected[submission.field] += 1
                why = wrong.get(name, default)
                self.rejections.append((submission.field, url, submission.vector, why))
        return response

    def get(self, client, url: str, expect: int = 200) -> PageAudit:
        response = client.get(url)
        assert response.status_code == expect, f"GET {url}: {response.status_code}"
        return self.audit(url, response)

    # --- the crawl ---
    PAGE = re.compile(
        r"^/(|organisations|organisations/\d+|organisations/review|secretariat|record|plans|plans/\d+|calls|"
        r"calls/\d+|calls/\d+/record|proposals/\d+|my/activity|my/organisations|account|"
        r"drafts/\d+|drafts/\d+/versions/\d+|drafts/\d+/compare|moderation|moderation/reports|"
        r"calls/\d+/meetings|meetings/\d+|meetings/\d+/attendance|calls/\d+/ballots|ballots/\d+)$"
    )
    PAGING = {"page", "before"}

    def crawl(self, client, seeds: list[str], viewer: str, follow: bool = True) -> int:
        """Fetch the seeds and the listed pages they link to (with ``follow=False``, only their next pages)."""
        queue, seen = deque(seeds), set()
        while queue:
            url = queue.popleft()
            if url in seen:
                continue
            seen.add(url)
            parser = self.get(client, url)
            for href in parser.links:
                parts = urlsplit(href)
                if parts.scheme or parts.netloc or not self.PAGE.match(parts.path):
                    continue
                if not follow and parts.path != urlsplit(url).path:
                    continue
                if any(key not in self.PAGING for key, _v in parse_qsl(parts.query)):
                    continue
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        self.pages[viewer] += len(seen)
        return len(seen)

    def suspects(self, url: str, raw: str) -> list[str]:
        """The saved vectors likeliest to have produced an offending tag: those saved on that page (or on
        one it belongs to: /drafts/1 for /drafts/1/compare) first, then those containing the whole tag,
        then those containing its tag and attribute names."""
        def squash(text):
            return " ".join(html.unescape(text).lower().split())

        path = urlsplit(url).path
        tag, tokens = squash(raw), re.findall(r"(on\w+|javascript|vbscript|data:text/html|<\w+)", squash(raw))
        ranked = []
        for s in self.corpus.submissions:
            text = squash(self.corpus.text(s))
            if s.accepted and tokens and all(t in text for t in tokens):
                here = s.page is not None and (path == s.page or path.startswith(s.page.rstrip("/") + "/"))
                ranked.append(((not here, tag not in text, s.vector), s))
        lines = []
        for _key, s in sorted(ranked, key=lambda pair: pair[0]):
            line = f"{s.field} (saved on {s.page}) <- vector #{s.vector}: {self.corpus.text(s)[:160]}"
            if line not in lines:
                lines.append(line)
        return lines[:4]


def _login(make_client, email: str):
    c = make_client()
    c.login(email)
    return c


def _id_from(response, pattern: str) -> int:
    match = re.search(pattern, response.headers.get("Location", ""))
    assert match, f"unexpected redirect {response.headers.get('Location')!r} ({response.status_code})"
    return int(match.group(1))


def _schedule(app) -> dict[str, str]:
    with app.app_context():
        now = utcnow()
        days = {"announce_at": 1, "opens_at": 16, "closes_at": 36, "deliberation_at": 37, "decision_at": 56, "results_at": 61}
        return {k: to_local(now + timedelta(days=d)).strftime("%Y-%m-%dT%H:%M") for k, d in days.items()}


# How much of each: a little over two passes over a corpus of ~300 vectors, in ~330 POSTs.
REGISTRANTS = 8
EXTRA_PARTICIPANTS = 6
ORGANISATIONS = 40
EDITED_ORGANISATIONS = 10
LEFT_PENDING = 5
PROPOSALS = 50
PLANS = 10
CALLS = 15
THEMES_PER_CALL = 3
ANSWERED = 6
REVISIONS = 5
RAW_PROBES = 8
# ... and for drafting, moderation, meetings and votes, another pass, in ~200 POSTs.
DRAFTS = 4
DRAFT_MILESTONES = 3
COMMENTS_PER_DRAFT = 5
REPLIES_PER_DRAFT = 3
REPORTED_PER_DRAFT = 4
MEETINGS = 6
EDITED_MEETINGS = 2
SIGNED_MEETINGS = 3
EMAIL_PROBES = 4
BALLOTS = 4
VOTERS = 4
OUTCOMES = ["not_adopted", "partially_adopted", "merged", "out_of_scope", "adopted"]
MODALITIES = ["in_person", "hybrid", "online"]
FORM_TIME = "%Y-%m-%dT%H:%M"
# Days from now of a call's dates when it is in deliberation (as tests/factories.py make_call).
DELIBERATION_DATES = {"announce_at": -60, "opens_at": -40, "closes_at": -20, "deliberation_at": -10, "decision_at": 10,
                      "results_at": 20}


def compare_problems(app, client, draft_ids: list[int]) -> list[str]:
    """Each comparison page, both ways, must read back as the two versions' texts: the word diff
    (drafts/services.py, built as Markup) escaped every piece of both, and holds only <del>/<ins>."""
    problems = []
    for draft_id in draft_ids:
        with app.app_context():
            versions = {v.number: v for v in db.session.scalars(select(DraftVersion).where(DraftVersion.draft_id == draft_id))}
            texts = {n: [(s.value, getattr(v, f"{s.value}_source") if s in TEXT_SECTIONS else
                          [text for m in v.milestones for text in (m.description, m.responsible)]) for s in Section]
                     for n, v in versions.items()}
        if len(texts) < 2:
            continue
        for old, new, url in ((1, 2, f"/drafts/{draft_id}/compare"), (2, 1, f"/drafts/{draft_id}/compare?from=2&to=1")):
            parser = DiffText()
            parser.feed(client.get(url).get_data(as_text=True))
            parser.close()
            problems.extend(f"{url}: element inside a diff: {tag}" for tag in parser.stray)
            expected = [(name, a, b) for (name, a), (_n, b) in zip(texts[old], texts[new], strict=True) if a != b]
            read = parser.sections(len(expected))
            if read is None:
                problems.append(f"{url}: {len(parser.texts)} diff elements shown for {len(expected)} changed sections")
                continue
            for (name, a, b), (shown_old, shown_new) in zip(expected, read, strict=True):
                if isinstance(a, list):  # milestones: each description and institution is in the diff's text
                    ok = all(t in shown_old for t in a) and all(t in shown_new for t in b)
                else:
                    ok = (shown_old, shown_new) == (a, b)
                if not ok:
                    problems.append(f"{url}: the {name} diff does not read back as the two versions' text: "
                                    f"{shown_old[:100]!r} -> {shown_new[:100]!r}, expected {str(a)[:100]!r} -> {str(b)[:100]!r}")
    return problems


def test_hostile_content_is_never_served_as_markup(app, make_client):
    vectors = load_vectors()
    run = Campaign(app, make_client, vectors)
    corpus = run.corpus

    # --- people: the three seats, some participants made directly, some registered through the form ---
    with app.app_context():
        seats = {seat: make_user(f"seat-{seat.value}@example.org") for seat in Seat}
        for seat, user in seats.items():
            make_seat(user, seat)
        extras = [make_user(f"participant{i}@example.org") for i in range(EXTRA_PARTICIPANTS)]
        open_calls = [make_call(make_plan(), phase="open") for _ in range(2)]
        deliberation = make_call(make_plan(), phase="deliberation")
        answered = [make_proposal(deliberation, extras[i % len(extras)]) for i in range(ANSWERED)]
        db.session.commit()
        seat_emails = {seat: u.email for seat, u in seats.items()}
        extra_emails = [u.email for u in extras]
        open_call_themes = {c.id: [t.id for t in c.themes] for c in open_calls}
        answered_ids = [p.id for p in answered]

    secretariat = {seat: _login(make_client, email) for seat, email in seat_emails.items()}
    gov = secretariat[Seat.GOVERNMENT]
    participants = {email: _login(make_client, email) for email in extra_emails}
    shown = []  # (client, page, text it must show, escaped): proof that the pages audited do show the vectors
    for client in [*secretariat.values(), *participants.values()]:
        s = corpus.take("profile display_name", "/account", **NAME)
        run.post(client, "/account", {"display_name": corpus.text(s), "territory": "", "locale": "es"}, {"display_name": s})
        shown.append((client, "/account", corpus.text(s)))

    anonymous = make_client()
    for i in range(REGISTRANTS):
        email = f"registrant{i}@example.org"
        s = corpus.take("registration display_name", "/register", **NAME)
        run.post(anonymous, "/register", {"display_name": corpus.text(s), "email": email, "password": PASSWORD,
                                          "password_confirm": PASSWORD, "territory": "", "locale": "es"},
                 {"display_name": s})
        anonymous = make_client()  # the next registration starts a fresh visit
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == email))
            if user is None:
                continue
            user.email_confirmed_at = utcnow()
            db.session.commit()
        participants[email] = _login(make_client, email)

    # --- organisations: every participant registers some ---
    owners: dict[int, object] = {}
    names = []
    people = list(participants.values())

    def org_form(url):
        slots = {
            "name": corpus.take("organisation name", url, min_length=3, max_length=200),
            "acronym": corpus.take("organisation acronym", url, max_length=30),
            "website": corpus.take("organisation website", url, max_length=300 - len(WEB_PREFIX)),
            "description_source": corpus.take("organisation description_source", url),
        }
        data = {"sector": "academia", "territory": "MX-OAX", "cluni": "", "rfc": "",
                **{k: corpus.text(s) for k, s in slots.items()}}
        data["website"] = WEB_PREFIX + data["website"].strip()
        return data, slots

    for i in range(ORGANISATIONS):
        client = people[i % len(people)]
        data, slots = org_form("/organisations/new")
        response = run.post(client, "/organisations/new", data, slots)
        if response.status_code == 400:  # refused (a duplicate name, say): once more with plain values where refused
            wrong = field_errors(response.get_data(as_text=True))
            data.update({k: v for k, v in {"name": f"Organización {i}", "acronym": "", "website": ""}.items() if k in wrong})
            response = run.post(client, "/organisations/new", data, {k: s for k, s in slots.items() if k not in wrong})
        if response.status_code == 302:
            owners[_id_from(response, r"/organisations/(\d+)$")] = client
            names.append(data["name"])
    org_ids = list(owners)
    shown.extend((gov, f"/organisations/{i}", name) for i, name in list(zip(org_ids, names, strict=True))[EDITED_ORGANISATIONS:])

    # --- proposals to the open calls, for an organisation or as an individual ---
    own_orgs: dict[int, list[int]] = defaultdict(list)
    for org_id, client in owners.items():
        own_orgs[id(client)].append(org_id)
    proposal_ids = []
    for i in range(PROPOSALS):
        client = people[i % len(people)]
        call_id = list(open_call_themes)[i % 2]
        url = f"/calls/{call_id}/proposals/new"
        slots = {
            "title": corpus.take("proposal title", url, **TITLE),
            "problem_source": corpus.take("proposal problem_source", url),
            "action_source": corpus.take("proposal action_source", url),
            "expected_result_source": corpus.take("proposal expected_result_source", url),
            "links": corpus.take("proposal links", url, max_length=400, allow_space=False),
        }
        mine = own_orgs.get(id(client)) or [0]
        data = {"organisation": str(mine[i % len(mine)] if i % 3 else 0),
                "theme": str(open_call_themes[call_id][i % len(open_call_themes[call_id])]),
                **{k: corpus.text(s) for k, s in slots.items()}}
        data["links"] = WEB_PREFIX + data["links"].strip()
        response = run.post(client, url, data, slots)
        if response.status_code == 302:
            proposal_ids.append(_id_from(response, r"/proposals/(\d+)$"))
            shown.append((client, f"/proposals/{proposal_ids[-1]}", corpus.text(slots["title"])))

    # --- plans and calls, by the secretariat; each seat approves each call with a comment ---
    plan_ids = []
    for _ in range(PLANS):
        slots = {"name": corpus.take("plan name", "/plans/new", min_length=3, max_length=200),
                 "description_source": corpus.take("plan description_source", "/plans/new")}
        data = {"period_start": "2025", "period_end": "2027", "status": "co_creation", "requires_tripartite": "y",
                "notice_days": "14", **{k: corpus.text(s) for k, s in slots.items()}}
        response = run.post(gov, "/plans/new", data, slots)
        if response.status_code == 302:
            plan_ids.append(_id_from(response, r"/plans/(\d+)$"))
    assert plan_ids, "no plan could be created"

    dates = _schedule(app)
    call_ids = []
    for i in range(CALLS):
        url = f"/plans/{plan_ids[i % len(plan_ids)]}/calls/new"
        slots = {"title": corpus.take("call title", url, **TITLE),
                 "description_source": corpus.take("call description_source", url)}
        themes = [corpus.take("call themes", url, max_length=200) for _ in range(THEMES_PER_CALL)]
        data = {"submitters": "organisations_and_individuals", **dates, **{k: corpus.text(s) for k, s in slots.items()},
                "themes": "\n".join(corpus.text(s) for s in themes)}
        response = run.post(gov, url, data, {**slots, **{f"themes{j}": s for j, s in enumerate(themes)}})
        if response.status_code == 302:
            call_ids.append(_id_from(response, r"/calls/(\d+)$"))
    for call_id in call_ids:
        for client in secretariat.values():
            url = f"/calls/{call_id}/positions"
            s = corpus.take("approval comment", url, max_length=5000)
            run.post(client, url, {"action": "publish_call", "stance": "approve", "comment": corpus.text(s)}, {"comment": s})
    with app.app_context():  # announced now, so public from here on (ogpcocreate/visibility.py)
        for call_id in call_ids:
            db.session.get(Call, call_id).announce_at = utcnow() - timedelta(minutes=1)
        db.session.commit()

    # --- reasoned responses (and revisions of them) to proposals of a call in deliberation ---
    outcomes = ["not_adopted", "partially_adopted", "merged", "out_of_scope", "adopted"]
    for revision in range(REVISIONS):
        for proposal_id in answered_ids:
            url = f"/proposals/{proposal_id}/response"
            s = corpus.take("response justification_source", url)
            run.post(gov, url, {"outcome": outcomes[revision % len(outcomes)], "justification_source": corpus.text(s)},
                     {"justification_source": s})

    # --- edits: what the organisations showed before is audited first, then replaced ---
    for org_id in org_ids[:EDITED_ORGANISATIONS]:
        run.get(gov, f"/organisations/{org_id}")
        url = f"/organisations/{org_id}/edit"
        data, slots = org_form(url)
        response = run.post(owners[org_id], url, data, slots)
        if response.status_code == 400:
            wrong = field_errors(response.get_data(as_text=True))
            data.update({k: v for k, v in {"name": f"Organización editada {org_id}", "acronym": "", "website": ""}.items() if k in wrong})
            run.post(owners[org_id], url, data, {k: s for k, s in slots.items() if k not in wrong})

    # --- verification: the secretariat rejects most, with a public reason ---
    for org_id in org_ids[: max(len(org_ids) - LEFT_PENDING, 0)]:
        url = f"/organisations/{org_id}/verification"
        s = corpus.take("verification reason", url, max_length=2000)
        run.post(secretariat[Seat.GUARANTOR], url, {"decision": "rejected", "reason": corpus.text(s)}, {"reason": s},
                 page=f"/organisations/{org_id}")

    # --- draft commitments: one open call moves on to deliberation, and its proposals become drafts ---
    def rows(model, *where) -> int:
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(model).where(*where))

    def close_round(draft_id: int, number: int) -> None:
        with app.app_context():
            version = db.session.scalar(select(DraftVersion).where(DraftVersion.draft_id == draft_id,
                                                                   DraftVersion.number == number))
            version.comments_close_at = utcnow() - timedelta(minutes=1)
            db.session.commit()

    drafting_call = list(open_call_themes)[1]
    with app.app_context():
        call = db.session.get(Call, drafting_call)
        now = utcnow()
        for name, days in DELIBERATION_DATES.items():
            setattr(call, name, now + timedelta(days=days))
        db.session.commit()
        drafting_proposals = list(db.session.scalars(select(Proposal.id).where(Proposal.call_id == drafting_call)))
        drafting_theme = call.themes[0].id
    pending = set(org_ids[max(len(org_ids) - LEFT_PENDING, 0):])  # not rejected: one may comment for them
    voice = {id(c): next((o for o in own_orgs.get(id(c), []) if o in pending), 0) for c in people}
    sections = [s.value for s in Section]

    def version_form(url, incorporate=()):
        slots = {f"{s}_source": corpus.take(f"draft version {s}_source", url) for s in TEXT_SECTIONS}
        for i in range(DRAFT_MILESTONES):
            slots[f"milestones-{i}-description"] = corpus.take("draft milestone description", url, max_length=500)
            slots[f"milestones-{i}-responsible"] = corpus.take("draft milestone responsible", url, max_length=200)
        slots["change_note"] = corpus.take("draft version change_note", url, max_length=5000)
        data = {k: corpus.text(s) for k, s in slots.items()}
        data.update({f"milestones-{i}-due": f"2027-{i + 1:02d}-15" for i in range(DRAFT_MILESTONES)})
        data.update(comment_days="7", incorporate_comments=[str(i) for i in incorporate])
        return data, slots

    def comment(client, draft_id, field_name, k, parent=None):
        url = f"/drafts/{draft_id}/comments"
        s = corpus.take(field_name, url, max_length=10000)
        data = {"section": "" if parent else ["", *sections][k % (len(sections) + 1)],
                "organisation": str(voice.get(id(client), 0) if k % 2 else 0), "body_source": corpus.text(s),
                "parent": str(parent or "")}
        response = run.post(client, url, data, {"body_source": s})
        return _id_from(response, r"#comment-(\d+)$") if response.status_code == 302 else None

    draft_ids, compared, hidden_seen = [], [], []
    run.get(gov, f"/calls/{drafting_call}/drafts/new")
    for d in range(DRAFTS):
        url = f"/calls/{drafting_call}/drafts/new"
        s = corpus.take("draft title", url, **TITLE)
        sources = drafting_proposals[d::DRAFTS] or drafting_proposals[:1]
        response = run.post(gov, url, {"title": corpus.text(s), "theme": str(drafting_theme),
                                       "sources": [str(i) for i in sources]}, {"title": s})
        if response.status_code != 302:
            continue
        draft_id = _id_from(response, r"/drafts/(\d+)/versions/new$")
        s.page = f"/drafts/{draft_id}"
        url = f"/drafts/{draft_id}/versions/new"
        run.get(gov, url)
        data, slots = version_form(url)
        if run.post(gov, url, data, slots).status_code != 302:
            continue
        draft_ids.append(draft_id)
        shown.append((gov, f"/drafts/{draft_id}", corpus.text(s)))

        # the round of version 1: comments (some for an organisation), replies, one by the secretariat
        contributions = []  # (comment id, author)
        for k in range(COMMENTS_PER_DRAFT):
            author = people[(d * COMMENTS_PER_DRAFT + k) % len(people)]
            cid = comment(author, draft_id, "comment body_source", k)
            if cid:
                contributions.append((cid, author))
        comment(gov, draft_id, "comment body_source (secretariat)", d)
        for k in range(REPLIES_PER_DRAFT):
            parent, _author = contributions[k % len(contributions)]
            author = people[(d * COMMENTS_PER_DRAFT + k + 3) % len(people)]
            cid = comment(author, draft_id, "reply body_source", k, parent=parent)
            if cid:
                contributions.append((cid, author))

        # reports, then the secretariat hides some (one unreported) and dismisses others; the rest wait
        for k, (cid, author) in enumerate(contributions[:REPORTED_PER_DRAFT]):
            reporter = next(c for c in people[k + d:] + people if c is not author)
            url = f"/comments/{cid}/report"
            s = corpus.take("report reason", url, max_length=2000)
            before = rows(Report)
            run.post(reporter, url, {f"rep{cid}-csrf_token": reporter.token(), f"rep{cid}-reason": corpus.text(s)},
                     {f"rep{cid}-reason": s}, page="/moderation/reports", stored=lambda before=before: rows(Report) > before)
        run.get(gov, "/moderation/reports")
        hidden = {contributions[0][0], contributions[-1][0]}
        decisions = [(contributions[0], "hide", secretariat[Seat.GUARANTOR], {}),
                     (contributions[1], "dismiss", secretariat[Seat.CIVIL_SOCIETY], {"back": "queue"}),
                     (contributions[-1], "hide", gov, {})]
        for (cid, author), decision, moderator, extra in decisions:
            url = f"/comments/{cid}/{decision}"
            s = corpus.take(f"moderation {decision} reason", url, max_length=2000)
            before = rows(ModerationAction)
            run.post(moderator, url, {f"mod{cid}-csrf_token": moderator.token(), f"mod{cid}-reason": corpus.text(s),
                                      **extra}, {f"mod{cid}-reason": s}, page="/moderation",
                     stored=lambda before=before: rows(ModerationAction) > before)
            if decision == "hide":
                hidden_seen.append((author, f"/drafts/{draft_id}/versions/1"))  # the author still reads it
            if s.accepted and decision == "hide" and d == 0:
                shown.append((gov, "/moderation", corpus.text(s)))

        # the round closes; reasoned responses; version 2 incorporates some comments
        close_round(draft_id, 1)
        visible = [cid for cid, _a in contributions if cid not in hidden]
        for k, cid in enumerate(visible):
            url = f"/comments/{cid}/response"
            s = corpus.take("comment response justification_source", url, max_length=20000)
            before = rows(Response, Response.comment_id == cid)
            run.post(gov, url, {f"r{cid}-csrf_token": gov.token(), f"r{cid}-outcome": OUTCOMES[k % len(OUTCOMES)],
                                f"r{cid}-justification_source": corpus.text(s)}, {f"r{cid}-justification_source": s},
                     page=f"/drafts/{draft_id}/versions/1",
                     stored=lambda cid=cid, before=before: rows(Response, Response.comment_id == cid) > before)
        url = f"/drafts/{draft_id}/versions/new"
        run.get(gov, url)  # the form, filled in with version 1, and the comments it may incorporate
        data, slots = version_form(url, incorporate=visible[:2])
        if run.post(gov, url, data, slots).status_code != 302:
            continue
        compared.append(draft_id)
        if d % 2:  # round 2 closes too; the seats object to adopting it as it stands
            close_round(draft_id, 2)
            for client in secretariat.values():
                url = f"/drafts/{draft_id}/positions"
                s = corpus.take("adoption position comment", url, max_length=5000)
                before = rows(Approval, Approval.draft_id == draft_id)
                run.post(client, url, {"action": "adopt_commitment", "stance": "object", "comment": corpus.text(s)},
                         {"comment": s}, page=f"/drafts/{draft_id}",
                         stored=lambda before=before, draft_id=draft_id: rows(Approval, Approval.draft_id == draft_id) > before)
        else:  # round 2 is open: a comment on it
            comment(people[d % len(people)], draft_id, "comment body_source", d)
    assert draft_ids, "no draft commitment could be created and published"

    # --- working meetings of some calls: created, some edited, attendance, objections to the minutes ---
    meeting_calls = [*call_ids[:3], drafting_call]
    with app.app_context():
        meeting_themes = {c: [t.id for t in db.session.get(Call, c).themes] for c in meeting_calls}
        past = to_local(utcnow() - timedelta(days=1)).strftime(FORM_TIME)
        future = to_local(utcnow() + timedelta(days=7)).strftime(FORM_TIME)
        ballot_opens = to_local(utcnow() + timedelta(hours=1)).strftime(FORM_TIME)
        ballot_closes = to_local(utcnow() + timedelta(days=3)).strftime(FORM_TIME)

    def meeting_form(url, call_id, i):
        slots = {"title": corpus.take("meeting title", url, min_length=3, max_length=200),
                 "place": corpus.take("meeting place", url, max_length=300),
                 "minutes_source": corpus.take("meeting minutes_source", url, max_length=50000),
                 "agreements_source": corpus.take("meeting agreements_source", url, max_length=50000)}
        themes = meeting_themes[call_id]
        data = {"theme": str(themes[i % len(themes)] if i % 2 and themes else 0),
                "starts_at": future if i == MEETINGS - 1 else past, "modality": MODALITIES[i % len(MODALITIES)],
                "territory": "national" if i % 3 == 0 else "MX-OAX", **{k: corpus.text(s) for k, s in slots.items()}}
        return data, slots

    meeting_ids = []
    for i in range(MEETINGS):
        call_id = meeting_calls[i % len(meeting_calls)]
        url = f"/calls/{call_id}/meetings/new"
        data, slots = meeting_form(url, call_id, i)
        response = run.post(gov, url, data, slots)
        if response.status_code == 302:
            meeting_ids.append((_id_from(response, r"/meetings/(\d+)$"), call_id, i))
            run.post(gov, f"/meetings/{meeting_ids[-1][0]}/publication", {}, {})  # public with its call
            if len(meeting_ids) > EDITED_MEETINGS:
                shown.append((gov, f"/meetings/{meeting_ids[-1][0]}", data["title"]))
    assert meeting_ids, "no meeting could be recorded"
    for meeting_id, call_id, i in meeting_ids[:EDITED_MEETINGS]:
        run.get(gov, f"/meetings/{meeting_id}")
        url = f"/meetings/{meeting_id}/edit"
        run.get(gov, url)
        data, slots = meeting_form(url, call_id, i)
        run.post(gov, url, data, slots)
    held = [m for m, _c, i in meeting_ids if i != MEETINGS - 1]
    attendees = [*participants, *seat_emails.values()]
    for k, meeting_id in enumerate(held):
        url = f"/meetings/{meeting_id}/attendees"
        run.post(gov, url, {"emails": "\n".join(attendees[k::2] + attendees[:2])}, {})
        run.post(gov, url, {"emails": "\n".join(attendees[:4])}, {})  # already recorded: named in a message
        run.get(gov, f"/meetings/{meeting_id}/attendance")
        run.post(gov, f"/meetings/{meeting_id}/unregistered", {"count_citizen": "7", "count_academia": "2"}, {})
    for i in [i for i, v in enumerate(vectors) if len(v) <= 300][:: max(len(vectors) // EMAIL_PROBES, 1)][:EMAIL_PROBES]:
        url = f"/meetings/{held[0]}/attendees"  # unknown addresses are named in the refusal
        probe = Submission("attendance emails (reflected in the refusal)", i, url)
        corpus.submissions.append(probe)
        run.post(gov, url, {"emails": vectors[i]}, {"emails": probe})
    with app.app_context():
        signable = [m for m in held if db.session.get(Meeting, m).minutes][:SIGNED_MEETINGS]
    for meeting_id in signable:
        for client in secretariat.values():
            url = f"/meetings/{meeting_id}/positions"
            s = corpus.take("minutes position comment", url, max_length=5000)
            before = rows(Approval, Approval.meeting_id == meeting_id)
            run.post(client, url, {"stance": "object", "comment": corpus.text(s)}, {"comment": s}, page=f"/meetings/{meeting_id}",
                     stored=lambda before=before, m=meeting_id: rows(Approval, Approval.meeting_id == m) > before)

    # --- ballots on a call's themes and on the drafts: votes, results published, drafts adopted by vote ---
    with app.app_context():
        theme_calls = [c for c in call_ids if len(db.session.get(Call, c).themes) >= 2][:2] or [drafting_call]
    run.get(gov, f"/calls/{drafting_call}/ballots/new")
    ballot_ids = []
    for i in range(BALLOTS):
        commitments = i % 2 == 1
        call_id = drafting_call if commitments else theme_calls[(i // 2) % len(theme_calls)]
        url = f"/calls/{call_id}/ballots/new"
        s = corpus.take("ballot question", url, min_length=5, max_length=300)
        data = {"kind": "commitments" if commitments else "themes", "electorate": "participants",
                "question": corpus.text(s), "opens_at": ballot_opens, "closes_at": ballot_closes,
                "drafts": [str(d) for d in draft_ids] if commitments else []}
        response = run.post(gov, url, data, {"question": s})
        if response.status_code == 302:
            ballot_ids.append((_id_from(response, r"/ballots/(\d+)$"), commitments))
            run.post(gov, f"/ballots/{ballot_ids[-1][0]}/publication", {}, {})  # nobody votes on it before
            shown.append((gov, f"/ballots/{ballot_ids[-1][0]}", data["question"]))
    assert ballot_ids, "no ballot could be set up"
    with app.app_context():  # all but the last open now; the first two have closed
        options = {}
        for ballot_id, _c in ballot_ids[:-1]:
            ballot = db.session.get(Ballot, ballot_id)
            ballot.opens_at = utcnow() - timedelta(days=2)
            options[ballot_id] = [o.id for o in ballot.options]
        db.session.commit()
    for ballot_id, ids in options.items():
        for k, voter in enumerate(people[:VOTERS]):
            run.post(voter, f"/ballots/{ballot_id}/vote", {"approve": [str(o) for o in ids[k % 2:] or ids]}, {})
    with app.app_context():
        for ballot_id, _c in ballot_ids[:2]:
            db.session.get(Ballot, ballot_id).closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    for ballot_id, commitments in ballot_ids[:2]:
        run.post(gov, f"/ballots/{ballot_id}/publish", {}, {})
        if commitments:
            run.post(gov, f"/ballots/{ballot_id}/adopt", {}, {})  # the message names the drafts adopted
        run.get(gov, f"/ballots/{ballot_id}")

    # --- what validation must refuse: raw URLs as a website or a link; reflected in query strings ---
    url_like = [i for i, v in enumerate(vectors) if re.match(r"\s*(javascript|vbscript|data):", v, re.I)]
    probe_org = org_ids[-1]
    for i in url_like[:RAW_PROBES]:
        url = f"/organisations/{probe_org}/edit"
        raw = Submission("organisation website, raw (not inside an https:// URL)", i, url)
        corpus.submissions.append(raw)
        data = {"name": "Organización de prueba", "acronym": "", "sector": "academia", "territory": "MX-OAX", "cluni": "",
                "rfc": "", "website": vectors[i], "description_source": ""}
        run.post(owners[probe_org], url, data, {"website": raw})
    reflected = [i for i, v in enumerate(vectors) if len(v) <= 100]
    for i in reflected[:: max(len(reflected) // 15, 1)]:
        q = vectors[i]
        corpus.submissions.append(Submission("directory search q (reflected)", i, "/organisations", True, "/organisations"))
        run.get(anonymous, "/organisations?" + urlencode({"q": q}))
        corpus.submissions.append(Submission("login next (reflected)", i, "/login", True, "/login"))
        run.get(anonymous, "/login?" + urlencode({"next": q}))

    # --- every page that shows the data, as each kind of visitor ---
    seeds = ["/", "/organisations", "/secretariat", "/record", "/plans", "/calls",
             *(f"/organisations/{i}" for i in org_ids), *(f"/proposals/{i}" for i in proposal_ids + answered_ids),
             *(f"/calls/{i}" for i in call_ids), *(f"/calls/{i}/record" for i in call_ids),
             *(f"/plans/{i}" for i in plan_ids)]
    drafting_pages = [*(page for i in draft_ids for page in (f"/drafts/{i}", f"/drafts/{i}/versions/1")),
                      *(page for i in compared for page in (f"/drafts/{i}/compare", f"/drafts/{i}/compare?from=2&to=1"))]
    seeds += ["/moderation", *drafting_pages, *(f"/calls/{c}/meetings" for c in meeting_calls),
              *(f"/meetings/{m}" for m, _c, _i in meeting_ids), *(f"/calls/{c}/ballots" for c in {drafting_call, *theme_calls}),
              *(f"/ballots/{b}" for b, _c in ballot_ids)]
    run.crawl(make_client(), seeds, "anonymous")
    run.crawl(gov, [*seeds, "/organisations/review", "/account", "/my/activity", "/moderation/reports",
                    *(f"/meetings/{m}/attendance" for m in held)], "secretariat")
    for client in [*secretariat.values(), *participants.values()]:
        run.crawl(client, ["/", "/account", "/my/activity", "/my/organisations"], "participants", follow=False)
    run.crawl(people[0], drafting_pages, "participants", follow=False)  # with the reply and report forms
    for client, page in hidden_seen:  # authors still read their hidden comments
        run.get(client, page)

    # --- the verdict ---
    tried = Counter(s.field for s in corpus.submissions)
    distinct = {f: len({s.vector for s in corpus.submissions if s.field == f}) for f in tried}
    stored = {s.vector for s in corpus.submissions if s.accepted and "reflected" not in s.field}
    summary = [
        f"{len(vectors)} vectors; {len(corpus.submissions)} field x vector submissions over {len(tried)} fields; "
        f"{sum(run.rejected.values())} refused by validation; {run.responses} responses audited "
        f"({dict(run.pages)} pages crawled)",
        f"{len(draft_ids)} drafts ({len(compared)} with two versions, compared both ways), {rows(Comment)} comments, "
        f"{rows(Report)} reports, {rows(ModerationAction)} moderation decisions; {len(meeting_ids)} meetings "
        f"({rows(Attendance)} attendances); {len(ballot_ids)} ballots ({rows(BallotVoter)} voters, "
        f"{rows(Ballot, Ballot.results_published_at.is_not(None))} published, "
        f"{rows(DraftCommitment, DraftCommitment.adopted_via.is_not(None))} drafts adopted by vote)",
        *(f"  {f}: {tried[f]} tried ({distinct[f]} distinct vectors), {run.rejected[f]} refused" for f in sorted(tried)),
        *(f"  refused: {f} at {url} ({why}): {vectors[i][:100]}" for f, url, i, why in run.rejections),
    ]
    print("\n".join(summary))
    problems = []
    by_tag: dict[tuple[str, str], list[str]] = defaultdict(list)
    for url, what, raw in run.offences:
        by_tag[(what, raw)].append(url)
    for (what, raw), urls in by_tag.items():
        pages = list(dict.fromkeys(urls))
        problems.append(f"{what}: {raw}\n    on {len(pages)} page(s): {', '.join(pages[:8])}")
        problems.extend(f"    suspect {line}" for line in run.suspects(urls[0], raw))
    problems.extend(run.csp)
    problems.extend(compare_problems(app, gov, compared))
    for client, url, text in shown:
        page = client.get(url).get_data(as_text=True)
        if str(escape(text.strip())) not in page:
            problems.append(f"{url} does not show what was submitted (escaped): {text[:120]}")
    missing = sorted(set(range(len(vectors))) - stored)
    # One-line fields refuse tabs and other control or invisible characters (core.forms): a vector with
    # one that was dealt only to such fields is not stored, and each of its refusals must say why.
    one_line_only = {i for i in missing if single_line_problem(vectors[i])}
    missing = [i for i in missing if i not in one_line_only]
    why_refused = defaultdict(set)
    for _f, _url, i, why in run.rejections:
        why_refused[i].add(why)
    with app.test_request_context():
        one_line_message = str(SINGLE_LINE_MESSAGE)  # in the default language, as the pages showed it
    for i in sorted(one_line_only):  # "HTTP 400": a refusal whose reason the page did not put beside a field
        if one_line_message not in why_refused[i] or not why_refused[i] <= {one_line_message, "HTTP 400"}:
            problems.append(f"a vector with a control character was refused for {why_refused[i]}: {vectors[i][:80]}")
    if missing:
        problems.append(f"{len(missing)} vectors were never stored by any field: " + "; ".join(vectors[i][:80] for i in missing[:10]))
    assert not problems, "\n".join([*summary, "", *problems[:200]])
    assert len(org_ids) >= ORGANISATIONS // 2 and len(proposal_ids) >= PROPOSALS // 2 and len(call_ids) >= CALLS // 2, summary[0]
    assert len(compared) >= DRAFTS // 2 and len(meeting_ids) >= MEETINGS // 2 and len(ballot_ids) >= BALLOTS // 2, summary[1]
    assert rows(Attendance) and rows(BallotVoter) and rows(Ballot, Ballot.results_published_at.is_not(None)), summary[1]

