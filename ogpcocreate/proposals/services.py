"""Submitting, editing and withdrawing proposals, and the queries that list them.

DOMAIN.md, "Proposal": submitted to an open call by a participant, for an organisation or as an
individual; editable and withdrawable until the deadline; after it, refused with a clear message.
What a phase allows is decided in calls/phases.py; this module words the refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager

from .. import permissions
from ..auth.models import User
from ..calls.models import Call, Theme
from ..core import eventlog, richtext
from ..core.db import utcnow
from ..core.errors import ServiceError
from ..core.eventlog import Verb
from ..core.sectors import Sector
from ..extensions import db
from ..listing import (
    RESPONSE_COLUMNS,
    ListedOrganisation,
    ListedPerson,
    organisation,
    person,
    response,
)
from ..organisations.models import Membership, Organisation, Verification
from ..responses import contributions as contribution
from ..responses.models import Outcome, Response
from . import rules
from .models import Proposal

TEXT_FIELDS = ("problem", "action", "expected_result")
MAX_REASON = 1000


def check_window(call: Call) -> None:
    """Refuse, with the reason and the date, unless the call accepts proposals right now."""
    if refusal := rules.window_refusal(call):
        raise ServiceError(refusal)


def organisations_for(user: User) -> list[Organisation]:
    """The organisations a person may submit for: those they belong to that were not rejected."""
    return list(
        db.session.scalars(
            select(Organisation)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .where(Membership.user_id == user.id, Membership.left_at.is_(None),
                   Organisation.verification != Verification.REJECTED)
            .order_by(Organisation.name_key)
        )
    )


def _resolve_submitter(actor: User, call: Call, organisation_id: int | None) -> Organisation | None:
    if not organisation_id:
        if not call.allows_individuals:
            raise ServiceError(_("This call accepts proposals from organisations only. Choose your organisation."),
                               field="organisation")
        return None
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not permissions.is_member(actor, organisation):
        raise ServiceError(_("You can only submit for an organisation you belong to."), field="organisation")
    if organisation.verification is Verification.REJECTED:
        raise ServiceError(_("%(name)s was not verified by the secretariat and cannot submit proposals.",
                             name=organisation.name), field="organisation")
    return organisation


def _apply(proposal: Proposal, call: Call, data: dict) -> None:
    theme = db.session.get(Theme, data.get("theme"))
    if theme is None or theme.call_id != call.id:
        raise ServiceError(_("Choose one of this call's themes."), field="theme")
    proposal.theme_id = theme.id
    proposal.title = data["title"].strip()
    for name in TEXT_FIELDS:
        source = data.get(f"{name}_source") or ""
        setattr(proposal, f"{name}_source", source)
        setattr(proposal, name, richtext.sanitize(source))
    proposal.links = "\n".join(data.get("links") or [])


def submit(actor: User, call: Call, data: dict) -> Proposal:
    check_window(call)
    organisation = _resolve_submitter(actor, call, data.get("organisation"))
    proposal = Proposal(call_id=call.id, author_id=actor.id, organisation_id=organisation.id if organisation else None)
    _apply(proposal, call, data)
    db.session.add(proposal)
    db.session.flush()
    eventlog.record(actor, Verb.SUBMITTED, proposal, organisation, call=call, data={"title": proposal.title})
    return proposal


def _check_change(actor: User, proposal: Proposal) -> None:
    if refusal := rules.change_refusal(actor, proposal):
        raise ServiceError(refusal)


def edit(actor: User, proposal: Proposal, data: dict) -> None:
    _check_change(actor, proposal)
    _apply(proposal, proposal.call, data)
    proposal.edited_at = utcnow()
    eventlog.record(actor, Verb.EDITED, proposal, proposal.organisation, call=proposal.call, data={"title": proposal.title})
    db.session.flush()


def withdraw(actor: User, proposal: Proposal, reason: str = "") -> None:
    """Withdrawn proposals stay on the record, marked as withdrawn, with the author's reason if they gave
    one: nothing contributed is deleted."""
    _check_change(actor, proposal)
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ServiceError(_("Keep the reason under %(n)d characters.", n=MAX_REASON), field="reason")
    proposal.withdrawn_at = utcnow()
    proposal.withdrawn_reason = reason or None
    eventlog.record(actor, Verb.WITHDRAWN, proposal, proposal.organisation, call=proposal.call,
                    data={"reason": reason} if reason else None)
    db.session.flush()


# --- queries for pages -----------------------------------------------------------------------------

AWAITING = "awaiting"
WITHDRAWN = "withdrawn"


@dataclass
class ProposalFilters:
    theme: int | None = None
    status: str | None = None  # AWAITING, WITHDRAWN or an Outcome value
    sector: str | None = None
    territory: str | None = None


def _filtered(query, call_id: int | None, filters: ProposalFilters, author_id: int | None):
    """``query`` narrowed to the proposals that match; it joins Response, Organisation and User (the
    author) wherever the filters name them."""
    if call_id is not None:
        query = query.where(Proposal.call_id == call_id)
    if author_id is not None:
        query = query.where(Proposal.author_id == author_id)
    if filters.theme:
        query = query.where(Proposal.theme_id == filters.theme)
    if filters.status == AWAITING:
        query = query.where(Response.id.is_(None), contribution.proposal_counts())
    elif filters.status == WITHDRAWN:
        query = query.where(Proposal.withdrawn_at.is_not(None))
    elif filters.status:
        query = query.where(Response.outcome == Outcome(filters.status))
    if filters.sector == Sector.CITIZEN.value:
        query = query.where(Proposal.organisation_id.is_(None))
    elif filters.sector:
        query = query.where(Organisation.sector == Sector(filters.sector))
    if filters.territory:
        query = query.where(or_(Organisation.territory == filters.territory,
                                and_(Proposal.organisation_id.is_(None), User.territory == filters.territory)))
    return query


def listing(call_id: int | None = None, filters: ProposalFilters | None = None, author_id: int | None = None):
    """One SELECT for a page of proposals with theme, author, organisation and current response.

    Everything a list shows is joined here, so a page costs the same number of statements whatever
    the number of proposals (tests/test_proposals.py counts them).
    """
    filters = filters or ProposalFilters()
    current = and_(Response.proposal_id == Proposal.id, Response.is_current)
    query = (
        select(Proposal, Response)
        .join(Proposal.call)
        .join(Proposal.theme)
        .join(Proposal.author)
        .outerjoin(Proposal.organisation)
        .outerjoin(Response, current)
        .options(contains_eager(Proposal.call), contains_eager(Proposal.theme), contains_eager(Proposal.author),
                 contains_eager(Proposal.organisation))
    )
    return _filtered(query, call_id, filters, author_id).order_by(Proposal.created_at.desc(), Proposal.id.desc())


def listing_count(call_id: int | None = None, filters: ProposalFilters | None = None, author_id: int | None = None) -> int:
    """How many proposals ``listing`` gives, joining only the tables the filters name: with no filter, a
    range of one index (ix_proposal_call_created), not the listing's five-table join of every proposal."""
    filters = filters or ProposalFilters()
    query = select(func.count(Proposal.id))
    if filters.status and filters.status != WITHDRAWN:
        query = query.outerjoin(Response, and_(Response.proposal_id == Proposal.id, Response.is_current))
    if filters.territory or (filters.sector and filters.sector != Sector.CITIZEN.value):
        query = query.outerjoin(Organisation, Organisation.id == Proposal.organisation_id)
    if filters.territory:
        query = query.join(User, User.id == Proposal.author_id)
    return db.session.scalar(_filtered(query, call_id, filters, author_id))


@dataclass(frozen=True, slots=True)
class ListedTheme:
    name: str


@dataclass(frozen=True, slots=True)
class ListedProposal:
    """What a call's page of proposals shows of a proposal, from plain columns; ``call`` is the call itself
    (one object for the whole page), which responses/rules.py asks whether responses are open."""

    __tablename__: ClassVar[str] = "proposal"

    id: int
    title: str
    call: Call
    theme: ListedTheme
    author: ListedPerson
    organisation: ListedOrganisation | None
    created_at: datetime
    withdrawn_at: datetime | None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


def listing_page(call: Call, filters: ProposalFilters, page: int, per_page: int = 25):
    """A page of the call's (proposal, response) rows, in plain columns, and their total: two statements."""
    current = and_(Response.proposal_id == Proposal.id, Response.is_current)
    query = (
        select(Proposal.id, Proposal.title, Theme.name, User.id, User.display_name, User.closed_at, User.territory,
               Organisation.id, Organisation.name, Organisation.verification, Organisation.sector,
               Organisation.territory, Proposal.created_at, Proposal.withdrawn_at, *RESPONSE_COLUMNS)
        .join(Theme, Theme.id == Proposal.theme_id)
        .join(User, User.id == Proposal.author_id)
        .outerjoin(Organisation, Organisation.id == Proposal.organisation_id)
        .outerjoin(Response, current)
    )
    query = _filtered(query, call.id, filters, None).order_by(Proposal.created_at.desc(), Proposal.id.desc())
    rows = []
    for (pid, title, theme, uid, name, closed, user_territory, oid, oname, verification, sector, territory, created_at,
         withdrawn_at, *answer) in db.session.execute(query.limit(per_page).offset((page - 1) * per_page)):
        proposal = ListedProposal(pid, title, call, ListedTheme(theme), person(uid, name, closed, user_territory),
                                  organisation(oid, oname, verification, sector, territory), created_at, withdrawn_at)
        rows.append((proposal, response(*answer)))
    return rows, listing_count(call.id, filters)


def outcome_counts(call_id: int) -> dict[str, int]:
    """How many proposals of the call await a response, were withdrawn, or got each outcome."""
    current = and_(Response.proposal_id == Proposal.id, Response.is_current)
    rows = db.session.execute(
        select(Proposal.withdrawn_at.is_not(None), Response.outcome, func.count(Proposal.id))
        .outerjoin(Response, current)
        .where(Proposal.call_id == call_id)
        .group_by(Proposal.withdrawn_at.is_not(None), Response.outcome)
    ).all()
    counts = {AWAITING: 0, WITHDRAWN: 0, **{o.value: 0 for o in Outcome}}
    for withdrawn, outcome, n in rows:
        if outcome is not None:
            counts[outcome.value] += n
        elif withdrawn:
            counts[WITHDRAWN] += n
        else:
            counts[AWAITING] += n
    return counts
