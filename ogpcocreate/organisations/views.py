"""Organisation pages: directory, registration, members and invitations, verification."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import permissions
from ..core import ratelimit
from ..core.boundary import carry_out
from ..core.errors import ServiceError, link_problem
from ..core.forms import EmptyForm, options
from ..core.params import page_arg
from ..extensions import db
from ..permissions import participant_required, require, secretariat_required
from . import services
from .forms import DirectoryFilterForm, InviteForm, OrganisationForm, TransferForm, VerificationForm
from .loaders import get_organisation_or_404
from .models import Invitation, Organisation, Verification

bp = Blueprint("organisations", __name__)


@bp.route("/organisations")
def directory():
    form = DirectoryFilterForm(request.args)
    filters = services.DirectoryFilters()
    if form.validate():
        filters = services.DirectoryFilters(
            q=form.q.data or None,
            sector=form.sector.data or None,
            territory=form.territory.data or None,
            verification=form.verification.data or None,
        )
    page = db.paginate(services.directory_query(filters), page=page_arg(), per_page=25, error_out=False)
    counts = services.member_counts([o.id for o in page.items])
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("organisations/directory.html", form=form, page=page, counts=counts, args=args)


@bp.route("/organisations/new", methods=["GET", "POST"])
@participant_required
def create():
    require(permissions.can_create_organisation(current_user))
    form = OrganisationForm()
    if form.validate_on_submit():
        if outcome := carry_out(services.create_organisation, current_user, form.data, form=form):
            org = outcome.result
            flash(_("The organisation is registered. The secretariat will review it for verification."), "success")
            return redirect(url_for("organisations.detail", org_id=org.id))
    return render_template("organisations/form.html", form=form, org=None,
                           duplicate=_duplicate(form, None)), 400 if form.errors else 200


@bp.route("/organisations/<int:org_id>")
def detail(org_id: int):
    org = get_organisation_or_404(org_id)
    show_members = permissions.can_see_members(current_user, org)
    members = services.active_members(org)
    manage = permissions.can_manage_members(current_user, org)
    return render_template(
        "organisations/detail.html",
        org=org,
        members=members if show_members else None,
        member_count=len(members),
        invitations=services.pending_invitations(org) if manage else [],
        invite_form=InviteForm(),
        transfer_form=_transfer_form(org) if manage else None,
        verification_form=VerificationForm() if permissions.can_verify_organisation(current_user) else None,
        action_form=EmptyForm(),
    )


def _transfer_form(org: Organisation, formdata=None) -> TransferForm:
    form = TransferForm(formdata=formdata)
    form.member.choices = options((m.id, m.user.public_name) for m in services.transferable_members(org, current_user))
    return form


@bp.route("/organisations/<int:org_id>/edit", methods=["GET", "POST"])
@participant_required
def edit(org_id: int):
    org = get_organisation_or_404(org_id, manage=True)
    form = OrganisationForm(obj=org)
    if request.method == "GET":
        form.sector.data = org.sector.value
    if form.validate_on_submit():
        if outcome := carry_out(services.update_organisation, current_user, org, form.data, form=form):
            reverified = outcome.result
            flash(_("The organisation's details have been saved."), "success")
            if reverified:
                flash(_("Because its name, sector or registration keys changed, the secretariat will verify it again."), "warning")
            return redirect(url_for("organisations.detail", org_id=org.id))
    return render_template("organisations/form.html", form=form, org=org,
                           duplicate=_duplicate(form, org)), 400 if form.errors else 200


def _duplicate(form: OrganisationForm, org):
    """The registered organisation a refused form duplicates, for the page to link to it."""
    if not any(form[name].errors for name in ("name", "cluni", "rfc") if name in form):
        return None
    found = services.duplicate_of(form.data, org)
    return found[0] if found else None


@bp.route("/organisations/<int:org_id>/invitations", methods=["POST"])
@participant_required
@ratelimit.invitation_limits
def invite(org_id: int):
    org = get_organisation_or_404(org_id)
    require(permissions.can_invite(current_user, org))
    form = InviteForm()
    if form.validate_on_submit():
        if carry_out(services.invite, current_user, org, form.email.data):
            flash(_("An invitation has been sent to %(email)s.", email=form.email.data), "success")
    else:
        for error in form.email.errors or [_("The form had expired; please try again.")]:
            flash(error, "error")
    return redirect(url_for("organisations.detail", org_id=org.id) + "#members")


@bp.route("/organisations/<int:org_id>/invitations/<int:invitation_id>/revoke", methods=["POST"])
@participant_required
def revoke_invitation(org_id: int, invitation_id: int):
    org = get_organisation_or_404(org_id, manage=True)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != org.id:
        abort(404)
    if EmptyForm().validate_on_submit():
        services.revoke_invitation(current_user, invitation)
        db.session.commit()
        flash(_("The invitation to %(email)s was withdrawn.", email=invitation.email), "success")
    return redirect(url_for("organisations.detail", org_id=org.id) + "#members")


def _invitation_problem(message: str):
    return link_problem(_("Invitation"), message, url_for("organisations.directory"), _("Go to the directory of organisations"))


@bp.route("/invitations/<token>")
def invitation(token: str):
    try:
        inv = services.invitation_for_token(token)
    except ServiceError as exc:
        return _invitation_problem(exc.message)
    return render_template("organisations/invitation.html", invitation=inv, token=token, form=EmptyForm())


@bp.route("/invitations/<token>/accept", methods=["POST"])
@participant_required
def accept_invitation(token: str):
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        membership = services.accept_invitation(current_user, token)
    except ServiceError as exc:
        db.session.rollback()
        return _invitation_problem(exc.message)
    db.session.commit()
    flash(_("You are now a member of %(name)s.", name=membership.organisation.name), "success")
    return redirect(url_for("organisations.detail", org_id=membership.organisation_id))


@bp.route("/organisations/<int:org_id>/leave", methods=["POST"])
@login_required
def leave(org_id: int):
    org = get_organisation_or_404(org_id)
    require(permissions.can_leave(current_user, org))
    if EmptyForm().validate_on_submit():
        if not carry_out(services.leave, current_user, org):
            return redirect(url_for("organisations.detail", org_id=org.id))
        flash(_("You have left %(name)s.", name=org.name), "success")
    return redirect(url_for("organisations.mine"))


@bp.route("/organisations/<int:org_id>/transfer", methods=["POST"])
@participant_required
def transfer(org_id: int):
    org = get_organisation_or_404(org_id, manage=True)
    form = _transfer_form(org, formdata=request.form)
    if form.validate_on_submit():
        if outcome := carry_out(services.transfer_admin, current_user, org, form.member.data,
                                form.keep_admin.data):
            target = outcome.result
            flash(_("%(name)s is now an administrator.", name=target.user.public_name), "success")
    else:
        flash(_("Choose a current member of the organisation."), "error")
    return redirect(url_for("organisations.detail", org_id=org.id) + "#members")


@bp.route("/organisations/<int:org_id>/verification", methods=["POST"])
@secretariat_required
def verify(org_id: int):
    org = get_organisation_or_404(org_id)
    require(permissions.can_verify_organisation(current_user))
    form = VerificationForm()
    if form.validate_on_submit():
        if carry_out(services.set_verification, current_user, permissions.seat_of(current_user), org,
                     form.decision.data, form.reason.data):
            flash(_("The decision on %(name)s has been recorded.", name=org.name), "success")
            return redirect(url_for("organisations.review"))
    for field in (form.decision, form.reason):
        for error in field.errors:
            flash(error, "error")
    return redirect(url_for("organisations.detail", org_id=org.id) + "#verification")


@bp.route("/organisations/review")
@secretariat_required
def review():
    query = services.directory_query(services.DirectoryFilters(verification=Verification.PENDING.value))
    page = db.paginate(query, page=page_arg(), per_page=50, error_out=False)
    return render_template("organisations/review.html", page=page)


@bp.route("/my/organisations")
@login_required
def mine():
    return render_template("organisations/mine.html", rows=services.organisations_of(current_user))
