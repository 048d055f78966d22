"""Call pages: the public list and page of each call, its printable record, and the secretariat's forms."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import permissions
from ..approvals import services as approvals
from ..approvals.forms import PositionForm
from ..approvals.models import Action
from ..core import fragments, territories
from ..core.boundary import carry_out
from ..core.db import utcnow
from ..core.forms import options
from ..core.i18n import from_local, to_local
from ..core.params import page_arg
from ..core.sectors import sector_choices
from ..drafts import services as drafts
from ..extensions import db
from ..permissions import secretariat_required
from ..plans.loaders import get_plan_or_404
from ..proposals import rules as proposal_rules
from ..proposals import services as proposals
from ..repository import services as repository
from ..responses.models import Outcome
from . import rules, services
from .forms import CallFilterForm, CallForm
from .loaders import get_call_or_404
from .models import Call

bp = Blueprint("calls", __name__)


@bp.route("/calls")
def index():
    lists = services.call_lists(include_drafts=permissions.can_manage_calls(current_user))
    return render_template("calls/index.html", lists=lists)


def _filter_form(call: Call) -> CallFilterForm:
    form = CallFilterForm(request.args)
    form.theme.choices = options([("", _("All themes")), *((str(t.id), t.name) for t in call.themes)])
    form.status.choices = options([
        ("", _("Any status")),
        (proposals.AWAITING, _("Awaiting a response")),
        *((o.value, o.label) for o in Outcome),
        (proposals.WITHDRAWN, _("Withdrawn")),
    ])
    form.sector.choices = options([("", _("All sectors")), *sector_choices()])
    form.territory.choices = options(territories.choices(include_national=True, blank=_("All territories")))
    return form


def _shared_context(call: Call) -> dict:
    """What calls/_detail.html shows: the same for every reader of one audience (core/fragments.py)."""
    form = _filter_form(call)
    filters = proposals.ProposalFilters()
    if form.validate():
        filters = proposals.ProposalFilters(
            theme=int(form.theme.data) if form.theme.data else None,
            status=form.status.data or None,
            sector=form.sector.data or None,
            territory=form.territory.data or None,
        )
    page = page_arg()
    rows, total = proposals.listing_page(call, filters, page)
    now = utcnow()
    return dict(
        call=call,
        form=form,
        rows=rows,
        total=total,
        page=page,
        pages=max((total + 24) // 25, 1),
        args={k: v for k, v in request.args.items() if k != "page" and v},
        counts=proposals.outcome_counts(call.id),
        timeline=services.timeline(call),
        timeline_fig=services.timeline_figure(call),
        Action=Action,
        positions=approvals.history(None, call),
        publish_state=approvals.state(Action.PUBLISH_CALL, call, call.plan.requires_tripartite),
        results_state=approvals.state(Action.PUBLISH_RESULTS, call, call.plan.requires_tripartite),
        # Each act's rule (calls/rules.py): why positions cannot be taken now, and whether it was carried out.
        refusals={a: rules.position_refusal(call, a, now) for a in (Action.PUBLISH_CALL, Action.PUBLISH_RESULTS)},
        act_done=rules.act_done,
        acts_shown=rules.acts_shown(call, now),
        position_form=PositionForm(),
        my_seat=permissions.seat_of(current_user),
        drafts=drafts.drafts_of(call),
        documents=repository.documents_of(call=call, include_unpublished=permissions.can_manage_documents(current_user)),
        now=now,
    )


@bp.route("/calls/<int:call_id>")
def detail(call_id: int):
    call = get_call_or_404(call_id)
    return render_template(
        "calls/detail.html",
        call=call,
        shared=fragments.shared("call", "calls/_detail.html", lambda: _shared_context(call),
                                services.page_audience(current_user, call)),
        submit_refusal=proposal_rules.submit_refusal(
            current_user, call, proposals.organisations_for(current_user) if permissions.is_participant(current_user)
            else None),
    )


@bp.route("/calls/<int:call_id>/record")
def record(call_id: int):
    """The whole call on one printable page: timeline, approvals, every proposal and its response."""
    call = get_call_or_404(call_id)
    rows = db.session.execute(proposals.listing(call.id)).unique().all()
    return render_template("calls/record.html", call=call, rows=rows, timeline=services.timeline(call),
                           timeline_fig=services.timeline_figure(call), now=utcnow(),
                           positions=approvals.history(None, call), counts=proposals.outcome_counts(call.id))


def _form_data(form: CallForm) -> dict:
    data = dict(form.data)
    for name in CallForm.DATE_FIELDS:
        data[name] = from_local(data[name])
    return data


def _save(form: CallForm, plan, call: Call | None):
    seat = permissions.seat_of(current_user)

    def save() -> Call:
        if call is None:
            return services.create_call(current_user, seat, plan, _form_data(form))
        services.update_call(current_user, seat, call, _form_data(form))
        return call

    outcome = carry_out(save, form=form)
    if not outcome:
        return None
    call = outcome.result
    flash(_("The call has been saved as a draft. It is published once the secretariat approves it."), "success")
    if call.short_notice:
        flash(_("The call opens less than %(days)d days after it is announced; this will be shown on its public record.",
                days=call.plan.notice_days), "warning")
    return redirect(url_for("calls.detail", call_id=call.id))


@bp.route("/plans/<int:plan_id>/calls/new", methods=["GET", "POST"])
@secretariat_required
def create(plan_id: int):
    plan = get_plan_or_404(plan_id)
    form = CallForm()
    if form.validate_on_submit() and (done := _save(form, plan, None)):
        return done
    return render_template("calls/form.html", form=form, plan=plan, call=None), 400 if form.errors else 200


@bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
@secretariat_required
def edit(call_id: int):
    call = get_call_or_404(call_id)
    if not call.phase.schedule_editable:
        flash(_("A published call cannot be edited: its schedule is public and people rely on it."), "error")
        return redirect(url_for("calls.detail", call_id=call.id))
    form = CallForm(obj=call)
    if request.method == "GET":
        form.themes.data = "\n".join(t.name for t in call.themes)
        for name in CallForm.DATE_FIELDS:
            getattr(form, name).data = to_local(getattr(call, name))
    if form.validate_on_submit() and (done := _save(form, call.plan, call)):
        return done
    return render_template("calls/form.html", form=form, plan=call.plan, call=call), 400 if form.errors else 200
