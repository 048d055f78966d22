"""Shared fragments of the heavy pages (issue 18, the signed-in path; ogpcocreate/core/fragments.py).

- Every kind of reader gets exactly the page they would get with no fragment cache, whoever filled the
  cache before them: the forms they may use, the hidden texts they may read, their own session's tokens.
- Readers of one kind share one rendering; the secretariat, administrators and authors get their own.
- An act shows at once, to its author and to everyone else (the head is read per request).
- The placeholder of the tokens never reaches a reader, and the token in a shared part is the reader's.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import template_rendered

from ogpcocreate.approvals.models import Action, Approval, Stance
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.sectors import Seat
from ogpcocreate.extensions import db

from .conftest import FormClient
from .factories import (
    make_call,
    make_comment,
    make_draft,
    make_organisation,
    make_plan,
    make_proposal,
    make_seat,
    make_user,
)

TOKEN = re.compile(r'(name="[\w-]*csrf_token"[^>]*value=")[^"]+(")|(value=")[^"]+("[^>]*name="[\w-]*csrf_token")')

READERS = ["anonymous", "ana", "beto", "carla", "unconfirmed", "author", "hidden_author", "seat", "former_seat", "admin"]


def _normalised(html: str) -> str:
    return TOKEN.sub(lambda m: (m.group(1) or m.group(3)) + "TOKEN" + (m.group(2) or m.group(4)), html)


@pytest.fixture
def scene(app):
    """A call with proposals and a draft open for comments: comments and replies by several people, one
    hidden, and a standing position by a member who has since left the secretariat."""
    with app.app_context():
        people = {name: make_user(f"{name}@example.org") for name in
                  ("ana", "beto", "carla", "author", "hidden_author", "seat", "former_seat")}
        people["unconfirmed"] = make_user("unconfirmed@example.org", confirmed=False)
        people["admin"] = make_user("admin@example.org", admin=True)
        make_seat(people["seat"], Seat.GOVERNMENT)
        org = make_organisation(people["author"], members=[])
        plan = make_plan(people["seat"])
        call = make_call(plan, phase="deliberation")
        for n in range(3):
            make_proposal(call, people["author"], org, title=f"Propuesta {n}")
        draft = make_draft(call, people["seat"])
        version = draft.versions[0]
        first = make_comment(version, people["author"], "Primer comentario")
        make_comment(version, people["ana"], "Una respuesta", parent=first)
        hidden = make_comment(version, people["hidden_author"], "Texto ofensivo")
        hidden.hidden_at, hidden.hidden_reason, hidden.hidden_by_id = utcnow(), "Insultos", people["seat"].id
        db.session.add(Approval(action=Action.ADOPT_COMMITMENT, draft_id=draft.id, seat=Seat.CIVIL_SOCIETY,
                                user_id=people["former_seat"].id, stance=Stance.APPROVE,
                                created_at=utcnow() - timedelta(days=1)))
        db.session.add(Approval(action=Action.PUBLISH_CALL, call_id=call.id, seat=Seat.CIVIL_SOCIETY,
                                user_id=people["former_seat"].id, stance=Stance.OBJECT,
                                created_at=utcnow() - timedelta(days=1)))
        db.session.commit()
        return {"call": call.id, "draft": draft.id, "version": version.number}


def _clients(app, make_client) -> dict[str, FormClient]:
    clients = {}
    for reader in READERS:
        client = make_client()
        if reader != "anonymous":
            client.login(f"{reader}@example.org")
            client.get("/").close()  # the welcome message is shown once, here
        clients[reader] = client
    return clients


def _pages(scene) -> list[str]:
    return [f"/drafts/{scene['draft']}", f"/drafts/{scene['draft']}/versions/{scene['version']}?section=objective",
            f"/calls/{scene['call']}", f"/calls/{scene['call']}?status=awaiting"]


@pytest.mark.parametrize("first", ["anonymous", "ana", "seat", "author"])
def test_every_reader_gets_the_page_they_would_get_without_the_cache(app, make_client, scene, first):
    clients = _clients(app, make_client)
    order = [first] + [r for r in READERS if r != first]
    for path in _pages(scene):
        app.config["FRAGMENT_CACHE"] = False
        expected = {r: _normalised(clients[r].get(path).get_data(as_text=True)) for r in READERS}
        app.config["FRAGMENT_CACHE"] = True
        for reader in order:
            response = clients[reader].get(path)
            assert response.status_code == 200
            assert _normalised(response.get_data(as_text=True)) == expected[reader], (path, reader, first)


def test_what_differs_between_readers_is_kept_apart(app, make_client, scene):
    clients = _clients(app, make_client)
    path = f"/drafts/{scene['draft']}"
    pages = {r: clients[r].get(path).get_data(as_text=True) for r in READERS}
    assert "Texto ofensivo" in pages["hidden_author"] and "Texto ofensivo" in pages["seat"]
    assert all("Texto ofensivo" not in pages[r] for r in ("anonymous", "ana", "beto", "unconfirmed", "author"))
    assert "Withdraw my position" in pages["former_seat"] or "Retirar mi posición" in pages["former_seat"]
    assert all("withdraw" not in pages[r].split('id="adoption"')[1].split("</section>")[0]
               for r in ("ana", "beto", "author"))
    assert "Publish the response" in pages["seat"] or "Publicar la respuesta" in pages["seat"]
    assert 'name="parent"' in pages["ana"] and 'name="parent"' not in pages["unconfirmed"]


def _renders(app):
    seen = []

    def record(sender, template, context, **extra):
        seen.append(template.name)

    template_rendered.connect(record, app)
    return seen, lambda: template_rendered.disconnect(record, app)


def test_readers_of_one_kind_share_one_rendering(app, make_client, scene):
    clients = _clients(app, make_client)
    seen, stop = _renders(app)
    try:
        for reader in ("beto", "carla", "beto", "seat", "seat", "ana", "anonymous", "anonymous"):
            clients[reader].get(f"/drafts/{scene['draft']}")
            clients[reader].get(f"/calls/{scene['call']}")
    finally:
        stop()
    # beto and carla share; the seat, ana (who commented) and the anonymous reader each have one.
    assert seen.count("drafts/_version.html") == 4
    # On a call's page ana owns nothing the shared part changes for her: she shares with beto and carla.
    assert seen.count("calls/_detail.html") == 3


def test_an_act_shows_at_once_to_its_author_and_to_everyone(app, make_client, scene):
    clients = _clients(app, make_client)
    path = f"/drafts/{scene['draft']}"
    for reader in ("ana", "beto", "anonymous"):
        clients[reader].get(path)
    response = clients["beto"].post_form(f"{path}/comments", {"body_source": "Una idea nueva de Beto"})
    assert response.status_code == 302
    for reader in ("beto", "ana", "anonymous"):
        assert "Una idea nueva de Beto" in clients[reader].get(path).get_data(as_text=True), reader


def test_the_tokens_in_a_shared_part_are_the_readers_own(app, make_client, scene):
    clients = _clients(app, make_client)
    path = f"/drafts/{scene['draft']}"
    with app.app_context():
        from ogpcocreate.core import fragments

        with app.test_request_context():
            mark = fragments._mark()
    clients["ana"].get(path)  # ana fills the participants' fragment
    page = clients["beto"].get(path).get_data(as_text=True)
    assert mark not in page
    reply = re.search(r'name="csrf_token" value="([^"]+)">\s*<input type="hidden" name="parent" value="(\d+)"', page)
    assert reply is not None
    response = clients["beto"].client.post(f"{path}/comments", data={
        "csrf_token": reply.group(1), "parent": reply.group(2), "body_source": "Respuesta de Beto"})
    assert response.status_code == 302
    # ana's session does not accept the token beto's page carried.
    other = clients["ana"].client.post(f"{path}/comments", data={
        "csrf_token": reply.group(1), "parent": reply.group(2), "body_source": "Con el token de otro"})
    assert other.status_code == 400
