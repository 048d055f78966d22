"""Creating and editing action plans (secretariat)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import visibility
from ..approvals import services as approvals
from ..approvals.models import Action, Approval
from ..auth.models import User
from ..core import eventlog, richtext
from ..core.errors import ServiceError
from ..core.eventlog import Verb
from ..core.sectors import Seat
from ..extensions import db
from .models import ActionPlan, PlanStatus

# The tripartite requirement is not a field of the form: switching it off is an act the three seats
# approve (``take_switch_position``), switching it back on one member's act (``switch_on``).
FIELDS = ("name", "period_start", "period_end", "status", "description_source", "notice_days", "min_turnout")


def _apply(plan: ActionPlan, data: dict) -> None:
    if data["period_end"] < data["period_start"]:
        raise ServiceError(_("The period must end in or after the year it starts."), field="period_end")
    plan.name = data["name"].strip()
    plan.period_start = data["period_start"]
    plan.period_end = data["period_end"]
    plan.status = PlanStatus(data["status"])
    plan.description_source = data.get("description_source") or ""
    plan.description = richtext.sanitize(plan.description_source)
    plan.notice_days = data["notice_days"]
    plan.min_turnout = data.get("min_turnout") or 10


def create_plan(actor: User, seat: Seat, data: dict) -> ActionPlan:
    plan = ActionPlan(created_by_id=actor.id)
    _apply(plan, {k: data.get(k) for k in FIELDS})
    db.session.add(plan)
    db.session.flush()
    eventlog.record(actor, Verb.CREATED, plan, sector=seat.sector, territory="national", plan=plan,
                    data={"name": plan.name, "requires_tripartite": plan.requires_tripartite,
                          "min_turnout": plan.min_turnout})
    return plan


def update_plan(actor: User, seat: Seat, plan: ActionPlan, data: dict) -> None:
    turnout_before = plan.min_turnout
    _apply(plan, {k: data.get(k) for k in FIELDS})
    eventlog.record(actor, Verb.EDITED, plan, sector=seat.sector, territory="national", plan=plan,
                    data={"requires_tripartite": plan.requires_tripartite,
                          "min_turnout": plan.min_turnout, "min_turnout_was": turnout_before})
    db.session.flush()


# --- the tripartite requirement (DOMAIN.md, "Tripartite approval, precisely") ------------------------


def switch_state(plan: ActionPlan):
    return approvals.state(Action.SWITCH_OFF_TRIPARTITE, plan, True)


def take_switch_position(actor: User, seat: Seat, plan: ActionPlan, stance: str, comment: str) -> bool:
    """Approve or object to switching off the plan's tripartite requirement; switch it off once all three
    seats approved. Returns True if this position completed the act."""
    if not plan.requires_tripartite:
        raise ServiceError(_("This plan does not require the three seats' approval any more."))
    new_state = approvals.take_position(actor, seat, Action.SWITCH_OFF_TRIPARTITE, plan, stance, comment, True)
    if not new_state.complete:
        return False
    plan.requires_tripartite = False
    eventlog.record(actor, Verb.EDITED, plan, sector=seat.sector, territory="national", plan=plan,
                    data={"requires_tripartite": False, "approved_by": [s.value for s in new_state.approvals]})
    db.session.flush()
    return True


def withdraw_switch_position(actor: User, plan: ActionPlan, approval_id: int) -> None:
    approval = db.session.get(Approval, approval_id)
    if approval is None or approval.plan_id != plan.id or approval.action is not Action.SWITCH_OFF_TRIPARTITE:
        raise ServiceError(_("There is no such position on this plan."))
    if not plan.requires_tripartite:
        raise ServiceError(_("The act has been carried out; its approvals are part of the record."))
    approvals.withdraw(actor, approval, plan)


def switch_on(actor: User, seat: Seat, plan: ActionPlan) -> None:
    """Require the three seats again: one member may, since it only adds protection. The approvals that
    switched it off are withdrawn, so switching it off again takes three new approvals."""
    if plan.requires_tripartite:
        raise ServiceError(_("This plan already requires the three seats' approval."))
    before = approvals.snapshot_of(plan)
    plan.requires_tripartite = True
    eventlog.record(actor, Verb.EDITED, plan, sector=seat.sector, territory="national", plan=plan,
                    data={"requires_tripartite": True})
    db.session.flush()
    approvals.withdraw_on_edit(actor, seat, plan, before)


def list_plans(include_unpublished: bool = False) -> list[ActionPlan]:
    """Public plans (visibility.py), or every plan for the secretariat that prepares them."""
    query = select(ActionPlan).order_by(ActionPlan.period_start.desc(), ActionPlan.id.desc())
    if not include_unpublished:
        query = query.where(visibility.public_plan())
    return list(db.session.scalars(query))


def call_counts() -> dict[int, int]:
    """Public calls per plan."""
    from ..calls.models import Call

    rows = db.session.execute(
        select(Call.plan_id, func.count(Call.id)).where(visibility.public_call()).group_by(Call.plan_id)
    )
    return dict(rows.all())
