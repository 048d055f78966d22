"""Every act that needs the secretariat's approval, in one table (DOMAIN.md, "Tripartite approval"):
publishing a call or its results, signing a meeting's minutes, adopting a commitment, and switching off
a plan's tripartite requirement. One route pair (approvals/views.py) takes and withdraws positions on
all of them, and one template macro shows them (templates/approvals/_positions.html).

Each entry names the kind of object as it appears in its URLs, the acts on it, how to load it for the
current user (its feature's loader, with the access check), who may take a position, the feature's
service that records a position and carries the act out once approved, the one that withdraws a
position, and where the object's page shows its approvals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext as _

from .. import permissions
from ..calls import services as calls
from ..calls.loaders import get_call_or_404
from ..drafts import services as drafts
from ..drafts.loaders import get_draft_or_404
from ..meetings import services as meetings
from ..meetings.loaders import get_meeting_or_404
from ..plans import services as plans
from ..plans.loaders import get_plan_or_404
from .models import Action


@dataclass(frozen=True)
class Approvable:
    kind: str  # the object's segment in the URL: /<kind>/<id>/positions
    actions: tuple[Action, ...]
    load: Callable[[int], Any]
    may: Callable[[Any, Any], bool]  # (user, object): may take a position here
    take: Callable[..., bool]  # (actor, seat, object, action, stance, comment) -> the act was carried out
    withdraw: Callable[..., None]  # (actor, object, approval_id)
    page: Callable[[Any], str]  # the object's page, at its approvals
    done: Callable[[Action], str]  # what to say once the act is carried out


def _carried_out(action: Action) -> str:
    return _("Approved by the secretariat: the act has been carried out and is on the public record.")


ACTS = {entry.kind: entry for entry in (
    Approvable(
        "calls", (Action.PUBLISH_CALL, Action.PUBLISH_RESULTS), get_call_or_404, permissions.can_take_position,
        lambda actor, seat, call, action, stance, comment: calls.take_position(actor, seat, call, action.value, stance,
                                                                               comment),
        calls.withdraw_position, lambda call: url_for("calls.detail", call_id=call.id) + "#approvals", _carried_out),
    Approvable(
        "meetings", (Action.SIGN_MINUTES,), get_meeting_or_404, permissions.can_sign_minutes,
        lambda actor, seat, meeting, action, stance, comment: meetings.take_position(actor, seat, meeting, stance,
                                                                                    comment),
        meetings.withdraw_position, lambda meeting: url_for("meetings.detail", meeting_id=meeting.id) + "#signatures",
        lambda action: _("The minutes are signed and are part of the public record.")),
    Approvable(
        "drafts", (Action.ADOPT_COMMITMENT,), get_draft_or_404, lambda user, draft: permissions.can_manage_drafts(user),
        lambda actor, seat, draft, action, stance, comment: drafts.take_adoption_position(actor, seat, draft, stance,
                                                                                         comment),
        drafts.withdraw_adoption_position, lambda draft: url_for("drafts.detail", draft_id=draft.id) + "#adoption",
        lambda action: _("The commitment has been adopted as final.")),
    Approvable(
        "plans", (Action.SWITCH_OFF_TRIPARTITE,), get_plan_or_404, lambda user, plan: permissions.can_manage_plans(user),
        lambda actor, seat, plan, action, stance, comment: plans.take_switch_position(actor, seat, plan, stance, comment),
        plans.withdraw_switch_position, lambda plan: url_for("plans.detail", plan_id=plan.id) + "#approvals",
        lambda action: _("The three seats approved: this plan no longer requires their approval for each act.")),
)}

KINDS = tuple(ACTS)


def kind_of(action: Action) -> str:
    return next(kind for kind, entry in ACTS.items() if action in entry.actions)


def position_url(action: Action, subject) -> str:
    """Where a seat posts its position on ``action`` about ``subject``."""
    return url_for("approvals.take_position", kind=kind_of(action), subject_id=subject.id)


def withdraw_url(approval, subject) -> str:
    """Where the author of ``approval`` withdraws it."""
    return url_for("approvals.withdraw_position", kind=kind_of(approval.action), subject_id=subject.id,
                   approval_id=approval.id)
