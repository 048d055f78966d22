"""Organisation operations: create and edit, invite and join, leave, transfer, verify.

Each takes plain data and the acting user, checks the rules that depend on the data (permissions are
checked by the caller through ogpcocreate.permissions), writes the participation log, and flushes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from .. import permissions
from ..auth.models import User
from ..core import eventlog, richtext
from ..core.db import utcnow
from ..core.errors import ServiceError
from ..core.eventlog import Verb
from ..core.i18n import N_
from ..core.outbox import queue_mail
from ..core.sectors import Seat, Sector
from ..core.text import name_key, single_line_problem
from ..core.urls import external_url
from ..extensions import db
from .models import Invitation, Membership, Organisation, Role, Verification

EDITABLE_FIELDS = ("name", "acronym", "sector", "territory", "cluni", "rfc", "website", "description_source")
# Changing any of these on a verified organisation sends it back to the secretariat for verification.
IDENTITY_FIELDS = ("name", "sector", "cluni", "rfc")


def _check_name(name: str) -> None:
    """A name is shown on one line beside every contribution: no hidden or control characters."""
    if single_line_problem(name):
        raise ServiceError(
            _("The name has line breaks, control characters or invisible characters. Write it with visible characters only."),
            field="name",
        )


def _uniqueness_checks(data: dict) -> list:
    checks = [
        (Organisation.name_key == name_key(data["name"]), "name", _("An organisation with this name is already registered.")),
    ]
    if data.get("cluni"):
        checks.append((Organisation.cluni == data["cluni"], "cluni", _("An organisation with this CLUNI key is already registered.")))
    if data.get("rfc"):
        checks.append((Organisation.rfc == data["rfc"], "rfc", _("An organisation with this RFC is already registered.")))
    return checks


def duplicate_of(data: dict, current: Organisation | None = None) -> tuple[Organisation, str, str] | None:
    """The registered organisation ``data`` would duplicate (same name, CLUNI key or RFC), with the field
    and the message that say so; None if there is none. The form links to it, so whoever meant to join
    it can ask its administrators for an invitation instead."""
    if not (data.get("name") or "").strip():
        return None
    try:
        checks = _uniqueness_checks(data)
    except ValueError:  # a name the form refuses for other reasons
        return None
    for condition, field, message in checks:
        query = select(Organisation).where(condition)
        if current is not None:
            query = query.where(Organisation.id != current.id)
        if (existing := db.session.scalar(query.limit(1))) is not None:
            return existing, field, message
    return None


def _check_unique(data: dict, current: Organisation | None = None) -> None:
    _check_name(data["name"])
    if found := duplicate_of(data, current):
        _existing, field, message = found
        raise ServiceError(message, field=field)


def _apply(org: Organisation, data: dict) -> None:
    org.name = data["name"]
    org.name_key = name_key(data["name"])
    org.acronym = data.get("acronym") or None
    org.sector = Sector(data["sector"])
    org.territory = data["territory"]
    org.cluni = data.get("cluni") or None
    org.rfc = data.get("rfc") or None
    org.website = data.get("website") or None
    org.description_source = data.get("description_source") or ""
    org.description = richtext.sanitize(org.description_source)


def create_organisation(actor: User, data: dict) -> Organisation:
    """Register an organisation; its creator becomes its first administrator. Verification is pending."""
    data = {k: data.get(k) for k in EDITABLE_FIELDS}
    _check_unique(data)
    org = Organisation(created_by_id=actor.id)
    _apply(org, data)
    db.session.add(org)
    db.session.flush()
    db.session.add(Membership(organisation_id=org.id, user_id=actor.id, role=Role.ADMIN))
    eventlog.record(actor, Verb.CREATED, org, org)
    db.session.flush()
    permissions.forget_roles()
    return org


def update_organisation(actor: User, org: Organisation, data: dict) -> bool:
    """Save edits; returns True if they sent a verified organisation back to pending verification."""
    data = {k: data.get(k) for k in EDITABLE_FIELDS}
    _check_unique(data, current=org)
    before = {f: getattr(org, f) for f in IDENTITY_FIELDS}
    _apply(org, data)
    changed_identity = [f for f in IDENTITY_FIELDS if before[f] != getattr(org, f)]
    reverified = False
    if changed_identity and org.verification is Verification.VERIFIED:
        org.verification = Verification.PENDING
        org.verification_reason = None
        reverified = True
    eventlog.record(actor, Verb.EDITED, org, org, {"identity_changed": changed_identity})
    db.session.flush()
    return reverified


# --- members ---------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_members(org: Organisation) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(User, User.id == Membership.user_id)
            .where(Membership.organisation_id == org.id, Membership.left_at.is_(None))
            .order_by(Membership.role, User.display_name)
        )
    )


def pending_invitations(org: Organisation) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.organisation_id == org.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.created_at.desc())
        )
    )


def invite(actor: User, org: Organisation, email: str) -> Invitation:
    """E-mail an invitation to join. A new invitation to the same address replaces the old one."""
    email = email.strip().lower()
    already = db.session.scalar(
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id == org.id, Membership.left_at.is_(None), User.email == email)
    )
    if already is not None:
        raise ServiceError(_("This person is already a member of the organisation."), field="email")
    for old in pending_invitations(org):
        if old.email == email:
            old.revoked_at = utcnow()
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation_id=org.id,
        email=email,
        token_hash=_token_hash(token),
        invited_by_id=actor.id,
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    invitee = db.session.scalar(select(User).where(User.email == email))
    queue_mail(
        email,
        N_("You are invited to join %(organisation)s"),
        "invitation",
        locale=invitee.locale if invitee else actor.locale,
        subject_args={"organisation": org.name},
        organisation=org,
        inviter=actor,
        accept_url=external_url("organisations.invitation", token=token),
        days=current_app.config["INVITATION_DAYS"],
    )
    eventlog.record(actor, Verb.INVITED, invitation, org)
    return invitation


def revoke_invitation(actor: User, invitation: Invitation) -> None:
    if invitation.is_pending:
        invitation.revoked_at = utcnow()
        db.session.flush()


def invitation_for_token(token: str) -> Invitation:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _token_hash(token)))
    if invitation is None:
        raise ServiceError(_("This invitation link is not valid. Ask the organisation for a new one."))
    if invitation.accepted_at is not None:
        raise ServiceError(_("This invitation has already been accepted."))
    if invitation.revoked_at is not None:
        raise ServiceError(_("This invitation was withdrawn. Ask the organisation for a new one."))
    if invitation.expires_at <= utcnow():
        raise ServiceError(_("This invitation has expired. Ask the organisation for a new one."))
    return invitation


def valid_invitation(token: str) -> Invitation | None:
    """The invitation behind ``token`` if it can still be accepted, else None (no reason needed)."""
    try:
        return invitation_for_token(token)
    except ServiceError:
        return None


def accept_invitation(user: User, token: str) -> Membership:
    invitation = invitation_for_token(token)
    if invitation.email != user.email:
        raise ServiceError(
            _("This invitation was sent to %(email)s. Log in with that address to accept it.", email=invitation.email)
        )
    if permissions.is_member(user, invitation.organisation):
        raise ServiceError(_("You are already a member of this organisation."))
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    membership = Membership(organisation_id=invitation.organisation_id, user_id=user.id, role=Role.MEMBER)
    db.session.add(membership)
    db.session.flush()
    eventlog.record(user, Verb.JOINED, invitation.organisation, invitation.organisation)
    permissions.forget_roles()
    return membership


def _admin_count(org: Organisation) -> int:
    return db.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.organisation_id == org.id, Membership.left_at.is_(None), Membership.role == Role.ADMIN
        )
    )


def leave(user: User, org: Organisation) -> None:
    membership = permissions.membership(user, org)
    if membership is None:
        raise ServiceError(_("You are not a member of this organisation."))
    if membership.is_admin and _admin_count(org) == 1:
        raise ServiceError(
            _("You are the organisation's only administrator. Make another member administrator before you leave.")
        )
    membership.left_at = utcnow()
    eventlog.record(user, Verb.LEFT, org, org)
    db.session.flush()
    permissions.forget_roles()


def transfer_admin(actor: User, org: Organisation, member_id: int, keep_admin: bool) -> Membership:
    """Make another member an administrator, and step down unless ``keep_admin``."""
    target = db.session.get(Membership, member_id)
    if target is None or target.organisation_id != org.id or target.left_at is not None:
        raise ServiceError(_("Choose a current member of the organisation."), field="member")
    if target.user_id == actor.id:
        raise ServiceError(_("Choose another member, not yourself."), field="member")
    target.role = Role.ADMIN
    own = permissions.membership(actor, org)
    if own is not None and not keep_admin:
        own.role = Role.MEMBER
    eventlog.record(actor, Verb.ROLE_CHANGED, org, org, {"new_admin": target.user_id, "stepped_down": not keep_admin})
    db.session.flush()
    permissions.forget_roles()
    return target


def transferable_members(org: Organisation, actor: User) -> list[Membership]:
    return [m for m in active_members(org) if m.user_id != actor.id]


# --- verification ----------------------------------------------------------------------------------


def set_verification(actor: User, seat: Seat, org: Organisation, decision: str, reason: str | None) -> None:
    """A secretariat member verifies or rejects an organisation; the reason is public."""
    decision = Verification(decision)
    if decision is Verification.PENDING:
        raise ServiceError(_("Choose whether to verify or reject."), field="decision")
    if decision is Verification.REJECTED and not (reason or "").strip():
        raise ServiceError(_("Give the reason for rejecting the organisation."), field="reason")
    org.verification = decision
    org.verification_reason = (reason or "").strip() or None
    org.verified_at = utcnow()
    org.verified_by_id = actor.id
    eventlog.record(
        actor,
        Verb.VERIFIED if decision is Verification.VERIFIED else Verb.REJECTED,
        org,
        sector=seat.sector,
        territory="national",
        data={"organisation": org.name, "reason": org.verification_reason, "seat": seat.value},
    )
    for admin in db.session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == org.id, Membership.left_at.is_(None), Membership.role == Role.ADMIN)
    ):
        queue_mail(
            admin.email,
            N_("Verification of %(organisation)s"),
            "verification",
            locale=admin.locale,
            subject_args={"organisation": org.name},
            organisation=org,
            verified=decision is Verification.VERIFIED,
            reason=org.verification_reason,
            url=external_url("organisations.detail", org_id=org.id),
        )
    db.session.flush()


# --- queries for pages -----------------------------------------------------------------------------


@dataclass
class DirectoryFilters:
    q: str | None = None
    sector: str | None = None
    territory: str | None = None
    verification: str | None = None


def directory_query(filters: DirectoryFilters):
    query = select(Organisation)
    if filters.q:
        like = f"%{name_key(filters.q)}%"
        query = query.where(or_(Organisation.name_key.like(like), func.lower(Organisation.acronym).like(f"%{filters.q.lower()}%")))
    if filters.sector:
        query = query.where(Organisation.sector == Sector(filters.sector))
    if filters.territory:
        query = query.where(Organisation.territory == filters.territory)
    if filters.verification:
        query = query.where(Organisation.verification == Verification(filters.verification))
    return query.order_by(Organisation.name_key)


def member_counts(org_ids: list[int]) -> dict[int, int]:
    if not org_ids:
        return {}
    rows = db.session.execute(
        select(Membership.organisation_id, func.count(Membership.id))
        .where(Membership.organisation_id.in_(org_ids), Membership.left_at.is_(None))
        .group_by(Membership.organisation_id)
    )
    return dict(rows.all())


def organisations_of(user: User) -> list[tuple[Organisation, Membership]]:
    return list(
        db.session.execute(
            select(Organisation, Membership)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .where(Membership.user_id == user.id, Membership.left_at.is_(None))
            .order_by(Organisation.name_key)
        ).all()
    )
