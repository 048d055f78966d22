"""What the public may see, and from when: one rule per kind of subject (DOMAIN.md, "What is public,
and when"). Every page, export, API, report, timeline and e-mail asks these rules; nothing re-derives
them.

Each rule comes in two forms that say the same thing: a predicate on one loaded object
(``call_is_public(call, now)``), for a page about that object, and a SQL condition to put in
``.where()`` (``public_call(now)``), so lists and reports filter in the database and stay fast. Both
take ``now`` (default: the application's one clock, core.db.utcnow), so a rule can be asked about a
moment on either side of a date.

The rules (DOMAIN.md, "What is public, and when"):

- call: public from its announcement date (``announce_at <= now``), once the seats approved its
  publication (``published_at`` set). Publication is approved before the announcement date (the
  service refuses otherwise), so between the two the call is scheduled but not public yet.
- plan: public once one of its calls is.
- ballot, meeting: public once published by a secretariat member (``published_at``), and only while
  their call is public: they are part of the call's process and cannot be public before it.
- draft commitment: once it has a published version (versions are published as they are created) and
  its call is public.
- proposal: follows its call (proposals are submitted to open calls only, so in practice always);
  pages ask ``call_is_public`` of the proposal's call.
- document of the repository: once published by a secretariat member (``published_at``), and only
  while the plan, call, meeting or proposal it belongs to is public (one with none: once published).
- commission report: public once recorded (the secretariat records it to publish it).
- comment: follows its draft commitment. A hidden comment is still shown as hidden, with the reason
  (DOMAIN.md, "Moderation"), but its text is not public: that is withheld on each page by the comments
  and moderation code, since its author and the secretariat still read it.

Who else sees what is not public yet: the secretariat, which prepares it (permissions.py,
``can_see_*``).

``disclosure(events)`` answers the same question for entries of the participation log: for each
entry, whether the person's name may be shown (``who``) and whether the rest of its payload may be
shown (``what``). Where either is withheld, the public record shows only the salted digest that the
chain commits to (core/eventlog.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, or_, select, true

from .auth.models import User
from .core.db import utcnow
from .extensions import db


@dataclass(frozen=True)
class Disclosure:
    who: bool  # the actor's name (withheld once the account is closed)
    what: bool  # organisation name and free text (withheld while the subject is not public)


def _now(now: datetime | None) -> datetime:
    return now if now is not None else utcnow()


# --- calls and plans ---------------------------------------------------------------------------------


def call_is_public(call, now: datetime | None = None) -> bool:
    """Published (the seats approved it) and its announcement date has come."""
    return call.published_at is not None and call.announce_at <= _now(now)


def public_call(now: datetime | None = None, call=None):
    """SQL: the call (the Call table, or an alias of it) is public."""
    from .calls.models import Call

    call = Call if call is None else call
    return and_(call.published_at.is_not(None), call.announce_at <= _now(now))


def public_call_ids(now: datetime | None = None):
    """SQL: a subquery of the ids of public calls, for ``x.call_id.in_(...)`` without a join."""
    from .calls.models import Call

    return select(Call.id).where(public_call(now))


def public_plan(now: datetime | None = None, plan=None):
    """SQL: the plan has at least one public call."""
    from .calls.models import Call
    from .plans.models import ActionPlan

    plan = ActionPlan if plan is None else plan
    return exists(select(Call.id).where(Call.plan_id == plan.id, public_call(now)))


def plan_is_public(plan, now: datetime | None = None) -> bool:
    from .plans.models import ActionPlan

    return bool(db.session.scalar(select(public_plan(now)).select_from(ActionPlan).where(ActionPlan.id == plan.id)))


# --- meetings and ballots ------------------------------------------------------------------------------


def meeting_is_public(meeting, now: datetime | None = None) -> bool:
    return meeting.published_at is not None and call_is_public(meeting.call, now)


def public_meeting(now: datetime | None = None, meeting=None):
    from .meetings.models import Meeting

    meeting = Meeting if meeting is None else meeting
    return and_(meeting.published_at.is_not(None), meeting.call_id.in_(public_call_ids(now)))


def ballot_is_public(ballot, now: datetime | None = None) -> bool:
    return ballot.published_at is not None and call_is_public(ballot.call, now)


def public_ballot(now: datetime | None = None, ballot=None):
    from .votes.models import Ballot

    ballot = Ballot if ballot is None else ballot
    return and_(ballot.published_at.is_not(None), ballot.call_id.in_(public_call_ids(now)))


# --- draft commitments, their versions and comments -----------------------------------------------


def draft_is_public(draft, now: datetime | None = None) -> bool:
    """A draft commitment is public once it has a published version, and its call is public."""
    return bool(draft.versions) and call_is_public(draft.call, now)


def public_draft(now: datetime | None = None, draft=None):
    from .drafts.models import DraftCommitment, DraftVersion

    draft = DraftCommitment if draft is None else draft
    return and_(draft.call_id.in_(public_call_ids(now)),
                exists(select(DraftVersion.id).where(DraftVersion.draft_id == draft.id)))


def public_draft_ids(now: datetime | None = None):
    from .drafts.models import DraftCommitment

    return select(DraftCommitment.id).where(public_draft(now))


def comment_is_public(comment, now: datetime | None = None) -> bool:
    """The comment is shown where its draft is; whether its text is shown is ``comment_text_is_public``."""
    return call_is_public(comment.version.draft.call, now)


def comment_text_is_public(comment, now: datetime | None = None) -> bool:
    """Whether the public reads the comment's text: where the comment is shown, unless it is hidden
    (the one rule of who reads a hidden comment's text is comments/rules.py)."""
    from .comments.rules import may_read_text

    return may_read_text(None, comment) and comment_is_public(comment, now)


# --- documents of the repository ---------------------------------------------------------------------


def document_is_public(document, now: datetime | None = None) -> bool:
    """Published, and its subject (plan, call, meeting or proposal's call) is public."""
    if document.published_at is None:
        return False
    if document.meeting is not None:
        return meeting_is_public(document.meeting, now)
    if document.call is not None:
        return call_is_public(document.call, now)
    if document.proposal is not None:
        return call_is_public(document.proposal.call, now)
    if document.plan is not None:
        return plan_is_public(document.plan, now)
    return True


def public_document(now: datetime | None = None, document=None):
    """SQL: the document is public (the same rule as ``document_is_public``)."""
    from .meetings.models import Meeting
    from .plans.models import ActionPlan
    from .proposals.models import Proposal
    from .repository.models import Document

    document = Document if document is None else document
    return and_(
        document.published_at.is_not(None),
        or_(document.meeting_id.is_(None), document.meeting_id.in_(select(Meeting.id).where(public_meeting(now)))),
        or_(document.call_id.is_(None), document.call_id.in_(public_call_ids(now))),
        or_(document.proposal_id.is_(None),
            document.proposal_id.in_(select(Proposal.id).where(Proposal.call_id.in_(public_call_ids(now))))),
        or_(document.plan_id.is_(None), document.plan_id.in_(select(ActionPlan.id).where(public_plan(now)))),
    )


# --- what the open-data API lists (one SQL condition per kind; the pages ask the predicates above) -----


def public_theme(now: datetime | None = None):
    """SQL: a theme is public with its call."""
    from .calls.models import Theme

    return Theme.call_id.in_(public_call_ids(now))


def public_proposal(now: datetime | None = None):
    """SQL: a proposal follows its call (see the module's docstring)."""
    from .proposals.models import Proposal

    return Proposal.call_id.in_(public_call_ids(now))


def public_comment(now: datetime | None = None):
    """SQL: a comment is shown where its draft is; its text may still be withheld (comment_text_is_public)."""
    from .comments.models import Comment
    from .drafts.models import DraftVersion

    return Comment.version_id.in_(select(DraftVersion.id).where(DraftVersion.draft_id.in_(public_draft_ids(now))))


def public_response(now: datetime | None = None):
    """SQL: a response follows the contribution it answers (a hidden comment's answer stays public: it
    carries an outcome, never the comment's text)."""
    from .comments.models import Comment
    from .proposals.models import Proposal
    from .responses.models import Response

    return or_(
        and_(Response.proposal_id.is_not(None), Response.proposal_id.in_(select(Proposal.id).where(public_proposal(now)))),
        and_(Response.comment_id.is_not(None), Response.comment_id.in_(select(Comment.id).where(public_comment(now)))),
    )


def public_commission_report(now: datetime | None = None):
    """SQL: a commission report is public once recorded (the secretariat records it to publish it)."""
    return true()


def public_commitment(now: datetime | None = None):
    """SQL: an adopted commitment and its monitoring are public where its draft is (permissions.py,
    ``can_see_monitoring``: adopted, and the draft public)."""
    from .drafts.models import DraftCommitment

    return and_(DraftCommitment.adopted_via.is_not(None), public_draft(now))


def public_organisation(now: datetime | None = None):
    """SQL: every organisation is in the public directory, whatever its verification (DOMAIN.md, "Organisation")."""
    return true()


# --- the participation log -----------------------------------------------------------------------------
# What each kind of subject discloses, and why (DOMAIN.md, "What is public, and when", "Participation
# event", "Moderation"):
# - users: a registration names the person; shown once the e-mail is confirmed (an unconfirmed
#   registration is not a participant yet) and withheld with the name when the account is closed.
# - organisation, secretariat_membership: the directory and the secretariat page are public; a seat's
#   entries name its member, so they are withheld once that member closed their account.
# - invitation: it is about someone who has not accepted (yet): withheld until accepted.
# - action_plan: the plan's rule; call: the call's rule.
# - proposal: its call's rule.
# - response: follows the contribution it answers (its proposal's call, its comment's draft). It
#   carries an outcome, never the contribution's text, so a hidden comment's answer stays public.
# - approval (and an objection, and their withdrawal): follows the thing approved: a call, a meeting,
#   a draft commitment or a plan (switching off its tripartite requirement). A seat's objection comment
#   on a draft call waits for the call.
# - ballot, meeting: their rules; draft_commitment and draft_version: the draft's rule.
# - comment: the draft's rule, and withheld when the comment is hidden, whenever it was hidden.
# - document: the document's rule (published, and its subject public).
# - report: a report's reason is between the reporter and the moderators: never public.
# - the monitoring of an adopted commitment (monitoring/: its institution, contacts, progress, evidence,
#   indicators, measurements, assessment, comments on its implementation): every entry names the
#   commitment's call, so it follows the call (the "anything else" rule below); a response to a comment
#   on the implementation follows the commitment.
# - moderation_action: public where the comment is: "the public sees that it was hidden and why".
# - anything else: public unless it belongs to a call that is not.
# On top of each rule, an entry that names a call which is not public, or a plan which is not, is
# withheld: it is part of a process the public cannot see yet.


def disclosure(events: Sequence) -> dict[int, Disclosure]:
    """``{event.id: Disclosure}`` for a batch of log entries, in a fixed number of queries (at most one
    per kind of subject, plus one per kind of target), whatever the size of the batch."""
    from .approvals.models import Approval
    from .calls.models import Call
    from .comments.models import Comment
    from .drafts.models import DraftCommitment, DraftVersion
    from .meetings.models import Meeting
    from .moderation.models import ModerationAction
    from .organisations.models import Invitation
    from .plans.models import ActionPlan
    from .responses.models import Response
    from .secretariat.models import SecretariatMembership
    from .votes.models import Ballot

    if not events:
        return {}
    now = utcnow()
    ids: dict[str, set[int]] = defaultdict(set)
    for e in events:
        if e.subject_type and e.subject_id is not None:
            ids[e.subject_type].add(e.subject_id)

    def rows(query, key: str):
        return db.session.execute(query).all() if ids.get(key) else []

    # First, the subjects that point at another one, so the targets are known before they are asked about.
    calls: set[int] = set(ids["call"]) | {e.call_id for e in events if e.call_id is not None}
    plans: set[int] = set(ids["action_plan"]) | {e.plan_id for e in events if e.plan_id is not None}
    meetings: set[int] = set(ids["meeting"])
    ballots: set[int] = set(ids["ballot"])
    drafts: set[int] = set(ids["draft_commitment"])
    comments: set[int] = set(ids["comment"])
    proposals: set[int] = set(ids["proposal"])

    approval_target = {}
    for a in rows(select(Approval.id, Approval.call_id, Approval.meeting_id, Approval.draft_id, Approval.plan_id)
                  .where(Approval.id.in_(ids["approval"])), "approval"):
        if a.plan_id is not None:
            approval_target[a.id] = ("plan", a.plan_id)
            plans.add(a.plan_id)
        elif a.call_id is not None:
            approval_target[a.id] = ("call", a.call_id)
            calls.add(a.call_id)
        elif a.meeting_id is not None:
            approval_target[a.id] = ("meeting", a.meeting_id)
            meetings.add(a.meeting_id)
        else:
            approval_target[a.id] = ("draft", a.draft_id)
            drafts.add(a.draft_id)
    version_draft = dict(rows(select(DraftVersion.id, DraftVersion.draft_id)
                              .where(DraftVersion.id.in_(ids["draft_version"])), "draft_version"))
    drafts |= set(version_draft.values())
    response_target = {}
    implementation_comments: set[int] = set()
    for r in rows(select(Response.id, Response.proposal_id, Response.comment_id, Response.implementation_comment_id)
                  .where(Response.id.in_(ids["response"])), "response"):
        if r.implementation_comment_id is not None:
            response_target[r.id] = ("implementation_comment", r.implementation_comment_id)
            implementation_comments.add(r.implementation_comment_id)
            continue
        response_target[r.id] = ("proposal", r.proposal_id) if r.proposal_id is not None else ("comment", r.comment_id)
        (proposals if r.proposal_id is not None else comments).add(r.proposal_id or r.comment_id)
    # A comment on a commitment's implementation follows its commitment (monitoring/models.py).
    implementation_draft = {}
    if implementation_comments:
        from .monitoring.models import ImplementationComment

        implementation_draft = dict(db.session.execute(
            select(ImplementationComment.id, ImplementationComment.draft_id)
            .where(ImplementationComment.id.in_(implementation_comments))).all())
        drafts |= set(implementation_draft.values())
    action_comment = dict(rows(select(ModerationAction.id, ModerationAction.comment_id)
                               .where(ModerationAction.id.in_(ids["moderation_action"])), "moderation_action"))
    comments |= set(action_comment.values())

    # Then each kind of target, once.
    comment_rows = {}
    if comments:
        for c in db.session.execute(
            select(Comment.id, Comment.hidden_at, DraftVersion.draft_id)
            .join(DraftVersion, DraftVersion.id == Comment.version_id).where(Comment.id.in_(comments))
        ):
            comment_rows[c.id] = c
            drafts.add(c.draft_id)
    proposal_call = {}
    if proposals:
        from .proposals.models import Proposal

        proposal_call = dict(db.session.execute(select(Proposal.id, Proposal.call_id).where(Proposal.id.in_(proposals))).all())
        calls |= set(proposal_call.values())

    def public(model, wanted: set[int], condition) -> set[int]:
        if not wanted:
            return set()
        return set(db.session.scalars(select(model.id).where(model.id.in_(wanted), condition)))

    public_calls = public(Call, calls, public_call(now))
    public_plans = public(ActionPlan, plans, public_plan(now))
    public_meetings = public(Meeting, meetings, public_meeting(now))
    public_ballots = public(Ballot, ballots, public_ballot(now))
    public_documents = set()
    if ids.get("document"):
        from .repository.models import Document

        public_documents = public(Document, set(ids["document"]), public_document(now))
    public_drafts = public(DraftCommitment, drafts, public_draft(now))
    confirmed_users = public(User, set(ids["users"]), and_(User.email_confirmed_at.is_not(None),
                                                              User.closed_at.is_(None)))
    accepted_invitations = public(Invitation, set(ids["invitation"]), Invitation.accepted_at.is_not(None))
    # A seat's entries name its member in their data: withheld once that member closed their account.
    closed_seats = set(db.session.scalars(
        select(SecretariatMembership.id).join(User, User.id == SecretariatMembership.user_id)
        .where(SecretariatMembership.id.in_(ids["secretariat_membership"]), User.closed_at.is_not(None))
    )) if ids.get("secretariat_membership") else set()

    def comment_public(comment_id, text: bool) -> bool:
        c = comment_rows.get(comment_id)
        return c is not None and c.draft_id in public_drafts and not (text and c.hidden_at is not None)

    def subject_public(e) -> bool:
        kind, sid = e.subject_type, e.subject_id
        if kind is None or sid is None:
            return True
        match kind:
            case "users":
                return sid in confirmed_users
            case "organisation":
                return True
            case "secretariat_membership":
                return sid not in closed_seats
            case "invitation":
                return sid in accepted_invitations
            case "action_plan":
                return sid in public_plans
            case "call":
                return sid in public_calls
            case "proposal":
                return proposal_call.get(sid) in public_calls
            case "response":
                target, tid = response_target.get(sid, (None, None))
                if target == "proposal":
                    return proposal_call.get(tid) in public_calls
                if target == "implementation_comment":
                    return implementation_draft.get(tid) in public_drafts
                return comment_public(tid, text=False)
            case "approval":
                target, tid = approval_target.get(sid, (None, None))
                return tid in {"call": public_calls, "meeting": public_meetings, "draft": public_drafts,
                               "plan": public_plans}.get(target, ())
            case "ballot":
                return sid in public_ballots
            case "meeting":
                return sid in public_meetings
            case "draft_commitment":
                return sid in public_drafts
            case "draft_version":
                return version_draft.get(sid) in public_drafts
            case "comment":
                return comment_public(sid, text=True)
            case "report":
                return False
            case "document":
                return sid in public_documents
            case "moderation_action":
                return comment_public(action_comment.get(sid), text=False)
        return True

    actor_ids = {e.actor_id for e in events if e.actor_id is not None}
    closed = set(
        db.session.scalars(select(User.id).where(User.id.in_(actor_ids), User.closed_at.is_not(None)))
    ) if actor_ids else set()
    result = {}
    for e in events:
        what = (subject_public(e) and (e.call_id is None or e.call_id in public_calls)
                and (e.plan_id is None or e.plan_id in public_plans))
        result[e.id] = Disclosure(who=e.actor_id not in closed, what=what)
    return result
