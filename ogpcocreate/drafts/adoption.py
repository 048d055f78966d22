"""Adopting a draft as a final commitment, by the three seats or by a published vote: one rule for both
ways in (DOMAIN.md, "Refinements of the influence rules").

Adopting a commitment closes its open comment window (nobody comments on a text that is already
final) and is refused while a contribution on it has no reasoned response: every version's comments
that count as contributions (responses/contributions.py). ``adopted_via`` says which way adopted it.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from ..comments.models import Comment
from ..extensions import db
from ..responses import contributions
from ..responses.models import Response
from .models import Adoption, DraftCommitment, DraftVersion


def unanswered_contributions(draft: DraftCommitment) -> int:
    """Comments on any version of the draft that are contributions, not hidden, and have no response."""
    return db.session.scalar(
        select(func.count(Comment.id))
        .join(DraftVersion, DraftVersion.id == Comment.version_id)
        .outerjoin(Response, contributions.current_response_to_comment())
        .where(DraftVersion.draft_id == draft.id, contributions.comment_counts(), Response.id.is_(None))
    ) or 0


def adoption_refusal(draft: DraftCommitment, *, answered_or_not: bool = False) -> str | None:
    """Why the draft cannot be adopted now, or None. ``answered_or_not`` skips the check of responses
    (for an objection, which adopts nothing)."""
    if draft.is_adopted:
        return _("This commitment has already been adopted.")
    if draft.current_version is None:
        return _("Publish a version of the draft before adopting it.")
    waiting = 0 if answered_or_not else unanswered_contributions(draft)
    if waiting:
        return ngettext("%(num)d comment on “%(title)s” has no reasoned response yet; answer it before adopting the "
                        "commitment.",
                        "%(num)d comments on “%(title)s” have no reasoned response yet; answer them before adopting "
                        "the commitment.", waiting, title=draft.title)
    return None


def adopt(draft: DraftCommitment, via: Adoption, now: datetime) -> bool:
    """Mark the draft adopted and close its comment window if still open; True if it closed one."""
    draft.adopted_via = via
    draft.adopted_at = now
    version = draft.current_version
    if version.comments_open_at(now):
        version.comments_close_at = now
        return True
    return False
