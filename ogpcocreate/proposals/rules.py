"""What may be done to a proposal and when: one rule per act, which the service enforces and the
proposal's page asks to show the button or the reason (DOMAIN.md, "Proposal": submitted to an open call,
editable and withdrawable by its author until the deadline; after it, refused with a clear message).
What a phase allows is decided in calls/phases.py; these functions word the refusal."""

from __future__ import annotations

from flask_babel import format_datetime
from flask_babel import gettext as _

from .. import permissions
from ..calls.models import Call
from ..calls.phases import Phase
from .models import Proposal


def window_refusal(call: Call) -> str | None:
    """Why the call does not accept proposals right now (with the date), or None."""
    phase = call.phase
    if phase.accepts_proposals:
        return None
    if phase in {Phase.DRAFT, Phase.ANNOUNCED}:
        return _("This call opens for proposals on %(date)s. Nothing was saved.",
                 date=format_datetime(call.opens_at, "medium"))
    return _("Proposals for this call closed on %(date)s. Nothing was saved.",
             date=format_datetime(call.closes_at, "medium"))


def submit_refusal(user, call: Call, organisations: list | None = None) -> str | None:
    """Why ``user`` may not submit a proposal to ``call`` now, or None. ``organisations``: those the
    user may submit for (proposals/services.organisations_for), needed on organisations-only calls."""
    if not permissions.can_submit_proposal(user, call):
        return _("Log in with a confirmed account to submit a proposal.")
    if refusal := window_refusal(call):
        return refusal
    if not call.allows_individuals and not organisations:
        return _("This call accepts proposals from organisations only, and you do not belong to one that may submit. "
                 "Register your organisation or ask its administrators to invite you.")
    return None


def change_refusal(user, proposal: Proposal) -> str | None:
    """Why ``user`` may not edit or withdraw ``proposal`` now, or None: only its author, only while it
    stands, only while the call accepts proposals."""
    if not permissions.is_participant(user) or proposal.author_id != user.id:
        return _("Only the author can change a proposal.")
    if proposal.is_withdrawn:
        return _("This proposal was withdrawn and can no longer be changed.")
    return window_refusal(proposal.call)
