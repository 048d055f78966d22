"""Meeting pages: the public list of a call's meetings and each meeting's record, and the secretariat's
forms to record a meeting, its attendance and to sign its minutes."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from .. import permissions
from ..approvals import services as approvals
from ..approvals.forms import PositionForm
from ..approvals.models import Action
from ..calls.loaders import get_call_or_404
from ..core import territories
from ..core.boundary import carry_out
from ..core.db import utcnow
from ..core.forms import EmptyForm, options
from ..core.i18n import from_local, to_local
from ..permissions import require, secretariat_required
from ..repository import services as repository
from . import rules, services
from .forms import AttendeesForm, MeetingForm, UnregisteredForm
from .loaders import get_meeting_or_404
from .models import Meeting

bp = Blueprint("meetings", __name__)


# --- public pages ---------------------------------------------------------------------------------


@bp.route("/calls/<int:call_id>/meetings")
def index(call_id: int):
    call = get_call_or_404(call_id)
    rows = services.meetings_of(call, include_unpublished=permissions.can_manage_meetings(current_user))
    return render_template("meetings/index.html", call=call, rows=rows)


@bp.route("/meetings/<int:meeting_id>")
def detail(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id)
    return render_template(
        "meetings/detail.html",
        meeting=meeting,
        call=meeting.call,
        summary=services.attendance_summary(meeting),
        sign_state=services.sign_state(meeting),
        positions=approvals.history(Action.SIGN_MINUTES, meeting),
        position_form=PositionForm(),
        my_seat=permissions.seat_of(current_user),
        change_refusal=rules.change_refusal(meeting),  # meetings/rules.py
        attendance_refusal=rules.attendance_refusal(meeting, utcnow()),
        signing_refusal=rules.signing_refusal(meeting, utcnow()),  # meetings/rules.py
        publish_refusal=services.publish_refusal(meeting),
        action_form=EmptyForm(),
        documents=repository.documents_of(meeting=meeting,
                                          include_unpublished=permissions.can_manage_documents(current_user)),
    )


# --- the secretariat's forms ----------------------------------------------------------------------


def _prepare(form: MeetingForm, call) -> MeetingForm:
    form.theme.choices = options([(0, _("None: the whole call")), *((t.id, t.name) for t in call.themes)])
    form.territory.choices = options(territories.choices(include_national=True))
    return form


def _form_data(form: MeetingForm) -> dict:
    data = dict(form.data)
    data["starts_at"] = from_local(data["starts_at"])
    return data


@bp.route("/calls/<int:call_id>/meetings/new", methods=["GET", "POST"])
@secretariat_required
def create(call_id: int):
    call = get_call_or_404(call_id)
    require(permissions.can_manage_meetings(current_user))
    form = _prepare(MeetingForm(), call)
    if request.method == "GET":
        form.territory.data = territories.NATIONAL
    if form.validate_on_submit():
        # Reading the form can be refused too (a date past year 9999): inside the boundary.
        if outcome := carry_out(lambda: services.create_meeting(current_user, permissions.seat_of(current_user), call,
                                                                _form_data(form)), form=form):
            meeting = outcome.result
            flash(_("The meeting has been recorded. Add its attendance, and its minutes for the seats to sign."),
                  "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    status = 400 if request.method == "POST" else 200
    return render_template("meetings/form.html", form=form, call=call, meeting=None), status


def _refuse_if_unchangeable(meeting: Meeting):
    """On a record that cannot change, say why on the meeting's page instead of showing a form."""
    if refusal := rules.change_refusal(meeting):
        flash(refusal, "error")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return None


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@secretariat_required
def edit(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id)
    require(permissions.can_manage_meetings(current_user))
    if refused := _refuse_if_unchangeable(meeting):
        return refused
    form = _prepare(MeetingForm(obj=meeting), meeting.call)
    if request.method == "GET":
        form.theme.data = meeting.theme_id or 0
        form.modality.data = meeting.modality.value
        form.starts_at.data = to_local(meeting.starts_at)
    if form.validate_on_submit():
        if carry_out(lambda: services.update_meeting(current_user, permissions.seat_of(current_user), meeting,
                                                     _form_data(form)), form=form):
            flash(_("Your changes have been saved."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    status = 400 if request.method == "POST" else 200
    return render_template("meetings/form.html", form=form, call=meeting.call, meeting=meeting), status


def _unregistered_form(meeting: Meeting, formdata=None) -> UnregisteredForm:
    counts = services.unregistered_counts(meeting)
    return UnregisteredForm(formdata=formdata, data={UnregisteredForm.FIELD_PREFIX + s: c for s, c in counts.items()})


def _attendance_page(meeting: Meeting, attendees_form: AttendeesForm, unregistered_form: UnregisteredForm, status=200):
    return render_template("meetings/attendance.html", meeting=meeting, call=meeting.call,
                           attendees=services.attendees(meeting), attendees_form=attendees_form,
                           unregistered_form=unregistered_form), status


@bp.route("/meetings/<int:meeting_id>/attendance")
@secretariat_required
def attendance(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id)
    require(permissions.can_manage_meetings(current_user))
    if refusal := rules.attendance_refusal(meeting, utcnow()):
        flash(refusal, "error")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return _attendance_page(meeting, AttendeesForm(formdata=None), _unregistered_form(meeting))


@bp.route("/meetings/<int:meeting_id>/attendees", methods=["POST"])
@secretariat_required
def add_attendees(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id)
    require(permissions.can_manage_meetings(current_user))
    form = AttendeesForm()
    if form.validate_on_submit():
        if outcome := carry_out(services.add_attendees, current_user, permissions.seat_of(current_user),
                                meeting, form.emails.data, form=form):
            result = outcome.result
            if result.added:
                flash(ngettext("%(num)d attendee has been recorded.", "%(num)d attendees have been recorded.",
                               len(result.added)), "success")
            if result.already:
                flash(_("Already recorded, so left as they were: %(names)s.",
                        names=", ".join(u.public_name for u in result.already)), "warning")
            return redirect(url_for("meetings.attendance", meeting_id=meeting.id))
    return _attendance_page(meeting, form, _unregistered_form(meeting), 400)


@bp.route("/meetings/<int:meeting_id>/unregistered", methods=["POST"])
@secretariat_required
def set_unregistered(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id)
    require(permissions.can_manage_meetings(current_user))
    form = UnregisteredForm()
    if form.validate_on_submit():
        if carry_out(services.set_unregistered, current_user, permissions.seat_of(current_user), meeting,
                     form.counts(), form=form):
            flash(_("The counts of unregistered attendees have been saved."), "success")
            return redirect(url_for("meetings.attendance", meeting_id=meeting.id))
    return _attendance_page(meeting, AttendeesForm(formdata=None), form, 400)


@bp.route("/meetings/<int:meeting_id>/publication", methods=["POST"])
@secretariat_required
def publish(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id)
    require(permissions.can_publish_meeting(current_user, meeting))
    if EmptyForm().validate_on_submit():
        if carry_out(services.publish_meeting, current_user, permissions.seat_of(current_user), meeting):
            flash(_("The meeting has been published: anyone can read it once its call is public."), "success")
    else:
        abort(400)
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))
