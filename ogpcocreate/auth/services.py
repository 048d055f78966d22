"""Account operations. Each takes plain data and an explicit actor, flushes, and never commits."""

from __future__ import annotations

import hashlib

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..core import eventlog, tokens
from ..core.db import utcnow
from ..core.errors import ServiceError
from ..core.eventlog import Verb
from ..core.i18n import N_
from ..core.outbox import queue_mail
from ..core.urls import external_url
from ..extensions import db
from .models import User, check_no_password, hash_password

CONFIRM = "confirm-email"
RESET = "reset-password"


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def register(display_name: str, email: str, password: str, territory: str | None, locale: str) -> User | None:
    """Create an account and send the confirmation link.

    If the address already has an account, nothing is created and its owner is told by e-mail instead,
    so the form never reveals which addresses are registered. Returns the new user, or None.
    Both ways cost the same: one password hash (the slow part) and one e-mail, so the response time
    does not reveal it either.
    """
    password_hash = hash_password(password)
    existing = find_by_email(email)
    if existing is not None:
        queue_mail(
            existing.email,
            N_("Someone tried to register with your e-mail address"),
            "already_registered",
            locale=existing.locale,
            user=existing,
            login_url=external_url("auth.login"),
            reset_url=external_url("auth.forgot_password"),
        )
        return None
    user = User(
        email=email.strip().lower(),
        display_name=display_name.strip(),
        territory=territory or None,
        locale=locale,
    )
    user.set_password_hash(password_hash)
    db.session.add(user)
    db.session.flush()
    eventlog.record(user, Verb.REGISTERED, user)
    send_confirmation(user)
    return user


def send_confirmation(user: User) -> None:
    token = tokens.make(CONFIRM, {"u": user.id, "e": user.email})
    queue_mail(
        user.email,
        N_("Confirm your e-mail address"),
        "confirm_email",
        locale=user.locale,
        user=user,
        confirm_url=external_url("auth.confirm_email", token=token),
        hours=current_app.config["EMAIL_TOKEN_MAX_AGE"] // 3600,
    )


def confirm_email(token: str) -> User:
    try:
        data = tokens.read(CONFIRM, token, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    except tokens.TokenError as exc:
        if exc.expired:
            raise ServiceError(_("This confirmation link has expired. Log in and ask for a new one.")) from exc
        raise ServiceError(_("This confirmation link is not valid. Check that you copied all of it.")) from exc
    user = db.session.get(User, data.get("u"))
    if user is None or user.email != data.get("e"):
        raise ServiceError(_("This confirmation link is not valid. Check that you copied all of it."))
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None.

    Exactly one password check either way (against a dummy hash of the same method when there is no
    account), so the response time does not tell which addresses have accounts.
    """
    user = find_by_email(email)
    if user is None:
        check_no_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def _password_fingerprint(user: User) -> str:
    """Changes whenever the password does, so a reset link works once."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def request_password_reset(email: str, locale: str | None = None) -> None:
    """Send a reset link if the address has an active account; otherwise tell the address that it has none.

    The page says the same either way, and both ways render and queue one e-mail, so the response time
    does not tell which addresses have accounts. ``locale`` is the language of the person asking, used
    when there is no account to take it from.
    """
    user = find_by_email(email)
    if user is None or not user.active:
        queue_mail(
            email.strip().lower(),
            N_("A password reset was asked for an address without an account"),
            "reset_no_account",
            locale=user.locale if user is not None else locale,
            register_url=external_url("auth.register"),
            forgot_url=external_url("auth.forgot_password"),
        )
        return
    token = tokens.make(RESET, {"u": user.id, "p": _password_fingerprint(user)})
    queue_mail(
        user.email,
        N_("Reset your password"),
        "reset_password",
        locale=user.locale,
        user=user,
        reset_url=external_url("auth.reset_password", token=token),
        minutes=current_app.config["RESET_TOKEN_MAX_AGE"] // 60,
    )


def user_for_reset_token(token: str) -> User:
    try:
        data = tokens.read(RESET, token, current_app.config["RESET_TOKEN_MAX_AGE"])
    except tokens.TokenError as exc:
        if exc.expired:
            raise ServiceError(_("This reset link has expired. Ask for a new one.")) from exc
        raise ServiceError(_("This reset link is not valid or has already been used. Ask for a new one.")) from exc
    user = db.session.get(User, data.get("u"))
    if user is None or not user.active or data.get("p") != _password_fingerprint(user):
        raise ServiceError(_("This reset link is not valid or has already been used. Ask for a new one."))
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    user.set_password(new_password)
    # Following the link proves the address is theirs.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    db.session.flush()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not user.check_password(current_password):
        raise ServiceError(_("The current password is not correct."), field="current_password")
    user.set_password(new_password)
    db.session.flush()


def update_profile(user: User, display_name: str, territory: str | None, locale: str) -> None:
    user.display_name = display_name.strip()
    user.territory = territory or None
    user.locale = locale
    db.session.flush()


def log_out_everywhere(user: User) -> None:
    from .models import new_session_token

    user.session_token = new_session_token()
    db.session.flush()
