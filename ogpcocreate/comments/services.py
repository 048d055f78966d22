"""Commenting on a draft version, and the one query that shows a page of a discussion.

DOMAIN.md, "Comment": verified participants comment on a version, on the whole or one section, and
reply (threaded, two levels). Comments on a closed round are refused with the date it closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager

from .. import permissions
from ..auth.models import User
from ..core import eventlog, richtext
from ..core.db import utcnow
from ..core.errors import ServiceError
from ..core.eventlog import Verb
from ..core.params import parse_id
from ..drafts.models import DraftVersion, Section
from ..extensions import db
from ..organisations.models import Organisation, Verification
from ..responses.models import Response
from .models import Comment

MAX_LENGTH = 10_000


def add(actor: User, version: DraftVersion, data: dict) -> Comment:
    body = (data.get("body_source") or "").strip()
    if not body:
        raise ServiceError(_("Write your comment."), field="body_source")
    if len(body) > MAX_LENGTH:
        raise ServiceError(_("A comment can have at most %(n)d characters.", n=MAX_LENGTH), field="body_source")
    if version is None:
        raise ServiceError(_("This draft has no published version yet: comments open when the first one is published."))
    if version.draft.current_version.id != version.id or not version.comments_open_at(utcnow()):
        raise ServiceError(_("Comments on this version closed on %(date)s. Nothing was saved.",
                             date=format_datetime(version.comments_close_at, "medium")))
    parent = None
    if data.get("parent"):
        parent_id = parse_id(data["parent"])
        parent = db.session.get(Comment, parent_id) if parent_id else None
        if parent is None or parent.version_id != version.id:
            raise ServiceError(_("You can only reply to a comment on this version."))
        if parent.parent_id is not None:
            raise ServiceError(_("Replies go one level deep: reply to the comment that started the thread."))
    section = Section(data["section"]) if data.get("section") else None
    if parent is not None:
        section = parent.section
    organisation = None
    if data.get("organisation"):
        organisation = db.session.get(Organisation, int(data["organisation"]))
        if organisation is None or not permissions.is_member(actor, organisation) \
                or organisation.verification is Verification.REJECTED:
            raise ServiceError(_("You can only comment for an organisation you belong to."), field="organisation")
    seat = permissions.seat_of(actor)
    comment = Comment(version_id=version.id, section=section, parent_id=parent.id if parent else None,
                      author_id=actor.id, organisation_id=organisation.id if organisation else None,
                      is_contribution=seat is None, body_source=body, body=richtext.sanitize(body))
    db.session.add(comment)
    db.session.flush()
    # A secretariat member speaks for their seat (its sector, nationwide), not as an individual citizen:
    # the participation figures by sector must not count an official as a citizen.
    eventlog.record(actor, Verb.COMMENTED, comment, organisation, call=version.draft.call,
                    sector=seat.sector if seat else None, territory="national" if seat else None,
                    data={"draft": version.draft_id, "version": version.number,
                          "section": section.value if section else None, "reply_to": parent.id if parent else None})
    return comment


@dataclass
class Thread:
    comment: Comment
    response: Response | None
    replies: list[tuple[Comment, Response | None]] = field(default_factory=list)


def _with_context(query):
    current = and_(Response.comment_id == Comment.id, Response.is_current)
    return (query.join(Comment.author).outerjoin(Comment.organisation).outerjoin(Response, current)
            .options(contains_eager(Comment.author), contains_eager(Comment.organisation)))


def page_of_threads(version: DraftVersion, page: int, per_page: int = 20,
                    section: str | None = None) -> tuple[list[Thread], int]:
    """A page of top-level comments with their replies and current responses: three statements."""
    which = [Comment.version_id == version.id, Comment.parent_id.is_(None)]
    if section:
        which.append(Comment.section == Section(section))
    top = select(Comment.id).where(*which)
    # A plain count over the index of a version's threads (ix_comment_version_thread), not of a subquery.
    total = db.session.scalar(select(func.count(Comment.id)).where(*which))
    rows = db.session.execute(
        _with_context(select(Comment, Response).where(Comment.id.in_(
            top.order_by(Comment.created_at, Comment.id).limit(per_page).offset((page - 1) * per_page))))
        .order_by(Comment.created_at, Comment.id)
    ).unique().all()
    threads = {c.id: Thread(c, r) for c, r in rows}
    if threads:
        replies = db.session.execute(
            _with_context(select(Comment, Response).where(Comment.parent_id.in_(list(threads))))
            .order_by(Comment.created_at, Comment.id)
        ).unique().all()
        for reply, response in replies:
            threads[reply.parent_id].replies.append((reply, response))
    return list(threads.values()), total


def section_counts(version: DraftVersion) -> dict[str | None, int]:
    rows = db.session.execute(
        select(Comment.section, func.count(Comment.id)).where(Comment.version_id == version.id)
        .group_by(Comment.section)
    ).all()
    return {(section.value if section else None): n for section, n in rows}
