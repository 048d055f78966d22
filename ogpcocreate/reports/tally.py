"""Participation tallies: the log's participation acts counted per call, person, organisation, sector,
territory, channel and phase, so that "who participated" (reports/participation.py) reads a few
thousand tally rows instead of scanning hundreds of thousands of log entries on every view.

The log stays the record (shared/DOMAIN.md, "Participation event"); the tally is derived from it.
It is kept current by ``count`` (registered as a listener of core/eventlog.record, so it runs in the
same transaction, under the same lock that serialises appenders) and can be recomputed from the log
at any time by ``rebuild`` (``flask reports rebuild-tally``; the bulk generator calls it), which the
tests use to prove the two agree.

The phase of an act is the phase of its call's schedule when the act happened (a published call's
schedule cannot change, calls/phases.py), by dates alone: before proposals open, announced; then open;
review; deliberation; decision; from the results date, results.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, case, delete, func, insert, literal, select, type_coerce
from sqlalchemy.dialects import postgresql, sqlite

from ..calls.models import Call
from ..calls.phases import Phase
from ..core.eventlog import ParticipationEvent, Verb
from ..extensions import db
from .models import ParticipationTally

PARTICIPATION_VERBS = (Verb.SUBMITTED.value, Verb.COMMENTED.value, Verb.ATTENDED.value, Verb.VOTED.value)
KEY = ("call_id", "actor_id", "organisation_id", "sector", "territory", "channel", "phase")


def phase_at(call, when: datetime) -> Phase:
    """The phase of ``call``'s schedule at ``when`` (dates only; see phase_sql for the same rule in SQL)."""
    for attribute, phase in (("opens_at", Phase.ANNOUNCED), ("closes_at", Phase.OPEN), ("deliberation_at", Phase.REVIEW),
                             ("decision_at", Phase.DELIBERATION), ("results_at", Phase.DECISION)):
        if when < getattr(call, attribute):
            return phase
    return Phase.RESULTS


def phase_sql(when, call=Call):
    """phase_at as a SQL expression over a timestamp column and the call table."""
    return case(
        (when < call.opens_at, Phase.ANNOUNCED.value),
        (when < call.closes_at, Phase.OPEN.value),
        (when < call.deliberation_at, Phase.REVIEW.value),
        (when < call.decision_at, Phase.DELIBERATION.value),
        (when < call.results_at, Phase.DECISION.value),
        else_=Phase.RESULTS.value,
    )


def _upsert(dialect: str):
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(ParticipationTally.__table__)


def count(event: ParticipationEvent, call) -> None:
    """Add one participation act to the tally (a listener of eventlog.record; other acts are ignored)."""
    if event.verb not in PARTICIPATION_VERBS or call is None or event.actor_id is None:
        return
    row = {
        "plan_id": call.plan_id, "call_id": call.id, "actor_id": event.actor_id,
        "organisation_id": event.organisation_id or 0,
        "sector": event.sector.value if event.sector else "", "territory": event.territory or "",
        "channel": event.channel.value, "phase": phase_at(call, event.occurred_at).value, "acts": 1,
    }
    table = ParticipationTally.__table__
    statement = _upsert(db.session.get_bind().dialect.name).values(**row)
    db.session.execute(statement.on_conflict_do_update(index_elements=[table.c[k] for k in KEY],
                                                       set_={"acts": table.c.acts + 1}))


def grouped_from_log(where=None):
    """The tally computed from the log, as a SELECT with the tally's columns (plan_id ... acts)."""
    e = ParticipationEvent
    acts = (
        select(Call.plan_id.label("plan_id"), e.call_id.label("call_id"), e.actor_id.label("actor_id"),
               func.coalesce(e.organisation_id, 0).label("organisation_id"),
               func.coalesce(type_coerce(e.sector, String), literal("")).label("sector"),
               func.coalesce(e.territory, literal("")).label("territory"),
               type_coerce(e.channel, String).label("channel"),
               phase_sql(e.occurred_at).label("phase"))
        .join(Call, Call.id == e.call_id)
        .where(e.verb.in_(PARTICIPATION_VERBS), e.actor_id.is_not(None))
    )
    if where is not None:
        acts = acts.where(where)
    acts = acts.subquery("acts")
    keys = [acts.c.plan_id, *(acts.c[k] for k in KEY)]
    return select(*keys, func.count().label("acts")).group_by(*keys)


def rebuild() -> int:
    """Recompute the whole tally from the log, in the caller's transaction; returns its number of rows."""
    db.session.execute(delete(ParticipationTally))
    columns = ["plan_id", *KEY, "acts"]
    grouped = grouped_from_log()
    # In the order of its keys, so the same log always gives the same rows with the same ids (PostgreSQL
    # may otherwise group by hash or by sort, as its statistics of the moment suggest).
    grouped = grouped.order_by(*list(grouped.selected_columns)[:-1])
    db.session.execute(insert(ParticipationTally).from_select(columns, grouped))
    return db.session.scalar(select(func.count()).select_from(ParticipationTally))
