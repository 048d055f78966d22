"""The acts decided on a call's page, each as one rule the service enforces and the page explains
(DOMAIN.md, "Tripartite approval"): when the seats may take positions on publishing the call and on
publishing its results, and whether each act was carried out."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _

from ..approvals.models import Action
from .models import Call
from .phases import Phase

# The phase in which each act of a call is decided.
ACTION_PHASES = {Action.PUBLISH_CALL: Phase.DRAFT, Action.PUBLISH_RESULTS: Phase.DECISION}


def position_refusal(call: Call, action: Action, now: datetime) -> str | None:
    """Why a seat cannot take a position on ``action`` about ``call`` now, or None."""
    if action not in ACTION_PHASES:
        return _("Only publishing a call or its results is decided on the call's page.")
    if call.phase_at(now) is not ACTION_PHASES[action]:
        if action is Action.PUBLISH_CALL:
            return _("This call has already been published.")
        if call.results_published_at is not None:
            return _("The results of this call have been published.")
        return _("Results can be published once the call reaches its decision date (%(date)s).",
                 date=format_datetime(call.decision_at, "medium"))
    if action is Action.PUBLISH_CALL and call.announce_at < now:
        return _("The announcement date has passed. Edit the call's timeline before approving it.")
    return None


def acts_shown(call: Call, now: datetime) -> list[Action]:
    """The acts the call's page offers: publishing the call always; publishing its results from the
    decision date on (before it, nothing about results can be decided)."""
    if call.phase_at(now) in {Phase.DECISION, Phase.RESULTS}:
        return [Action.PUBLISH_CALL, Action.PUBLISH_RESULTS]
    return [Action.PUBLISH_CALL]


def act_done(call: Call, action: Action) -> bool:
    """Whether the act was carried out: its approvals are then part of the record and cannot be withdrawn."""
    return (call.published_at if action is Action.PUBLISH_CALL else call.results_published_at) is not None
