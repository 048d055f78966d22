"""The levels of public influence on the IAP2 spectrum, as the IRM uses them (shared/DOMAIN.md,
"Level of public influence"). The rules that decide a level live in reports/influence.py."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class Level(enum.StrEnum):
    """In order: each level needs all the levels below it."""

    NO_CONSULTATION = "no_consultation"
    INFORM = "inform"
    CONSULT = "consult"
    INVOLVE = "involve"
    COLLABORATE = "collaborate"
    EMPOWER = "empower"

    @property
    def rank(self) -> int:
        return LEVELS.index(self)

    @property
    def label(self):
        return LEVEL_LABELS[self]

    @property
    def meaning(self):
        return LEVEL_MEANINGS[self]

    @property
    def next(self) -> Level | None:
        return LEVELS[self.rank + 1] if self.rank + 1 < len(LEVELS) else None


LEVELS = list(Level)

LEVEL_LABELS = {
    Level.NO_CONSULTATION: _l("No consultation"),
    Level.INFORM: _l("Inform"),
    Level.CONSULT: _l("Consult"),
    Level.INVOLVE: _l("Involve"),
    Level.COLLABORATE: _l("Collaborate"),
    Level.EMPOWER: _l("Empower"),
}

# The IRM's wording of each level (DOMAIN.md quotes it).
LEVEL_MEANINGS = {
    Level.NO_CONSULTATION: _l("Nothing about the process was published."),
    Level.INFORM: _l("Government provided the public with information on the plan."),
    Level.CONSULT: _l("The public gave input."),
    Level.INVOLVE: _l("Government gave feedback on public inputs."),
    Level.COLLABORATE: _l("Iterative dialogue, and the public helped set the agenda."),
    Level.EMPOWER: _l("The public makes the final decision."),
}
