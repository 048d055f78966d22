"""Who counts as government: the sector a person acts in (DOMAIN.md, "Who counts as government").

A person's sector for an act is the sector of the organisation they act for. Acting as an individual
they count as an individual citizen, except that

- a secretariat seat holder counts as the seat's sector (the government seat holder is government
  whether or not they name an organisation), and
- a member of a *verified* government or guarantor organisation counts as that sector; with both,
  government first.

The participation log stores the sector this returns at the moment of the act (core/eventlog.py), so
reports never re-derive it from today's memberships. Seat holders never vote in participants' ballots
(votes/services.py asks ``holds_seat``).
"""

from __future__ import annotations

from sqlalchemy import select

from .. import permissions
from ..core.sectors import Sector
from ..extensions import db
from .models import Membership, Organisation, Verification

# The sectors of the state, in the order DOMAIN.md gives them precedence.
STATE_SECTORS = (Sector.GOVERNMENT, Sector.GUARANTOR)


def holds_seat(user) -> bool:
    return permissions.seat_of(user) is not None


def individual_sector(user) -> Sector:
    """The sector of ``user`` acting for no organisation (see the module docstring)."""
    seat = permissions.seat_of(user)
    if seat is not None:
        return seat.sector
    sectors = set(db.session.scalars(
        select(Organisation.sector)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user.id, Membership.left_at.is_(None),
               Organisation.verification == Verification.VERIFIED,
               Organisation.sector.in_(STATE_SECTORS))
    ))
    return next((s for s in STATE_SECTORS if s in sectors), Sector.CITIZEN)
