"""Creating and editing action plans (secretariat)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import visibility
from ..auth.models import User
from ..core import eventlog, richtext
from ..core.errors import ServiceError
from ..core.eventlog import Verb
from ..core.sectors import Seat
from ..extensions import db
from .models import ActionPlan, PlanStatus

FIELDS = ("name", "period_start", "period_end", "status", "description_source", "requires_tripartite", "notice_days")


def _apply(plan: ActionPlan, data: dict) -> None:
    if data["period_end"] < data["period_start"]:
        raise ServiceError(_("The period must end in or after the year it starts."), field="period_end")
    plan.name = data["name"].strip()
    plan.period_start = data["period_start"]
    plan.period_end = data["period_end"]
    plan.status = PlanStatus(data["status"])
    plan.description_source = data.get("description_source") or ""
    plan.description = richtext.sanitize(plan.description_source)
    plan.requires_tripartite = bool(data["requires_tripartite"])
    plan.notice_days = data["notice_days"]


def create_plan(actor: User, seat: Seat, data: dict) -> ActionPlan:
    plan = ActionPlan(created_by_id=actor.id)
    _apply(plan, {k: data.get(k) for k in FIELDS})
    db.session.add(plan)
    db.session.flush()
    eventlog.record(actor, Verb.CREATED, plan, sector=seat.sector, territory="national", plan=plan,
                    data={"name": plan.name, "requires_tripartite": plan.requires_tripartite})
    return plan


def update_plan(actor: User, seat: Seat, plan: ActionPlan, data: dict) -> None:
    before = plan.requires_tripartite
    _apply(plan, {k: data.get(k) for k in FIELDS})
    eventlog.record(actor, Verb.EDITED, plan, sector=seat.sector, territory="national", plan=plan,
                    data={"requires_tripartite": plan.requires_tripartite, "was": before})
    db.session.flush()


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
