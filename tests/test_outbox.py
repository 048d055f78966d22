"""The mail outbox: queued in the transaction, sent once after commit, retried with back-off, never lost."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from ogpcocreate.cli import mail_retry, mail_send, mail_status
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.outbox import MailStatus, OutboxMessage, queue_mail, send_due
from ogpcocreate.extensions import db

from .conftest import free_port
from .factories import make_user


def _queue(app, n=1):
    with app.test_request_context():
        user = make_user("ana@example.org")
        for _ in range(n):
            queue_mail(user.email, "Reset your password", "reset_password", locale="es", user=user,
                       reset_url="http://localhost/x", minutes=120)
        db.session.commit()


def test_a_message_is_sent_once(app, inbox):
    _queue(app)
    with app.app_context():
        report = send_due()
        assert (report.sent, report.failed) == (1, 0)
        assert send_due().sent == 0
        message = db.session.scalar(select(OutboxMessage))
        assert message.status is MailStatus.SENT and message.sent_at and message.attempts == 1
    assert len(inbox.messages) == 1
    received = inbox.messages[0]
    assert received["Subject"] == "[ogpcocreate] Restablece tu contraseña"
    assert received["Message-ID"] == message.message_id
    assert "Hola, Persona" in inbox.body(received) or "Hola," in inbox.body(received)


def test_a_rolled_back_transaction_queues_nothing(app):
    with app.test_request_context():
        user = make_user()
        queue_mail(user.email, "Reset your password", "reset_password", user=user, reset_url="x", minutes=1)
        db.session.rollback()
        assert db.session.scalar(select(OutboxMessage)) is None


def test_failures_are_retried_with_backoff_and_never_lost(app_config, make_app, inbox):
    broken = make_app({**app_config, "MAIL_PORT": free_port()})  # nothing listens there
    _queue(broken, n=2)
    with broken.app_context():
        report = send_due()
        assert (report.sent, report.failed) == (0, 2)
        messages = db.session.scalars(select(OutboxMessage)).all()
        assert all(m.status is MailStatus.PENDING and m.attempts == 1 and m.last_error for m in messages)
        assert all(m.next_attempt_at > utcnow() for m in messages)
        assert send_due().failed == 0  # not due yet
    working = make_app(app_config)
    with working.app_context(), time_machine.travel(utcnow() + timedelta(minutes=5)):
        assert send_due().sent == 2
        assert send_due().sent == 0
    assert len(inbox.messages) == 2


def test_giving_up_keeps_the_message_and_retry_requeues_it(app_config, make_app, inbox):
    broken = make_app({**app_config, "MAIL_PORT": free_port(), "MAIL_MAX_ATTEMPTS": 2})
    _queue(broken)
    with broken.app_context():
        send_due()
        with time_machine.travel(utcnow() + timedelta(hours=1)):
            report = send_due()
        assert report.gave_up == 1
        assert db.session.scalar(select(OutboxMessage)).status is MailStatus.FAILED
    runner = broken.test_cli_runner()
    status = runner.invoke(mail_status)
    assert "failed: 1" in status.output and "ana@example.org" in status.output
    assert "1 message(s)" in runner.invoke(mail_retry).output
    working = make_app(app_config)
    result = working.test_cli_runner().invoke(mail_send)
    assert result.exit_code == 0 and "sent 1" in result.output
    assert len(inbox.messages) == 1
