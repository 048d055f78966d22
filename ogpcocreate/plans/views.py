"""Action plan pages."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import permissions
from ..approvals import services as approvals
from ..approvals.forms import PositionForm
from ..approvals.models import Action
from ..calls import services as calls
from ..core.boundary import carry_out
from ..core.forms import EmptyForm
from ..permissions import secretariat_required
from . import services
from .forms import PlanForm
from .loaders import get_plan_or_404, load_plan_or_404
from .models import ActionPlan

bp = Blueprint("plans", __name__)


@bp.route("/plans")
def index():
    return render_template("plans/index.html", plans=services.list_plans(permissions.can_manage_plans(current_user)),
                           counts=services.call_counts())


@bp.route("/plans/<int:plan_id>")
def detail(plan_id: int):
    plan, public = load_plan_or_404(plan_id)
    show_drafts = permissions.can_manage_calls(current_user)
    return render_template("plans/detail.html", plan=plan, public=public,
                           calls=calls.calls_of_plan(plan, include_drafts=show_drafts),
                           switch_state=services.switch_state(plan),
                           positions=approvals.history(Action.SWITCH_OFF_TRIPARTITE, plan),
                           position_form=PositionForm(), action_form=EmptyForm(), Action=Action,
                           my_seat=permissions.seat_of(current_user))



@bp.route("/plans/<int:plan_id>/tripartite", methods=["POST"])
@secretariat_required
def switch_on(plan_id: int):
    plan = get_plan_or_404(plan_id)
    if EmptyForm().validate_on_submit():
        if carry_out(services.switch_on, current_user, permissions.seat_of(current_user), plan):
            flash(_("This plan requires the approval of the three seats again."), "success")
    return redirect(url_for("plans.detail", plan_id=plan.id) + "#approvals")


def _save(form: PlanForm, plan: ActionPlan | None):
    seat = permissions.seat_of(current_user)

    def save() -> ActionPlan:
        if plan is None:
            return services.create_plan(current_user, seat, form.data)
        services.update_plan(current_user, seat, plan, form.data)
        return plan

    outcome = carry_out(save, form=form)
    if not outcome:
        return None
    plan = outcome.result
    flash(_("The action plan has been saved."), "success")
    return redirect(url_for("plans.detail", plan_id=plan.id))


@bp.route("/plans/new", methods=["GET", "POST"])
@secretariat_required
def create():
    form = PlanForm()
    if form.validate_on_submit() and (done := _save(form, None)):
        return done
    return render_template("plans/form.html", form=form, plan=None), 400 if form.errors else 200


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@secretariat_required
def edit(plan_id: int):
    plan = get_plan_or_404(plan_id)
    form = PlanForm(obj=plan)
    if form.validate_on_submit() and (done := _save(form, plan)):
        return done
    return render_template("plans/form.html", form=form, plan=plan), 400 if form.errors else 200
