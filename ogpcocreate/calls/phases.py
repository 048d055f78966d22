"""The phases of a call and what each allows (shared/DOMAIN.md, "Call for proposals").

The schedule (dates) is data on the call; what a phase allows is code, here, so there is one place to
read it: announced -> proposals open -> (proposals closed, under review) -> deliberation -> decision
-> results published. A call nobody has published yet is a draft, whatever its dates say.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class Phase(enum.StrEnum):
    DRAFT = "draft"
    ANNOUNCED = "announced"
    OPEN = "open"
    REVIEW = "review"
    DELIBERATION = "deliberation"
    DECISION = "decision"
    RESULTS = "results"

    @property
    def label(self):
        return PHASE_LABELS[self]

    @property
    def accepts_proposals(self) -> bool:
        """Submitting, editing and withdrawing proposals: only while proposals are open."""
        return self is Phase.OPEN

    @property
    def accepts_responses(self) -> bool:
        """Reasoned responses: once proposals are closed, so no response answers text that later changes."""
        return self in {Phase.REVIEW, Phase.DELIBERATION, Phase.DECISION, Phase.RESULTS}

    @property
    def can_publish_results(self) -> bool:
        return self is Phase.DECISION

    @property
    def schedule_editable(self) -> bool:
        return self is Phase.DRAFT


PHASE_LABELS = {
    Phase.DRAFT: _l("Draft, not published"),
    Phase.ANNOUNCED: _l("Announced"),
    Phase.OPEN: _l("Open for proposals"),
    Phase.REVIEW: _l("Proposals closed, under review"),
    Phase.DELIBERATION: _l("Deliberation"),
    Phase.DECISION: _l("Decision"),
    Phase.RESULTS: _l("Results published"),
}

# The dated steps of the timeline, in order: (attribute on Call, label).
SCHEDULE = [
    ("announce_at", _l("Announcement")),
    ("opens_at", _l("Proposals open")),
    ("closes_at", _l("Proposals close")),
    ("deliberation_at", _l("Deliberation")),
    ("decision_at", _l("Decision")),
    ("results_at", _l("Results published")),
]
