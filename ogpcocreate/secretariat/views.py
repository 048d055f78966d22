"""The public list of who sits on the secretariat, the administrator's page to change it, and the
members' work queues."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import permissions
from ..core.boundary import carry_out
from ..core.db import utcnow
from ..core.forms import EmptyForm
from ..extensions import db
from ..permissions import admin_required, secretariat_required
from . import queues, services
from .forms import AssignSeatForm
from .models import SecretariatMembership

bp = Blueprint("secretariat", __name__)


@bp.route("/secretariat")
def public():
    return render_template("secretariat/public.html", members=services.current_members())


@bp.route("/secretariat/work")
@secretariat_required
def work():
    """What is waiting for the member's seat, oldest first, each a link to where it is done."""
    seat = permissions.seat_of(current_user)
    now = utcnow()
    return render_template("secretariat/work.html", seat=seat, queues=queues.queues(seat, now), now=now)


@bp.route("/admin/secretariat", methods=["GET", "POST"])
@admin_required
def manage():
    form = AssignSeatForm()
    status = 200
    if form.validate_on_submit():
        if outcome := carry_out(services.assign_seat, current_user, form.email.data, form.seat.data, form=form):
            membership = outcome.result
            flash(_("%(name)s now holds the seat: %(seat)s.", name=membership.user.public_name, seat=membership.seat.label), "success")
            return redirect(url_for("secretariat.manage"))
    if form.is_submitted():
        status = 400
    return (
        render_template(
            "secretariat/manage.html",
            form=form,
            members=services.current_members(),
            past=services.past_members(),
            end_form=EmptyForm(),
        ),
        status,
    )


@bp.route("/admin/secretariat/<int:membership_id>/end", methods=["POST"])
@admin_required
def end(membership_id: int):
    membership = db.session.get(SecretariatMembership, membership_id)
    if membership is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        if carry_out(services.end_seat, current_user, membership):
            flash(_("%(name)s no longer holds a seat.", name=membership.user.public_name), "success")
    return redirect(url_for("secretariat.manage"))
