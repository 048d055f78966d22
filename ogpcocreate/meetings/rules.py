"""What may be done to a meeting and when: one rule per act, which the service enforces and the
meeting's page asks to show the button or the reason (DOMAIN.md, "Tripartite approval"; "What is public,
and when")."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _

from .models import Meeting


def change_refusal(meeting: Meeting) -> str | None:
    """A signed record never changes. Before it is signed, a change withdraws the seats' standing
    approvals (approvals.withdraw_on_edit), so every seat signs the same text (DOMAIN.md, "Tripartite
    approval, precisely")."""
    if meeting.is_signed:
        return _("The minutes of this meeting were signed on %(date)s. The signed record cannot be "
                 "changed. Nothing was saved.", date=format_datetime(meeting.signed_at, "medium"))
    return None


def not_started_refusal(meeting: Meeting, now: datetime) -> str | None:
    """Attendance and signatures are recorded once the meeting has taken place."""
    if meeting.starts_at > now:
        return _("This meeting starts on %(date)s. Attendance and signatures are recorded once it has taken place. "
                 "Nothing was saved.", date=format_datetime(meeting.starts_at, "medium"))
    return None


def signing_refusal(meeting: Meeting, now: datetime) -> str | None:
    """Why no seat can take a position on the minutes now, or None."""
    if meeting.is_signed:
        return _("The minutes of this meeting were already signed on %(date)s.",
                 date=format_datetime(meeting.signed_at, "medium"))
    if refusal := not_started_refusal(meeting, now):
        return refusal
    if meeting.published_at is None:
        return _("Publish the meeting before its minutes are signed: signed minutes are part of the public record. "
                 "Nothing was saved.")
    if not meeting.minutes_source.strip():
        return _("The minutes are empty. Write them before the seats sign them.")
    return None


def attendance_refusal(meeting: Meeting, now: datetime) -> str | None:
    """Attendance is recorded on a published meeting that has taken place and whose record is still open:
    it is part of the public figures, and a meeting that is not public cannot be counted in them."""
    if refusal := change_refusal(meeting) or not_started_refusal(meeting, now):
        return refusal
    if meeting.published_at is None:
        return _("Publish the meeting first: attendance is part of the public figures, and a meeting "
                 "that is not public cannot be counted in them. Nothing was saved.")
    return None
