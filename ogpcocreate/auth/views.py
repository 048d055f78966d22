"""Account pages: register, confirm, log in and out, reset and change password, profile."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..core import ratelimit
from ..core.boundary import carry_out
from ..core.errors import ServiceError, link_problem
from ..core.forms import EmptyForm
from ..core.urls import is_local_path, safe_next
from ..extensions import db
from . import services
from .forms import (
    ChangePasswordForm,
    CloseAccountForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)

bp = Blueprint("auth", __name__)


def _start_session(user, remember: bool = False) -> None:
    """Begin a fresh session: nothing from before the login carries over but the chosen language."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    # Never store the current_user proxy itself: it would then resolve to itself.
    login_user(getattr(user, "_get_current_object", lambda: user)(), remember=remember)


@bp.route("/register", methods=["GET", "POST"])
@ratelimit.signup_limits
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if request.method == "GET" and session.get("locale"):
        form.locale.data = session["locale"]
    # Registering from an invitation: the address it was sent to is filled in, and the person lands
    # back on the invitation once the address is confirmed.
    next_path = _local_next(form.next.data if request.method == "POST" else request.args.get("next"))
    invitation = _invitation_at(next_path)
    if request.method == "GET":
        form.next.data = next_path
        if invitation is not None:
            form.email.data = invitation.email
    if form.validate_on_submit():
        services.register(form.display_name.data, form.email.data, form.password.data, form.territory.data, form.locale.data,
                          next_path)
        db.session.commit()
        session["registered_email"] = form.email.data
        return redirect(url_for("auth.check_email"))  # so a reload does not submit the form again
    return render_template("auth/register.html", form=form, invitation=invitation)


def _local_next(target: str | None) -> str | None:
    """``target`` if it is a path of this site (core/urls.py), else None."""
    return target if is_local_path(target) else None


def _invitation_at(path: str | None):
    """The valid invitation whose page is ``path``, if it is one."""
    from ..organisations import services as organisations

    prefix = "/invitations/"
    if not path or not path.startswith(prefix) or "/" in path[len(prefix):]:
        return None
    return organisations.valid_invitation(path[len(prefix):])


@bp.route("/register/check-email")
def check_email():
    email = session.get("registered_email")
    if not email:
        return redirect(url_for("auth.register"))
    return render_template("auth/check_email.html", email=email)


@bp.route("/confirm/<token>")
def confirm_email(token: str):
    # GET, because it is a link in an e-mail; it is idempotent and only ever confirms.
    try:
        user = services.confirm_email(token)
    except ServiceError as exc:
        db.session.rollback()
        return link_problem(_("Confirmation failed"), exc.message, url_for("auth.unconfirmed"),
                            _("Ask for a new confirmation link"))
    db.session.commit()
    flash(_("Thank you, your e-mail address is confirmed."), "success")
    next_path = _local_next(services.next_after_confirming(token))
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(next_path or url_for("main.home"))
    return redirect(url_for("auth.login", next=next_path) if next_path else url_for("auth.login"))


@bp.route("/confirm", methods=["GET"])
@login_required
def unconfirmed():
    if current_user.is_confirmed:
        return redirect(safe_next())
    return render_template("auth/unconfirmed.html", form=EmptyForm())


@bp.route("/confirm/resend", methods=["POST"])
@login_required
@ratelimit.account_signup_limits
def resend_confirmation():
    form = EmptyForm()
    if form.validate_on_submit() and not current_user.is_confirmed:
        services.send_confirmation(current_user)
        db.session.commit()
        flash(_("We have sent a new confirmation link to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("auth.unconfirmed"))


@bp.route("/login", methods=["GET", "POST"])
@ratelimit.login_limits
def login():
    if current_user.is_authenticated:
        return redirect(safe_next())
    form = LoginForm()
    if form.validate_on_submit():
        ratelimit.check_login(form.email.data)  # 429 while this account is locked from this address
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            ratelimit.login_failed(form.email.data)
            form.password.errors.append(_("The e-mail or the password is not correct."))
        else:
            ratelimit.login_succeeded(form.email.data)
            _start_session(user, remember=form.remember.data)
            flash(_("Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(safe_next())
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    form = EmptyForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        # A new session token ends this session everywhere: a copy of the cookie (or a remember
        # cookie left on a shared computer) is worthless after logging out.
        services.log_out_everywhere(current_user)
        db.session.commit()
        locale = session.get("locale")
        logout_user()
        session.clear()
        if locale:
            session["locale"] = locale
        flash(_("You have logged out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@ratelimit.signup_limits
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, locale=str(get_locale()))
        db.session.commit()
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        user = services.user_for_reset_token(token)
    except ServiceError as exc:
        return link_problem(_("Reset link not valid"), exc.message, url_for("auth.forgot_password"), _("Ask for a new link"))
    form = ResetPasswordForm()
    form.user_inputs = [user.email, user.display_name]
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        db.session.commit()
        flash(_("Your password has been changed. Log in with the new one."), "success")
        if current_user.is_authenticated:
            logout_user()
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


def _profile_page(form=None, password_form=None, close_form=None, status: int = 200):
    """The profile page with its four forms; the one that was posted keeps its input and errors."""
    return render_template(
        "auth/profile.html",
        form=form or ProfileForm(obj=current_user),
        password_form=password_form or ChangePasswordForm(prefix="pw"),
        sessions_form=EmptyForm(prefix="s"),
        close_form=close_form or CloseAccountForm(prefix="close"),
        close_refusal=services.close_account_refusal(current_user),
    ), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(current_user, form.display_name.data, form.territory.data, form.locale.data)
        db.session.commit()
        session["locale"] = form.locale.data
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("auth.profile"))
    return _profile_page(form=form)


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    form = ChangePasswordForm(prefix="pw")
    form.user_inputs = [current_user.email, current_user.display_name]
    if form.validate_on_submit():
        if carry_out(services.change_password, current_user, form.current_password.data, form.password.data,
                     form=form):
            _start_session(current_user)  # the old session token is gone; keep this device logged in
            flash(_("Your password has been changed. Every other device has been logged out."), "success")
            return redirect(url_for("auth.profile"))
    return _profile_page(password_form=form, status=400)


@bp.route("/account/sessions/end", methods=["POST"])
@login_required
def log_out_everywhere():
    form = EmptyForm(prefix="s")
    if form.validate_on_submit():
        services.log_out_everywhere(current_user)
        db.session.commit()
        _start_session(current_user)
        flash(_("Every other device has been logged out."), "success")
    return redirect(url_for("auth.profile"))


@bp.route("/account/close", methods=["POST"])
@login_required
@ratelimit.login_limits
def close_account():
    """ARCO cancellation: close the account for good, after the password (DOMAIN.md, "What is public, and when").

    The password check counts like a log-in's: toward the per-address ceiling on failures and the
    per account + address back-off (core/ratelimit.py), so this form is no way around them.
    """
    form = CloseAccountForm(prefix="close")
    if form.validate_on_submit():
        email = current_user.email
        ratelimit.check_login(email)  # 429 while this account is locked from this address
        try:
            services.close_account(current_user, form.password.data)
        except ServiceError as exc:
            db.session.rollback()
            if exc.field == "password":
                ratelimit.login_failed(email)
                form.password.errors.append(exc.message)
            else:
                flash(exc.message, "error")
        else:
            db.session.commit()
            locale = session.get("locale")
            logout_user()
            session.clear()
            if locale:
                session["locale"] = locale
            flash(_("Your account is closed. Your contributions stay on the public record under a closed account "
                    "number, without your name."), "info")
            return redirect(url_for("main.home"))
    return _profile_page(close_form=form, status=400)
