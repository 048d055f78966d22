"""Read-only figures for the home page and the public record."""

from __future__ import annotations

from sqlalchemy import distinct, func, select

from .. import visibility
from ..core.eventlog import ParticipationEvent
from ..core.territories import NATIONAL, subdivisions
from ..extensions import db
from ..opendata.record import RecordFilter
from ..organisations.models import Organisation, Verification
from ..visibility import Disclosure


def home_figures() -> dict:
    by_sector = dict(
        db.session.execute(select(Organisation.sector, func.count(Organisation.id)).group_by(Organisation.sector)).all()
    )
    verified = db.session.scalar(
        select(func.count(Organisation.id)).where(Organisation.verification == Verification.VERIFIED)
    )
    reached = db.session.scalar(
        select(func.count(distinct(Organisation.territory))).where(Organisation.territory != NATIONAL)
    )
    return {
        "organisations": sum(by_sector.values()),
        "by_sector": by_sector,
        "verified": verified,
        "territories_reached": reached,
        "territories_total": len(subdivisions()),
        # The log's seq runs 1, 2, 3 ... without gaps (core/eventlog.py), so its maximum is its size:
        # one index lookup instead of counting every entry.
        "events": db.session.scalar(select(func.coalesce(func.max(ParticipationEvent.seq), 0))),
    }


def record_page(
    flt: RecordFilter, before: int | None, per_page: int = 50
) -> tuple[list[tuple[ParticipationEvent, Verification | None, Disclosure]], int | None]:
    """Newest first, by keyset on seq (the log can hold millions of entries); returns the next cursor.

    Each entry comes with its organisation's verification as it stands now (the entry keeps the name
    it had then), read in the same statement so the page's cost does not grow with its entries, and
    with what the public may see of it (visibility.disclosure, one call for the page).
    """
    query = (
        select(ParticipationEvent, Organisation.verification)
        .outerjoin(Organisation, Organisation.id == ParticipationEvent.organisation_id)
        .where(*flt.conditions())
        .order_by(ParticipationEvent.seq.desc())
        .limit(per_page + 1)
    )
    if before:
        query = query.where(ParticipationEvent.seq < before)
    rows = [tuple(row) for row in db.session.execute(query)]
    more = len(rows) > per_page
    rows = rows[:per_page]
    shown = visibility.disclosure([event for event, _verification in rows])
    return [(event, verification, shown[event.id]) for event, verification in rows], (
        rows[-1][0].seq if more and rows else None)


def chain_head() -> ParticipationEvent | None:
    return db.session.scalar(select(ParticipationEvent).order_by(ParticipationEvent.seq.desc()).limit(1))
