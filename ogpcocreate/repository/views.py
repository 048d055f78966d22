"""Repository pages: the public list of documents and each document's page and files; the secretariat's
forms to upload, correct, replace and publish; a proposal's attachments; commission reports (list, page,
printable layout, CSV and JSON, and the secretariat's form)."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import permissions, visibility
from ..core.boundary import carry_out
from ..core.forms import EmptyForm, options
from ..core.params import page_arg
from ..extensions import db
from ..permissions import participant_required, require, secretariat_required
from ..plans.models import ActionPlan
from ..proposals.loaders import get_proposal_or_404
from . import commission, rules, services
from .forms import (
    AttachmentForm,
    CommissionReportForm,
    DocumentDetailsForm,
    DocumentFilterForm,
    DocumentForm,
    ReplaceForm,
    ReportFilterForm,
)
from .loaders import get_document_or_404, get_report_or_404, get_version_or_404

bp = Blueprint("repository", __name__)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- documents: public pages ------------------------------------------------------------------------------


@bp.route("/repository")
def index():
    manager = permissions.can_manage_documents(current_user)
    plans = db.session.scalars(select(ActionPlan).where(visibility.public_plan()).order_by(ActionPlan.id)).all()
    form = DocumentFilterForm(request.args, plans=plans)
    filters = services.DocumentFilters()
    if form.validate():
        filters = services.DocumentFilters(kind=form.kind.data or None,
                                           plan_id=int(form.plan.data) if form.plan.data else None,
                                           year=form.year.data, language=form.language.data or None)
    page = db.paginate(services.listing(filters, include_unpublished=manager), page=page_arg(), per_page=25,
                       error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("repository/index.html", form=form, page=page, args=args, manager=manager)


@bp.route("/repository/<int:document_id>")
def detail(document_id: int):
    document = get_document_or_404(document_id)
    return render_template("repository/detail.html", document=document,
                           public=visibility.document_is_public(document),
                           publish_refusal=rules.publish_refusal(document),
                           replace_refusal=rules.replace_refusal(document),
                           replace_form=ReplaceForm(), action_form=EmptyForm())


@bp.route("/repository/<int:document_id>/versions/<int:number>/file")
def download(document_id: int, number: int):
    document, version = get_version_or_404(document_id, number)
    try:
        data = services.read_file(version)
    except FileNotFoundError:
        abort(404)
    response = Response(data, content_type=services.content_type(version.extension))
    # Always a download, never rendered by the browser as a page of this site.
    response.headers.set("Content-Disposition", "attachment", filename=version.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    public = visibility.document_is_public(document)
    response.headers["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    return response


# --- documents: the secretariat's forms -------------------------------------------------------------------


def _prepare(form: DocumentForm) -> DocumentForm:
    form.subject.choices = options(services.subject_choices())
    return form


@bp.route("/repository/new", methods=["GET", "POST"])
@secretariat_required
def create():
    require(permissions.can_manage_documents(current_user))
    form = _prepare(DocumentForm())
    if request.method == "GET":
        form.subject.data = request.args.get("subject", "")[:40]
    if form.validate_on_submit():
        if outcome := carry_out(services.create_document, current_user, permissions.seat_of(current_user),
                                dict(form.data), request.files.get("file"), form=form):
            flash(_("The document has been recorded. Publish it when it is ready for the public."), "success")
            return redirect(url_for("repository.detail", document_id=outcome.result.id))
    status = 400 if request.method == "POST" else 200
    return render_template("repository/form.html", form=form, document=None), status


@bp.route("/repository/<int:document_id>/edit", methods=["GET", "POST"])
@secretariat_required
def edit(document_id: int):
    document = get_document_or_404(document_id)
    require(permissions.can_manage_documents(current_user))
    if reason := rules.replace_refusal(document):
        flash(reason, "error")
        return redirect(url_for("repository.detail", document_id=document.id))
    form = _prepare(DocumentDetailsForm(obj=document))
    if request.method == "GET":
        form.subject.data = services.subject_value(document)
        form.kind.data = document.kind.value
    if form.validate_on_submit():
        if carry_out(services.update_document, current_user, permissions.seat_of(current_user), document,
                     dict(form.data), form=form):
            flash(_("Your changes have been saved."), "success")
            return redirect(url_for("repository.detail", document_id=document.id))
    status = 400 if request.method == "POST" else 200
    return render_template("repository/form.html", form=form, document=document), status


@bp.route("/repository/<int:document_id>/versions", methods=["POST"])
@secretariat_required
def replace(document_id: int):
    document = get_document_or_404(document_id)
    require(permissions.can_manage_documents(current_user))
    form = ReplaceForm()
    if form.validate_on_submit():
        if carry_out(services.replace_file, current_user, permissions.seat_of(current_user), document,
                     request.files.get("file"), form=form):
            flash(_("The new version has been saved; the earlier ones stay on the record."), "success")
            return redirect(url_for("repository.detail", document_id=document.id))
    return render_template("repository/detail.html", document=document,
                           public=visibility.document_is_public(document),
                           publish_refusal=rules.publish_refusal(document), replace_refusal=rules.replace_refusal(document),
                           replace_form=form, action_form=EmptyForm()), 400


@bp.route("/repository/<int:document_id>/publication", methods=["POST"])
@secretariat_required
def publish(document_id: int):
    document = get_document_or_404(document_id)
    require(permissions.can_manage_documents(current_user))
    if not EmptyForm().validate_on_submit():
        abort(400)
    if carry_out(services.publish_document, current_user, permissions.seat_of(current_user), document):
        flash(_("The document has been published: anyone can read it once what it belongs to is public."), "success")
    return redirect(url_for("repository.detail", document_id=document.id))


# --- a proposal's attachments -----------------------------------------------------------------------------


@bp.route("/proposals/<int:proposal_id>/attachments", methods=["GET", "POST"])
@participant_required
def attach(proposal_id: int):
    proposal = get_proposal_or_404(proposal_id)
    require(permissions.can_attach_to_proposal(current_user, proposal))
    form = AttachmentForm()
    if form.validate_on_submit():
        if carry_out(services.attach_to_proposal, current_user, proposal, dict(form.data), request.files.get("file"),
                     form=form):
            flash(_("The file has been attached to your proposal."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    status = 400 if request.method == "POST" else 200
    return render_template("repository/attach.html", form=form, proposal=proposal,
                           attachments=services.attachments_of(proposal)), status


# --- commission reports -----------------------------------------------------------------------------------


def _report_filters() -> tuple[ReportFilterForm, services.ReportFilters]:
    form = ReportFilterForm(request.args)
    filters = services.ReportFilters()
    if form.validate():
        filters = services.ReportFilters(year=form.year.data, person=form.person.data or None,
                                         place=form.place.data or None)
    return form, filters


@bp.route("/commission-reports")
def reports():
    form, filters = _report_filters()
    page = db.paginate(services.reports_listing(filters), page=page_arg(), per_page=25, error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("repository/reports.html", form=form, page=page, args=args)


@bp.route("/commission-reports.csv")
def reports_csv():
    _form, filters = _report_filters()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", *commission.FIELDS])
    for report in db.session.scalars(services.reports_listing(filters)):
        row = services.report_as_dict(report)
        # Cells a spreadsheet would run as a formula are prefixed with an apostrophe (CSV injection).
        writer.writerow([f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v for v in row.values()])
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=commission-reports.csv"
    return response


@bp.route("/commission-reports/<int:report_id>")
def report(report_id: int):
    return render_template("repository/report.html", report=get_report_or_404(report_id), fields=commission.FIELDS)


def _report_data(form: CommissionReportForm) -> dict:
    return {code: form[code].data for code in commission.FIELDS}


@bp.route("/commission-reports/new", methods=["GET", "POST"])
@secretariat_required
def create_report():
    require(permissions.can_manage_documents(current_user))
    form = CommissionReportForm()
    if form.validate_on_submit():
        if outcome := carry_out(services.record_report, current_user, permissions.seat_of(current_user),
                                _report_data(form), form=form):
            flash(_("The commission report has been published."), "success")
            return redirect(url_for("repository.report", report_id=outcome.result.id))
    status = 400 if request.method == "POST" else 200
    return render_template("repository/report_form.html", form=form, report=None), status


@bp.route("/commission-reports/<int:report_id>/edit", methods=["GET", "POST"])
@secretariat_required
def edit_report(report_id: int):
    report = get_report_or_404(report_id)
    require(permissions.can_manage_documents(current_user))
    form = CommissionReportForm(obj=report)
    if form.validate_on_submit():
        if carry_out(services.update_report, current_user, permissions.seat_of(current_user), report,
                     _report_data(form), form=form):
            flash(_("Your changes have been saved."), "success")
            return redirect(url_for("repository.report", report_id=report.id))
    status = 400 if request.method == "POST" else 200
    return render_template("repository/report_form.html", form=form, report=report), status
