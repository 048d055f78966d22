"""What a report is about: one call, or one plan with all its calls (shared/DOMAIN.md: "a plan uses the
evidence of all its calls"). Every query of the report filters through here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_

from .. import visibility
from ..calls.models import Call
from ..core.eventlog import ParticipationEvent


@dataclass(frozen=True)
class Scope:
    kind: str  # "plan" or "call"
    id: int
    name: str

    @classmethod
    def of_plan(cls, plan) -> Scope:
        return cls("plan", plan.id, plan.name)

    @classmethod
    def of_call(cls, call) -> Scope:
        return cls("call", call.id, call.title)

    @property
    def is_plan(self) -> bool:
        return self.kind == "plan"

    # Reports are public, so every condition below keeps only the public calls of the process
    # (visibility.py): a report never counts, dates or links what the public cannot see yet.

    def calls(self, call=Call):
        """A condition on the call table (or an alias of it) selecting the public calls in scope."""
        in_scope = call.plan_id == self.id if self.is_plan else call.id == self.id
        return and_(in_scope, visibility.public_call(call=call))

    def tally(self):
        """A condition on the participation tally (reports/models.py) selecting the process's rows."""
        from .models import ParticipationTally

        in_scope = ParticipationTally.plan_id == self.id if self.is_plan else ParticipationTally.call_id == self.id
        return and_(in_scope, ParticipationTally.call_id.in_(visibility.public_call_ids()))

    def events(self):
        """A condition on the log selecting the entries of the process (indexed: plan_id/call_id, verb)."""
        in_scope = ParticipationEvent.plan_id == self.id if self.is_plan else ParticipationEvent.call_id == self.id
        return and_(in_scope, ParticipationEvent.call_id.in_(visibility.public_call_ids()))
