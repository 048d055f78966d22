"""The mail outbox: messages are queued in the caller's transaction and sent after commit by a worker.

A message is written with the state change that caused it, so it exists exactly when that change was
committed, and a failed request queues nothing. ``send_due()`` (``flask mail send``; ``--loop`` in the
Procfile's worker) sends each due message in its own short transaction:

- it claims one message with a row lock (PostgreSQL ``FOR UPDATE SKIP LOCKED``; on SQLite the write
  transaction holds the database lock), so two workers never send the same message;
- a failure is recorded (attempts, last error) and retried with exponential back-off; after
  MAIL_MAX_ATTEMPTS it is marked failed, kept, and listed by ``flask mail status`` until an operator
  requeues it with ``flask mail retry``. Nothing is ever deleted;
- every message carries a stable Message-ID, so in the one window no database can close (the SMTP
  server accepted it and the process died before the commit), the resend is recognisable as a
  duplicate by any mail client.

Messages are built with the standard library's ``email.message.EmailMessage`` and the ``SMTP`` policy
(CRLF line ends, a UTF-8 quoted-printable body), not with Flask-Mail's ``Message``, whose header
encoding splits words ("p ública"); the headers a person reads (Subject, From, To) are encoded by
core.mailheaders, which works around the standard library's own folding bugs. Flask-Mail still opens
the SMTP connection, so its settings (TLS, SSL, login, MAIL_SUPPRESS_SEND) keep their meaning.
"""

from __future__ import annotations

import enum
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import JSON, Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db, mail
from . import mailheaders
from .db import enum_column, utcnow
from .text import one_line

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)


class MailStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    # Never to be sent: addressed to a reserved, undeliverable domain (a closed account, auth/services.py).
    CANCELLED = "cancelled"


def is_undeliverable(address: str) -> bool:
    """Addresses under the ``.invalid`` top-level domain (RFC 2606) can never receive mail."""
    return address.rsplit("@", 1)[-1].rstrip(">").lower().endswith(".invalid")


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    # An HTML alternative of the same text (optional: older messages have only the plain part).
    body_html: Mapped[str | None] = mapped_column(Text)
    # Extra headers (List-Unsubscribe, List-Unsubscribe-Post for RFC 8058), ASCII values only.
    headers: Mapped[dict | None] = mapped_column(JSON)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[MailStatus] = enum_column(MailStatus, default=MailStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)


def mailbox(address: str, name: str | None = None) -> str:
    """The recipient as stored: a bare address, or ``Display Name <address>`` quoted as RFC 5322 asks."""
    if not name:
        return address
    local, _, domain = address.rpartition("@")
    named = str(Address(display_name=one_line(name), username=local, domain=domain))
    return named if len(named) <= 254 else address  # the column's size; the name is only a courtesy


def queue_mail(
    recipient: str, subject: str, template: str, locale: str | None = None, recipient_name: str | None = None,
    *, html: bool = False, headers: dict[str, str] | None = None, **context
) -> OutboxMessage:
    """Render ``templates/mail/<template>.txt`` in the recipient's language and queue it.

    ``subject`` is a msgid; it is translated in the same locale as the body. ``recipient_name``, if
    given, is shown as the display name of the address. ``html``: also render
    ``templates/mail/<template>.html`` as an alternative part. ``headers``: extra headers to send
    (printable ASCII values, such as List-Unsubscribe).
    """
    from flask_babel import gettext

    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        body = render_template(f"mail/{template}.txt", **context)
        body_html = render_template(f"mail/{template}.html", **context) if html else None
        translated_subject = gettext(subject, **context.get("subject_args", {}))
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rsplit("@", 1)[-1].strip(">") or "localhost"
    message = OutboxMessage(
        recipient=mailbox(recipient, recipient_name),
        subject=one_line(f"[{current_app.config['SITE_NAME']}] {translated_subject}")[:255],
        body_text=body,
        body_html=body_html,
        headers=headers or None,
        message_id=f"<{secrets.token_hex(16)}@{domain}>",
    )
    if is_undeliverable(recipient):
        message.status = MailStatus.CANCELLED
        message.last_error = "undeliverable address"
    db.session.add(message)
    db.session.flush()
    return message


def build_message(message: OutboxMessage) -> tuple[str, str, EmailMessage]:
    """The envelope sender and recipient and the e-mail as sent (7-bit: encoded headers, QP body)."""
    sender_name, sender = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    recipient_name, recipient = parseaddr(message.recipient)
    outgoing = EmailMessage(policy=policy.SMTP)
    # set_raw: these values are already encoded and folded (core.mailheaders); assigning them would
    # make the policy refold them with the bug they work around.
    outgoing.set_raw("Subject", mailheaders.unstructured("Subject", one_line(message.subject)))
    outgoing.set_raw("From", mailheaders.mailbox("From", one_line(sender_name), sender))
    outgoing.set_raw("To", mailheaders.mailbox("To", one_line(recipient_name), recipient))
    outgoing["Date"] = format_datetime(utcnow())
    outgoing["Message-ID"] = message.message_id  # stable across retries: a resend is recognisably the same mail
    # Quoted-printable keeps the body 7-bit (any relay takes it) and readable in the raw source.
    outgoing.set_content(message.body_text, charset="utf-8", cte="quoted-printable")
    if message.body_html:
        outgoing.add_alternative(message.body_html, subtype="html", charset="utf-8", cte="quoted-printable")
    for name, value in (message.headers or {}).items():
        outgoing.set_raw(name, one_line(value))  # ASCII by construction (URLs), so nothing to encode
    return sender, recipient, outgoing


def _deliver(sender: str, recipient: str, outgoing: EmailMessage) -> None:
    with mail.connect() as connection:
        if connection.host is not None:  # None when MAIL_SUPPRESS_SEND
            connection.host.sendmail(sender, [recipient], outgoing.as_bytes())


def backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0


def _claim_next(now: datetime) -> OutboxMessage | None:
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == MailStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return db.session.scalars(query).first()


def send_due(limit: int | None = None) -> SendReport:
    """Send every due message, each in its own transaction (this is a worker's request boundary)."""
    report = SendReport()
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    while limit is None or report.sent + report.failed < limit:
        message = _claim_next(utcnow())
        if message is None:
            db.session.rollback()
            break
        try:
            _deliver(*build_message(message))
        except Exception as exc:  # any SMTP or socket failure: keep the message, try again later
            message.attempts += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= max_attempts:
                message.status = MailStatus.FAILED
                report.gave_up += 1
            else:
                message.next_attempt_at = utcnow() + backoff(message.attempts)
            report.failed += 1
            log.warning("mail %s to %s failed (attempt %s): %s", message.id, message.recipient, message.attempts, exc)
        else:
            message.attempts += 1
            message.status = MailStatus.SENT
            message.sent_at = utcnow()
            message.last_error = None
            report.sent += 1
        db.session.commit()
    return report


def retry_failed() -> int:
    """Put every message that was given up on back in the queue; returns how many."""
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == MailStatus.FAILED)).all()
    for message in messages:
        message.status = MailStatus.PENDING
        message.attempts = 0
        message.next_attempt_at = utcnow()
    db.session.flush()
    return len(messages)
