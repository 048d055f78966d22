"""A hidden comment's text is shown to its author and the secretariat only, on every page, export and
e-mail, whenever it was hidden: even after a later version had incorporated it (DOMAIN.md, "What is
public, and when", "Moderation"). The public sees that it was hidden and why.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ogpcocreate.comments.rules import may_read_text
from ogpcocreate.core import eventlog
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.outbox import send_due
from ogpcocreate.core.sectors import Seat
from ogpcocreate.drafts.models import DraftVersion, Incorporation
from ogpcocreate.extensions import db
from ogpcocreate.moderation import services as moderation
from ogpcocreate.responses.models import Outcome, Response

from .factories import make_call, make_comment, make_draft, make_plan, make_seat, make_user

MARKER = "MARCADOR-OCULTO-7f3a"
REASON = "Datos personales de un tercero."
VIEWERS = ["anonymous", "participant", "author", "secretariat"]
MAY_READ = {"author", "secretariat"}


@pytest.fixture
def hidden(app):
    """A comment a second version incorporated and the secretariat answered, hidden afterwards."""
    with app.test_request_context():
        author = make_user("autora@example.org", name="Autora")
        make_user("lector@example.org")
        seat_holder = make_user("garante@example.org")
        make_seat(seat_holder, Seat.GUARANTOR)
        call = make_call(make_plan(), phase="deliberation")
        draft = make_draft(call, seat_holder, open_for_comments=False)
        first = draft.versions[0]
        comment = make_comment(first, author, f"Propongo {MARKER} como meta.")
        eventlog.record(author, eventlog.Verb.COMMENTED, comment, call=call)
        db.session.add(Response(comment_id=comment.id, outcome=Outcome.ADOPTED, justification_source="",
                                justification="", responder_id=seat_holder.id, seat=Seat.GUARANTOR))
        second = DraftVersion(draft_id=draft.id, number=2, published_at=utcnow() - timedelta(hours=1),
                              published_by_id=seat_holder.id, comments_close_at=utcnow() + timedelta(days=5),
                              change_note="Incorpora el comentario.",
                              **{f"{s}{suffix}": f"Texto nuevo de {s}" for s in ("problem", "status_quo", "description",
                                                                               "how", "relevance", "other_actors")
                                 for suffix in ("", "_source")})
        db.session.add(second)
        db.session.flush()
        db.session.add(Incorporation(version_id=second.id, comment_id=comment.id))
        moderation.hide(seat_holder, Seat.GUARANTOR, comment, REASON)
        db.session.commit()
        return {"draft": draft.id, "comment": comment.id, "call": call.id, "plan": call.plan_id}


def reader(make_client, who: str):
    client = make_client()
    email = {"participant": "lector@example.org", "author": "autora@example.org",
             "secretariat": "garante@example.org"}.get(who)
    if email:
        client.login(email)
    return client


@pytest.mark.parametrize("who", VIEWERS)
def test_hidden_text_on_the_draft_and_the_comparison(make_client, hidden, who):
    client = reader(make_client, who)
    draft = hidden["draft"]
    for url in (f"/drafts/{draft}/versions/1", f"/drafts/{draft}/compare?from=1&to=2"):
        page = client.get(url).get_data(as_text=True)
        assert REASON in page, url  # everyone sees that it was hidden, and why
        assert (MARKER in page) is (who in MAY_READ), (url, who)
    compare = client.get(f"/drafts/{draft}/compare?from=1&to=2").get_data(as_text=True)
    assert f"#{hidden['comment']}" in compare  # the trace of influence stays


@pytest.mark.parametrize("who", ["anonymous", "participant"])
def test_no_public_page_export_or_api_carries_the_hidden_text(make_client, hidden, who):
    client = reader(make_client, who)
    urls = [
        f"/drafts/{hidden['draft']}", f"/drafts/{hidden['draft']}/versions/2", f"/calls/{hidden['call']}",
        f"/calls/{hidden['call']}/record", "/record", "/record.csv", f"/record.csv?call={hidden['call']}",
        "/api/v1/calls", "/api/v1/plans", f"/api/v1/calls/{hidden['call']}/influence",
        f"/api/v1/plans/{hidden['plan']}/influence", f"/calls/{hidden['call']}/influence",
        f"/calls/{hidden['call']}/influence/sector.csv", f"/plans/{hidden['plan']}/influence", "/moderation",
        "/my/activity",
    ]
    for url in urls:
        response = client.get(url)
        assert MARKER not in response.get_data(as_text=True), url


def test_no_e_mail_but_the_authors_own_carries_the_hidden_text(app, inbox, hidden):
    with app.app_context():
        send_due()
    assert inbox.messages, "the author is told the comment was hidden"
    for message in inbox.messages:
        if "autora@example.org" not in message["To"]:
            assert MARKER not in inbox.body(message)


def test_the_rule(app, hidden):
    from flask_login import AnonymousUserMixin

    from ogpcocreate.auth.models import User
    from ogpcocreate.comments.models import Comment

    with app.test_request_context():
        comment = db.session.get(Comment, hidden["comment"])
        people = {u.email: u for u in db.session.scalars(select(User))}
        assert not may_read_text(None, comment) and not may_read_text(AnonymousUserMixin(), comment)
        assert not may_read_text(people["lector@example.org"], comment)
        assert may_read_text(people["autora@example.org"], comment)
        assert may_read_text(people["garante@example.org"], comment)
        comment.hidden_at = None
        assert may_read_text(None, comment)
