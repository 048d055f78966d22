"""Creating and editing action plans (secretariat)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..auth.models import User
from ..core import eventlog, richtext
from ..core.errors import ServiceError
from ..core.eventlog import Verb
from ..core.sectors import Seat
from ..extensions import db
from .models import ActionPlan, PlanStatus

FIELDS = ("name", "period_start", "period_end", "status", "description_source", "requires_tripartite", "notice_days",
          "min_turnout")


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
    before, turnout_before = plan.requires_tripartite, plan.min_turnout
    _apply(plan, {k: data.get(k) for k in FIELDS})
    eventlog.record(actor, Verb.EDITED, plan, sector=seat.sector, territory="national", plan=plan,
                    data={"requires_tripartite": plan.requires_tripartite, "was": before,
                          "min_turnout": plan.min_turnout, "min_turnout_was": turnout_before})
    db.session.flush()


def list_plans() -> list[ActionPlan]:
    return list(db.session.scalars(select(ActionPlan).order_by(ActionPlan.period_start.desc(), ActionPlan.id.desc())))


def call_counts() -> dict[int, int]:
    from ..calls.models import Call

    rows = db.session.execute(
        select(Call.plan_id, func.count(Call.id)).where(Call.published_at.is_not(None)).group_by(Call.plan_id)
    )
    return dict(rows.all())
