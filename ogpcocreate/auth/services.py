"""Account operations. Each takes plain data and an explicit actor, flushes, and never commits."""

from __future__ import annotations

import hashlib

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from .. import permissions
from ..core import eventlog, tokens
from ..core.db import utcnow
from ..core.errors import ServiceError
from ..core.eventlog import Verb
from ..core.i18n import N_
from ..core.outbox import MailStatus, OutboxMessage, queue_mail
from ..core.urls import external_url
from ..extensions import db
from ..moderation.models import ModerationAction
from ..organisations.models import Invitation, Membership, Organisation, Role
from .models import User, check_no_password, closed_account_email, hash_password, new_session_token

CONFIRM = "confirm-email"
RESET = "reset-password"


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def register(display_name: str, email: str, password: str, territory: str | None, locale: str,
             next_path: str | None = None, *, password_hash: str | None = None) -> User | None:
    """Create an account and send the confirmation link.

    If the address already has an account, nothing is created and its owner is told by e-mail instead,
    so the form never reveals which addresses are registered. Returns the new user, or None.
    Both ways cost the same: one password hash (the slow part) and one e-mail, so the response time
    does not reveal it either. Nothing is logged here: the registration enters the participation log
    only once the address is confirmed (``_mark_confirmed``; DOMAIN.md, "What is public, and when").
    ``next_path``: a page of this site to land on once the address is confirmed (an invitation): it
    travels inside the signed confirmation link, so it survives the trip through the mailbox.
    ``password_hash``: the hash of ``password`` when the caller already has it (the demo's accounts share
    one published password, hashed once); never from a request.
    """
    password_hash = password_hash or hash_password(password)
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
    send_confirmation(user, next_path)
    return user


def _mark_confirmed(user: User) -> None:
    """The address is proven: from now on the person exists for the public record.

    DOMAIN.md, "What is public, and when": a registration appears in the record only once the e-mail is
    confirmed, so the log never publishes people who never confirmed (nor, by its timing, which
    addresses tried to register). Called by every path that proves the address: the confirmation link
    and a password reset link.
    """
    if user.email_confirmed_at is not None:
        return
    user.email_confirmed_at = utcnow()
    eventlog.record(user, Verb.REGISTERED, user)


def send_confirmation(user: User, next_path: str | None = None) -> None:
    token = tokens.make(CONFIRM, {"u": user.id, "e": user.email, **({"n": next_path} if next_path else {})})
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
    if user is None or user.email != data.get("e") or user.is_closed:
        raise ServiceError(_("This confirmation link is not valid. Check that you copied all of it."))
    _mark_confirmed(user)
    db.session.flush()
    return user


def next_after_confirming(token: str) -> str | None:
    """The page the person asked to land on once confirmed, from a link ``confirm_email`` accepted."""
    try:
        data = tokens.read(CONFIRM, token, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    except tokens.TokenError:
        return None
    return data.get("n")


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None.

    Exactly one password check either way (against a dummy hash of the same method when there is no
    account), so the response time does not tell which addresses have accounts.
    """
    user = find_by_email(email)
    if user is None or user.is_closed:
        # A closed account is refused exactly like an unknown address: same work, same answer.
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
    if user is None or not user.is_active:
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
    if user is None or not user.is_active or data.get("p") != _password_fingerprint(user):
        raise ServiceError(_("This reset link is not valid or has already been used. Ask for a new one."))
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    user.set_password(new_password)
    # Following the link proves the address is theirs.
    _mark_confirmed(user)
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
    user.session_token = new_session_token()
    db.session.flush()


# --- closing an account (ARCO cancellation) --------------------------------------------------------------


def _sole_admin_of_shared(user: User) -> list[Organisation]:
    """Organisations the user administers alone while others are still members."""
    mine = select(Membership.organisation_id).where(
        Membership.user_id == user.id, Membership.left_at.is_(None), Membership.role == Role.ADMIN)
    others = select(Membership.organisation_id, func.count(Membership.id).label("members"),
                    func.count(Membership.id).filter(Membership.role == Role.ADMIN).label("admins")) \
        .where(Membership.left_at.is_(None), Membership.organisation_id.in_(mine)) \
        .group_by(Membership.organisation_id).subquery()
    return list(db.session.scalars(
        select(Organisation).join(others, others.c.organisation_id == Organisation.id)
        .where(others.c.admins == 1, others.c.members > 1).order_by(Organisation.name_key)))


def close_account_refusal(user: User) -> str | None:
    """Why this account cannot be closed now, or None. The profile shows it beside the button, and
    ``close_account`` raises it, so the page and the service never disagree.

    A seat or the site administration are duties others rely on: they are handed over first, as
    leaving an organisation asks its only administrator to hand over first (organisations/services.py).
    An organisation whose only member closes the account keeps its page and its record, with no members.
    """
    if permissions.seat_of(user) is not None:
        return _("You hold a seat on the secretariat. A site administrator must end it before you can close "
                 "your account.")
    if user.is_admin:
        return _("You are a site administrator. Whoever runs the platform must remove that role before you can "
                 "close your account.")
    stuck = _sole_admin_of_shared(user)
    if stuck:
        return _("You are the only administrator of %(organisations)s, which has other members. Make another "
                 "member administrator before you close your account.",
                 organisations=", ".join(org.name for org in stuck))
    return None


def close_account(user: User, password: str) -> None:
    """Close the account for good (ARCO cancellation; DOMAIN.md, "What is public, and when").

    Kept: the users row and its id, because contributions, responses and log entries point to it and
    stay on the record under "closed account #N" (``User.public_name``); the dates (created, confirmed,
    password changed, closed), which say nothing about the person; the participation log as it is, so
    the chain still verifies (the public record withholds the name through visibility.disclosure).

    Erased from the users row: the e-mail (replaced by a unique address under the reserved ``.invalid``
    domain, so the real one can register again and no mail can reach the tombstone), the name shown
    publicly, the territory and the language; the password hash becomes one no password matches, and
    the session token changes, which ends every session at once. The closing itself is logged
    (``account_closed``) when the account had entered the record, that is, once confirmed.

    Also: memberships end, each logged like leaving; pending invitations the person sent or that were
    sent to their address are withdrawn; mail queued to them is cancelled unsent and their address is
    replaced in the outbox; the name kept on moderation decisions they took is replaced.
    """
    if not user.check_password(password):
        raise ServiceError(_("The password is not correct. Your account is still open."), field="password")
    refusal = close_account_refusal(user)
    if refusal:
        raise ServiceError(refusal)
    now = utcnow()
    old_email = user.email
    tombstone = closed_account_email(user.id)
    # The name stored where a snapshot of it is kept; pages show the translated User.public_name instead.
    stored_name = f"closed account #{user.id}"

    user.closed_at = now
    user.email = tombstone
    user.display_name = stored_name
    user.territory = None
    user.locale = None
    user.disable_password()  # and a new session token, which ends every session
    db.session.flush()

    memberships = db.session.scalars(
        select(Membership).where(Membership.user_id == user.id, Membership.left_at.is_(None))
        .order_by(Membership.organisation_id)).all()
    for membership in memberships:
        membership.left_at = now
        eventlog.record(user, Verb.LEFT, membership.organisation, membership.organisation)
    db.session.execute(
        update(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
               or_(Invitation.invited_by_id == user.id, Invitation.email == old_email))
        .values(revoked_at=now))

    addressed_to_them = or_(OutboxMessage.recipient == old_email, OutboxMessage.recipient.endswith(f"<{old_email}>", autoescape=True))
    db.session.execute(
        update(OutboxMessage).where(addressed_to_them, OutboxMessage.status == MailStatus.PENDING)
        .values(status=MailStatus.CANCELLED, last_error="account closed", body_text=""))
    db.session.execute(update(OutboxMessage).where(addressed_to_them).values(recipient=tombstone))
    db.session.execute(
        update(ModerationAction).where(ModerationAction.moderator_id == user.id).values(moderator_name=stored_name))

    # An account that never confirmed its address never entered the record (``_mark_confirmed``), so its
    # closing does not either.
    if user.email_confirmed_at is not None:
        eventlog.record(user, Verb.ACCOUNT_CLOSED, user)
    db.session.flush()
    permissions.forget_roles()
