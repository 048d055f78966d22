"""The influence report of a plan or a call as a page (printable), CSV downloads of each breakdown,
JSON under /api/v1, and two plans side by side. All public: the public reads every record."""

from __future__ import annotations

import csv
import io

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from .. import visibility
from ..calls.loaders import get_call_or_404
from ..core import territories
from ..core.sectors import Sector
from ..monitoring import checklist
from ..plans.loaders import get_plan_or_404, load_plan_or_404
from . import figures, services
from .forms import CompareForm
from .services import BREAKDOWNS, InfluenceReport

bp = Blueprint("reports", __name__)


def _link(endpoint: str, values: dict, external: bool = False) -> str:
    return url_for(endpoint, _external=external, **values)


def _external_link(endpoint: str, values: dict) -> str:
    return _link(endpoint, values, external=True)


def _figures(rep: InfluenceReport, marks: list) -> dict:
    p = rep.participation
    entries = [figures.TimelineItem(e.when, e.label, e.kind, _link(e.endpoint, e.values)) for e in rep.timeline]
    start = min((e.when for e in rep.timeline), default=rep.generated_at)
    end = max([*(e.when for e in rep.timeline), rep.generated_at])
    return {
        "spectrum": figures.spectrum(marks),
        "sectors": [(str(Sector(r.key).label), r.total_people) for r in p.sectors_present],
        "map": figures.tile_map({r.key: r.total_people for r in p.subdivisions}, territories.country(),
                                 national=p.national.total_people),
        "timeline": figures.process_timeline(start, end, entries, rep.generated_at,
                                             zone=current_app.config["DISPLAY_TIMEZONE"]),
    }


def _render(rep: InfluenceReport, subject, marks: list, compare_form=None, requirements=None):
    return render_template(
        "reports/report.html", rep=rep, subject=subject, fig=_figures(rep, marks), compare_form=compare_form,
        requirements=requirements,
        tables={name: services.breakdown(rep, name) for name in BREAKDOWNS},
    )


def _compare_form(plan, previous) -> CompareForm:
    form = CompareForm(formdata=None)
    form.set_choices(services.plans(), selected=(plan.id, previous.id if previous is not None else None))
    return form


@bp.route("/plans/<int:plan_id>/influence")
def plan_influence(plan_id: int):
    plan = get_plan_or_404(plan_id)
    rep = services.plan_report(plan)
    marks = [(plan.name, rep.level)]
    previous = services.previous_plan(plan)
    if previous is not None:
        marks.insert(0, (previous.name, services.plan_level(previous)))
    # A plan's page shows the OGP minimum requirements, which take in the four process flags and extend
    # them (monitoring/checklist.py); a call's page keeps the flags of its own process.
    return _render(rep, plan, marks, _compare_form(plan, previous), checklist.checklist(plan))


@bp.route("/calls/<int:call_id>/influence")
def call_influence(call_id: int):
    call = get_call_or_404(call_id)
    rep = services.call_report(call)
    return _render(rep, call, [(call.title, rep.level)])


@bp.route("/plans/compare")
def compare_plans():
    """Two plans side by side, as the IRM compares plan 1 and plan 2. A GET form, so it works without
    JavaScript and the comparison can be shared as a link; with no choice yet, the two latest plans."""
    plans = services.plans()
    form = CompareForm(request.args)
    form.set_choices(plans)
    if not request.args:
        if len(plans) >= 2:
            return redirect(url_for(".compare_plans", first=plans[-2].id, second=plans[-1].id))
        return render_template("reports/compare.html", form=form, reports=None)
    if form.validate() and form.first.data == form.second.data:
        form.second.errors.append(_("Choose two different plans."))
    if form.errors:
        return render_template("reports/compare.html", form=form, reports=None), 400
    chosen = [get_plan_or_404(form.first.data), get_plan_or_404(form.second.data)]
    reports = [services.plan_report(plan) for plan in chosen]
    marks = [(plan.name, rep.level) for plan, rep in zip(chosen, reports, strict=True)]
    # The OGP minimum requirements of each plan, as on its own page (monitoring/checklist.py).
    return render_template("reports/compare.html", form=form, plans=chosen, reports=reports,
                           checklists=[checklist.checklist(plan) for plan in chosen], spectrum=figures.spectrum(marks))


# --- CSV ---------------------------------------------------------------------------------------------


def _csv(rep: InfluenceReport, name: str, filename: str, public: bool) -> Response:
    header, rows = services.breakdown(rep, name)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={filename}-{name}.csv"
    return _cacheable(response, public)


@bp.route("/plans/<int:plan_id>/influence/<name>.csv")
def plan_influence_csv(plan_id: int, name: str):
    if name not in BREAKDOWNS:
        abort(404)
    plan, public = load_plan_or_404(plan_id)
    return _csv(services.plan_report(plan), name, f"plan-{plan.id}", public)


@bp.route("/calls/<int:call_id>/influence/<name>.csv")
def call_influence_csv(call_id: int, name: str):
    if name not in BREAKDOWNS:
        abort(404)
    call = get_call_or_404(call_id)
    return _csv(services.call_report(call), name, f"call-{call.id}", visibility.call_is_public(call))


# --- JSON --------------------------------------------------------------------------------------------


def _json(rep: InfluenceReport, public: bool):
    return _cacheable(jsonify(services.as_json(rep, _external_link)), public)


def _cacheable(response: Response, public: bool) -> Response:
    """Public data: caches may keep it a minute, and revalidate with its ETag (304 when unchanged). The
    report of a plan or call that is not public yet is the secretariat's alone: no shared cache keeps it."""
    if not public:
        response.headers["Cache-Control"] = "private, no-store"
        return response
    response.headers["Cache-Control"] = f"public, max-age={current_app.config['REPORT_CACHE_SECONDS']}"
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/api/v1/plans/<int:plan_id>/influence")
def api_plan_influence(plan_id: int):
    plan, public = load_plan_or_404(plan_id)
    return _json(services.plan_report(plan), public)


@bp.route("/api/v1/calls/<int:call_id>/influence")
def api_call_influence(call_id: int):
    call = get_call_or_404(call_id)
    return _json(services.call_report(call), visibility.call_is_public(call))
