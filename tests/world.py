"""The world the authorization tests run against: one of each role and one of each object.

It is built once per session into its own database (tests/conftest.py, ``world_database_url``); the
permission matrix, the CSRF tests and the fuzzing tests share it and roll back each case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ogpcocreate.core.db import utcnow
from ogpcocreate.core.sectors import Seat
from ogpcocreate.extensions import db
from ogpcocreate.organisations import services as organisations
from ogpcocreate.votes.models import Ballot, BallotKind, BallotOption, Electorate

from .factories import (
    make_adopted,
    make_call,
    make_comment,
    make_commission_report,
    make_document,
    make_draft,
    make_meeting,
    make_organisation,
    make_plan,
    make_proposal,
    make_seat,
    make_user,
)

ROLES = [
    "anonymous", "unconfirmed", "participant", "member", "org_admin", "other_member",
    "seat_government", "seat_guarantor", "seat_civil_society", "site_admin",
]  # fmt: skip
# Each logged-in role signs in as <role>@example.org with the factories' password.


@dataclass
class World:
    org_id: int
    invitation_id: int
    invitation_token: str
    seat_id: int
    plan_id: int
    call_id: int
    draft_call_id: int
    proposal_id: int
    closed_call_id: int
    draft_id: int
    comment_id: int
    ballot_id: int
    meeting_id: int
    unpublished_ballot_id: int  # set up by the secretariat, not published yet (ogpcocreate/visibility.py)
    unpublished_meeting_id: int
    document_id: int
    report_id: int
    adopted_id: int  # an adopted commitment, monitored (ogpcocreate/monitoring/)
    milestone_id: int
    indicator_id: int
    contact_id: int
    recommendation_id: int
    implementation_comment_id: int


def build_world(app) -> World:
    with app.test_request_context():
        admin = make_user("org_admin@example.org")
        member = make_user("member@example.org")
        org = make_organisation(admin, members=[member])
        other_member = make_user("other_member@example.org")
        make_organisation(make_user(), members=[other_member])
        make_user("participant@example.org")
        make_user("unconfirmed@example.org", confirmed=False)
        make_user("site_admin@example.org", admin=True)
        seat = None
        for seat_enum in Seat:
            person = make_user(f"seat_{seat_enum.value}@example.org")
            seat = make_seat(person, seat_enum)
        invitation = organisations.invite(admin, org, "invitee@example.org")
        token = "not-the-real-token"
        plan = make_plan(admin)
        call = make_call(plan, phase="open")
        draft = make_call(plan, phase="draft")
        proposal = make_proposal(call, member, org)
        closed = make_call(plan, phase="deliberation")
        commitment = make_draft(closed, admin)
        comment = make_comment(commitment.versions[0], other_member)
        ballot = Ballot(call_id=call.id, kind=BallotKind.THEMES, electorate=Electorate.ORGANISATIONS,
                        question="¿Qué temas primero?", opens_at=utcnow() - timedelta(days=1),
                        closes_at=utcnow() + timedelta(days=1), created_by_id=admin.id, published_at=utcnow(),
                        options=[BallotOption(theme_id=t.id) for t in call.themes])
        unpublished_ballot = Ballot(call_id=call.id, kind=BallotKind.THEMES, electorate=Electorate.ORGANISATIONS,
                                    question="¿Y después?", opens_at=utcnow() + timedelta(days=1),
                                    closes_at=utcnow() + timedelta(days=2), created_by_id=admin.id,
                                    options=[BallotOption(theme_id=t.id) for t in call.themes])
        db.session.add_all([ballot, unpublished_ballot])
        meeting = make_meeting(call)
        unpublished_meeting = make_meeting(call, published=False)
        document = make_document(admin, call=call)
        report = make_commission_report()
        adopted = make_adopted(closed, admin)
        monitoring = _monitoring(adopted, plan, admin)
        db.session.commit()
        return World(org.id, invitation.id, token, seat.id, plan.id, call.id, draft.id, proposal.id, closed.id,
                     commitment.id, comment.id, ballot.id, meeting.id, unpublished_ballot.id, unpublished_meeting.id,
                     document.id, report.id, adopted.id, *monitoring)


def _monitoring(adopted, plan, admin) -> tuple[int, int, int, int, int]:
    """A milestone, an indicator, a contact (the government seat's member), a recommendation and a
    participant's comment on the implementation."""
    from datetime import date

    from sqlalchemy import select

    from ogpcocreate.auth.models import User
    from ogpcocreate.monitoring.models import Contact, ImplementationComment, Indicator, Recommendation

    government = db.session.scalar(select(User).where(User.email == "seat_government@example.org"))
    indicator = Indicator(draft_id=adopted.id, name="Conjuntos publicados", target_population="Dependencias federales",
                          criterion="Conjuntos de datos en el portal", unit="conjuntos", baseline_value=10,
                          baseline_date=date(2024, 1, 1), target_value=100, target_date=date(2027, 6, 30),
                          created_by_id=admin.id)
    contact = Contact(draft_id=adopted.id, user_id=government.id, named_by_id=admin.id)
    recommendation = Recommendation(plan_id=plan.id, title="Monitoreo", body="Líneas base", created_by_id=admin.id)
    participant = db.session.scalar(select(User).where(User.email == "participant@example.org"))
    comment = ImplementationComment(draft_id=adopted.id, author_id=participant.id, body_source="¿Avance?",
                                    body="<p>¿Avance?</p>")
    db.session.add_all([indicator, contact, recommendation, comment])
    db.session.flush()
    return adopted.versions[0].milestones[0].id, indicator.id, contact.id, recommendation.id, comment.id
