"""Moderation: reports, hiding with a public reason, dismissing, the author still reads, nothing deleted."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ogpcocreate.comments.models import Comment
from ogpcocreate.core.eventlog import ParticipationEvent
from ogpcocreate.core.outbox import send_due
from ogpcocreate.core.sectors import Seat
from ogpcocreate.extensions import db
from ogpcocreate.moderation.models import Decision, ModerationAction, Report

from .factories import make_call, make_comment, make_draft, make_plan, make_seat, make_user


@pytest.fixture
def thread(app):
    with app.app_context():
        author = make_user("autora@example.org", name="Autora Pública")
        make_user("lectora@example.org")
        make_seat(make_user("guarantor@example.org", name="Moderadora"), Seat.GUARANTOR)
        call = make_call(make_plan(), phase="deliberation")
        draft = make_draft(call, author)
        comment = make_comment(draft.versions[0], author, "Texto ofensivo de prueba")
        db.session.commit()
        return {"draft": draft.id, "comment": comment.id}


def logged(make_client, email):
    c = make_client()
    c.login(email)
    return c


def test_report_then_hide(app, make_client, inbox, thread):
    cid = thread["comment"]
    reader = logged(make_client, "lectora@example.org")
    # A refusal comes back on a page of its own, with the error beside the reason (not out of sight at the
    # top of a long draft page scrolled to the comment).
    empty = reader.post_form(f"/comments/{cid}/report", {f"rep{cid}-reason": ""})
    assert empty.status_code == 400 and f'id="rep{cid}-reason"' in empty.get_data(as_text=True)
    assert reader.post_form(f"/comments/{cid}/report", {f"rep{cid}-reason": "Insulta a otra persona"}).status_code == 302
    twice = reader.post_form(f"/comments/{cid}/report", {f"rep{cid}-reason": "Otra vez"})
    assert twice.status_code == 400 and "Otra vez" in twice.get_data(as_text=True)  # what was typed is kept
    assert "Ya reportaste este comentario" in twice.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Report.id))) == 1
    author = logged(make_client, "autora@example.org")
    author.post_form(f"/comments/{cid}/report", {f"rep{cid}-reason": "Me reporto"})
    with app.app_context():
        assert db.session.scalar(select(func.count(Report.id))) == 1  # cannot report one's own comment
    assert reader.post_form(f"/comments/{cid}/hide", {f"mod{cid}-reason": "x"}).status_code == 403
    mod = logged(make_client, "guarantor@example.org")
    assert "Insulta a otra persona" in mod.get("/moderation/reports").get_data(as_text=True)
    no_reason = mod.post_form(f"/comments/{cid}/hide", {f"mod{cid}-reason": ""})
    assert no_reason.status_code == 302
    with app.app_context():
        assert db.session.get(Comment, cid).hidden_at is None
    mod.post_form(f"/comments/{cid}/hide", {f"mod{cid}-reason": "Incumple el código de conducta: insultos."})
    with app.app_context():
        comment = db.session.get(Comment, cid)
        assert comment.is_hidden and comment.body_source == "Texto ofensivo de prueba"  # kept
        report = db.session.scalar(select(Report))
        assert report.decision is Decision.HIDDEN
        action = db.session.scalar(select(ModerationAction))
        assert action.moderator_name == "Moderadora"
        # Each verb names one act: the report (by nobody named) and the decision.
        acts = db.session.execute(select(ParticipationEvent.verb, ParticipationEvent.subject_type, ParticipationEvent.actor_id)
                                  .where(ParticipationEvent.subject_type.in_(["report", "moderation_action"]))
                                  .order_by(ParticipationEvent.seq)).all()
        assert [(v, s) for v, s, _a in acts] == [("reported", "report"), ("moderated", "moderation_action")]
        assert acts[0].actor_id is None
        send_due()
    assert "insultos" in inbox.body(inbox.to("autora@example.org")[0])
    public = make_client().get(f"/drafts/{thread['draft']}").get_data(as_text=True)
    assert "Incumple el código de conducta: insultos." in public and "Texto ofensivo de prueba" not in public
    own = author.get(f"/drafts/{thread['draft']}").get_data(as_text=True)
    assert "Texto ofensivo de prueba" in own
    log = make_client().get("/moderation").get_data(as_text=True)
    assert "Incumple el código de conducta" in log and "lectora@example.org" not in log and "Autora Pública" not in log
    assert f"#{cid}" not in mod.get("/moderation/reports").get_data(as_text=True)  # the queue is empty again


def test_dismissing_reports_keeps_the_comment(app, make_client, thread):
    cid = thread["comment"]
    reader = logged(make_client, "lectora@example.org")
    reader.post_form(f"/comments/{cid}/report", {f"rep{cid}-reason": "No me gusta"})
    mod = logged(make_client, "guarantor@example.org")
    mod.post_form(f"/comments/{cid}/dismiss", {f"mod{cid}-reason": "Es una crítica legítima."})
    with app.app_context():
        assert db.session.get(Comment, cid).hidden_at is None
        assert db.session.scalar(select(Report.decision)) is Decision.DISMISSED
    again = mod.post_form(f"/comments/{cid}/dismiss", {f"mod{cid}-reason": "Otra"}, follow_redirects=True)
    assert again.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count(ModerationAction.id))) == 1
    assert "Es una crítica legítima." in make_client().get("/moderation").get_data(as_text=True)


def test_code_of_conduct_is_public(client):
    assert client.get("/code-of-conduct").status_code == 200
