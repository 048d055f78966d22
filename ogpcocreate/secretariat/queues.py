"""The secretariat's work queues (issue: "What needs me"): what is waiting for a member of a seat, each
with the link to where it is done, oldest first.

- contributions due a reasoned response: proposals of calls closed for proposals, due by the call's
  decision date; comments whose round has closed, due from the close of their version's window (the
  next version should answer them). Counted as responses/contributions.py counts them;
- approvals waiting for my seat: acts another seat has approved and mine has not taken a position on,
  not yet carried out (approvals/registry.py lists the acts);
- reports to moderate, organisations to verify, meetings that took place with minutes still unsigned,
  and milestones of adopted commitments past their planned end and not done (drafts/models.Milestone).

Each list reads plain columns, in one statement, limited; the counts come from the same conditions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from ..approvals.models import Action, Approval, Stance
from ..calls.models import Call
from ..comments.models import Comment
from ..core.sectors import Seat
from ..drafts.models import DraftCommitment, DraftVersion, Milestone, MilestoneStatus
from ..extensions import db
from ..meetings.models import Meeting
from ..moderation.models import Report
from ..organisations.models import Organisation, Verification
from ..plans.models import ActionPlan
from ..proposals.models import Proposal
from ..responses import contributions
from ..responses.models import Response

LIMIT = 25


@dataclass(frozen=True)
class Due:
    kind: str  # "proposal" or "comment"
    id: int
    title: str
    due_at: datetime
    draft_id: int | None = None
    version: int | None = None


@dataclass(frozen=True)
class Waiting:
    action: Action
    kind: str  # the object's kind in approvals/registry.py: calls, meetings, drafts, plans
    id: int
    title: str
    since: datetime


@dataclass
class Queue:
    items: list = field(default_factory=list)
    total: int = 0


@dataclass
class Queues:
    responses: Queue
    approvals: Queue
    reports: Queue
    organisations: Queue
    meetings: Queue
    milestones: Queue

    @property
    def empty(self) -> bool:
        return not any(q.total for q in (self.responses, self.approvals, self.reports, self.organisations,
                                         self.meetings, self.milestones))


def _due_responses(now: datetime) -> Queue:
    proposals = (
        select(literal("proposal").label("kind"), Proposal.id.label("id"), Proposal.title.label("title"),
               Call.decision_at.label("due_at"), literal(None).label("draft_id"), literal(None).label("version"))
        .join(Call, Call.id == Proposal.call_id)
        .outerjoin(Response, contributions.current_response_to_proposal())
        .where(contributions.proposal_counts(), Response.id.is_(None), Call.closes_at <= now,
               Call.published_at.is_not(None))
    )
    comments = (
        select(literal("comment").label("kind"), Comment.id.label("id"), DraftCommitment.title.label("title"),
               DraftVersion.comments_close_at.label("due_at"), DraftCommitment.id.label("draft_id"),
               DraftVersion.number.label("version"))
        .join(DraftVersion, DraftVersion.id == Comment.version_id)
        .join(DraftCommitment, DraftCommitment.id == DraftVersion.draft_id)
        .outerjoin(Response, contributions.current_response_to_comment())
        .where(contributions.comment_counts(), Response.id.is_(None), DraftVersion.comments_close_at <= now)
    )
    both = union_all(proposals, comments).subquery()
    rows = db.session.execute(select(both).order_by(both.c.due_at, both.c.kind, both.c.id).limit(LIMIT)).all()
    total = db.session.scalar(select(func.count()).select_from(both))
    return Queue([Due(r.kind, r.id, r.title, r.due_at, r.draft_id, r.version) for r in rows], total or 0)


# The object each kind of act is about, its title, and the condition that the act was carried out.
_TARGETS = (
    ("calls", Approval.call_id, Call, Call.title,
     {Action.PUBLISH_CALL: Call.published_at.is_not(None), Action.PUBLISH_RESULTS: Call.results_published_at.is_not(None)}),
    ("meetings", Approval.meeting_id, Meeting, Meeting.title, {Action.SIGN_MINUTES: Meeting.signed_at.is_not(None)}),
    ("drafts", Approval.draft_id, DraftCommitment, DraftCommitment.title,
     {Action.ADOPT_COMMITMENT: DraftCommitment.adopted_via.is_not(None)}),
    ("plans", Approval.plan_id, ActionPlan, ActionPlan.name,
     {Action.SWITCH_OFF_TRIPARTITE: ActionPlan.requires_tripartite.is_(False)}),
)


def _waiting_approvals(seat: Seat) -> Queue:
    items = []
    for kind, column, model, title, done in _TARGETS:
        mine = aliased(Approval)
        my_column = getattr(mine, column.key)
        rows = db.session.execute(
            select(Approval.action, model.id, title, func.min(Approval.created_at))
            .join(model, model.id == column)
            .where(Approval.withdrawn_at.is_(None), Approval.stance == Stance.APPROVE, Approval.seat != seat,
                   or_(*(and_(Approval.action == action, ~condition) for action, condition in done.items())),
                   # ...and my seat has no standing position (approval or objection) on the same act.
                   ~select(mine.id).where(mine.withdrawn_at.is_(None), mine.seat == seat, mine.action == Approval.action,
                                          my_column == model.id).exists())
            .group_by(Approval.action, model.id, title)
        ).all()
        items += [Waiting(Action(action), kind, id_, name, since) for action, id_, name, since in rows]
    items.sort(key=lambda w: (w.since, w.kind, w.id))
    return Queue(items[:LIMIT], len(items))


def _reports() -> Queue:
    condition = Report.decision.is_(None)
    rows = db.session.execute(
        select(Report.comment_id, func.min(Report.created_at), func.count(Report.id)).where(condition)
        .group_by(Report.comment_id).order_by(func.min(Report.created_at)).limit(LIMIT)).all()
    total = db.session.scalar(select(func.count(func.distinct(Report.comment_id))).where(condition))
    return Queue([tuple(r) for r in rows], total or 0)


def _organisations() -> Queue:
    condition = Organisation.verification == Verification.PENDING
    rows = db.session.execute(select(Organisation.id, Organisation.name, Organisation.created_at).where(condition)
                              .order_by(Organisation.created_at, Organisation.id).limit(LIMIT)).all()
    return Queue([tuple(r) for r in rows], db.session.scalar(select(func.count(Organisation.id)).where(condition)))


def _meetings(now: datetime) -> Queue:
    condition = and_(Meeting.signed_at.is_(None), Meeting.published_at.is_not(None), Meeting.starts_at <= now)
    rows = db.session.execute(select(Meeting.id, Meeting.title, Meeting.starts_at).where(condition)
                              .order_by(Meeting.starts_at, Meeting.id).limit(LIMIT)).all()
    return Queue([tuple(r) for r in rows], db.session.scalar(select(func.count(Meeting.id)).where(condition)))


def _milestones(now: datetime) -> Queue:
    condition = and_(DraftCommitment.adopted_via.is_not(None), Milestone.due < now.date(),
                     Milestone.status.not_in([MilestoneStatus.COMPLETE, MilestoneStatus.CANCELLED]))
    query = (select(Milestone.id, Milestone.description, Milestone.due, DraftCommitment.id, DraftCommitment.title)
             .join(DraftVersion, DraftVersion.id == Milestone.version_id)
             .join(DraftCommitment, DraftCommitment.id == DraftVersion.draft_id).where(condition))
    rows = db.session.execute(query.order_by(Milestone.due, Milestone.id).limit(LIMIT)).all()
    return Queue([tuple(r) for r in rows], db.session.scalar(select(func.count()).select_from(query.subquery())))


def queues(seat: Seat, now: datetime) -> Queues:
    return Queues(responses=_due_responses(now), approvals=_waiting_approvals(seat), reports=_reports(),
                  organisations=_organisations(), meetings=_meetings(now), milestones=_milestones(now))
