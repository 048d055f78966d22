"""Who may read a comment's text: the one rule every page, export and e-mail asks.

DOMAIN.md, "Moderation" and "What is public, and when": the text of a hidden comment is kept, and shown
to its author and the secretariat only, on every page (draft, comparison of versions, responses,
exports, e-mails), whenever it was hidden, even after a version had incorporated it. The public sees
that it was hidden and why. The text is withheld here, in the data handed to templates, never by a
template's own test (STYLE.md, 11).
"""

from __future__ import annotations

from .. import permissions
from .models import Comment


def may_read_text(viewer, comment: Comment) -> bool:
    """Whether ``viewer`` (a User, the anonymous user, or None for the public) may read the text."""
    if not comment.is_hidden:
        return True
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    return viewer.id == comment.author_id or permissions.is_secretariat(viewer)


def text_for(viewer, comment: Comment) -> str | None:
    """The comment's sanitised HTML for ``viewer``, or None where it is withheld."""
    return comment.body if may_read_text(viewer, comment) else None


def source_for(viewer, comment: Comment) -> str | None:
    """The text as written (for plain-text places: excerpts, form choices, e-mails), or None where withheld."""
    return comment.body_source if may_read_text(viewer, comment) else None
