"""Assigning people to the secretariat's three seats, and ending their tenure."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from .. import permissions
from ..auth.models import User
from ..core import eventlog
from ..core.db import utcnow
from ..core.errors import ServiceError
from ..core.eventlog import Verb
from ..core.i18n import N_
from ..core.outbox import queue_mail
from ..core.sectors import Seat
from ..core.urls import external_url
from ..extensions import db
from .models import SecretariatMembership


def current_members() -> list[SecretariatMembership]:
    return list(
        db.session.scalars(
            select(SecretariatMembership)
            .join(User, User.id == SecretariatMembership.user_id)
            .where(SecretariatMembership.ended_at.is_(None))
            .order_by(SecretariatMembership.seat, User.display_name)
        )
    )


def past_members(limit: int = 100) -> list[SecretariatMembership]:
    return list(
        db.session.scalars(
            select(SecretariatMembership)
            .where(SecretariatMembership.ended_at.is_not(None))
            .order_by(SecretariatMembership.ended_at.desc())
            .limit(limit)
        )
    )


def assign_seat(actor: User | None, email: str, seat: str) -> SecretariatMembership:
    """Seat a registered, confirmed person. Someone already on another seat must be ended first."""
    seat = Seat(seat)
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise ServiceError(_("Nobody is registered with this e-mail. Ask them to register first."), field="email")
    if not user.is_confirmed:
        raise ServiceError(_("This person has not confirmed their e-mail address yet."), field="email")
    current = db.session.scalar(
        select(SecretariatMembership).where(
            SecretariatMembership.user_id == user.id, SecretariatMembership.ended_at.is_(None)
        )
    )
    if current is not None:
        raise ServiceError(
            _("%(name)s already holds the seat: %(seat)s. End that first.", name=user.public_name, seat=current.seat.label),
            field="email",
        )
    membership = SecretariatMembership(user_id=user.id, seat=seat, assigned_by_id=actor.id if actor else None)
    db.session.add(membership)
    db.session.flush()
    eventlog.record(actor, Verb.SEAT_ASSIGNED, membership, sector=seat.sector, territory="national",
                    data={"member": user.display_name, "seat": seat.value})
    queue_mail(
        user.email,
        N_("You now hold a seat on the secretariat"),
        "seat_assigned",
        locale=user.locale,
        user=user,
        seat=seat,
        url=external_url("organisations.review"),
    )
    permissions.forget_roles()
    return membership


def end_seat(actor: User | None, membership: SecretariatMembership) -> None:
    if membership.ended_at is not None:
        raise ServiceError(_("This tenure has already ended."))
    membership.ended_at = utcnow()
    membership.ended_by_id = actor.id if actor else None
    eventlog.record(actor, Verb.SEAT_ENDED, membership, sector=membership.seat.sector, territory="national",
                    data={"member": membership.user.display_name, "seat": membership.seat.value})
    db.session.flush()
    permissions.forget_roles()
