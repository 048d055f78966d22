"""The moments at which a public page changes with nobody acting: the clock's part of the page cache's
key (core/pagecache.py, "The clock").

DOMAIN.md makes these dates part of each object:
- a call is announced (``announce_at``, "What is public, and when"), opens, closes, and enters
  deliberation, decision and results (``opens_at`` ... ``results_at``; calls/models.py ``phase_at``);
- a ballot opens and closes (``opens_at``, ``closes_at``; votes/services.py ``state_at``);
- a meeting starts (``starts_at``: it moves from upcoming to held);
- a draft version's comment window closes (``comments_close_at``), and a version scheduled for later
  is published (``published_at``);
- a comment on a commitment's implementation falls due a response IMPLEMENTATION_WINDOW after it was
  written (responses/contributions.py);
- dates shown as days (a milestone due, overdue or on track; "today") change at local midnight in the
  display time zone.

``next_transition(now)`` is the earliest of these after ``now``: a handful of indexed ``min()``
queries, asked once per log head (core/pagecache.py caches it). Anything else that depends on the clock
alone is bounded by PAGE_CACHE_MAX_SECONDS.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from .calls.models import Call
from .core.db import utcnow
from .core.i18n import display_zone
from .drafts.models import DraftVersion
from .extensions import db
from .meetings.models import Meeting
from .monitoring.models import ImplementationComment
from .responses.contributions import IMPLEMENTATION_WINDOW
from .votes.models import Ballot

SCHEDULE = (
    Call.announce_at, Call.opens_at, Call.closes_at, Call.deliberation_at, Call.decision_at, Call.results_at,
    Ballot.opens_at, Ballot.closes_at,
    Meeting.starts_at,
    DraftVersion.published_at, DraftVersion.comments_close_at,
)


def next_midnight(now: datetime) -> datetime:
    """The next local midnight (display time zone), as an aware UTC datetime."""
    zone = display_zone()
    local = now.astimezone(zone)
    tomorrow = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)
    return tomorrow.astimezone(now.tzinfo)


def _aware(moment: datetime, like: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=like.tzinfo)


def next_transition(now: datetime | None = None) -> datetime:
    now = now or utcnow()
    moments = [next_midnight(now)]
    for column in SCHEDULE:
        moment = db.session.scalar(select(func.min(column)).where(column > now))
        if moment is not None:
            moments.append(_aware(moment, now))
    due = db.session.scalar(select(func.min(ImplementationComment.created_at))
                            .where(ImplementationComment.created_at > now - IMPLEMENTATION_WINDOW))
    if due is not None:
        moments.append(_aware(due, now) + IMPLEMENTATION_WINDOW)
    return min(moments)
