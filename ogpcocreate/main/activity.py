"""A person's own activity (issue: "My activity"): every proposal, comment and reply they wrote, every
ballot they voted in (that they voted, never what), every meeting recorded as attended, each with its
status today: the reasoned response it received (and its revision), withdrawn, hidden by moderation,
or awaiting a response.

Read from the participation log, which holds every one of these acts with its moment (core/eventlog.py),
newest first by keyset on the log's sequence, then each page's subjects and statuses in one statement per
kind, so a page costs the same for a person with ten acts or ten thousand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..comments.models import Comment
from ..core.eventlog import ParticipationEvent, Verb
from ..drafts.models import DraftCommitment, DraftVersion
from ..extensions import db
from ..meetings.models import Meeting
from ..proposals.models import Proposal
from ..responses import contributions
from ..responses.models import Outcome, Response
from ..votes.models import Ballot

# The acts that make up a person's activity, and the subject each is about.
ACTS = {Verb.SUBMITTED: "proposal", Verb.COMMENTED: "comment", Verb.VOTED: "ballot", Verb.ATTENDED: "meeting"}
PER_PAGE = 30


@dataclass(frozen=True)
class Status:
    kind: str  # "answered", "awaiting", "withdrawn", "hidden", "not_a_contribution", "done"
    outcome: Outcome | None = None
    revision: int = 0
    answered_at: datetime | None = None
    hidden_reason: str | None = None
    justification: str = ""  # the response's sanitised HTML


@dataclass(frozen=True)
class Entry:
    seq: int
    at: datetime
    verb: Verb
    kind: str  # proposal, comment, reply, ballot, meeting
    subject_id: int
    title: str
    organisation: str | None
    status: Status
    # Where it lives: the draft and version of a comment, the call of everything else.
    draft_id: int | None = None
    version: int | None = None


def _responses(column, ids) -> dict[int, Response]:
    if not ids:
        return {}
    rows = db.session.scalars(select(Response).where(column.in_(ids), Response.is_current))
    return {(r.proposal_id or r.comment_id): r for r in rows}


def _answered(response: Response | None) -> Status:
    if response is None:
        return Status("awaiting")
    return Status("answered", response.outcome, response.revision, response.created_at,
                  justification=response.justification)


def page(user_id: int, before: int | None = None, per_page: int = PER_PAGE) -> tuple[list[Entry], int | None]:
    """One page of ``user_id``'s activity, newest first; returns the entries and the next page's cursor."""
    query = (select(ParticipationEvent.seq, ParticipationEvent.occurred_at, ParticipationEvent.verb,
                    ParticipationEvent.subject_id, ParticipationEvent.organisation_name)
             .where(ParticipationEvent.actor_id == user_id, ParticipationEvent.verb.in_([str(v) for v in ACTS]),
                    ParticipationEvent.subject_id.is_not(None))
             .order_by(ParticipationEvent.seq.desc()).limit(per_page + 1))
    if before:
        query = query.where(ParticipationEvent.seq < before)
    events = db.session.execute(query).all()
    more = len(events) > per_page
    events = events[:per_page]
    ids: dict[str, set[int]] = {kind: set() for kind in ACTS.values()}
    for event in events:
        ids[ACTS[Verb(event.verb)]].add(event.subject_id)

    proposals = {p.id: p for p in db.session.execute(
        select(Proposal.id, Proposal.title, Proposal.withdrawn_at).where(Proposal.id.in_(ids["proposal"])))}
    comments = {c.id: c for c in db.session.execute(
        select(Comment.id, Comment.parent_id, Comment.is_contribution, Comment.hidden_at, Comment.hidden_reason,
               DraftCommitment.id.label("draft_id"), DraftCommitment.title, DraftVersion.number)
        .join(DraftVersion, DraftVersion.id == Comment.version_id)
        .join(DraftCommitment, DraftCommitment.id == DraftVersion.draft_id)
        .where(Comment.id.in_(ids["comment"])))}
    ballots = dict(db.session.execute(select(Ballot.id, Ballot.question).where(Ballot.id.in_(ids["ballot"]))).all())
    meetings = dict(db.session.execute(select(Meeting.id, Meeting.title).where(Meeting.id.in_(ids["meeting"]))).all())
    proposal_responses = _responses(Response.proposal_id, ids["proposal"])
    comment_responses = _responses(Response.comment_id, ids["comment"])

    entries = []
    for event in events:
        verb, subject = Verb(event.verb), event.subject_id
        common = {"seq": event.seq, "at": event.occurred_at, "verb": verb, "subject_id": subject,
                  "organisation": event.organisation_name}
        if verb is Verb.SUBMITTED and subject in proposals:
            p = proposals[subject]
            status = Status("withdrawn") if p.withdrawn_at else _answered(proposal_responses.get(subject))
            entries.append(Entry(kind="proposal", title=p.title, status=status, **common))
        elif verb is Verb.COMMENTED and subject in comments:
            c = comments[subject]
            if c.hidden_at is not None:
                status = Status("hidden", hidden_reason=c.hidden_reason)
            elif not c.is_contribution:
                status = Status("not_a_contribution")
            else:
                status = _answered(comment_responses.get(subject))
            entries.append(Entry(kind="reply" if c.parent_id else "comment", title=c.title, status=status,
                                 draft_id=c.draft_id, version=c.number, **common))
        elif verb is Verb.VOTED and subject in ballots:
            entries.append(Entry(kind="ballot", title=ballots[subject], status=Status("done"), **common))
        elif verb is Verb.ATTENDED and subject in meetings:
            entries.append(Entry(kind="meeting", title=meetings[subject], status=Status("done"), **common))
    return entries, (events[-1].seq if more and events else None)


def counts(user_id: int) -> dict[str, int]:
    """How many of each kind of act, for the page's summary line."""
    rows = db.session.execute(
        select(ParticipationEvent.verb, db.func.count())
        .where(ParticipationEvent.actor_id == user_id, ParticipationEvent.verb.in_([str(v) for v in ACTS]))
        .group_by(ParticipationEvent.verb)).all()
    return {ACTS[Verb(verb)]: n for verb, n in rows}


def unanswered(user_id: int) -> int:
    """How many of the person's contributions still await a reasoned response."""
    proposals = db.session.scalar(
        select(db.func.count(Proposal.id))
        .outerjoin(Response, contributions.current_response_to_proposal())
        .where(Proposal.author_id == user_id, contributions.proposal_counts(), Response.id.is_(None)))
    comments = db.session.scalar(
        select(db.func.count(Comment.id))
        .outerjoin(Response, contributions.current_response_to_comment())
        .where(Comment.author_id == user_id, contributions.comment_counts(), Response.id.is_(None)))
    return (proposals or 0) + (comments or 0)
