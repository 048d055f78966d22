"""Drafting commitments in rounds: creating a draft from proposals, publishing versions, comparing them.

DOMAIN.md, "Round": version published -> comments -> responses -> next version. A version is
immutable once published. The next version may be published once the previous round's comment
window has closed, and it states which contributions it incorporates (``Incorporation``): that is
the trace from a contribution to the text it changed.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import format_datetime
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from .. import permissions
from ..approvals.services import took_position
from ..auth.models import User
from ..calls.models import Call, Theme
from ..comments.models import Comment
from ..comments.services import CommentText, has_commented
from ..core import eventlog, richtext
from ..core.db import utcnow
from ..core.errors import ServiceError
from ..core.eventlog import Verb
from ..core.sectors import Seat
from ..extensions import db
from ..listing import ListedOrganisation, ListedPerson, organisation, person
from ..organisations.models import Organisation
from ..proposals.models import Proposal
from ..responses import contributions
from ..responses.models import Response
from . import adoption
from .models import (
    TEXT_SECTIONS,
    DraftCommitment,
    DraftVersion,
    Incorporation,
    Milestone,
    Section,
    draft_sources,
)

MAX_MILESTONES = 20


def create_draft(actor: User, seat: Seat, call: Call, data: dict) -> DraftCommitment:
    """A draft commitment in one of the call's themes, from one or more of its proposals."""
    if not call.phase.accepts_responses:
        raise ServiceError(_("Draft commitments are written once proposals have closed."))
    theme = db.session.get(Theme, data.get("theme"))
    if theme is None or theme.call_id != call.id:
        raise ServiceError(_("Choose one of this call's themes."), field="theme")
    ids = [int(i) for i in data.get("sources") or []]
    sources = list(db.session.scalars(select(Proposal).where(Proposal.id.in_(ids)))) if ids else []
    if len(sources) != len(set(ids)) or any(p.call_id != call.id or p.is_withdrawn for p in sources):
        raise ServiceError(_("Choose proposals of this call that were not withdrawn."), field="sources")
    draft = DraftCommitment(call_id=call.id, theme_id=theme.id, title=data["title"].strip(), created_by_id=actor.id)
    draft.sources = sources
    db.session.add(draft)
    db.session.flush()
    eventlog.record(actor, Verb.CREATED, draft, sector=seat.sector, territory="national", call=call,
                    data={"title": draft.title, "sources": [p.id for p in sources]})
    return draft


def _milestones(rows: list[dict]) -> list[Milestone]:
    milestones = []
    for position, row in enumerate(rows):
        text = (row.get("description") or "").strip()
        if not text and not row.get("due") and not (row.get("responsible") or "").strip():
            continue  # an empty row of the form
        if not text or not row.get("due") or not (row.get("responsible") or "").strip():
            raise ServiceError(_("Each milestone needs a description, a date and a responsible institution."),
                               field="milestones")
        due = row["due"]
        if not isinstance(due, date):
            raise ServiceError(_("Each milestone needs a description, a date and a responsible institution."),
                               field="milestones")
        milestones.append(Milestone(position=position, description=text, due=due,
                                    responsible=row["responsible"].strip()[:200]))
    if not milestones:
        raise ServiceError(_("Give at least one milestone."), field="milestones")
    if len(milestones) > MAX_MILESTONES:
        raise ServiceError(_("Give at most %(n)d milestones.", n=MAX_MILESTONES), field="milestones")
    return milestones


def incorporable(draft: DraftCommitment) -> tuple[list[Proposal], list[Comment]]:
    """What the next version may say it incorporates: the draft's proposals and the visible comments
    on its earlier versions, that no version has incorporated yet."""
    version_ids = [v.id for v in draft.versions]
    taken_proposals = set(db.session.scalars(select(Incorporation.proposal_id).where(
        Incorporation.proposal_id.is_not(None), Incorporation.version_id.in_(version_ids or [0]))))
    taken = select(Incorporation.comment_id).where(Incorporation.comment_id.is_not(None),
                                                   Incorporation.version_id.in_(version_ids or [0]))
    comments = list(db.session.scalars(
        select(Comment).where(Comment.version_id.in_(version_ids or [0]), contributions.comment_counts(),
                              Comment.id.not_in(taken))
        .order_by(Comment.id)
    ))
    return [p for p in draft.sources if p.id not in taken_proposals], comments


def publish_version(actor: User, seat: Seat, draft: DraftCommitment, data: dict) -> DraftVersion:
    now = utcnow()
    previous = draft.current_version
    if draft.is_adopted:
        raise ServiceError(_("This commitment has been adopted; its text is final."))
    if previous is not None and previous.comments_open_at(now):
        raise ServiceError(_("The current round is open for comments until %(date)s; publish the next version after it.",
                             date=format_datetime(previous.comments_close_at, "medium")))
    days = data.get("comment_days")
    if not isinstance(days, int) or not 1 <= days <= 90:
        raise ServiceError(_("The comment window must last between 1 and 90 days."), field="comment_days")
    missing = [s for s in TEXT_SECTIONS if s is not Section.OTHER_ACTORS and not (data.get(f"{s.value}_source") or "").strip()]
    if missing:
        raise ServiceError(_("Fill in every section of the template."), field=f"{missing[0].value}_source")
    milestones = _milestones(data.get("milestones") or [])
    from ..approvals import services as approvals

    before = approvals.snapshot_of(draft)
    proposals, comments = incorporable(draft)
    wanted_proposals = {int(i) for i in data.get("incorporate_proposals") or []}
    wanted_comments = {int(i) for i in data.get("incorporate_comments") or []}
    if not wanted_proposals <= {p.id for p in proposals} or not wanted_comments <= {c.id for c in comments}:
        raise ServiceError(_("A version can only incorporate this draft's proposals and comments on its earlier versions."),
                           field="incorporate_comments")
    if previous is None and not wanted_proposals and proposals:
        wanted_proposals = {p.id for p in proposals}  # the first version comes from the draft's proposals
    version = DraftVersion(draft_id=draft.id, number=(previous.number + 1) if previous else 1, published_at=now,
                           published_by_id=actor.id, comments_close_at=now + timedelta(days=days),
                           change_note=(data.get("change_note") or "").strip())
    for section in TEXT_SECTIONS:
        source = data.get(f"{section.value}_source") or ""
        setattr(version, f"{section.value}_source", source)
        setattr(version, section.value, richtext.sanitize(source))
    version.milestones = milestones
    db.session.add(version)
    db.session.flush()
    for proposal_id in sorted(wanted_proposals):
        db.session.add(Incorporation(version_id=version.id, proposal_id=proposal_id))
    for comment_id in sorted(wanted_comments):
        db.session.add(Incorporation(version_id=version.id, comment_id=comment_id))
    db.session.flush()
    db.session.refresh(draft)
    eventlog.record(actor, Verb.PUBLISHED, version, sector=seat.sector, territory="national", call=draft.call,
                    data={"draft": draft.id, "version": version.number,
                          "incorporates": {"proposals": sorted(wanted_proposals), "comments": sorted(wanted_comments)}})
    # The seats approved adopting the version they read; a new version withdraws those approvals.
    approvals.withdraw_on_edit(actor, seat, draft, before)
    return version


# --- rounds ----------------------------------------------------------------------------------------


@dataclass
class RoundStatus:
    number: int
    open: bool
    closes_at: datetime
    comments: int
    awaiting: int  # contributions of this round without a reasoned response yet


def round_status(version: DraftVersion) -> RoundStatus:
    comments, awaiting = db.session.execute(
        select(func.count(Comment.id), func.count(Comment.id).filter(Response.id.is_(None)))
        .outerjoin(Response, contributions.current_response_to_comment())
        .where(Comment.version_id == version.id, contributions.comment_counts())
    ).one()
    return RoundStatus(version.number, version.comments_open_at(utcnow()), version.comments_close_at, comments, awaiting)


@dataclass(frozen=True, slots=True)
class ListedVersionNumber:
    number: int


@dataclass(frozen=True, slots=True)
class IncorporatedProposal:
    """What a version's list of incorporations shows of a proposal: plain columns, not a Proposal."""

    id: int
    title: str
    author: ListedPerson
    organisation: ListedOrganisation | None


@dataclass(frozen=True, slots=True)
class IncorporatedComment(CommentText):
    """What a version's list of incorporations shows of a comment: its text and the version it was on."""

    version: ListedVersionNumber


def page_audience(user, draft: DraftCommitment, version: DraftVersion) -> str:
    """Who the shared part of ``version``'s page (drafts/_version.html) is rendered for: its own for
    whoever commented on the version or took a position on the draft (permissions.audience)."""
    return permissions.audience(user, owns=lambda: has_commented(user, version) or took_position(user, draft))


def incorporations(version: DraftVersion) -> tuple[list[IncorporatedProposal], list[IncorporatedComment]]:
    """The proposals and comments ``version`` incorporates, by id, with their authors and organisations:
    two statements of plain columns however many (a version may take in hundreds of comments)."""
    proposals = [
        IncorporatedProposal(pid, title, person(uid, name, closed), organisation(oid, oname, verification))
        for pid, title, uid, name, closed, oid, oname, verification in db.session.execute(
            select(Proposal.id, Proposal.title, User.id, User.display_name, User.closed_at,
                   Organisation.id, Organisation.name, Organisation.verification)
            .join(Incorporation, Incorporation.proposal_id == Proposal.id)
            .join(User, User.id == Proposal.author_id)
            .outerjoin(Organisation, Organisation.id == Proposal.organisation_id)
            .where(Incorporation.version_id == version.id).order_by(Proposal.id)
        )
    ]
    comments = [
        IncorporatedComment(id=cid, section=section, author_id=uid, author=person(uid, name, closed),
                            organisation=organisation(oid, oname, verification), hidden_at=hidden_at,
                            hidden_reason=hidden_reason, body_source=body_source, body=body,
                            version=ListedVersionNumber(number))
        for (cid, number, section, uid, name, closed, oid, oname, verification, hidden_at, hidden_reason,
             body_source, body) in db.session.execute(
            select(Comment.id, DraftVersion.number, Comment.section, User.id, User.display_name, User.closed_at,
                   Organisation.id, Organisation.name, Organisation.verification, Comment.hidden_at,
                   Comment.hidden_reason, Comment.body_source, Comment.body)
            .join(Incorporation, Incorporation.comment_id == Comment.id)
            .join(DraftVersion, DraftVersion.id == Comment.version_id)
            .join(User, User.id == Comment.author_id)
            .outerjoin(Organisation, Organisation.id == Comment.organisation_id)
            .where(Incorporation.version_id == version.id).order_by(Comment.id)
        )
    ]
    return proposals, comments


def incorporated_in(comment_ids: list[int]) -> dict[int, DraftVersion]:
    """For each comment, the version that took it in (for showing the trace beside each response)."""
    if not comment_ids:
        return {}
    rows = db.session.execute(
        select(Incorporation.comment_id, DraftVersion).join(DraftVersion, DraftVersion.id == Incorporation.version_id)
        .where(Incorporation.comment_id.in_(comment_ids))
    ).all()
    return {comment_id: version for comment_id, version in rows}


# --- comparing two versions ------------------------------------------------------------------------

_TOKEN = re.compile(r"\s+|[^\s]+")


def _diff_words(old: str, new: str) -> tuple[Markup, Markup]:
    """Word-level difference of two texts (difflib, stdlib) as two escaped HTML columns: the old text
    with what was removed in <del>, and the new text with what was added in <ins>."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        removed, added = html.escape("".join(a[i1:i2])), html.escape("".join(b[j1:j2]))
        if op == "equal":
            left.append(removed)
            right.append(added)
            continue
        if removed:
            left.append(f"<del>{removed}</del>")
        if added:
            right.append(f"<ins>{added}</ins>")
    return Markup("".join(left)), Markup("".join(right))  # noqa: S704 - every piece above is escaped


def _milestones_text(version: DraftVersion) -> str:
    return "\n".join(f"{m.due.isoformat()} · {m.responsible} · {m.description}" for m in version.milestones)


@dataclass
class SectionDiff:
    section: Section
    changed: bool
    old: Markup
    new: Markup


def compare(old: DraftVersion, new: DraftVersion) -> list[SectionDiff]:
    diffs = []
    for section in Section:
        if section is Section.MILESTONES:
            a, b = _milestones_text(old), _milestones_text(new)
        else:
            a, b = getattr(old, f"{section.value}_source"), getattr(new, f"{section.value}_source")
        diffs.append(SectionDiff(section, a != b, *_diff_words(a, b)))
    return diffs


# --- adoption by the secretariat -------------------------------------------------------------------


def take_adoption_position(actor: User, seat: Seat, draft: DraftCommitment, stance: str, comment: str) -> bool:
    """Approve or object to adopting the draft as a final commitment; adopt it once approved.

    Adoption by vote is the other way in (votes/services.py); either way ``adopted_via`` records it.
    """
    from ..approvals import services as approvals
    from ..approvals.models import Action
    from .models import Adoption

    # An objection needs only a draft that can still be adopted; an approval, everything adoption needs,
    # since any approval may be the one that completes it.
    refusal = adoption.adoption_refusal(draft, answered_or_not=stance != "approve")
    if refusal:
        raise ServiceError(refusal)
    version = draft.current_version
    new_state = approvals.take_position(actor, seat, Action.ADOPT_COMMITMENT, draft, stance, comment,
                                        draft.call.plan.requires_tripartite)
    if not new_state.complete:
        return False
    closed = adoption.adopt(draft, Adoption.TRIPARTITE, utcnow())
    eventlog.record(actor, Verb.ADOPTED, draft, sector=seat.sector, territory="national", call=draft.call,
                    data={"adopted_by": "tripartite", "version": version.number, "closed_comments": closed,
                          "approved_by": [s.value for s in new_state.approvals]})
    db.session.flush()
    return True


def withdraw_adoption_position(actor: User, draft: DraftCommitment, approval_id: int) -> None:
    from ..approvals import services as approvals
    from ..approvals.models import Action, Approval

    approval = db.session.get(Approval, approval_id)
    if approval is None or approval.draft_id != draft.id or approval.action is not Action.ADOPT_COMMITMENT:
        raise ServiceError(_("There is no such position on this draft commitment."))
    if draft.is_adopted:
        raise ServiceError(_("The act has been carried out; its approvals are part of the record."))
    approvals.withdraw(actor, approval, draft)


@dataclass(frozen=True, slots=True)
class ListedVersion:
    number: int
    comments_close_at: datetime

    def comments_open_at(self, now: datetime) -> bool:
        return now < self.comments_close_at


@dataclass(frozen=True, slots=True)
class ListedTheme:
    name: str


@dataclass(frozen=True, slots=True)
class ListedDraft:
    """A row of the call page's table of drafts: plain columns, not a DraftCommitment and its versions."""

    id: int
    title: str
    adopted_via: object  # drafts.models.Adoption or None
    theme: ListedTheme
    current_version: ListedVersion | None

    @property
    def is_adopted(self) -> bool:
        return self.adopted_via is not None


def drafts_of(call: Call) -> list[ListedDraft]:
    """The call's drafts with their themes and the number and comment window of their current versions (all
    the call page shows): one statement, plain columns, however many drafts and versions."""
    latest = (select(func.max(DraftVersion.number)).where(DraftVersion.draft_id == DraftCommitment.id)
              .correlate(DraftCommitment).scalar_subquery())
    rows = db.session.execute(
        select(DraftCommitment.id, DraftCommitment.title, DraftCommitment.adopted_via, Theme.name,
               DraftVersion.number, DraftVersion.comments_close_at)
        .join(Theme, Theme.id == DraftCommitment.theme_id)
        .outerjoin(DraftVersion, and_(DraftVersion.draft_id == DraftCommitment.id, DraftVersion.number == latest))
        .where(DraftCommitment.call_id == call.id).order_by(DraftCommitment.id)
    ).all()
    return [ListedDraft(draft_id, title, adopted_via, ListedTheme(theme),
                        ListedVersion(number, closes) if number is not None else None)
            for draft_id, title, adopted_via, theme, number, closes in rows]


def load_sources(draft: DraftCommitment) -> list[Proposal]:
    """The proposals a draft comes from, with their organisations and authors, in one round of statements."""
    return list(db.session.scalars(
        select(Proposal).join(draft_sources, draft_sources.c.proposal_id == Proposal.id)
        .where(draft_sources.c.draft_id == draft.id).order_by(Proposal.id)
        .options(selectinload(Proposal.organisation), selectinload(Proposal.author))
    ))
