"""Tripartite approval, precisely (DOMAIN.md): a seat approves a specific text, so an edit withdraws the
standing approvals; switching off the requirement is itself an act of the three seats; every objection
can be withdrawn by its author, for every kind of act. Each finding of issue 13 with a case on each side."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from ogpcocreate.approvals.models import Action, Approval
from ogpcocreate.calls.models import Call
from ogpcocreate.core.eventlog import ParticipationEvent
from ogpcocreate.core.sectors import Seat
from ogpcocreate.drafts.models import DraftCommitment
from ogpcocreate.extensions import db
from ogpcocreate.plans.models import ActionPlan

from .factories import make_call, make_draft, make_plan, make_seat, make_user
from .test_calls import _draft, call_form, client_for, position, published, seats


def _clients(app, make_client):
    """A logged-in client per seat, each member reading the pages in English."""
    from ogpcocreate.auth.models import User

    with app.app_context():
        for user in db.session.scalars(select(User)):
            user.locale = "en"
        db.session.commit()
    return {seat: client_for(make_client, f"{seat.value}@example.org") for seat in Seat}


def _standing(app, **where):
    with app.app_context():
        query = select(Approval).where(Approval.withdrawn_at.is_(None))
        for name, value in where.items():
            query = query.where(getattr(Approval, name) == value)
        return [(a.seat, a.stance.value) for a in db.session.scalars(query.order_by(Approval.id))]


# --- an approval is of a specific text ------------------------------------------------------------


@pytest.mark.parametrize(("edit", "withdrawn"), [({}, False), ({"title": "Otro título para la convocatoria"}, True),
                                                 ({"themes": "Transparencia\nJusticia abierta"}, True)],
                         ids=["same text", "title changed", "themes changed"])
def test_editing_a_call_withdraws_the_approvals_given_on_its_text(app, make_client, edit, withdrawn):
    seats(app)
    call_id = _draft(app)
    c = _clients(app, make_client)
    form = call_form(app)
    assert c[Seat.CIVIL_SOCIETY].post_form(f"/calls/{call_id}/edit", form).status_code == 302
    position(c[Seat.GOVERNMENT], call_id, "approve")
    position(c[Seat.GUARANTOR], call_id, "approve")
    response = c[Seat.CIVIL_SOCIETY].post_form(f"/calls/{call_id}/edit", {**form, **edit})
    assert response.status_code == 302
    assert bool(_standing(app, call_id=call_id)) is not withdrawn
    # The third approval publishes only on top of approvals given on the text as it stands.
    position(c[Seat.CIVIL_SOCIETY], call_id, "approve")
    assert published(app, call_id) is not withdrawn
    if withdrawn:
        page = c[Seat.GOVERNMENT].get(f"/calls/{call_id}").get_data(as_text=True)
        assert "because the text changed" in page and "Changed since this position:" in page
        for seat in (Seat.GOVERNMENT, Seat.GUARANTOR):
            position(c[seat], call_id, "approve")
        assert published(app, call_id)


def test_a_new_version_withdraws_the_approvals_to_adopt_the_draft(app):
    with app.test_request_context():
        members = {}
        for seat in Seat:
            members[seat] = make_user()
            make_seat(members[seat], seat)
        call = make_call(make_plan(members[Seat.GOVERNMENT]), phase="deliberation")
        draft = make_draft(call, members[Seat.GOVERNMENT], open_for_comments=False)
        from ogpcocreate.drafts import services as drafts

        drafts.take_adoption_position(members[Seat.GOVERNMENT], Seat.GOVERNMENT, draft, "approve", "")
        drafts.take_adoption_position(members[Seat.GUARANTOR], Seat.GUARANTOR, draft, "object", "Falta un hito")
        text = {f"{s}_source": f"Texto nuevo de {s}" for s in ("problem", "status_quo", "description", "how", "relevance")}
        milestones = [{"description": "Publicar datos", "due": date(2027, 6, 30), "responsible": "SFP"}]
        drafts.publish_version(members[Seat.GOVERNMENT], Seat.GOVERNMENT, draft,
                               {**text, "comment_days": 5, "milestones": milestones})
        db.session.commit()
        positions = {a.seat: a for a in db.session.scalars(select(Approval).where(Approval.draft_id == draft.id))}
        assert positions[Seat.GOVERNMENT].withdrawn_because == "edited"
        assert positions[Seat.GUARANTOR].withdrawn_at is None  # an objection stands until its author withdraws it
        assert positions[Seat.GOVERNMENT].snapshot["version"] == 1


def test_an_objection_to_adopting_a_commitment_can_be_withdrawn(app, make_client):
    seats(app)
    with app.app_context():
        call = make_call(make_plan(), phase="deliberation")
        draft = make_draft(call, make_user(), open_for_comments=False)
        db.session.commit()
        draft_id = draft.id
    c = _clients(app, make_client)
    adopt = {"action": Action.ADOPT_COMMITMENT.value}
    c[Seat.GUARANTOR].post_form(f"/drafts/{draft_id}/positions", {**adopt, "stance": "object", "comment": "Aún no"})
    for seat in (Seat.GOVERNMENT, Seat.CIVIL_SOCIETY):
        c[seat].post_form(f"/drafts/{draft_id}/positions", {**adopt, "stance": "approve"})
    with app.app_context():
        assert not db.session.get(DraftCommitment, draft_id).is_adopted
        objection = db.session.scalar(select(Approval).where(Approval.draft_id == draft_id, Approval.stance == "object"))
    # Another seat cannot withdraw it; its author can.
    c[Seat.GOVERNMENT].post_form(f"/drafts/{draft_id}/positions/{objection.id}/withdraw")
    assert (Seat.GUARANTOR, "object") in _standing(app, draft_id=draft_id)
    assert c[Seat.GUARANTOR].post_form(f"/drafts/{draft_id}/positions/{objection.id}/withdraw").status_code == 302
    assert (Seat.GUARANTOR, "object") not in _standing(app, draft_id=draft_id)
    c[Seat.GUARANTOR].post_form(f"/drafts/{draft_id}/positions", {**adopt, "stance": "approve"})
    with app.app_context():
        assert db.session.get(DraftCommitment, draft_id).is_adopted


# --- switching the requirement off is an act of the three seats ------------------------------------


def _plan_with_draft_call(app):
    call_id = _draft(app)
    with app.app_context():
        return db.session.get(Call, call_id).plan_id, call_id


def _requires(app, plan_id) -> bool:
    with app.app_context():
        return db.session.get(ActionPlan, plan_id).requires_tripartite


def test_one_seat_cannot_switch_the_requirement_off(app, make_client):
    seats(app)
    plan_id, call_id = _plan_with_draft_call(app)
    c = _clients(app, make_client)
    edit = {"name": "Plan", "period_start": "2025", "period_end": "2027", "status": "co_creation", "notice_days": "14"}
    # The edit form has no say in it: an unchecked box, or a forged field, changes nothing.
    assert c[Seat.GOVERNMENT].post_form(f"/plans/{plan_id}/edit", {**edit, "requires_tripartite": ""}).status_code == 302
    assert _requires(app, plan_id)
    switch = {"action": Action.SWITCH_OFF_TRIPARTITE.value, "stance": "approve"}
    c[Seat.GOVERNMENT].post_form(f"/plans/{plan_id}/positions", switch)
    c[Seat.GUARANTOR].post_form(f"/plans/{plan_id}/positions", switch)
    assert _requires(app, plan_id)  # two of three
    position(c[Seat.GOVERNMENT], call_id, "approve")
    assert not published(app, call_id)  # one seat still cannot publish alone
    c[Seat.CIVIL_SOCIETY].post_form(f"/plans/{plan_id}/positions", switch)
    assert not _requires(app, plan_id)
    with app.app_context():
        entry = db.session.scalars(select(ParticipationEvent).where(ParticipationEvent.plan_id == plan_id,
                                                                    ParticipationEvent.verb == "edited")
                                   .order_by(ParticipationEvent.seq.desc())).first()
        assert entry.data["requires_tripartite"] is False and len(entry.data["approved_by"]) == 3


def test_switching_back_on_takes_one_member_and_a_new_switch_off_three_new_approvals(app, make_client):
    seats(app)
    plan_id, _call_id = _plan_with_draft_call(app)
    c = _clients(app, make_client)
    switch = {"action": Action.SWITCH_OFF_TRIPARTITE.value, "stance": "approve"}
    for seat in Seat:
        c[seat].post_form(f"/plans/{plan_id}/positions", switch)
    assert not _requires(app, plan_id)
    assert c[Seat.GUARANTOR].post_form(f"/plans/{plan_id}/tripartite").status_code == 302
    assert _requires(app, plan_id)
    assert _standing(app, plan_id=plan_id) == []  # the approvals that switched it off were used up
    c[Seat.GOVERNMENT].post_form(f"/plans/{plan_id}/positions", switch)
    assert _requires(app, plan_id)
    page = c[Seat.GOVERNMENT].get(f"/plans/{plan_id}").get_data(as_text=True)
    assert "Switch off the requirement" in page and "because the text changed" in page


def test_a_participant_cannot_take_a_seat_position_on_a_plan(app, make_client):
    seats(app)
    plan_id, _call_id = _plan_with_draft_call(app)
    with app.app_context():
        make_user("someone@example.org")
        db.session.commit()
    someone = client_for(make_client, "someone@example.org")
    switch = {"action": Action.SWITCH_OFF_TRIPARTITE.value, "stance": "approve"}
    assert someone.post_form(f"/plans/{plan_id}/positions", switch).status_code == 403
    assert someone.post_form(f"/plans/{plan_id}/tripartite").status_code == 403
    assert _standing(app, plan_id=plan_id) == [] and _requires(app, plan_id)
