"""Read-only queries behind the open-data lists: published calls, plans.

The participation log's exports read it through opendata/record.py (plain columns in keyset batches on
``seq``, with what the public may see of each entry).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from .. import visibility
from ..calls.models import Call
from ..extensions import db
from ..plans import services as plans
from ..plans.models import ActionPlan
from ..proposals.models import Proposal


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
