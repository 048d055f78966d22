"""The repository's acts, one rule each: the refusal with its reason, or None. Services raise it; pages
ask the same function to show the button or the reason."""

from __future__ import annotations

from flask_babel import format_datetime
from flask_babel import gettext as _

from .models import Document


def publish_refusal(document: Document) -> str | None:
    """Why the document cannot be published now. Publishing cannot be undone: what was public stays."""
    if document.published_at is not None:
        return _("This document was published on %(date)s.", date=format_datetime(document.published_at, "medium"))
    if document.proposal_id is not None:
        return _("Attachments to a proposal are public with the proposal; there is nothing to publish.")
    return None


def replace_refusal(document: Document) -> str | None:
    if document.proposal_id is not None:
        return _("Attachments to a proposal are changed by attaching a new file to the proposal.")
    return None
