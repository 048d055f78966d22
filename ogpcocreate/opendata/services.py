"""Read-only queries behind the open-data exports: the participation log in batches, published calls, plans.

Nothing here loads ORM objects it would have to hold: the log is read as plain columns in keyset batches
on ``seq``, so an export of millions of entries keeps memory flat (DOMAIN.md, "Public record": the whole
record can be handed to the next administration).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import func, select

from .. import visibility
from ..calls.models import Call
from ..core.eventlog import ParticipationEvent
from ..extensions import db
from ..plans import services as plans
from ..plans.models import ActionPlan
from ..proposals.models import Proposal

# Every field eventlog._payload hashes, in its order, then the hash: enough to re-verify the chain offline.
RECORD_COLUMNS = [
    "seq", "occurred_at", "actor_id", "actor_name", "organisation_id", "organisation_name", "sector", "territory",
    "channel", "verb", "subject_type", "subject_id", "data", "plan_id", "call_id", "prev_hash", "hash",
]  # fmt: skip
_E = ParticipationEvent
_SELECTED = [getattr(_E, name) for name in RECORD_COLUMNS]


def _time(value) -> str:
    """eventlog._canonical_time, faster: values come back from the database already in UTC."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_batches(plan_id: int | None = None, call_id: int | None = None, batch: int = 2000) -> Iterator[list[list]]:
    """The log in ``seq`` order, ``batch`` rows at a time (keyset on seq, not OFFSET), as lists of CSV values.

    Times are canonical UTC (as hashed), ``data`` is canonical JSON, sector and channel their values
    (StrEnum), and None stays None, which the csv module writes as an empty cell.
    """
    after = 0
    time_at, data_at = RECORD_COLUMNS.index("occurred_at"), RECORD_COLUMNS.index("data")
    while True:
        query = select(*_SELECTED).where(_E.seq > after).order_by(_E.seq).limit(batch)
        if plan_id is not None:
            query = query.where(_E.plan_id == plan_id)
        if call_id is not None:
            query = query.where(_E.call_id == call_id)
        rows = []
        for row in db.session.execute(query):
            row = list(row)
            row[time_at] = _time(row[time_at])
            row[data_at] = _json(row[data_at] if row[data_at] is not None else {})
            rows.append(row)
        if rows:
            yield rows
        if len(rows) < batch:
            return
        after = rows[-1][0]


def record_rows(plan_id: int | None = None, call_id: int | None = None, batch: int = 2000) -> Iterator[list]:
    for rows in record_batches(plan_id, call_id, batch):
        yield from rows


@dataclass
class CallRow:
    call: Call
    plan_name: str
    proposals: int


def published_calls(page: int, per_page: int) -> tuple[list[CallRow], bool]:
    """One page of public calls (visibility.py), newest first, with proposal counts; and whether a next page exists.

    Two statements whatever the number of calls: the page (joined to its plan's name) and one grouped count.
    """
    rows = db.session.execute(
        select(Call, ActionPlan.name)
        .join(ActionPlan, ActionPlan.id == Call.plan_id)
        .where(visibility.public_call())
        .order_by(Call.published_at.desc(), Call.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    ).all()
    more = len(rows) > per_page
    rows = rows[:per_page]
    ids = [call.id for call, _name in rows]
    counts = dict(
        db.session.execute(
            select(Proposal.call_id, func.count(Proposal.id)).where(Proposal.call_id.in_(ids)).group_by(Proposal.call_id)
        ).all()
    ) if ids else {}
    return [CallRow(call, name, counts.get(call.id, 0)) for call, name in rows], more


def plans_with_call_counts() -> list[tuple[ActionPlan, int]]:
    """Every public plan, newest period first, with the number of its public calls (two statements)."""
    counts = plans.call_counts()
    return [(plan, counts.get(plan.id, 0)) for plan in plans.list_plans()]
