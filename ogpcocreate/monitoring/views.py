"""Monitoring pages: an adopted commitment's implementation (public, with the forms of whoever may act
on it), a plan's performance (figures beside their tables, CSV and JSON), and the secretariat's acts."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import permissions, visibility
from ..calls.models import Call
from ..core import ratelimit
from ..core.boundary import carry_out
from ..core.forms import EmptyForm, options
from ..drafts.models import DraftCommitment
from ..extensions import db
from ..meetings.models import Meeting
from ..permissions import require, secretariat_required
from ..plans.loaders import load_plan_or_404
from ..proposals import services as proposals
from ..responses.forms import ResponseForm
from . import checklist, figures, services
from .forms import (
    AssessmentForm,
    AssessorForm,
    ContactForm,
    EvidenceForm,
    ImplementationCommentForm,
    IndicatorForm,
    InstitutionForm,
    MeasurementForm,
    ProgressForm,
    RecommendationForm,
    RecommendationStatusForm,
    SettingsForm,
)
from .loaders import get_commitment_or_404, get_contact_or_404, get_recommendation_or_404
from .models import CRITERION_VALUES, Criterion
from .rules import is_starred

bp = Blueprint("monitoring", __name__)


# --- an adopted commitment --------------------------------------------------------------------------


def _assessment_forms(scale, failed: AssessmentForm | None = None) -> list[tuple[Criterion, AssessmentForm]]:
    result = []
    for criterion in services.scale_criteria(scale):
        if failed is not None and failed.criterion.data == criterion.value:
            form = failed
        else:
            form = AssessmentForm(formdata=None, prefix=criterion.value)
            form.criterion.data = criterion.value
        form.value.choices = options((v, label) for v, label in CRITERION_VALUES[criterion].items())
        result.append((criterion, form))
    return result


def _commitment_page(draft: DraftCommitment, status: int = 200, **failed):
    settings = services.plan_settings(draft.call.plan)
    milestones = services.milestones_of(draft)
    history = services.assessment_history(draft)
    current = services.standing(history)
    on_scale = services.values({c: e for c, e in current.items() if e.scale is settings.scale})
    # Forms only for whoever may use them: a visitor's page carries no CSRF token and sets no cookie.
    manage, report = permissions.can_manage_monitoring(current_user), permissions.can_report_progress(current_user, draft)
    forms = {
        "institution": InstitutionForm(formdata=None) if manage else None,
        "contact": ContactForm(formdata=None) if manage else None,
        "progress": None, "evidence": None, "indicator": IndicatorForm(formdata=None) if report else None,
        "measurement": None,
    }
    forms["comment"] = failed.get("comment") or (_comment_form(draft, formdata=None)
                                                 if permissions.can_comment(current_user) else None)
    forms.update({k: v for k, v in failed.items() if k != "assessment" and k not in ("milestone_id", "indicator_id")})
    return render_template(
        "monitoring/commitment.html", draft=draft, call=draft.call, plan=draft.call.plan, settings=settings,
        institution=services.institution_of(draft), institutions=services.institutions_history(draft),
        contacts=services.contacts_of(draft), milestones=milestones, updates=services.updates_of(milestones),
        evidence=services.evidence_of(milestones), indicators=services.indicators_of(draft),
        history=history, current=current, starred=is_starred(settings.scale, on_scale), today=services.today(),
        forms=forms, failed_milestone=failed.get("milestone_id"), failed_indicator=failed.get("indicator_id"),
        progress_form_for=_progress_form,
        evidence_form_for=lambda m: EvidenceForm(formdata=None, prefix=f"e{m.id}"),
        measurement_form_for=lambda i: MeasurementForm(formdata=None, prefix=f"i{i.id}"),
        assessment_forms=_assessment_forms(settings.scale, failed.get("assessment"))
        if permissions.can_assess(current_user) else [],
        can_report=permissions.can_report_progress(current_user, draft),
        dialogue=(dialogue := services.dialogue_of(draft)),
        at_risk={c.milestone_id for c, _r in dialogue if c.at_risk and c.milestone and not c.milestone.status.is_closed}, response_form=ResponseForm(formdata=None, prefix="response")
        if permissions.can_report_progress(current_user, draft) else None, failed_response=failed.get("response"),
        failed_comment_id=failed.get("comment_id"),
    ), status


def _comment_form(draft: DraftCommitment, formdata=True) -> ImplementationCommentForm:
    form = ImplementationCommentForm() if formdata else ImplementationCommentForm(formdata=None)
    form.milestone.choices = [(0, _("None: the commitment as a whole")),
                              *((m.id, m.description) for m in services.milestones_of(draft))]
    organisations = proposals.organisations_for(current_user) if current_user.is_authenticated else []
    form.organisation.choices = [(0, _("Myself, as an individual citizen")), *((o.id, o.name) for o in organisations)]
    return form


def _progress_form(milestone) -> ProgressForm:
    form = ProgressForm(formdata=None, prefix=f"m{milestone.id}")
    form.status.data = milestone.status.value
    form.actual_start.data, form.actual_end.data = milestone.actual_start, milestone.actual_end
    return form


@bp.route("/commitments/<int:draft_id>/implementation")
def commitment(draft_id: int):
    return _commitment_page(get_commitment_or_404(draft_id))


def _done(draft: DraftCommitment, message: str, anchor: str = ""):
    flash(message, "success")
    return redirect(url_for("monitoring.commitment", draft_id=draft.id) + anchor)


@bp.route("/commitments/<int:draft_id>/institution", methods=["POST"])
@secretariat_required
def set_institution(draft_id: int):
    draft = get_commitment_or_404(draft_id)
    require(permissions.can_manage_monitoring(current_user))
    form = InstitutionForm()
    if form.validate_on_submit() and carry_out(services.set_institution, current_user, draft, form.data, form=form):
        return _done(draft, _("The responsible institution has been recorded."), "#implementation")
    return _commitment_page(draft, 400, institution=form)


@bp.route("/commitments/<int:draft_id>/contacts", methods=["POST"])
@secretariat_required
def name_contact(draft_id: int):
    draft = get_commitment_or_404(draft_id)
    require(permissions.can_manage_monitoring(current_user))
    form = ContactForm()
    if form.validate_on_submit() and carry_out(services.name_contact, current_user, draft, form.data, form=form):
        return _done(draft, _("The contact has been named. They can now report the commitment's progress."),
                     "#implementation")
    return _commitment_page(draft, 400, contact=form)


@bp.route("/commitments/<int:draft_id>/contacts/<int:contact_id>/end", methods=["POST"])
@secretariat_required
def end_contact(draft_id: int, contact_id: int):
    draft = get_commitment_or_404(draft_id)
    require(permissions.can_manage_monitoring(current_user))
    contact = get_contact_or_404(draft, contact_id)
    if EmptyForm().validate_on_submit() and carry_out(services.end_contact, current_user, draft, contact):
        return _done(draft, _("The person is no longer a contact for this commitment."), "#implementation")
    return redirect(url_for("monitoring.commitment", draft_id=draft.id) + "#implementation")


def _reporter(draft_id: int) -> DraftCommitment:
    draft = get_commitment_or_404(draft_id)
    require(permissions.can_report_progress(current_user, draft))
    return draft


@bp.route("/commitments/<int:draft_id>/milestones/<int:milestone_id>/progress", methods=["POST"])
def report_progress(draft_id: int, milestone_id: int):
    draft = _reporter(draft_id)
    form = ProgressForm(prefix=f"m{milestone_id}")
    if form.validate_on_submit() and carry_out(services.report_progress, current_user, draft, milestone_id,
                                               form.data, form=form):
        return _done(draft, _("The milestone's progress has been recorded."), f"#milestone-{milestone_id}")
    return _commitment_page(draft, 400, progress=form, milestone_id=milestone_id)


@bp.route("/commitments/<int:draft_id>/milestones/<int:milestone_id>/evidence", methods=["POST"])
def add_evidence(draft_id: int, milestone_id: int):
    draft = _reporter(draft_id)
    form = EvidenceForm(prefix=f"e{milestone_id}")
    if form.validate_on_submit() and carry_out(services.add_evidence, current_user, draft, milestone_id,
                                               form.data, form=form):
        return _done(draft, _("The evidence has been added."), f"#milestone-{milestone_id}")
    return _commitment_page(draft, 400, evidence=form, milestone_id=milestone_id)


@bp.route("/commitments/<int:draft_id>/indicators", methods=["POST"])
def add_indicator(draft_id: int):
    draft = _reporter(draft_id)
    form = IndicatorForm()
    if form.validate_on_submit() and carry_out(services.add_indicator, current_user, draft, form.data, form=form):
        return _done(draft, _("The indicator has been recorded."), "#indicators")
    return _commitment_page(draft, 400, indicator=form)


@bp.route("/commitments/<int:draft_id>/indicators/<int:indicator_id>/measurements", methods=["POST"])
def add_measurement(draft_id: int, indicator_id: int):
    draft = _reporter(draft_id)
    form = MeasurementForm(prefix=f"i{indicator_id}")
    if form.validate_on_submit() and carry_out(services.add_measurement, current_user, draft, indicator_id,
                                               form.data, form=form):
        return _done(draft, _("The measurement has been recorded."), f"#indicator-{indicator_id}")
    return _commitment_page(draft, 400, measurement=form, indicator_id=indicator_id)


@bp.route("/commitments/<int:draft_id>/comments", methods=["POST"])
@ratelimit.contribution_limits
def comment(draft_id: int):
    draft = get_commitment_or_404(draft_id)
    require(permissions.can_comment(current_user))
    form = _comment_form(draft)
    if form.validate_on_submit() and carry_out(services.add_comment, current_user, draft, form.data, form=form):
        return _done(draft, _("Your comment has been published. The responsible institution will answer it with a "
                              "reasoned response."), "#dialogue")
    return _commitment_page(draft, 400, comment=form)


@bp.route("/commitments/<int:draft_id>/comments/<int:comment_id>/response", methods=["POST"])
def respond(draft_id: int, comment_id: int):
    draft = get_commitment_or_404(draft_id)
    require(permissions.can_report_progress(current_user, draft))
    form = ResponseForm(prefix="response")
    if form.validate_on_submit() and carry_out(services.respond_to_comment, current_user,
                                               permissions.seat_of(current_user), draft, comment_id, form.data,
                                               form=form):
        return _done(draft, _("The response has been published and the author notified."), f"#dialogue-{comment_id}")
    return _commitment_page(draft, 400, response=form, comment_id=comment_id)


@bp.route("/commitments/<int:draft_id>/assessment", methods=["POST"])
def assess(draft_id: int):
    draft = get_commitment_or_404(draft_id)
    require(permissions.can_assess(current_user))
    criterion = request.form.get("criterion", "")
    prefix = criterion if criterion in set(Criterion) else ""
    form = AssessmentForm(prefix=prefix)
    if prefix:
        form.value.choices = options(CRITERION_VALUES[Criterion(prefix)].items())
    if prefix and form.validate_on_submit() and carry_out(services.assess, current_user, draft, form.data, form=form):
        return _done(draft, _("The assessment has been recorded."), "#assessment")
    if not prefix:
        flash(_("Choose the criterion you assess."), "error")
        form = None
    return _commitment_page(draft, 400, assessment=form)


@bp.route("/plans/<int:plan_id>/assessors", methods=["POST"])
@secretariat_required
def grant_assessor(plan_id: int):
    plan, _public = load_plan_or_404(plan_id)
    require(permissions.can_manage_monitoring(current_user))
    form = AssessorForm()
    if form.validate_on_submit() and carry_out(services.grant_assessor, current_user, form.data, form=form):
        flash(_("The person can now record the IRM's assessment of commitments."), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return redirect(url_for("monitoring.performance", plan_id=plan.id) + "#assessors")


# --- a plan's performance ---------------------------------------------------------------------------


def _performance_page(plan, public: bool, status: int = 200, **failed):
    perf = services.performance(plan, public_only=not permissions.is_secretariat(current_user))
    recs = services.recommendations_of(plan)
    manage = permissions.can_manage_monitoring(current_user)  # forms only for the secretariat: no cookie otherwise
    settings_form = failed.get("settings") or (SettingsForm(formdata=None, obj=perf.settings) if manage else None)
    if manage and "settings" not in failed:
        settings_form.scale.data = perf.settings.scale.value
    return render_template(
        "monitoring/performance.html", plan=plan, perf=perf, public=public,
        fig=figures.performance_figures(perf), checks=checklist.checklist(plan),
        recommendations=recs, settings_form=settings_form,
        recommendation_form=failed.get("recommendation") or (RecommendationForm(formdata=None) if manage else None),
        status_form_for=lambda r: _status_form(plan, r, formdata=None),
        assessor_form=AssessorForm(formdata=None) if manage else None, criteria=Criterion,
    ), status


def _status_form(plan, rec, formdata=None):
    kwargs = {"formdata": None} if formdata is None else {}
    form = RecommendationStatusForm(prefix=f"r{rec.id}", **kwargs)
    form.drafts.choices = [(d.id, d.title) for d in services.adopted_commitments(plan, public_only=False)]
    form.meetings.choices = [(m.id, m.title) for m in db.session.scalars(
        select(Meeting).join(Call, Call.id == Meeting.call_id).where(Call.plan_id == plan.id).order_by(Meeting.starts_at))]
    if formdata is None:
        form.status.data = rec.status.value
        form.what_was_done.data = rec.what_was_done
        form.drafts.data = [link.draft_id for link in rec.links if link.draft_id]
        form.meetings.data = [link.meeting_id for link in rec.links if link.meeting_id]
    return form


@bp.route("/plans/<int:plan_id>/performance")
def performance(plan_id: int):
    plan, public = load_plan_or_404(plan_id)
    return _performance_page(plan, public)


@bp.route("/plans/<int:plan_id>/performance.csv")
def performance_csv(plan_id: int):
    plan, public = load_plan_or_404(plan_id)
    perf = services.performance(plan, public_only=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in figures.csv_rows(perf):
        writer.writerow([figures.spreadsheet_safe(cell) for cell in row])
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename=plan-{plan.id}-performance.csv"
    response.headers["Cache-Control"] = "public, max-age=60" if public else "private, no-store"
    return response


@bp.route("/api/v1/plans/<int:plan_id>/commitments")
def api_commitments(plan_id: int):
    """The open data of a plan's adopted commitments: milestones, indicators, measurements and
    assessments (public commitments only, whoever asks)."""
    plan, public = load_plan_or_404(plan_id)
    perf = services.performance(plan, public_only=True)
    data = figures.as_json(perf, lambda endpoint, **values: url_for(endpoint, _external=True, **values))
    data["minimum_requirements"] = [
        {"code": r.code, "title": str(r.title), "status": r.status.value, "detail": r.detail,
         "evidence": [{"text": e.text, "url": url_for(e.endpoint, _external=True, **e.values) if e.endpoint else None}
                      for e in r.evidence]} for r in checklist.checklist(plan)]
    data["recommendations"] = [
        {"title": rec.title, "body": rec.body, "status": rec.status.value, "what_was_done": rec.what_was_done,
         "commitments": [link.draft_id for link in rec.links if link.draft_id in {r.draft.id for r in perf.rows}],
         "meetings": [link.meeting_id for link in rec.links
                      if link.meeting is not None and visibility.meeting_is_public(link.meeting)]}
        for rec in services.recommendations_of(plan)]
    response = jsonify(data)
    response.headers["Cache-Control"] = "public, max-age=60" if public else "private, no-store"
    return response


@bp.route("/plans/<int:plan_id>/monitoring-settings", methods=["POST"])
@secretariat_required
def update_settings(plan_id: int):
    plan, public = load_plan_or_404(plan_id)
    require(permissions.can_manage_monitoring(current_user))
    form = SettingsForm()
    if form.validate_on_submit() and carry_out(services.update_settings, current_user, plan, form.data, form=form):
        flash(_("The plan's monitoring settings have been saved."), "success")
        return redirect(url_for("monitoring.performance", plan_id=plan.id) + "#settings")
    return _performance_page(plan, public, 400, settings=form)


@bp.route("/plans/<int:plan_id>/recommendations", methods=["POST"])
@secretariat_required
def add_recommendation(plan_id: int):
    plan, public = load_plan_or_404(plan_id)
    require(permissions.can_manage_monitoring(current_user))
    form = RecommendationForm()
    if form.validate_on_submit() and carry_out(services.add_recommendation, current_user, plan, form.data, form=form):
        flash(_("The recommendation has been recorded."), "success")
        return redirect(url_for("monitoring.performance", plan_id=plan.id) + "#recommendations")
    return _performance_page(plan, public, 400, recommendation=form)


@bp.route("/plans/<int:plan_id>/recommendations/<int:recommendation_id>", methods=["POST"])
@secretariat_required
def update_recommendation(plan_id: int, recommendation_id: int):
    plan, _public = load_plan_or_404(plan_id)
    require(permissions.can_manage_monitoring(current_user))
    rec = get_recommendation_or_404(plan.id, recommendation_id)
    form = _status_form(plan, rec, formdata=True)
    if form.validate_on_submit():
        if carry_out(services.update_recommendation, current_user, plan, rec, form.data):
            flash(_("The recommendation's status has been recorded."), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return redirect(url_for("monitoring.performance", plan_id=plan.id) + f"#recommendation-{rec.id}")
