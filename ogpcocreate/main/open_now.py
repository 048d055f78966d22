"""What is open now, for the home page (issue: "Home: what is open now, with their deadlines"): calls
taking proposals (and those announced, with the date they open), drafts taking comments, ballots taking
votes and the next meetings. Only what the public may see (visibility.py), read as plain columns in
one statement per list, soonest deadline first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from .. import visibility
from ..calls.models import Call
from ..drafts.models import DraftCommitment, DraftVersion
from ..extensions import db
from ..meetings.models import Meeting
from ..votes.models import Ballot

# Enough to show what is going on without turning the home page into a list.
LIMIT = 6


@dataclass(frozen=True)
class Item:
    id: int
    title: str
    deadline: datetime  # when it closes (or, for what has not started yet, when it starts)
    parent_id: int | None = None
    parent_title: str | None = None


@dataclass
class OpenNow:
    calls: list[Item] = field(default_factory=list)
    announced: list[Item] = field(default_factory=list)
    drafts: list[Item] = field(default_factory=list)
    ballots: list[Item] = field(default_factory=list)
    meetings: list[Item] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.calls, self.announced, self.drafts, self.ballots, self.meetings))


def _items(query) -> list[Item]:
    return [Item(*row) for row in db.session.execute(query.limit(LIMIT))]


def open_now(now: datetime) -> OpenNow:
    taking = (Call.results_published_at.is_(None),)
    latest = (select(DraftVersion.draft_id, func.max(DraftVersion.number).label("number"))
              .group_by(DraftVersion.draft_id).subquery())
    return OpenNow(
        calls=_items(select(Call.id, Call.title, Call.closes_at)
                     .where(visibility.public_call(now), *taking, Call.opens_at <= now, Call.closes_at > now)
                     .order_by(Call.closes_at, Call.id)),
        announced=_items(select(Call.id, Call.title, Call.opens_at)
                         .where(visibility.public_call(now), *taking, Call.opens_at > now)
                         .order_by(Call.opens_at, Call.id)),
        drafts=_items(select(DraftCommitment.id, DraftCommitment.title, DraftVersion.comments_close_at,
                             Call.id, Call.title)
                      .join(latest, latest.c.draft_id == DraftCommitment.id)
                      .join(DraftVersion, (DraftVersion.draft_id == DraftCommitment.id)
                            & (DraftVersion.number == latest.c.number))
                      .join(Call, Call.id == DraftCommitment.call_id)
                      .where(visibility.public_call(now), DraftCommitment.adopted_via.is_(None),
                             DraftVersion.published_at <= now, DraftVersion.comments_close_at > now)
                      .order_by(DraftVersion.comments_close_at, DraftCommitment.id)),
        ballots=_items(select(Ballot.id, Ballot.question, Ballot.closes_at, Call.id, Call.title)
                       .join(Call, Call.id == Ballot.call_id)
                       .where(visibility.public_ballot(now), Ballot.opens_at <= now, Ballot.closes_at > now)
                       .order_by(Ballot.closes_at, Ballot.id)),
        meetings=_items(select(Meeting.id, Meeting.title, Meeting.starts_at, Call.id, Call.title)
                        .join(Call, Call.id == Meeting.call_id)
                        .where(visibility.public_meeting(now), Meeting.starts_at > now)
                        .order_by(Meeting.starts_at, Meeting.id)),
    )
