"""Plain-column stand-ins for the people, organisations and responses a long list shows (issue 18).

A page that lists hundreds of comments or proposals reads their authors' and organisations' columns in
the same statement and builds these, instead of loading User and Organisation objects: the template
reads the same attributes (``public_name``, ``name``, ``verification``), for far less work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .auth.models import closed_account_name
from .responses.models import Outcome, Response


@dataclass(frozen=True, slots=True)
class ListedPerson:
    id: int
    public_name: str
    territory: str | None = None


@dataclass(frozen=True, slots=True)
class ListedOrganisation:
    id: int
    name: str
    verification: object  # organisations.models.Verification
    sector: object = None  # core.sectors.Sector
    territory: str | None = None


@dataclass(frozen=True, slots=True)
class ListedResponse:
    """A contribution's current reasoned response, as a list shows it."""

    id: int
    outcome: Outcome
    created_at: datetime
    revision: int
    justification: str


def person(user_id: int, display_name: str, closed_at, territory: str | None = None) -> ListedPerson:
    """User.public_name from plain columns (a closed account's name is withheld, as User does)."""
    return ListedPerson(user_id, closed_account_name(user_id) if closed_at is not None else display_name, territory)


def organisation(org_id, name, verification, sector=None, territory: str | None = None) -> ListedOrganisation | None:
    return ListedOrganisation(org_id, name, verification, sector, territory) if org_id is not None else None


# A current response's columns, in the order ``response`` takes them (outer-joined: all None if there is none).
RESPONSE_COLUMNS = (Response.id, Response.outcome, Response.created_at, Response.revision, Response.justification)


def response(response_id, outcome, created_at, revision, justification) -> ListedResponse | None:
    return ListedResponse(response_id, outcome, created_at, revision, justification) if response_id is not None else None
