"""Who may follow what: one rule per act, which the service enforces and the follow button asks."""

from __future__ import annotations

from flask_babel import gettext as _

from .. import permissions


def follow_refusal(user, subject) -> str | None:
    """Anyone signed in follows a subject they may see (the loader already answers 404 otherwise)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return _("Log in to follow this.")
    if getattr(user, "is_closed", False):
        return _("This account is closed.")
    if not permissions.is_participant(user) and not permissions.is_secretariat(user):
        return _("Confirm your e-mail address to follow this.")
    return None
