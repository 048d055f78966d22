"""Factories for tests: build people, organisations and seats directly, through the same models."""

from __future__ import annotations

import itertools
from functools import cache

from werkzeug.security import generate_password_hash

from ogpcocreate.auth.models import User
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.sectors import Seat, Sector
from ogpcocreate.extensions import db
from ogpcocreate.organisations.models import Membership, Organisation, Role, Verification
from ogpcocreate.organisations.services import name_key
from ogpcocreate.secretariat.models import SecretariatMembership

PASSWORD = "a-long-and-quiet-harbour-42"
_counter = itertools.count(1)


@cache
def _hash() -> str:
    # A cheap hash method: tests log in hundreds of times; production uses the default (scrypt).
    return generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def make_user(email: str | None = None, *, confirmed: bool = True, name: str | None = None, admin: bool = False,
              territory: str | None = "MX-OAX", locale: str = "es") -> User:
    n = next(_counter)
    user = User(
        email=email or f"person{n}@example.org",
        display_name=name or f"Persona {n}",
        password_hash=_hash(),
        email_confirmed_at=utcnow() if confirmed else None,
        is_admin=admin,
        territory=territory,
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_organisation(admin: User | None = None, *, name: str | None = None, sector: Sector = Sector.CIVIL_SOCIETY,
                      territory: str = "MX-OAX", verified: bool = True, members: list[User] = (), cluni: str | None = None) -> Organisation:
    n = next(_counter)
    name = name or f"Organización {n}"
    org = Organisation(
        name=name,
        name_key=name_key(name),
        sector=sector,
        territory=territory,
        cluni=cluni or (f"ORG{n:010d}" if sector is Sector.CIVIL_SOCIETY else None),
        verification=Verification.VERIFIED if verified else Verification.PENDING,
        created_by_id=(admin or make_user()).id,
    )
    db.session.add(org)
    db.session.flush()
    if admin is not None:
        db.session.add(Membership(organisation_id=org.id, user_id=admin.id, role=Role.ADMIN))
    for member in members:
        db.session.add(Membership(organisation_id=org.id, user_id=member.id, role=Role.MEMBER))
    db.session.flush()
    return org


def make_seat(user: User, seat: Seat) -> SecretariatMembership:
    membership = SecretariatMembership(user_id=user.id, seat=seat)
    db.session.add(membership)
    db.session.flush()
    return membership
