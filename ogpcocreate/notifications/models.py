"""Following subjects, the notifications derived from the participation log, and who wants them when.

A notification names its subject the way the participation log does (a table name and an id), since it
is derived from a log entry (``event_seq``) or from a date passing (``occasion``), and it keeps the path
of the page that shows the subject. ``key`` is unique per user, kind, subject and occasion, so however
often the clock-driven producers run (``notifications tick``) each event exists once.

``delivery`` is decided when the notification is created, from the person's preference for its kind,
so a later change of preference does not resend or drop what is already pending.
``digest_message_id`` is the outbox message that carried it (a digest, or its own immediate mail).
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..core.db import enum_column, utcnow
from ..extensions import db


class Frequency(enum.StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"
    NEVER = "never"

    @property
    def label(self):
        return {Frequency.IMMEDIATE: _l("Immediately"), Frequency.DAILY: _l("Daily digest"),
                Frequency.WEEKLY: _l("Weekly digest"), Frequency.NEVER: _l("Never (only on this site)")}[self]


class Kind(enum.StrEnum):
    CALL_ANNOUNCED = "call_announced"
    CALL_OPENS = "call_opens"
    CALL_CLOSING = "call_closing"
    RESPONSE = "response"
    REPLY = "reply"
    COMMENT_MODERATED = "comment_moderated"
    NEW_VERSION = "new_version"
    BALLOT_OPENS = "ballot_opens"
    BALLOT_RESULTS = "ballot_results"
    MEETING_SCHEDULED = "meeting_scheduled"
    MINUTES_SIGNED = "minutes_signed"
    INVITATION = "invitation"
    MILESTONE_AT_RISK = "milestone_at_risk"  # produced by the monitoring of commitments (issue 15)
    APPROVAL_WAITING = "approval_waiting"
    RESPONSE_DUE = "response_due"
    REPORT_TO_MODERATE = "report_to_moderate"

    @property
    def label(self):
        return KIND_LABELS[self]

    @property
    def for_secretariat(self) -> bool:
        return self in (Kind.APPROVAL_WAITING, Kind.RESPONSE_DUE, Kind.REPORT_TO_MODERATE)

    @property
    def default(self) -> Frequency:
        return DEFAULTS[self]

    @property
    def mailed_elsewhere(self) -> bool:
        """The invitation e-mail goes to the address whether or not it has an account
        (organisations/services.py): the notification is only its echo on the site."""
        return self is Kind.INVITATION


KIND_LABELS = {
    Kind.CALL_ANNOUNCED: _l("A call is announced in a plan you follow"),
    Kind.CALL_OPENS: _l("A call you follow opens for proposals"),
    Kind.CALL_CLOSING: _l("A call you follow closes in 48 hours"),
    Kind.RESPONSE: _l("A response to your contribution is given or revised"),
    Kind.REPLY: _l("A reply to your comment"),
    Kind.COMMENT_MODERATED: _l("Your comment is hidden by moderation"),
    Kind.NEW_VERSION: _l("A new draft version or comment window in a call you follow"),
    Kind.BALLOT_OPENS: _l("A ballot opens in a call you follow"),
    Kind.BALLOT_RESULTS: _l("A ballot publishes its results in a call you follow"),
    Kind.MEETING_SCHEDULED: _l("A meeting is scheduled in a call you follow"),
    Kind.MINUTES_SIGNED: _l("The minutes of a meeting in a call you follow are signed"),
    Kind.INVITATION: _l("An invitation to join an organisation"),
    Kind.MILESTONE_AT_RISK: _l("A milestone of a commitment you follow is at risk or overdue"),
    Kind.APPROVAL_WAITING: _l("An approval waits for your seat"),
    Kind.RESPONSE_DUE: _l("Contributions are due a response"),
    Kind.REPORT_TO_MODERATE: _l("A comment was reported for moderation"),
}

# Defaults that flood nobody (the answers to your own contributions come at once, the rest in digests).
DEFAULTS = {
    Kind.RESPONSE: Frequency.IMMEDIATE,
    Kind.COMMENT_MODERATED: Frequency.IMMEDIATE,
    Kind.INVITATION: Frequency.IMMEDIATE,
    Kind.REPLY: Frequency.DAILY,
    Kind.APPROVAL_WAITING: Frequency.DAILY,
    Kind.RESPONSE_DUE: Frequency.DAILY,
    Kind.REPORT_TO_MODERATE: Frequency.DAILY,
    **{kind: Frequency.WEEKLY for kind in (
        Kind.CALL_ANNOUNCED, Kind.CALL_OPENS, Kind.CALL_CLOSING, Kind.NEW_VERSION, Kind.BALLOT_OPENS,
        Kind.BALLOT_RESULTS, Kind.MEETING_SCHEDULED, Kind.MINUTES_SIGNED, Kind.MILESTONE_AT_RISK)},
}


class FollowSubject(enum.StrEnum):
    PLAN = "plan"
    CALL = "call"
    PROPOSAL = "proposal"
    DRAFT = "draft"


ONE_SUBJECT = ("(CASE WHEN plan_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN call_id IS NULL THEN 0 ELSE 1 END)"
               " + (CASE WHEN proposal_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN draft_id IS NULL THEN 0 ELSE 1 END) = 1")


class Follow(db.Model):
    """A person follows one plan, call, proposal or draft commitment (an adopted one is a commitment)."""

    __tablename__ = "follow"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("action_plan.id"))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"))
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft_commitment.id"))
    # "call:5": one follow per person and subject (a unique constraint over the nullable keys would
    # let duplicates through, since NULLs never compare equal).
    subject: Mapped[str] = mapped_column(String(40))
    # Automatic (own contribution, a call taken part in) or chosen on the subject's page.
    automatic: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint(ONE_SUBJECT, name="exactly_one_subject"),
        UniqueConstraint("user_id", "subject", name="uq_follow_user_subject"),
        Index("ix_follow_call_id", "call_id"),
        Index("ix_follow_plan_id", "plan_id"),
        Index("ix_follow_proposal_id", "proposal_id"),
        Index("ix_follow_draft_id", "draft_id"),
    )


class Notification(db.Model):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[Kind] = enum_column(Kind)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    # The log entry it comes from, or the date that passed ("opens", "closes_48h"...).
    event_seq: Mapped[int | None]
    occasion: Mapped[str | None] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    path: Mapped[str] = mapped_column(String(300))
    # Titles of the subject at the time, never a comment's text (a hidden comment's text is not public).
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    delivery: Mapped[Frequency] = enum_column(Frequency)
    digest_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship()

    __table_args__ = (
        Index("ix_notification_user_created", "user_id", "created_at"),
        Index("ix_notification_undelivered", "delivery", "digest_message_id", "user_id"),
    )

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Preference(db.Model):
    __tablename__ = "notification_preference"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[Kind] = enum_column(Kind)
    frequency: Mapped[Frequency] = enum_column(Frequency)

    __table_args__ = (UniqueConstraint("user_id", "kind", name="uq_notification_preference_user_kind"),)
