"""What the public may see, and from when: one rule per kind of subject (DOMAIN.md, "What is public,
and when"). Every page, export, API, report, timeline and e-mail asks these rules; nothing re-derives
them.

``disclosure(events)`` answers the question for entries of the participation log: for each entry,
whether the person's name may be shown (``who``) and whether the rest of its payload may be shown
(``what``). Where either is withheld, the public record shows only the salted digest that the chain
commits to (core/eventlog.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from .auth.models import User
from .extensions import db


@dataclass(frozen=True)
class Disclosure:
    who: bool  # the actor's name (withheld once the account is closed)
    what: bool  # organisation name and free text (withheld while the subject is not public)


def disclosure(events: Sequence) -> dict[int, Disclosure]:
    """``{event.id: Disclosure}`` for a batch of log entries, in a fixed number of queries."""
    actor_ids = {e.actor_id for e in events if e.actor_id is not None}
    closed = set(
        db.session.scalars(select(User.id).where(User.id.in_(actor_ids), User.closed_at.is_not(None)))
    ) if actor_ids else set()
    return {e.id: Disclosure(who=e.actor_id not in closed, what=True) for e in events}
