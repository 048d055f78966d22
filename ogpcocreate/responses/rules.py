"""Who may give a reasoned response to a contribution, and when: one rule the service enforces and the
proposal and draft pages ask to show the form or the reason (DOMAIN.md, "Contribution": each receives an
outcome and a justification from the secretariat).

A proposal is answered once its call has closed for proposals, so the response answers the final text,
and not once its author withdrew it. A comment is answered when a participant wrote it and moderation has
not hidden it (responses/contributions.py: what counts).
"""

from __future__ import annotations

from flask_babel import format_datetime
from flask_babel import gettext as _

from .. import permissions


def answerable_refusal(contribution) -> str | None:
    """Why ``contribution`` (a proposal or a comment) takes no response now, or None."""
    if contribution.__tablename__ == "proposal":
        if contribution.is_withdrawn:
            return _("This proposal was withdrawn by its author; it needs no response.")
        if not contribution.call.phase.accepts_responses:
            return _("Responses are given once proposals have closed (%(date)s).",
                     date=format_datetime(contribution.call.closes_at, "medium"))
        return None
    if not contribution.is_contribution:
        return _("This comment was written by the secretariat; it needs no response.")
    if contribution.is_hidden:
        return _("This comment was hidden by moderation; it needs no response.")
    return None


def response_refusal(user, contribution) -> str | None:
    """Why ``user`` may not answer ``contribution`` now, or None: the secretariat answers."""
    if not permissions.can_respond(user):
        return _("Only the secretariat gives reasoned responses.")
    return answerable_refusal(contribution)
