"""A person's own data: an ordinary ZIP of JSON and CSV from their profile, with everything that refers to
them, nothing that would let someone act as them, no one else's rows, and no receipt of a secret vote."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from sqlalchemy import select

from ogpcocreate.archive import personal
from ogpcocreate.auth.models import User
from ogpcocreate.comments.models import Comment
from ogpcocreate.core.eventlog import ParticipationEvent
from ogpcocreate.extensions import db
from ogpcocreate.votes.models import BallotVoter

from .conftest import rolled_back
from .factories import PASSWORD, make_user


def _open(data: bytes) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    return archive


def test_the_profile_offers_the_zip_and_it_opens_with_json_and_csv(app, client):
    with app.app_context():
        make_user("yo@example.org", name="Yo Misma")
        make_user("alguien@example.org")
        db.session.commit()
    client.login("yo@example.org", PASSWORD)
    assert "/account/data.zip" in client.get("/account").get_data(as_text=True)
    response = client.get("/account/data.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "private, no-store"
    archive = _open(response.get_data())
    names = archive.namelist()
    assert "README.txt" in names and "json/users.json" in names and "csv/users.csv" in names
    [me] = json.loads(archive.read("json/users.json"))
    assert me["email"] == "yo@example.org" and me["display_name"] == "Yo Misma"
    assert "password_hash" not in me and "session_token" not in me
    rows = list(csv.DictReader(io.StringIO(archive.read("csv/users.csv").decode())))
    assert rows[0]["email"] == "yo@example.org"
    everything = b"".join(archive.read(n) for n in names)
    assert b"alguien@example.org" not in everything
    client.logout()
    assert client.get("/account/data.zip").status_code == 302  # to log in


def test_the_author_of_a_hidden_comment_gets_its_text_and_a_voter_no_receipt(demo_app):
    with rolled_back(demo_app), demo_app.app_context():
        hidden = db.session.scalars(select(Comment).where(Comment.hidden_at.is_not(None))).first()
        author = db.session.get(User, hidden.author_id)
        archive = _open(personal.zip_of(author))
        comments = json.loads(archive.read("json/comment.json"))
        assert hidden.body_source in {c["body_source"] for c in comments}
        entries = json.loads(archive.read("json/participation_event.json"))
        assert entries and all(e["actor_id"] == author.id for e in entries)
        assert db.session.scalar(select(ParticipationEvent.id).where(ParticipationEvent.actor_id == author.id))

        voter = db.session.scalars(select(BallotVoter)).first()
        person = db.session.get(User, voter.user_id)
        archive = _open(personal.zip_of(person))
        assert "json/ballot_voter.json" in archive.namelist()
        assert "json/vote.json" not in archive.namelist()  # what they chose is never handed out
        for name in archive.namelist():
            body = archive.read(name).decode()
            assert person.password_hash not in body and person.session_token not in body
