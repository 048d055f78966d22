"""Drafting in rounds: versions are immutable and ordered by rounds, the trace of influence, the
comparison of versions, anchored threaded comments, responses to comments, adoption by approval."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from ogpcocreate.auth.models import User
from ogpcocreate.calls.models import Call
from ogpcocreate.comments.models import Comment
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.eventlog import ParticipationEvent
from ogpcocreate.core.outbox import send_due
from ogpcocreate.core.sectors import Seat
from ogpcocreate.drafts.models import Adoption, DraftCommitment, DraftVersion, Incorporation
from ogpcocreate.extensions import db
from ogpcocreate.responses.models import Outcome, Response

from .factories import (
    make_call,
    make_comment,
    make_draft,
    make_organisation,
    make_plan,
    make_proposal,
    make_response,
    make_seat,
    make_user,
)
from .test_proposals import count_statements


@pytest.fixture
def world(app):
    with app.app_context():
        cso1 = make_user("osc1@example.org")
        org1 = make_organisation(cso1, name="Red Uno")
        cso2 = make_user("osc2@example.org")
        make_organisation(cso2, name="Colectivo Dos")
        for seat in Seat:
            make_seat(make_user(f"{seat.value}@example.org"), seat)
        plan = make_plan()
        call = make_call(plan, phase="deliberation")
        still_open = make_call(plan, phase="open")
        proposal = make_proposal(call, cso1, org1)
        other_call_proposal = make_proposal(still_open, cso1, org1)
        db.session.commit()
        return {"call": call.id, "open_call": still_open.id, "theme": call.themes[0].id, "proposal": proposal.id,
                "foreign_proposal": other_call_proposal.id, "org1": org1.id}


def logged(make_client, email):
    c = make_client()
    c.login(email)
    return c


def version_form(**overrides):
    data = {f"{s}_source": f"Texto de {s}" for s in ("problem", "status_quo", "description", "how", "relevance", "other_actors")}
    data.update({"milestones-0-description": "Publicar el padrón", "milestones-0-due": "2027-03-01",
                 "milestones-0-responsible": "Secretaría de la Función Pública", "comment_days": "7"})
    data.update(overrides)
    return data


def test_draft_from_proposals_and_first_version(app, make_client, world):
    gov = logged(make_client, "government@example.org")
    refused = gov.post_form(f"/calls/{world['open_call']}/drafts/new", {"title": "Antes de tiempo", "theme": "1"})
    assert refused.status_code in (400, 302)
    bad = gov.post_form(f"/calls/{world['call']}/drafts/new",
                        {"title": "Padrón abierto", "theme": str(world["theme"]), "sources": [str(world["foreign_proposal"])]})
    assert bad.status_code == 400
    created = gov.post_form(f"/calls/{world['call']}/drafts/new",
                            {"title": "Padrón abierto", "theme": str(world["theme"]), "sources": [str(world["proposal"])]})
    assert created.status_code == 302
    with app.app_context():
        draft = db.session.scalar(select(DraftCommitment))
        assert [p.id for p in draft.sources] == [world["proposal"]]
    # Not public until a version exists.
    assert make_client().get(f"/drafts/{draft.id}").status_code == 404
    missing = gov.post_form(f"/drafts/{draft.id}/versions/new", version_form(problem_source=""))
    assert missing.status_code == 400
    no_milestone = gov.post_form(f"/drafts/{draft.id}/versions/new", version_form(**{"milestones-0-description": ""}))
    assert no_milestone.status_code == 400
    published = gov.post_form(f"/drafts/{draft.id}/versions/new", version_form())
    assert published.status_code == 302
    with app.app_context():
        version = db.session.scalar(select(DraftVersion))
        assert version.number == 1 and [m.responsible for m in version.milestones] == ["Secretaría de la Función Pública"]
        # The first version states the proposals it came from.
        assert db.session.scalar(select(Incorporation.proposal_id)) == world["proposal"]
    page = make_client().get(f"/drafts/{draft.id}").get_data(as_text=True)
    assert "Padrón abierto" in page and "Texto de status_quo" in page and "Publicar el padrón" in page


def _draft(app, world, *, open_for_comments=True):
    with app.app_context():
        call = db.session.get(Call, world["call"])
        gov = db.session.scalar(select(User).where(User.email == "government@example.org"))
        draft = make_draft(call, gov, open_for_comments=open_for_comments)
        db.session.commit()
        return draft.id, draft.versions[0].id


def test_comments_anchored_threaded_and_closed_rounds(app, make_client, world):
    draft_id, version_id = _draft(app, world)
    cso1 = logged(make_client, "osc1@example.org")
    ok = cso1.post_form(f"/drafts/{draft_id}/comments", {"section": "description", "organisation": str(world["org1"]),
                                                        "body_source": "Falta el **calendario**."})
    assert ok.status_code == 302
    with app.app_context():
        top = db.session.scalar(select(Comment))
        assert top.section.value == "description" and top.organisation_id == world["org1"] and top.is_contribution
        assert "<strong>calendario</strong>" in top.body
        event = db.session.scalar(select(ParticipationEvent).where(ParticipationEvent.verb == "commented"))
        assert event.data["section"] == "description" and event.call_id == world["call"]
    cso2 = logged(make_client, "osc2@example.org")
    reply = cso2.post_form(f"/drafts/{draft_id}/comments", {"parent": str(top.id), "body_source": "De acuerdo."})
    assert reply.status_code == 302
    with app.app_context():
        reply_row = db.session.scalar(select(Comment).where(Comment.parent_id == top.id))
        assert reply_row.section.value == "description"  # a reply is about what its thread is about
    deeper = cso1.post_form(f"/drafts/{draft_id}/comments", {"parent": str(reply_row.id), "body_source": "Tercer nivel"})
    assert deeper.status_code == 400
    empty = cso1.post_form(f"/drafts/{draft_id}/comments", {"body_source": "   "})
    assert empty.status_code == 400
    foreign_org = cso2.post_form(f"/drafts/{draft_id}/comments", {"organisation": str(world["org1"]), "body_source": "x"})
    assert foreign_org.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Comment.id))) == 2
    with time_machine.travel(utcnow() + timedelta(days=6), tick=False):
        late = logged(make_client, "osc1@example.org")
        closed = late.post_form(f"/drafts/{draft_id}/comments", {"body_source": "Tarde"})
        assert closed.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Comment.id))) == 2
    page = make_client().get(f"/drafts/{draft_id}?section=description").get_data(as_text=True)
    assert "calendario" in page and "De acuerdo." in page


def test_secretariat_comments_are_not_contributions(app, make_client, world):
    draft_id, _v = _draft(app, world)
    gov = logged(make_client, "government@example.org")
    gov.post_form(f"/drafts/{draft_id}/comments", {"body_source": "Gracias por los comentarios."})
    with app.app_context():
        assert db.session.scalar(select(Comment.is_contribution)) is False


def test_responses_to_comments_and_the_trace_to_the_next_version(app, make_client, inbox, world):
    draft_id, version_id = _draft(app, world, open_for_comments=False)
    with app.app_context():
        cso2 = db.session.scalar(select(User).where(User.email == "osc2@example.org"))
        version = db.session.get(DraftVersion, version_id)
        taken = make_comment(version, cso2, "Incluir a los municipios", section=None)
        ignored = make_comment(version, cso2, "Otra idea")
        db.session.commit()
        taken_id, ignored_id = taken.id, ignored.id
    gov = logged(make_client, "government@example.org")
    assert gov.post_form(f"/comments/{taken_id}/response", {f"r{taken_id}-outcome": "adopted"}).status_code == 302
    no_reason = gov.post_form(f"/comments/{ignored_id}/response", {f"r{ignored_id}-outcome": "not_adopted"}, follow_redirects=True)
    assert "justific" in no_reason.get_data(as_text=True).lower()
    gov.post_form(f"/comments/{ignored_id}/response",
                  {f"r{ignored_id}-outcome": "not_adopted", f"r{ignored_id}-justification_source": "Fuera del periodo."})
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id)).where(Response.comment_id.is_not(None))) == 2
        send_due()
    assert len(inbox.to("osc2@example.org")) == 2
    bad = gov.post_form(f"/drafts/{draft_id}/versions/new", version_form(incorporate_comments=["999999"]))
    assert bad.status_code == 400
    v2 = gov.post_form(f"/drafts/{draft_id}/versions/new",
                       version_form(description_source="Texto de description, con los municipios incluidos",
                                    incorporate_comments=[str(taken_id)], change_note="Se incluyen municipios."))
    assert v2.status_code == 302
    with app.app_context():
        incorporation = db.session.scalar(select(Incorporation).where(Incorporation.comment_id == taken_id))
        assert incorporation.version.number == 2
    compare = make_client().get(f"/drafts/{draft_id}/compare?from=1&to=2").get_data(as_text=True)
    assert "<ins>" in compare and "municipios" in compare and f"#{taken_id}" in compare
    assert 'class="diff-table"' in compare  # the two versions side by side
    v1_page = make_client().get(f"/drafts/{draft_id}/versions/1").get_data(as_text=True)
    assert f"/drafts/{draft_id}/compare?to=2" in v1_page
    # A version cannot be published while the round is open.
    again = gov.post_form(f"/drafts/{draft_id}/versions/new", version_form())
    assert again.status_code == 400


def test_adoption_by_tripartite_approval(app, make_client, world):
    draft_id, _v = _draft(app, world, open_for_comments=False)
    for seat in Seat:
        c = logged(make_client, f"{seat.value}@example.org")
        c.post_form(f"/drafts/{draft_id}/positions", {"action": "adopt_commitment", "stance": "approve"})
    with app.app_context():
        draft = db.session.get(DraftCommitment, draft_id)
        assert draft.adopted_via is Adoption.TRIPARTITE and draft.adopted_at is not None
        # Each verb names one act: the adoption is "adopted", the seats' positions "approved".
        verbs = db.session.execute(select(ParticipationEvent.verb, ParticipationEvent.subject_type)
                                   .where(ParticipationEvent.call_id == draft.call_id)
                                   .order_by(ParticipationEvent.seq.desc()).limit(4)).all()
        assert [tuple(v) for v in verbs] == [("adopted", "draft_commitment"), *[("approved", "approval")] * 3]
    refused = logged(make_client, "government@example.org").post_form(
        f"/drafts/{draft_id}/versions/new", version_form())
    assert refused.status_code == 400


def test_discussion_cost_does_not_grow_with_comments(app, client, world):
    draft_id, version_id = _draft(app, world)

    def add(n):
        with app.app_context():
            version = db.session.get(DraftVersion, version_id)
            authors = [make_user() for _ in range(3)]
            org = make_organisation(make_user())
            gov = make_user()
            for i in range(n):
                top = make_comment(version, authors[i % 3], organisation=org if i % 2 else None)
                make_comment(version, authors[(i + 1) % 3], parent=top)
                if i % 3 == 0:
                    db.session.add(Response(comment_id=top.id, outcome=Outcome.ADOPTED, responder_id=gov.id,
                                            seat=Seat.GOVERNMENT))
            db.session.commit()

    add(3)
    url = f"/drafts/{draft_id}"
    client.get(url)
    with count_statements(app) as small:
        assert client.get(url).status_code == 200
    add(40)
    client.get(url)
    with count_statements(app) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


def test_call_and_draft_pages_cost_does_not_grow_with_drafts_sources_or_incorporations(app, client, world):
    """Found by bench/ at scale 10: versions of every draft on the call page, and the organisation and
    author of every source proposal and incorporated comment, were loaded one by one."""
    from ogpcocreate.calls.models import Call
    from ogpcocreate.drafts.models import Incorporation

    with app.app_context():
        call = db.session.get(Call, world["call"])
        gov = make_user()
        draft = make_draft(call, gov)
        draft_id, version_id = draft.id, draft.versions[0].id
        db.session.commit()

    def add(n):
        with app.app_context():
            call = db.session.get(Call, world["call"])
            version = db.session.get(DraftVersion, version_id)
            draft = db.session.get(DraftCommitment, draft_id)
            for _ in range(n):
                author = make_user()
                org = make_organisation(make_user())
                make_draft(call, author)
                draft.sources.append(make_proposal(call, author, org))
                comment = make_comment(version, author, organisation=org)
                db.session.add(Incorporation(version_id=version.id, comment_id=comment.id))
            db.session.commit()

    def statements(url):
        client.get(url)
        with count_statements(app) as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    add(1)
    small = statements(f"/calls/{world['call']}"), statements(f"/drafts/{draft_id}")
    add(12)
    assert (statements(f"/calls/{world['call']}"), statements(f"/drafts/{draft_id}")) == small


def test_comment_flooding_is_rate_limited(app_config, make_app, world):
    from .conftest import FormClient

    flood = make_app({**app_config, "RATELIMIT_ENABLED": True, "CONTRIBUTION_RATE_LIMIT": "2 per minute"})
    with flood.app_context():
        call = db.session.get(Call, world["call"])
        gov = db.session.scalar(select(User).where(User.email == "government@example.org"))
        draft_id = make_draft(call, gov).id
        db.session.commit()
    c = FormClient(flood.test_client())
    c.login("osc1@example.org")
    statuses = [c.post_form(f"/drafts/{draft_id}/comments", {"body_source": f"Comentario {n}"}).status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    with flood.app_context():
        assert db.session.scalar(select(func.count(Comment.id))) == 2


@pytest.mark.parametrize("email", ["osc1@example.org", "government@example.org"])
def test_signed_in_readers_pages_cost_does_not_grow_with_the_data(app, make_client, world, email):
    """A signed-in participant and a secretariat member (who also sees the forms to respond and moderate on
    every comment) run the same number of SQL statements on the draft and call pages for a few threads,
    proposals, drafts and incorporated comments as for many: bench/ measures these pages at scale 10 for a
    signed-in reader, whom no anonymous page cache serves."""
    from ogpcocreate.calls.models import Call

    draft_id, version_id = _draft(app, world)

    def add(n):
        with app.app_context():
            call = db.session.get(Call, world["call"])
            version = db.session.get(DraftVersion, version_id)
            gov = make_user()
            for i in range(n):
                author = make_user()
                org = make_organisation(make_user()) if i % 2 else None
                top = make_comment(version, author, organisation=org)
                make_comment(version, make_user(), parent=top)
                db.session.add(Incorporation(version_id=version.id, comment_id=make_comment(version, author).id))
                if i % 3 == 0:
                    db.session.add(Response(comment_id=top.id, outcome=Outcome.ADOPTED, responder_id=gov.id,
                                            seat=Seat.GOVERNMENT))
                make_response(make_proposal(call, author, org), gov)
                make_draft(call, author, open_for_comments=bool(i % 2))
            db.session.commit()

    reader = logged(make_client, email)

    def statements(url):
        reader.get(url)
        with count_statements(app) as seen:
            assert reader.get(url).status_code == 200
        return len(seen)

    add(2)
    small = statements(f"/calls/{world['call']}"), statements(f"/drafts/{draft_id}")
    add(25)
    assert (statements(f"/calls/{world['call']}"), statements(f"/drafts/{draft_id}")) == small
