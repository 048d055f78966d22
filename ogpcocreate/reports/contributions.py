"""Contributions in a scope and how they were answered, counted in one grouped SQL query.

A contribution (shared/DOMAIN.md, "Contribution") counts, is unanswered and is public input as
responses/contributions.py defines it once, for the reports as for the rounds and adoption of a draft.

A contribution is *due* a response once its window has closed: a proposal when its call stops taking
proposals (responses are only accepted from then on, calls/phases.py), a comment when its version's
comment window closes, a comment on a commitment's implementation once the institution's time to answer
has passed (responses/contributions.py, IMPLEMENTATION_WINDOW). Contributions still inside an open window are reported as awaiting their window
and do not count against the level (reports/influence.py).

The sector of a contribution is the one the log recorded for the act (submitted / commented), so the
report stays true when an organisation later changes sector; rows written without a log entry fall back
to the organisation's sector, or "citizen" for a person acting alone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Integer, String, and_, case, cast, func, literal, null, select, type_coerce, union_all

from ..calls.models import Call
from ..comments.models import Comment
from ..core.eventlog import ParticipationEvent, Verb
from ..core.sectors import Sector
from ..drafts.models import DraftCommitment, DraftVersion
from ..extensions import db
from ..monitoring.models import ImplementationComment
from ..organisations.models import Organisation
from ..proposals.models import Proposal
from ..responses import contributions as contribution
from ..responses.models import Outcome, Response
from .scope import Scope

AWAITING = "awaiting"  # the outcome column of a contribution with no response yet


def _sector(event, organisation, organisation_id):
    return func.coalesce(
        type_coerce(event.c.sector, String),
        case((organisation_id.is_(None), literal(Sector.CITIZEN.value)), else_=type_coerce(organisation.c.sector, String)),
    )


def _answered_parts(response):
    """The outcome ("awaiting" when unanswered) and whether a not-adopted response lacks a justification."""
    outcome = func.coalesce(type_coerce(response.c.outcome, String), literal(AWAITING))
    unjustified = and_(
        response.c.id.is_not(None), response.c.outcome != Outcome.ADOPTED.value,
        func.coalesce(response.c.justification_source, "") == "",
    )
    return outcome, case((unjustified, 1), else_=0)


def contributions_query(scope: Scope, now: datetime):
    """One row per contribution: kind, id, call, sector, due (0/1), outcome or "awaiting", unjustified (0/1)."""
    event = ParticipationEvent.__table__.alias("e")
    organisation = Organisation.__table__.alias("o")
    call = Call.__table__.alias("c")

    response = Response.__table__.alias("r")
    outcome, unjustified = _answered_parts(response)
    proposals = (
        select(
            literal("proposal").label("kind"), Proposal.id.label("id"), Proposal.call_id.label("call_id"),
            _sector(event, organisation, Proposal.organisation_id).label("sector"),
            case((call.c.closes_at <= now, 1), else_=0).label("due"),
            outcome.label("outcome"), unjustified.label("unjustified"),
            cast(null(), Integer).label("draft_id"), cast(null(), Integer).label("version"),
        )
        .select_from(Proposal)
        .join(call, call.c.id == Proposal.call_id)
        .outerjoin(organisation, organisation.c.id == Proposal.organisation_id)
        .outerjoin(event, and_(event.c.subject_type == "proposal", event.c.subject_id == Proposal.id,
                               event.c.verb == Verb.SUBMITTED.value))
        .outerjoin(response, contribution.current_response_to_proposal(Proposal, response.c))
        .where(scope.calls(call.c), contribution.proposal_counts())
    )

    response = Response.__table__.alias("rc")
    outcome, unjustified = _answered_parts(response)
    comments = (
        select(
            literal("comment").label("kind"), Comment.id.label("id"), DraftCommitment.call_id.label("call_id"),
            _sector(event, organisation, Comment.organisation_id).label("sector"),
            case((DraftVersion.comments_close_at <= now, 1), else_=0).label("due"),
            outcome.label("outcome"), unjustified.label("unjustified"),
            DraftVersion.draft_id.label("draft_id"), DraftVersion.number.label("version"),
        )
        .select_from(Comment)
        .join(DraftVersion, DraftVersion.id == Comment.version_id)
        .join(DraftCommitment, DraftCommitment.id == DraftVersion.draft_id)
        .join(call, call.c.id == DraftCommitment.call_id)
        .outerjoin(organisation, organisation.c.id == Comment.organisation_id)
        .outerjoin(event, and_(event.c.subject_type == "comment", event.c.subject_id == Comment.id,
                               event.c.verb == Verb.COMMENTED.value))
        .outerjoin(response, contribution.current_response_to_comment(Comment, response.c))
        .where(scope.calls(call.c), contribution.comment_counts())
    )
    response = Response.__table__.alias("ri")
    outcome, unjustified = _answered_parts(response)
    implementation = (
        select(
            literal("implementation_comment").label("kind"), ImplementationComment.id.label("id"),
            DraftCommitment.call_id.label("call_id"),
            _sector(event, organisation, ImplementationComment.organisation_id).label("sector"),
            case((ImplementationComment.created_at <= now - contribution.IMPLEMENTATION_WINDOW, 1), else_=0).label("due"),
            outcome.label("outcome"), unjustified.label("unjustified"),
            ImplementationComment.draft_id.label("draft_id"), cast(null(), Integer).label("version"),
        )
        .select_from(ImplementationComment)
        .join(DraftCommitment, DraftCommitment.id == ImplementationComment.draft_id)
        .join(call, call.c.id == DraftCommitment.call_id)
        .outerjoin(organisation, organisation.c.id == ImplementationComment.organisation_id)
        .outerjoin(event, and_(event.c.subject_type == "implementation_comment",
                               event.c.subject_id == ImplementationComment.id, event.c.verb == Verb.COMMENTED.value))
        .outerjoin(response, contribution.current_response_to_implementation_comment(ImplementationComment, response.c))
        .where(scope.calls(call.c))
    )
    return union_all(proposals, comments, implementation).subquery("contribution")


@dataclass
class ContributionCounts:
    """The counts the rules and the report need, from one GROUP BY over the contributions."""

    total: int = 0
    answered: int = 0
    due: int = 0
    due_answered: int = 0
    unjustified: int = 0
    # Public input (DOMAIN.md, "Refinements of the influence rules"): contributions from non-government
    # participants, with their own coverage; a process with none never reaches involve.
    non_government: int = 0
    public_due: int = 0
    public_due_answered: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    # sector -> outcome (or "awaiting") -> count
    by_sector: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def awaiting_window(self) -> int:
        return self.total - self.due

    @property
    def due_unanswered(self) -> int:
        return self.due - self.due_answered

    @property
    def coverage(self) -> float | None:
        """Share of due contributions with a reasoned response (None when none is due yet)."""
        return self.due_answered / self.due if self.due else None

    @property
    def public_coverage(self) -> float | None:
        """The same share over public input only."""
        return self.public_due_answered / self.public_due if self.public_due else None


def count(scope: Scope, now: datetime) -> ContributionCounts:
    c = contributions_query(scope, now)
    rows = db.session.execute(
        select(c.c.kind, c.c.sector, c.c.due, c.c.outcome, func.count(), func.sum(c.c.unjustified))
        .group_by(c.c.kind, c.c.sector, c.c.due, c.c.outcome)
    ).all()
    counts = ContributionCounts()
    by_kind: dict[str, int] = defaultdict(int)
    by_sector: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for kind, sector, due, outcome, n, unjustified in rows:
        answered = outcome != AWAITING
        counts.total += n
        counts.answered += n if answered else 0
        counts.due += n if due else 0
        counts.due_answered += n if due and answered else 0
        counts.unjustified += int(unjustified or 0)
        public = contribution.is_public_input(sector)
        counts.non_government += n if public else 0
        counts.public_due += n if public and due else 0
        counts.public_due_answered += n if public and due and answered else 0
        by_kind[kind] += n
        by_sector[sector][outcome] += n
    counts.by_kind = dict(by_kind)
    counts.by_sector = {s: dict(v) for s, v in by_sector.items()}
    return counts


def due_unanswered(scope: Scope, now: datetime, limit: int = 5):
    """A few due contributions still without a response (kind, id, draft_id, version), proposals first:
    the links behind "what is missing"."""
    c = contributions_query(scope, now)
    return db.session.execute(
        select(c.c.kind, c.c.id, c.c.draft_id, c.c.version).where(c.c.due == 1, c.c.outcome == AWAITING)
        .order_by(c.c.kind.desc(), c.c.id).limit(limit)
    ).all()
