"""Commenting on a draft version, and the one query that shows a page of a discussion.

DOMAIN.md, "Comment": verified participants comment on a version, on the whole or one section, and
reply (threaded, two levels). Comments on a closed round are refused with the date it closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import and_, func, select

from .. import permissions
from ..auth.models import User
from ..core import eventlog, richtext
from ..core.db import utcnow
from ..core.errors import ServiceError
from ..core.eventlog import Verb
from ..core.params import parse_id
from ..drafts.models import DraftVersion, Section
from ..extensions import db
from ..listing import (
    RESPONSE_COLUMNS,
    ListedOrganisation,
    ListedPerson,
    ListedResponse,
    organisation,
    person,
    response,
)
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


@dataclass(frozen=True, slots=True)
class CommentText:
    """A comment's author and text with its moderation state, from plain columns: what comments/rules.py
    asks (is_hidden, author_id, body) to decide whether the reader may read it. Long lists build these
    instead of loading Comment objects (ListedComment here, drafts.services.IncorporatedComment)."""

    id: int
    section: Section | None
    author_id: int
    author: ListedPerson
    organisation: ListedOrganisation | None
    hidden_at: datetime | None
    hidden_reason: str | None
    body_source: str
    body: str

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


@dataclass(frozen=True, slots=True)
class ListedComment(CommentText):
    """What a page of threads shows of a comment; responses/rules.py asks it for __tablename__,
    is_contribution and is_hidden."""

    __tablename__: ClassVar[str] = "comment"

    parent_id: int | None
    is_contribution: bool
    created_at: datetime


@dataclass
class Thread:
    comment: ListedComment
    response: ListedResponse | None
    replies: list[tuple[ListedComment, ListedResponse | None]] = field(default_factory=list)


_LISTED = (Comment.id, Comment.parent_id, Comment.section, Comment.is_contribution, Comment.created_at,
           User.id, User.display_name, User.closed_at, Organisation.id, Organisation.name,
           Organisation.verification, Comment.hidden_at, Comment.hidden_reason, Comment.body_source, Comment.body,
           *RESPONSE_COLUMNS)


def _listed(query):
    """``query`` (over Comment) with its author, organisation and current response, in plain columns."""
    current = and_(Response.comment_id == Comment.id, Response.is_current)
    return (query.join(User, User.id == Comment.author_id)
            .outerjoin(Organisation, Organisation.id == Comment.organisation_id).outerjoin(Response, current))


def _row(row) -> tuple[ListedComment, ListedResponse | None]:
    (cid, parent_id, section, is_contribution, created_at, uid, name, closed, oid, oname, verification,
     hidden_at, hidden_reason, body_source, body, *answer) = row
    comment = ListedComment(id=cid, section=section, author_id=uid, author=person(uid, name, closed),
                            organisation=organisation(oid, oname, verification), hidden_at=hidden_at,
                            hidden_reason=hidden_reason, body_source=body_source, body=body, parent_id=parent_id,
                            is_contribution=is_contribution, created_at=created_at)
    return comment, response(*answer)


def page_of_threads(version: DraftVersion, page: int, per_page: int = 20,
                    section: str | None = None) -> tuple[list[Thread], int]:
    """A page of top-level comments with their replies and current responses: three statements of plain
    columns, however long the threads."""
    which = [Comment.version_id == version.id, Comment.parent_id.is_(None)]
    if section:
        which.append(Comment.section == Section(section))
    top = select(Comment.id).where(*which)
    # A plain count over the index of a version's threads (ix_comment_version_thread), not of a subquery.
    total = db.session.scalar(select(func.count(Comment.id)).where(*which))
    rows = db.session.execute(
        _listed(select(*_LISTED).where(Comment.id.in_(
            top.order_by(Comment.created_at, Comment.id).limit(per_page).offset((page - 1) * per_page))))
        .order_by(Comment.created_at, Comment.id)
    ).all()
    threads = {}
    for row in rows:
        comment, answer = _row(row)
        threads[comment.id] = Thread(comment, answer)
    if threads:
        replies = db.session.execute(
            _listed(select(*_LISTED).where(Comment.parent_id.in_(list(threads))))
            .order_by(Comment.created_at, Comment.id)
        ).all()
        for row in replies:
            reply, answer = _row(row)
            threads[reply.parent_id].replies.append((reply, answer))
    return list(threads.values()), total


def has_commented(user, version: DraftVersion) -> bool:
    """Whether ``user`` wrote any comment on ``version`` (they read it even hidden, and may not report
    it: the page's shared part is then rendered for them alone, permissions.audience)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(Comment.id).where(
        Comment.version_id == version.id, Comment.author_id == user.id).limit(1)) is not None


def section_counts(version: DraftVersion) -> dict[str | None, int]:
    rows = db.session.execute(
        select(Comment.section, func.count(Comment.id)).where(Comment.version_id == version.id)
        .group_by(Comment.section)
    ).all()
    return {(section.value if section else None): n for section, n in rows}
