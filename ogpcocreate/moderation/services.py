"""Reporting comments, and the secretariat hiding them or dismissing the reports, always with a reason.

DOMAIN.md, "Moderation": anyone signed in reports a comment with a reason; a secretariat member hides
it with a reason or dismisses the report; the author is told and can still read the hidden text; the
public sees that it was hidden and why. Nothing is deleted. Every decision goes to a public log.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from .. import visibility
from ..auth.models import User
from ..comments.models import Comment
from ..core import eventlog
from ..core.db import utcnow
from ..core.errors import ServiceError
from ..core.eventlog import Verb
from ..core.sectors import Seat
from ..drafts.models import DraftVersion
from ..extensions import db
from .models import Decision, ModerationAction, Report


def report(actor: User, comment: Comment, reason: str) -> Report:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the comment should be reviewed."), field="reason")
    if comment.is_hidden:
        raise ServiceError(_("This comment has already been hidden by moderation."))
    if comment.author_id == actor.id:
        raise ServiceError(_("You cannot report your own comment."))
    already = db.session.scalar(select(Report.id).where(Report.comment_id == comment.id, Report.reporter_id == actor.id,
                                                        Report.decision.is_(None)))
    if already is not None:
        raise ServiceError(_("You have already reported this comment; the secretariat will review it."))
    entry = Report(comment_id=comment.id, reporter_id=actor.id, reason=reason[:2000])
    db.session.add(entry)
    db.session.flush()
    # The reporter's identity is not public: the log keeps the act, not who reported.
    eventlog.record(None, Verb.REPORTED, entry, call=comment.version.draft.call,
                    data={"comment": comment.id, "action": "reported"})
    return entry


def _decide(actor: User, seat: Seat, comment: Comment, decision: Decision, reason: str) -> ModerationAction:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give the reason for the decision; it is published."), field="reason")
    db.session.execute(
        update(Report).where(Report.comment_id == comment.id, Report.decision.is_(None))
        .values(decision=decision, decided_at=utcnow(), decided_by_id=actor.id)
    )
    action = ModerationAction(comment_id=comment.id, decision=decision, reason=reason[:2000], moderator_id=actor.id,
                              moderator_name=actor.display_name)
    db.session.add(action)
    db.session.flush()
    eventlog.record(actor, Verb.MODERATED, action, sector=seat.sector, territory="national",
                    call=comment.version.draft.call, data={"comment": comment.id, "decision": decision.value,
                                                           "reason": action.reason})
    return action


def hide(actor: User, seat: Seat, comment: Comment, reason: str) -> ModerationAction:
    if comment.is_hidden:
        raise ServiceError(_("This comment has already been hidden by moderation."))
    action = _decide(actor, seat, comment, Decision.HIDDEN, reason)
    comment.hidden_at = utcnow()
    comment.hidden_reason = action.reason
    comment.hidden_by_id = actor.id
    # The author is told (and only the author's e-mail quotes the hidden text) through
    # notifications/services.py, which listens to the moderation entry in the log.
    db.session.flush()
    return action


def dismiss(actor: User, seat: Seat, comment: Comment, reason: str) -> ModerationAction:
    if not open_reports_count(comment):
        raise ServiceError(_("There is no open report on this comment."))
    return _decide(actor, seat, comment, Decision.DISMISSED, reason)


def open_reports_count(comment: Comment) -> int:
    return db.session.scalar(select(func.count(Report.id)).where(Report.comment_id == comment.id,
                                                                 Report.decision.is_(None)))


def queue() -> list[tuple[Comment, int]]:
    """Comments with open reports, most reported first."""
    rows = db.session.execute(
        select(Comment, func.count(Report.id)).join(Report, Report.comment_id == Comment.id)
        .where(Report.decision.is_(None)).group_by(Comment.id).order_by(func.count(Report.id).desc(), Comment.id)
    ).all()
    return [(comment, n) for comment, n in rows]


def open_reasons(comment_ids: list[int]) -> dict[int, list[str]]:
    if not comment_ids:
        return {}
    result: dict[int, list[str]] = {}
    for comment_id, reason in db.session.execute(
        select(Report.comment_id, Report.reason).where(Report.comment_id.in_(comment_ids), Report.decision.is_(None))
    ):
        result.setdefault(comment_id, []).append(reason)
    return result


def public_log(page: int, per_page: int = 50):
    """The moderation decisions on comments the public can see (visibility.py: a comment follows its draft)."""
    public = ModerationAction.comment_id.in_(
        select(Comment.id).join(DraftVersion, DraftVersion.id == Comment.version_id)
        .where(DraftVersion.draft_id.in_(visibility.public_draft_ids())))
    query = (select(ModerationAction).where(public).options(selectinload(ModerationAction.moderator))
             .order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc()))
    total = db.session.scalar(select(func.count(ModerationAction.id)).where(public))
    return list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page))), total
