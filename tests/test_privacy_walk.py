"""The privacy walk (issue 12, "Done means"; DOMAIN.md, "What is public, and when").

One of every thing that is not public yet is created, each carrying a unique marker in its text; then
every GET route of the URL map is fetched, its parameters filled from every object in the database
(not a hand-picked list: a new route joins the walk by itself, and the walk fails if it cannot fill
one of its parameters), as an anonymous visitor and as another participant, and the e-mails sent
meanwhile are read off the loopback SMTP server. No marker may appear in any body or header. Then the
publishable things are published, and their markers must appear, while the rest stay withheld.

Each kind of secret is one scenario builder in SCENARIOS: a function that creates it in the setting and
returns its Secrets (the marker, whether and how it becomes public, who may receive it by e-mail).
A new kind of secret is one more builder appended there.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import time_machine
from sqlalchemy import select

from ogpcocreate.api import services as api_services
from ogpcocreate.approvals.models import Approval, Stance
from ogpcocreate.archive.models import ArchiveExport
from ogpcocreate.auth import services as auth
from ogpcocreate.auth.models import User
from ogpcocreate.calls import services as calls
from ogpcocreate.calls.models import Call, Theme
from ogpcocreate.comments.models import Comment
from ogpcocreate.core import tokens
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.outbox import send_due
from ogpcocreate.core.sectors import Seat
from ogpcocreate.drafts import services as drafts
from ogpcocreate.drafts.models import DraftCommitment
from ogpcocreate.extensions import db
from ogpcocreate.meetings import services as meetings
from ogpcocreate.meetings.models import Meeting
from ogpcocreate.moderation import services as moderation
from ogpcocreate.organisations.models import Invitation, Organisation
from ogpcocreate.plans.models import ActionPlan
from ogpcocreate.proposals import services as proposals
from ogpcocreate.proposals.models import Proposal
from ogpcocreate.reports.services import BREAKDOWNS
from ogpcocreate.repository import services as repository
from ogpcocreate.repository.models import CommissionReport, Document
from ogpcocreate.responses.models import Response
from ogpcocreate.secretariat.models import SecretariatMembership
from ogpcocreate.votes import services as votes
from ogpcocreate.votes.models import Ballot

from .factories import (
    PASSWORD,
    make_call,
    make_comment,
    make_draft,
    make_organisation,
    make_plan,
    make_proposal,
    make_seat,
    make_user,
)

# Pages walked but exempt from the check: none. (The public record shows only the digest of an entry
# whose subject is not public, or whose author closed their account: core/eventlog.py, visibility.py.)
KNOWN_RECORD_LEAKS: set[str] = set()

ANNOUNCE_IN = timedelta(days=2)  # where the scheduled calls' announcement falls
OTHER = "otra.participante@example.org"  # the participant who walks the site, author of nothing secret
AUTHOR = "autora@example.org"  # the author of the hidden comment: she may read it, by e-mail too
_serial = itertools.count(1)


def marker(kind: str) -> str:
    """A string no page would print by chance, naming what it marks."""
    return f"qqz{kind}{next(_serial)}zqq"


@dataclass
class Secret:
    marker: str
    what: str
    publish: Callable[[], None] | None = None  # makes it public (run in an app context); None: never public
    readers: set[str] = field(default_factory=set)  # addresses that may receive it by e-mail
    # Whether the secretariat reads it somewhere (the proof that the walk can see it). A closed account's
    # name and an unconfirmed registrant's are shown to nobody, the secretariat included.
    secretariat_sees: bool = True


@dataclass
class Setting:
    """What the scenarios build on: the seats, a plan with a public open call and a public draft."""

    seat_ids: dict[Seat, int]
    plan: ActionPlan
    open_call: Call
    deliberation_call: Call
    author: User
    other: User

    def member(self, seat: Seat) -> User:
        """The seat's member, loaded in the current session (publishing runs in a later one)."""
        return db.session.get(User, self.seat_ids[seat])

    def approve_publication(self, call: Call) -> None:
        for seat in Seat:
            calls.take_position(self.member(seat), seat, call, "publish_call", "approve", "")


def _call_data(title: str) -> dict:
    now = utcnow()
    offsets = {"announce_at": ANNOUNCE_IN, "opens_at": ANNOUNCE_IN + timedelta(days=15),
               "closes_at": ANNOUNCE_IN + timedelta(days=35), "deliberation_at": ANNOUNCE_IN + timedelta(days=36),
               "decision_at": ANNOUNCE_IN + timedelta(days=50), "results_at": ANNOUNCE_IN + timedelta(days=60)}
    return {"title": title, "description_source": "", "themes": "Transparencia\nParticipación",
            "submitters": "organisations_and_individuals", **{k: now + v for k, v in offsets.items()}}


def _version_data(**extra) -> dict:
    return {"comment_days": 10, **{f"{s}_source": f"Texto de {s}" for s in
                                  ("problem", "status_quo", "description", "how", "relevance")},
            "milestones": [{"description": "Primer hito", "due": date(2027, 6, 30), "responsible": "SFP"}], **extra}


# --- the scenarios: one builder per kind of thing that is not public yet --------------------------------


def draft_call_with_an_objection(s: Setting) -> list[Secret]:
    title, objection = marker("draftcall"), marker("objection")
    call = calls.create_call(s.member(Seat.GOVERNMENT), Seat.GOVERNMENT, s.plan, _call_data(title))
    calls.take_position(s.member(Seat.CIVIL_SOCIETY), Seat.CIVIL_SOCIETY, call, "publish_call", "object", objection)
    call_id = call.id

    def publish():
        call = db.session.get(Call, call_id)
        standing = db.session.scalar(select(Approval).where(Approval.call_id == call_id, Approval.stance == Stance.OBJECT))
        calls.withdraw_position(s.member(Seat.CIVIL_SOCIETY), call, standing.id)
        s.approve_publication(call)

    return [Secret(title, "a draft call's title", publish), Secret(objection, "a seat's objection to a draft call", publish)]


def call_announced_later(s: Setting) -> list[Secret]:
    title = marker("scheduledcall")
    call = calls.create_call(s.member(Seat.GOVERNMENT), Seat.GOVERNMENT, s.plan, _call_data(title))
    s.approve_publication(call)
    assert call.published_at is not None
    return [Secret(title, "a call published before its announcement date", lambda: None)]


def unpublished_ballot(s: Setting) -> list[Secret]:
    question = marker("ballot")
    now = utcnow()
    ballot = votes.create_ballot(s.member(Seat.GOVERNMENT), Seat.GOVERNMENT, s.open_call, {
        "kind": "themes", "electorate": "organisations", "question": question,
        "opens_at": now + timedelta(hours=1), "closes_at": now + timedelta(days=10)})
    ballot_id = ballot.id
    return [Secret(question, "an unpublished ballot's question", lambda: votes.publish_ballot(
        s.member(Seat.GOVERNMENT), Seat.GOVERNMENT, db.session.get(Ballot, ballot_id)))]


def unpublished_meeting(s: Setting) -> list[Secret]:
    title, minutes = marker("meeting"), marker("minutes")
    meeting = meetings.create_meeting(s.member(Seat.GOVERNMENT), Seat.GOVERNMENT, s.open_call, {
        "title": title, "starts_at": utcnow() + timedelta(days=1), "modality": "online", "place": "",
        "territory": "national", "minutes_source": minutes, "agreements_source": ""})
    meeting_id = meeting.id

    def publish():
        meetings.publish_meeting(s.member(Seat.GOVERNMENT), Seat.GOVERNMENT, db.session.get(Meeting, meeting_id))

    return [Secret(title, "an unpublished meeting's title", publish), Secret(minutes, "its minutes", publish)]


def unpublished_documents(s: Setting) -> list[Secret]:
    """A document of a public call not published yet, and a published annex of a meeting that is not."""
    from ogpcocreate.repository.models import Document

    from .factories import make_pdf

    title, annex = marker("document"), marker("annex")
    member = s.member(Seat.GOVERNMENT)
    document = repository.create_document(member, Seat.GOVERNMENT, {
        "title": title, "kind": "terms", "document_date": date(2026, 3, 1), "subject": f"call:{s.open_call.id}",
        "language": "es", "description": title}, _file(make_pdf(title), "bases.pdf"))
    meeting = meetings.create_meeting(member, Seat.GOVERNMENT, s.open_call, {
        "title": "Mesa con anexo", "starts_at": utcnow() + timedelta(days=1), "modality": "online", "place": "",
        "territory": "national", "minutes_source": "", "agreements_source": ""})
    attached = repository.create_document(member, Seat.GOVERNMENT, {
        "title": annex, "kind": "annex", "document_date": date(2026, 3, 1), "subject": f"meeting:{meeting.id}",
        "language": "es", "description": ""}, _file(make_pdf(annex), "anexo.pdf"))
    repository.publish_document(member, Seat.GOVERNMENT, attached)
    document_id, meeting_id = document.id, meeting.id

    def publish_document():
        repository.publish_document(s.member(Seat.GOVERNMENT), Seat.GOVERNMENT, db.session.get(Document, document_id))

    def publish_meeting():
        meetings.publish_meeting(s.member(Seat.GOVERNMENT), Seat.GOVERNMENT, db.session.get(Meeting, meeting_id))

    return [Secret(title, "an unpublished document of a public call", publish_document),
            Secret(annex, "a published annex of a meeting not published yet", publish_meeting)]


def _file(data: bytes, name: str):
    import io

    from werkzeug.datastructures import FileStorage

    return FileStorage(io.BytesIO(data), filename=name)


def draft_without_a_version(s: Setting) -> list[Secret]:
    title = marker("draft")
    draft = drafts.create_draft(s.member(Seat.GOVERNMENT), Seat.GOVERNMENT, s.deliberation_call,
                                {"title": title, "theme": s.deliberation_call.themes[0].id, "sources": []})
    draft_id = draft.id
    return [Secret(title, "a draft commitment with no published version", lambda: drafts.publish_version(
        s.member(Seat.GOVERNMENT), Seat.GOVERNMENT, db.session.get(DraftCommitment, draft_id), _version_data()))]


def comment_hidden_after_incorporation(s: Setting) -> list[Secret]:
    body = marker("hiddencomment")
    draft = make_draft(s.deliberation_call, s.member(Seat.GOVERNMENT), open_for_comments=False)
    comment = make_comment(draft.versions[0], s.author, body)
    drafts.publish_version(s.member(Seat.GOVERNMENT), Seat.GOVERNMENT, draft,
                           _version_data(incorporate_comments=[comment.id]))
    moderation.hide(s.member(Seat.GUARANTOR), Seat.GUARANTOR, comment, "Datos personales de terceros")
    return [Secret(body, "a comment hidden after a version incorporated it", None, readers={AUTHOR})]


def unconfirmed_registration(s: Setting) -> list[Secret]:
    """Someone registers and never confirms: the record must not publish them (nor that the address
    tried). Confirming is what makes the registration public."""
    name = marker("unconfirmed")
    email = "sin.confirmar@example.org"
    user = auth.register(name, email, PASSWORD, "MX-YUC", "es")
    user_id = user.id

    def confirm():
        person = db.session.get(User, user_id)
        auth.confirm_email(tokens.make(auth.CONFIRM, {"u": person.id, "e": person.email}))

    return [Secret(name, "the name of someone who registered and never confirmed", confirm, readers={email},
                   secretariat_sees=False)]


def closed_account(s: Setting) -> list[Secret]:
    """A participant who took part and then closed their account (ARCO cancellation): their acts stay on
    the record under "closed account #N", their name nowhere."""
    name = marker("closedaccount")
    email = "se.va@example.org"
    person = make_user(email, name=name, confirmed=False)
    auth.confirm_email(tokens.make(auth.CONFIRM, {"u": person.id, "e": person.email}))
    proposals.submit(person, s.open_call, {"theme": s.open_call.themes[0].id, "title": "Propuesta de quien se fue",
                                           "problem_source": "Texto"})
    auth.close_account(person, PASSWORD)
    return [Secret(name, "the name of a closed account", None, readers={email}, secretariat_sees=False)]


SCENARIOS: list[Callable[[Setting], list[Secret]]] = [
    draft_call_with_an_objection,
    call_announced_later,
    unpublished_ballot,
    unpublished_meeting,
    unpublished_documents,
    draft_without_a_version,
    comment_hidden_after_incorporation,
    unconfirmed_registration,
    closed_account,
]


def build(app) -> tuple[Setting, list[Secret]]:
    with app.test_request_context():
        seats = {seat: make_user(f"seat.{seat.value}@example.org") for seat in Seat}
        for seat, person in seats.items():
            make_seat(person, seat)
        author = make_user(AUTHOR)
        make_organisation(author)
        other = make_user(OTHER)
        make_organisation(other)
        plan = make_plan(seats[Seat.GOVERNMENT])
        open_call = make_call(plan, phase="open")
        make_proposal(open_call, other)
        deliberation_call = make_call(plan, phase="deliberation")
        setting = Setting({seat: person.id for seat, person in seats.items()}, plan, open_call, deliberation_call, author, other)
        secrets = [secret for scenario in SCENARIOS for secret in scenario(setting)]
        db.session.commit()
        return setting, secrets


# --- the walk -------------------------------------------------------------------------------------------


def parameter_values() -> dict[str, list]:
    """Every value each URL parameter can take: every object of its kind in the database."""
    def ids(model) -> list[int]:
        return list(db.session.scalars(select(model.id).order_by(model.id)))

    return {
        "plan_id": ids(ActionPlan), "call_id": ids(Call), "draft_id": ids(DraftCommitment), "number": [1, 2, 3],
        "meeting_id": ids(Meeting), "ballot_id": ids(Ballot), "proposal_id": ids(Proposal), "org_id": ids(Organisation),
        "comment_id": ids(Comment), "approval_id": ids(Approval), "invitation_id": ids(Invitation),
        "membership_id": ids(SecretariatMembership), "name": list(BREAKDOWNS), "token": ["forged-token"],
        "filename": ["css/site.css"], "document_id": ids(Document), "report_id": ids(CommissionReport),
        "theme_id": ids(Theme), "response_id": ids(Response),
        "dataset": [r.name for r in api_services.RESOURCES], "export_id": ids(ArchiveExport),
    }


def every_get_url(app) -> list[str]:
    urls = []
    with app.test_request_context():
        values = parameter_values()
        adapter = app.url_map.bind("localhost")
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods:
                continue
            names = sorted(rule.arguments)
            unknown = [n for n in names if n not in values]
            assert not unknown, f"the walk cannot fill {unknown} of {rule.rule}: add them to parameter_values()"
            for combination in itertools.product(*(values[n] for n in names)):
                urls.append(adapter.build(rule.endpoint, dict(zip(names, combination, strict=True))))
    return sorted(set(urls))


def _text(response) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return headers + "\n" + response.get_data().decode("utf-8", "replace")


VIEWERS = {"anonymous": None, "participant": OTHER}


def walk(app, make_client, viewers: dict[str, str | None] = VIEWERS, searches: list[str] = ()) -> dict[str, dict[str, str]]:
    """{viewer: {url: headers and body}} for every GET URL, as an anonymous visitor and another participant,
    and the search page asked for each of ``searches`` (the markers: search must not find what is hidden)."""
    clients = {}
    for viewer, email in viewers.items():
        clients[viewer] = make_client()
        if email:
            clients[viewer].login(email)
    pages = {viewer: {} for viewer in viewers}
    for url in every_get_url(app) + [f"/search?q={term}" for term in searches]:
        for viewer, client in clients.items():
            response = client.get(url)
            assert response.status_code < 500, (viewer, url, response.status_code)
            pages[viewer][url] = _text(response)
            response.close()
    # Mail the walker may cause: a password reset, for someone with an account and for someone without.
    for address in (OTHER, "nadie@example.org"):
        make_client().post_form("/password/forgot", {"email": address})
    return pages


def mails(app, inbox) -> list[tuple[str, str]]:
    """(recipients, every header and decoded part) of each message sent so far."""
    with app.app_context():
        while send_due().sent:
            pass
    found = []
    for message in list(inbox.messages):
        parts = [part.get_content() for part in message.walk() if not part.is_multipart()]
        headers = "\n".join(f"{k}: {v}" for k, v in message.items())
        found.append((str(message["To"]), headers + "\n" + "\n".join(str(p) for p in parts)))
    return found


def leaks(pages: dict[str, dict[str, str]], sent: list[tuple[str, str]], secrets: list[Secret]) -> list[str]:
    found = []
    for secret in secrets:
        for viewer, by_url in pages.items():
            found += [f"{secret.what} ({secret.marker}) as {viewer} on {url}" for url, text in by_url.items()
                      if secret.marker in text and url.split("?")[0] not in KNOWN_RECORD_LEAKS]
        found += [f"{secret.what} ({secret.marker}) in an e-mail to {to}" for to, text in sent
                  if secret.marker in text and not any(reader in to for reader in secret.readers)]
    return found


def test_nothing_that_is_not_public_yet_is_served_anywhere(app, make_client, inbox):
    setting, secrets = build(app)
    assert {s.marker for s in secrets} and len({s.marker for s in secrets}) == len(secrets)
    # Searched in capitals: search ignores case, so a result would show the marker as written, while the
    # page's echo of the query (its title, the search box) shows only the capitals.
    searches = [s.marker.upper() for s in secrets]
    pages = walk(app, make_client, {**VIEWERS, "secretariat": "seat.guarantor@example.org"}, searches)
    assert len(pages["anonymous"]) > 50  # every route, for every object
    # The walk can see a marker: the secretariat, which prepares all of it, reads each one somewhere.
    seen = "\n".join(pages.pop("secretariat").values())
    assert [s.marker for s in secrets if s.secretariat_sees and s.marker not in seen] == []
    found = leaks(pages, mails(app, inbox), secrets)
    assert not found, "\n".join(found)
    for url in ("/record", "/record.csv", "/record-spreadsheet.csv", "/record.json"):  # the record is walked
        assert url in pages["anonymous"]
    for resource in api_services.RESOURCES:  # so is every dataset of the open-data API (its items: every object)
        assert {f"/api/v1/{resource.name}", f"/open-data/{resource.name}.csv"} <= set(pages["anonymous"])
    # Search finds what is public: the walk's searches are answered, and a public proposal is found.
    assert all(f"/search?q={term}" in pages["anonymous"] for term in searches)

    # Publish what can be published, and go to the scheduled calls' announcement date.
    with app.test_request_context():
        for publish in dict.fromkeys(s.publish for s in secrets if s.publish is not None):  # each act once
            publish()
        db.session.commit()
    with time_machine.travel(utcnow() + ANNOUNCE_IN + timedelta(hours=1), tick=False):
        pages = walk(app, make_client, searches=searches)
        sent = mails(app, inbox)
    withheld = [s for s in secrets if s.publish is None]
    found = leaks(pages, sent, withheld)
    assert not found, "\n".join(found)
    everything = "\n".join(pages["anonymous"][url] for url in pages["anonymous"] if url not in KNOWN_RECORD_LEAKS)
    missing = [f"{s.what} ({s.marker})" for s in secrets if s.publish is not None and s.marker not in everything]
    assert not missing, f"published, yet shown nowhere: {missing}"
    # Once published, the document is found by a word of its PDF (its title marker is the PDF's text).
    document = next(s for s in secrets if s.what == "an unpublished document of a public call")
    assert "<mark>" + document.marker in pages["anonymous"][f"/search?q={document.marker.upper()}"]
