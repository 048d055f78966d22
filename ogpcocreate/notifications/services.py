"""Following, notifications and digests.

Notifications are derived, never entered: ``on_append`` is registered with the participation log
(core/eventlog.py ``listen``) and turns each new entry into the notifications it implies, in the
same transaction as the act; ``tick`` finds the events that happen by the clock (a call opens, closes
in 48 hours, a ballot opens, contributions fall due a response). Each notification has a unique
``key`` (user, kind, subject, log entry or occasion), so producing it twice stores it once.

Who is told respects ogpcocreate/visibility.py: a person is told about a subject only if they may see
it (it is public, or they hold a secretariat seat), and no notification stores or mails a comment's
text.

Delivery is chosen at creation from the person's preference for the kind: ``immediate`` queues one
e-mail at once (in the outbox, same transaction), ``daily``/``weekly`` wait for ``run_digest``,
``never`` stays on the site. ``run_digest`` claims each recipient's rows in one transaction per
recipient (PostgreSQL: ``FOR UPDATE SKIP LOCKED``; SQLite: the write transaction holds the database
lock), queues one message and marks the rows with its id, then commits: a digest killed between two
recipients has delivered the first exactly once and leaves the second untouched for the next run,
and rows created after the run began wait for the next run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from .. import permissions, visibility
from ..auth.models import User
from ..calls.models import Call
from ..core import tokens
from ..core.db import utcnow
from ..core.errors import ServiceError
from ..core.eventlog import ParticipationEvent, Verb
from ..core.i18n import N_
from ..core.outbox import queue_mail
from ..core.urls import external_url
from ..extensions import db
from ..secretariat.models import SecretariatMembership
from .models import Follow, FollowSubject, Frequency, Kind, Notification, Preference

UNSUBSCRIBE_PURPOSE = "unsubscribe"
UNSUBSCRIBE_MAX_AGE = 400 * 24 * 3600  # a digest stays in a mailbox for a long time
# How far back the clock-driven producers look: a tick missed for a while still catches up.
CATCH_UP = timedelta(days=14)


# --- following ---------------------------------------------------------------------------------------


def subject_kind(subject) -> FollowSubject:
    return {"action_plan": FollowSubject.PLAN, "call": FollowSubject.CALL, "proposal": FollowSubject.PROPOSAL,
            "draft_commitment": FollowSubject.DRAFT}[subject.__tablename__]


def _subject_key(subject) -> str:
    return f"{subject_kind(subject).value}:{subject.id}"


def is_following(user, subject) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(
        select(exists().where(Follow.user_id == user.id, Follow.subject == _subject_key(subject)))
    )


def follow(user: User, subject, automatic: bool = False) -> Follow:
    existing = db.session.scalar(select(Follow).where(Follow.user_id == user.id,
                                                      Follow.subject == _subject_key(subject)))
    if existing is not None:
        if not automatic:
            existing.automatic = False  # chosen now: no longer only a side effect of taking part
        return existing
    row = Follow(user_id=user.id, subject=_subject_key(subject), automatic=automatic,
                 **{f"{subject_kind(subject).value}_id": subject.id})
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # a concurrent request followed it first
        return db.session.scalar(select(Follow).where(Follow.user_id == user.id,
                                                      Follow.subject == _subject_key(subject)))
    return row


def unfollow(user: User, subject) -> None:
    row = db.session.scalar(select(Follow).where(Follow.user_id == user.id, Follow.subject == _subject_key(subject)))
    if row is None:
        raise ServiceError(_("You were not following this."))
    db.session.delete(row)
    db.session.flush()


def _followers(*, plan_id=None, call_id=None, proposal_id=None, draft_id=None) -> list[User]:
    conditions = []
    for column, value in ((Follow.plan_id, plan_id), (Follow.call_id, call_id), (Follow.proposal_id, proposal_id),
                          (Follow.draft_id, draft_id)):
        if value is not None:
            conditions.append(column == value)
    if not conditions:
        return []
    return list(db.session.scalars(
        select(User).where(User.id.in_(select(Follow.user_id).where(or_(*conditions)))).order_by(User.id)
    ))


def _secretariat() -> list[User]:
    return list(db.session.scalars(
        select(User).join(SecretariatMembership, SecretariatMembership.user_id == User.id)
        .where(SecretariatMembership.ended_at.is_(None)).distinct().order_by(User.id)
    ))


# --- preferences ----------------------------------------------------------------------------------


def preferences(user: User) -> dict[Kind, Frequency]:
    chosen = dict(db.session.execute(select(Preference.kind, Preference.frequency)
                                     .where(Preference.user_id == user.id)).all())
    return {kind: chosen.get(kind, kind.default) for kind in Kind}


def offered_kinds(user: User) -> list[Kind]:
    """The kinds a person may set: the secretariat's queues only for seat holders; an invitation is
    always e-mailed by the invitation itself, so it has no setting."""
    secretariat = permissions.is_secretariat(user)
    return [k for k in Kind if not k.mailed_elsewhere and (secretariat or not k.for_secretariat)]


def set_preferences(user: User, choices: dict[str, str]) -> None:
    for name, value in choices.items():
        kind, frequency = Kind(name), Frequency(value)
        row = db.session.scalar(select(Preference).where(Preference.user_id == user.id, Preference.kind == kind))
        if row is None:
            db.session.add(Preference(user_id=user.id, kind=kind, frequency=frequency))
        else:
            row.frequency = frequency
    db.session.flush()


def unsubscribe_token(user: User, kind: Kind | None = None, frequency: Frequency | None = None) -> str:
    return tokens.make(UNSUBSCRIBE_PURPOSE, {"u": user.id, "k": kind.value if kind else "",
                                             "f": frequency.value if frequency else ""})


@dataclass
class Unsubscription:
    user: User
    kinds: list[Kind]


def read_unsubscribe_token(token: str) -> Unsubscription:
    """What a signed link unsubscribes from; ServiceError if the link is forged or the account gone."""
    try:
        data = tokens.read(UNSUBSCRIBE_PURPOSE, token, UNSUBSCRIBE_MAX_AGE)
        user = db.session.get(User, int(data["u"]))
        kind = Kind(data["k"]) if data.get("k") else None
        frequency = Frequency(data["f"]) if data.get("f") else None
    except (tokens.TokenError, KeyError, ValueError, TypeError):
        raise ServiceError(_("This unsubscribe link is not valid. Change your choices from your notification "
                             "preferences instead.")) from None
    if user is None or user.is_closed:
        raise ServiceError(_("This unsubscribe link is not valid. Change your choices from your notification "
                             "preferences instead."))
    if kind is not None:
        kinds = [kind]
    elif frequency is not None:
        kinds = [k for k, f in preferences(user).items() if f is frequency]
    else:
        kinds = list(Kind)
    return Unsubscription(user, kinds)


def unsubscribe(token: str) -> Unsubscription:
    """Set the kinds the link names to ``never`` (RFC 8058 one-click: no login, the signature is the proof)."""
    found = read_unsubscribe_token(token)
    set_preferences(found.user, {kind.value: Frequency.NEVER.value for kind in found.kinds})
    return found


# --- the notifications page --------------------------------------------------------------------------


def unread_count(user) -> int:
    return db.session.scalar(select(func.count(Notification.id))
                             .where(Notification.user_id == user.id, Notification.read_at.is_(None)))


def recent(user: User, limit: int = 200) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    ))


def mark_read(user: User, notification: Notification) -> None:
    if notification.user_id != user.id:
        raise ServiceError(_("This notification is not yours."))
    if notification.read_at is None:
        notification.read_at = utcnow()
    db.session.flush()


def mark_all_read(user: User) -> int:
    result = db.session.execute(update(Notification).where(Notification.user_id == user.id,
                                                           Notification.read_at.is_(None))
                                .values(read_at=utcnow()))
    db.session.flush()
    return result.rowcount


# --- creating notifications ---------------------------------------------------------------------------


def sentence(notification: Notification) -> str:
    """What happened, in the current language."""
    data = notification.data or {}
    title = data.get("title", "")
    kind = notification.kind
    if kind is Kind.RESPONSE:
        if data.get("revised"):
            return _('The secretariat revised its response to your contribution "%(title)s".', title=title)
        return _('The secretariat responded to your contribution "%(title)s".', title=title)
    return {
        Kind.CALL_ANNOUNCED: lambda: _('The call "%(title)s" was announced.', title=title),
        Kind.CALL_OPENS: lambda: _('The call "%(title)s" is open for proposals.', title=title),
        Kind.CALL_CLOSING: lambda: _('The call "%(title)s" closes for proposals in 48 hours.', title=title),
        Kind.REPLY: lambda: _('%(name)s replied to your comment on "%(title)s".', name=data.get("name", ""),
                              title=title),
        Kind.COMMENT_MODERATED: lambda: _('Your comment on "%(title)s" was hidden by moderation.', title=title),
        Kind.NEW_VERSION: lambda: _('Version %(number)s of "%(title)s" was published and is open for comments.',
                                    number=data.get("number", ""), title=title),
        Kind.BALLOT_OPENS: lambda: _('The ballot "%(title)s" is open.', title=title),
        Kind.BALLOT_RESULTS: lambda: _('The results of the ballot "%(title)s" were published.', title=title),
        Kind.MEETING_SCHEDULED: lambda: _('The meeting "%(title)s" was scheduled.', title=title),
        Kind.MINUTES_SIGNED: lambda: _('The minutes of the meeting "%(title)s" were signed.', title=title),
        Kind.INVITATION: lambda: _("You are invited to join %(title)s.", title=title),
        Kind.MILESTONE_AT_RISK: lambda: _('A milestone of "%(title)s" is at risk or overdue.', title=title),
        Kind.APPROVAL_WAITING: lambda: _('An approval on "%(title)s" waits for your seat.', title=title),
        Kind.RESPONSE_DUE: lambda: _('Contributions on "%(title)s" are due a response.', title=title),
        Kind.REPORT_TO_MODERATE: lambda: _('A comment on "%(title)s" was reported for moderation.', title=title),
    }[kind]()


@dataclass
class Mail:
    """An immediate e-mail with its own template (the ones that existed before notifications)."""

    template: str
    subject: str
    context: dict = field(default_factory=dict)


def _unsubscribe_headers(url: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def url_for(endpoint: str, **values) -> str:
    """The path of a page, from the URL map alone: the log's listener also runs in commands and workers."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _path_url(path: str) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def _send_now(user: User, notification: Notification, mail: Mail | None) -> None:
    unsubscribe_url = external_url("notifications.unsubscribe", token=unsubscribe_token(user, kind=notification.kind))
    common = {"user": user, "unsubscribe_url": unsubscribe_url,
              "preferences_url": external_url("notifications.preferences")}
    if mail is None:
        with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            text = sentence(notification)
        mail = Mail("notification", N_("%(what)s"), {"subject_args": {"what": text[:200]}, "text": text,
                                                     "url": _path_url(notification.path)})
    message = queue_mail(user.email, mail.subject, mail.template, locale=user.locale, html=True,
                         headers=_unsubscribe_headers(unsubscribe_url), **common, **mail.context)
    notification.digest_message_id = message.id


def notify(user: User, kind: Kind, subject, path: str, *, event: ParticipationEvent | None = None,
           occasion: str | None = None, data: dict | None = None, mail: Mail | None = None) -> Notification | None:
    """Create one notification (once per key) and deliver it as the person chose for its kind."""
    if user.is_closed or not user.active:
        return None
    subject_type, subject_id = subject.__tablename__, subject.id
    key = f"{user.id}:{kind.value}:{subject_type}:{subject_id}:{event.seq if event is not None else occasion}"
    if db.session.scalar(select(exists().where(Notification.key == key))):
        return None
    delivery = Frequency.NEVER if kind.mailed_elsewhere else preferences(user)[kind]
    notification = Notification(user_id=user.id, kind=kind, subject_type=subject_type, subject_id=subject_id,
                                event_seq=event.seq if event is not None else None, occasion=occasion, key=key,
                                path=path[:300], data=data or {}, delivery=delivery)
    try:
        with db.session.begin_nested():
            db.session.add(notification)
    except IntegrityError:  # another process produced the same event at the same moment
        return None
    if delivery is Frequency.IMMEDIATE:
        _send_now(user, notification, mail)
    db.session.flush()
    return notification


def _may_see(user: User, call: Call | None, now: datetime | None = None) -> bool:
    """DOMAIN.md, "What is public, and when": only the secretariat hears of what is not public yet."""
    return call is None or visibility.call_is_public(call, now) or permissions.is_secretariat(user)


def _tell(users, kind: Kind, subject, path: str, *, call: Call | None, skip: int | None = None,
          now: datetime | None = None, **kwargs) -> None:
    for user in users:
        if user.id != skip and _may_see(user, call, now):
            notify(user, kind, subject, path, **kwargs)


# --- from the participation log -------------------------------------------------------------------


def on_append(event: ParticipationEvent, call: Call | None) -> None:
    """The log's listener: the notifications and automatic follows an act implies."""
    handler = _HANDLERS.get((event.verb, event.subject_type))
    if handler is not None:
        handler(event, call)


def _actor(event) -> User | None:
    return db.session.get(User, event.actor_id) if event.actor_id is not None else None


def _on_submitted(event, call) -> None:
    from ..proposals.models import Proposal

    proposal = db.session.get(Proposal, event.subject_id)
    author = _actor(event)
    if author is not None:
        follow(author, proposal, automatic=True)
        follow(author, proposal.call, automatic=True)


def _on_commented(event, call) -> None:
    from ..comments.models import Comment

    comment = db.session.get(Comment, event.subject_id)
    author = comment.author
    draft = comment.version.draft
    follow(author, draft, automatic=True)
    follow(author, draft.call, automatic=True)
    if comment.parent_id is not None:
        parent = db.session.get(Comment, comment.parent_id)
        if parent.author_id != author.id:
            path = url_for("drafts.version", draft_id=draft.id, number=comment.version.number) + f"#comment-{comment.id}"
            _tell([parent.author], Kind.REPLY, comment, path, call=draft.call, event=event,
                  data={"title": draft.title, "name": author.public_name})


def _on_took_part(event, call) -> None:
    """Voting or attending a meeting is taking part in its call: follow the call."""
    actor = _actor(event)
    if actor is not None and call is not None:
        follow(actor, call, automatic=True)


def _on_responded(event, call) -> None:
    from ..comments.models import Comment
    from ..proposals.models import Proposal
    from ..responses.models import Response

    response = db.session.get(Response, event.subject_id)
    if response.implementation_comment_id:
        from ..monitoring.models import ImplementationComment

        contribution = db.session.get(ImplementationComment, response.implementation_comment_id)
    else:
        contribution = (db.session.get(Proposal, response.proposal_id) if response.proposal_id
                        else db.session.get(Comment, response.comment_id))
    author = contribution.author
    revised = response.revision > 1
    if response.proposal_id:
        title = contribution.title
        path = url_for("proposals.detail", proposal_id=contribution.id)
        subject = (N_("Response to your proposal: %(title)s") if not revised
                   else N_("Revised response to your proposal: %(title)s"))
        followers = _followers(proposal_id=contribution.id)
    elif response.implementation_comment_id:
        # A comment on a commitment's implementation, answered by its responsible institution (monitoring/).
        title = contribution.draft.title
        path = url_for("monitoring.commitment", draft_id=contribution.draft_id) + f"#dialogue-{contribution.id}"
        subject = (N_("Response to your comment on: %(title)s") if not revised
                   else N_("Revised response to your comment on: %(title)s"))
        followers = []
    else:
        title = contribution.version.draft.title
        # The version the comment was made on: the current one moves on with the next round.
        path = url_for("drafts.version", draft_id=contribution.version.draft_id,
                       number=contribution.version.number) + f"#comment-{contribution.id}"
        subject = (N_("Response to your comment on: %(title)s") if not revised
                   else N_("Revised response to your comment on: %(title)s"))
        followers = []
    mail = Mail("contribution_response", subject, {
        "subject_args": {"title": title}, "title": title, "kind": contribution.__tablename__, "response": response,
        "revised": revised, "url": _path_url(path)})
    data = {"title": title, "revised": revised}
    notify(author, Kind.RESPONSE, contribution, path, event=event, data=data, mail=mail)
    _tell([u for u in followers if u.id != author.id], Kind.RESPONSE, contribution, path, call=call, event=event,
          data=data)


def _on_moderated(event, call) -> None:
    from ..moderation.models import Decision, ModerationAction

    action = db.session.get(ModerationAction, event.subject_id)
    if action.decision is not Decision.HIDDEN:
        return
    comment = action.comment
    version = comment.version
    path = url_for("drafts.version", draft_id=version.draft_id, number=version.number) + f"#comment-{comment.id}"
    # The author's own e-mail: the only one that may speak of the hidden text (DOMAIN.md, "Hidden comments").
    mail = Mail("comment_hidden", N_("Your comment was hidden by moderation"), {
        "comment": comment, "reason": action.reason, "url": _path_url(path),
        "conduct_url": external_url("moderation.code_of_conduct")})
    notify(comment.author, Kind.COMMENT_MODERATED, comment, path, event=event,
           data={"title": version.draft.title}, mail=mail)


def _on_version_published(event, call) -> None:
    from ..drafts.models import DraftVersion

    version = db.session.get(DraftVersion, event.subject_id)
    draft = version.draft
    path = url_for("drafts.version", draft_id=draft.id, number=version.number)
    _tell(_followers(plan_id=draft.call.plan_id, call_id=draft.call_id, draft_id=draft.id), Kind.NEW_VERSION, version,
          path, call=draft.call, skip=event.actor_id, event=event, data={"title": draft.title, "number": version.number})


def _ballot_opens(ballot, now: datetime | None = None) -> None:
    """A published ballot open now: its call's followers are told (once: the occasion is the key)."""
    now = now or utcnow()
    if not visibility.ballot_is_public(ballot, now) or not ballot.is_open_at(now):
        return
    _tell(_followers(plan_id=ballot.call.plan_id, call_id=ballot.call_id), Kind.BALLOT_OPENS, ballot,
          url_for("votes.detail", ballot_id=ballot.id), call=ballot.call, now=now, occasion="opens",
          data={"title": ballot.question})


def _on_ballot_published(event, call) -> None:
    from ..votes.models import Ballot

    _ballot_opens(db.session.get(Ballot, event.subject_id))


def _on_ballot_results(event, call) -> None:
    from ..votes.models import Ballot

    ballot = db.session.get(Ballot, event.subject_id)
    if not visibility.ballot_is_public(ballot):
        return
    _tell(_followers(plan_id=ballot.call.plan_id, call_id=ballot.call_id), Kind.BALLOT_RESULTS, ballot,
          url_for("votes.detail", ballot_id=ballot.id), call=ballot.call, skip=event.actor_id, event=event,
          data={"title": ballot.question})


def _on_meeting(kind: Kind):
    def handler(event, call) -> None:
        from ..meetings.models import Meeting

        meeting = db.session.get(Meeting, event.subject_id)
        if not visibility.meeting_is_public(meeting):
            return
        _tell(_followers(plan_id=meeting.call.plan_id, call_id=meeting.call_id), kind, meeting,
              url_for("meetings.detail", meeting_id=meeting.id), call=meeting.call, skip=event.actor_id, event=event,
              data={"title": meeting.title})

    return handler


def _on_call_published(event, call) -> None:
    _call_announced(db.session.get(Call, event.subject_id))


def _call_announced(call: Call, now: datetime | None = None) -> None:
    if not visibility.call_is_public(call, now):
        return
    _tell(_followers(plan_id=call.plan_id, call_id=call.id), Kind.CALL_ANNOUNCED, call,
          url_for("calls.detail", call_id=call.id), call=call, now=now, occasion="announced",
          data={"title": call.title})


def _on_invited(event, call) -> None:
    from ..organisations.models import Invitation, Organisation

    invitation = db.session.get(Invitation, event.subject_id)
    organisation = db.session.get(Organisation, invitation.organisation_id)
    invitee = db.session.scalar(select(User).where(User.email == invitation.email))
    if invitee is not None:
        notify(invitee, Kind.INVITATION, invitation, url_for("organisations.mine"), event=event,
               data={"title": organisation.name})


def _on_approved(event, call) -> None:
    """One seat approved: the holders of the seats that have not taken a position are waited for."""
    from ..approvals.models import Approval

    approval = db.session.get(Approval, event.subject_id)
    target_path, title = _approval_target(approval)
    taken = {a.seat for a in db.session.scalars(select(Approval).where(
        Approval.action == approval.action, Approval.withdrawn_at.is_(None),
        Approval.call_id.is_(None) if approval.call_id is None else Approval.call_id == approval.call_id,
        Approval.meeting_id.is_(None) if approval.meeting_id is None else Approval.meeting_id == approval.meeting_id,
        Approval.draft_id.is_(None) if approval.draft_id is None else Approval.draft_id == approval.draft_id,
        Approval.plan_id.is_(None) if approval.plan_id is None else Approval.plan_id == approval.plan_id,
    ))}
    waiting = [m.user for m in db.session.scalars(select(SecretariatMembership).where(
        SecretariatMembership.ended_at.is_(None))) if m.seat not in taken]
    for user in waiting:
        notify(user, Kind.APPROVAL_WAITING, approval, target_path, event=event, data={"title": title})


def _approval_target(approval) -> tuple[str, str]:
    if approval.call_id:
        call = db.session.get(Call, approval.call_id)
        return url_for("calls.detail", call_id=call.id), call.title
    if approval.meeting_id:
        from ..meetings.models import Meeting

        meeting = db.session.get(Meeting, approval.meeting_id)
        return url_for("meetings.detail", meeting_id=meeting.id), meeting.title
    if approval.draft_id:
        from ..drafts.models import DraftCommitment

        draft = db.session.get(DraftCommitment, approval.draft_id)
        return url_for("drafts.detail", draft_id=draft.id), draft.title
    from ..plans.models import ActionPlan

    plan = db.session.get(ActionPlan, approval.plan_id)
    return url_for("plans.detail", plan_id=plan.id), plan.name


def _on_reported(event, call) -> None:
    from ..moderation.models import Report

    report = db.session.get(Report, event.subject_id)
    draft = report.comment.version.draft
    for user in _secretariat():
        notify(user, Kind.REPORT_TO_MODERATE, report.comment, url_for("moderation.reports"), event=event,
               data={"title": draft.title})


def _on_implementation_comment(event, call) -> None:
    """A participant flagged a milestone of an adopted commitment at risk (monitoring/): whoever follows
    the commitment hears of it, and the commenter follows it from then on."""
    from ..monitoring.models import ImplementationComment

    comment = db.session.get(ImplementationComment, event.subject_id)
    follow(comment.author, comment.draft, automatic=True)
    if not comment.at_risk:
        return
    path = url_for("monitoring.commitment", draft_id=comment.draft_id) + f"#dialogue-{comment.id}"
    _tell(_followers(draft_id=comment.draft_id), Kind.MILESTONE_AT_RISK, comment, path, call=call,
          skip=comment.author_id, event=event, data={"title": comment.draft.title})


_HANDLERS = {
    (Verb.SUBMITTED.value, "proposal"): _on_submitted,
    (Verb.COMMENTED.value, "implementation_comment"): _on_implementation_comment,
    (Verb.COMMENTED.value, "comment"): _on_commented,
    (Verb.VOTED.value, "ballot"): _on_took_part,
    (Verb.ATTENDED.value, "meeting"): _on_took_part,
    (Verb.RESPONDED.value, "response"): _on_responded,
    (Verb.MODERATED.value, "moderation_action"): _on_moderated,
    (Verb.PUBLISHED.value, "draft_version"): _on_version_published,
    (Verb.PUBLISHED.value, "ballot"): _on_ballot_published,
    (Verb.RESULTS_PUBLISHED.value, "ballot"): _on_ballot_results,
    (Verb.PUBLISHED.value, "meeting"): _on_meeting(Kind.MEETING_SCHEDULED),
    (Verb.SIGNED.value, "meeting"): _on_meeting(Kind.MINUTES_SIGNED),
    (Verb.PUBLISHED.value, "call"): _on_call_published,
    (Verb.INVITED.value, "invitation"): _on_invited,
    (Verb.APPROVED.value, "approval"): _on_approved,
    (Verb.REPORTED.value, "report"): _on_reported,
}


# --- by the clock -------------------------------------------------------------------------------------


def tick(now: datetime | None = None) -> int:
    """Produce the notifications of dates that have passed (idempotent); returns how many were new."""
    from ..comments.models import Comment
    from ..drafts.models import DraftVersion
    from ..proposals.models import Proposal
    from ..responses.models import Response
    from ..votes.models import Ballot

    now = now or utcnow()
    before = db.session.scalar(select(func.count(Notification.id)))
    since = now - CATCH_UP
    public_calls = visibility.public_call(now)
    for call in db.session.scalars(select(Call).where(public_calls, Call.announce_at > since)):
        _call_announced(call, now)
    for call in db.session.scalars(select(Call).where(public_calls, Call.opens_at <= now, Call.opens_at > since,
                                                      Call.closes_at > now)):
        _tell(_followers(plan_id=call.plan_id, call_id=call.id), Kind.CALL_OPENS, call,
              url_for("calls.detail", call_id=call.id), call=call, now=now, occasion="opens",
              data={"title": call.title})
    for call in db.session.scalars(select(Call).where(public_calls, Call.closes_at > now,
                                                      Call.closes_at <= now + timedelta(hours=48))):
        _tell(_followers(call_id=call.id), Kind.CALL_CLOSING, call, url_for("calls.detail", call_id=call.id),
              call=call, now=now, occasion="closes_48h", data={"title": call.title})
    for ballot in db.session.scalars(select(Ballot).where(Ballot.published_at.is_not(None), Ballot.opens_at <= now,
                                                          Ballot.closes_at > now)):
        _ballot_opens(ballot, now)
    # The secretariat's queue: contributions whose window closed and that still have no response.
    unanswered_proposal = ~exists().where(Response.proposal_id == Proposal.id, Response.is_current)
    for call in db.session.scalars(select(Call).where(Call.closes_at <= now, Call.closes_at > since, exists().where(
            Proposal.call_id == Call.id, Proposal.withdrawn_at.is_(None), unanswered_proposal))):
        _tell(_secretariat(), Kind.RESPONSE_DUE, call, url_for("calls.detail", call_id=call.id), call=call,
              occasion="proposals_closed", data={"title": call.title})
    unanswered_comment = ~exists().where(Response.comment_id == Comment.id, Response.is_current)
    for version in db.session.scalars(select(DraftVersion).where(
            DraftVersion.comments_close_at <= now, DraftVersion.comments_close_at > since, exists().where(
                Comment.version_id == DraftVersion.id, Comment.is_contribution, unanswered_comment))):
        _tell(_secretariat(), Kind.RESPONSE_DUE, version,
              url_for("drafts.version", draft_id=version.draft_id, number=version.number), call=version.draft.call,
              occasion="comments_closed", data={"title": version.draft.title})
    _overdue_milestones(now, since)
    db.session.flush()
    return db.session.scalar(select(func.count(Notification.id))) - before


def _overdue_milestones(now: datetime, since: datetime) -> None:
    """A milestone of an adopted commitment whose planned end passed without it being done: once, to the
    commitment's followers (drafts/models.Milestone.is_overdue)."""
    from ..drafts.models import DraftCommitment, DraftVersion, Milestone, MilestoneStatus

    rows = db.session.execute(
        select(Milestone, DraftCommitment).join(DraftVersion, DraftVersion.id == Milestone.version_id)
        .join(DraftCommitment, DraftCommitment.id == DraftVersion.draft_id)
        .where(DraftCommitment.adopted_via.is_not(None), Milestone.due < now.date(), Milestone.due >= since.date(),
               Milestone.status.not_in([MilestoneStatus.COMPLETE, MilestoneStatus.CANCELLED]))).all()
    for milestone, draft in rows:
        _tell(_followers(draft_id=draft.id), Kind.MILESTONE_AT_RISK, milestone,
              url_for("monitoring.commitment", draft_id=draft.id), call=draft.call, now=now, occasion="overdue",
              data={"title": draft.title})


# --- digests --------------------------------------------------------------------------------------


@dataclass
class DigestReport:
    messages: int = 0
    notifications: int = 0


DIGEST_SUBJECTS = {Frequency.DAILY: N_("Your daily summary: %(count)s new"),
                   Frequency.WEEKLY: N_("Your weekly summary: %(count)s new")}


def _claim(user_id: int, frequency: Frequency, cutoff: datetime) -> list[Notification]:
    query = (select(Notification)
             .where(Notification.user_id == user_id, Notification.delivery == frequency,
                    Notification.digest_message_id.is_(None), Notification.created_at <= cutoff)
             .order_by(Notification.created_at, Notification.id))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(db.session.scalars(query))


def digest_one(user_id: int, frequency: Frequency, cutoff: datetime) -> int:
    """Claim one recipient's undelivered rows, queue one message with them and mark them (caller commits)."""
    rows = _claim(user_id, frequency, cutoff)
    if not rows:
        return 0
    user = db.session.get(User, user_id)
    unsubscribe_url = external_url("notifications.unsubscribe", token=unsubscribe_token(user, frequency=frequency))
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        items = [{"text": sentence(n), "url": _path_url(n.path), "kind": n.kind.label} for n in rows]
    message = queue_mail(user.email, DIGEST_SUBJECTS[frequency], "digest", locale=user.locale, html=True,
                         headers=_unsubscribe_headers(unsubscribe_url), subject_args={"count": len(rows)},
                         user=user, items=items, frequency=frequency.value, unsubscribe_url=unsubscribe_url,
                         preferences_url=external_url("notifications.preferences"),
                         notifications_url=external_url("notifications.index"))
    db.session.execute(update(Notification).where(Notification.id.in_([n.id for n in rows]))
                       .values(digest_message_id=message.id))
    return len(rows)


def run_digest(frequency: Frequency, *, cutoff: datetime | None = None, after_each=None) -> DigestReport:
    """Deliver every undelivered notification of ``frequency`` created up to ``cutoff`` (default: now),
    one transaction per recipient. This is a worker's boundary: it commits."""
    frequency = Frequency(frequency)
    if frequency not in DIGEST_SUBJECTS:
        raise ValueError(frequency)
    cutoff = cutoff or utcnow()
    recipients = list(db.session.scalars(
        select(Notification.user_id).where(Notification.delivery == frequency,
                                           Notification.digest_message_id.is_(None),
                                           Notification.created_at <= cutoff)
        .distinct().order_by(Notification.user_id)
    ))
    db.session.rollback()
    report = DigestReport()
    for user_id in recipients:
        try:
            count = digest_one(user_id, frequency, cutoff)
        except Exception:
            db.session.rollback()
            raise
        db.session.commit()
        if count:
            report.messages += 1
            report.notifications += count
        if after_each is not None:
            after_each(user_id)
    return report
