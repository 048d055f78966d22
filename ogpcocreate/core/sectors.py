"""The fixed list of sectors and the three secretariat seats (shared/DOMAIN.md, "Actors and roles")."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class Sector(enum.StrEnum):
    GOVERNMENT = "government"
    GUARANTOR = "guarantor"
    CIVIL_SOCIETY = "civil_society"
    ACADEMIA = "academia"
    PRIVATE_SECTOR = "private_sector"
    CITIZEN = "citizen"
    INTERNATIONAL = "international"
    OTHER = "other"

    @property
    def label(self):
        return SECTOR_LABELS[self]

    @property
    def is_government(self) -> bool:
        """Government for the influence rules: only the public administration itself.

        The guarantor is an autonomous body, not the government whose plan it is; DOMAIN.md counts
        "non-government participants" and the IRM treats autonomous bodies apart from the executive.
        """
        return self is Sector.GOVERNMENT


SECTOR_LABELS = {
    Sector.GOVERNMENT: _l("Government"),
    Sector.GUARANTOR: _l("Autonomous body (guarantor)"),
    Sector.CIVIL_SOCIETY: _l("Civil society organisation"),
    Sector.ACADEMIA: _l("Academia"),
    Sector.PRIVATE_SECTOR: _l("Private sector"),
    Sector.CITIZEN: _l("Individual citizen"),
    Sector.INTERNATIONAL: _l("International organisation"),
    Sector.OTHER: _l("Other"),
}

# An organisation is never "an individual citizen"; that sector belongs to people acting alone.
ORGANISATION_SECTORS = [s for s in Sector if s is not Sector.CITIZEN]


class Seat(enum.StrEnum):
    """A seat of the tripartite technical secretariat."""

    GOVERNMENT = "government"
    GUARANTOR = "guarantor"
    CIVIL_SOCIETY = "civil_society"

    @property
    def label(self):
        return SEAT_LABELS[self]

    @property
    def sector(self) -> Sector:
        return Sector(self.value)


SEAT_LABELS = {
    Seat.GOVERNMENT: _l("Federal government"),
    Seat.GUARANTOR: _l("Transparency guarantor"),
    Seat.CIVIL_SOCIETY: _l("Civil-society core group"),
}


def sector_choices(sectors=None):
    return [(s.value, s.label) for s in (sectors or list(Sector))]


def seat_choices():
    return [(s.value, s.label) for s in Seat]
