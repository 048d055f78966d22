"""What of a ballot's tally may be published (DOMAIN.md, "Ballot secrecy").

The record says who voted and in which sector (the ``voted`` entries), never what they chose. A tally by
sector could still give a named person's choice away, so the published breakdown follows three rules:

1. Every sector with fewer voters than the threshold (``BALLOT_MIN_GROUP``, default 5) is merged into
   one group, "other sectors": one international voter, whom the record names, is no longer a column
   of her own.
2. When even that merged group is smaller than the threshold (but not empty), no breakdown is shown
   at all, only totals: with the other columns and the total, its cells could be worked out by
   subtraction.
3. An option's breakdown is withheld (its row shows only its total) when in any group every voter, or
   no voter, approved it: a unanimous cell tells each member of that group's choice. With a single
   group the breakdown is the total itself, which the result publishes anyway.

Totals per option are the result of the ballot and are always published.

This module is pure: the same rule serves the ballot page, the entry written to the log when the
results are published, and the demo generator, which writes that entry without the ORM.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..core.sectors import Sector

OTHER_SECTORS = "other_sectors"


@dataclass(frozen=True)
class Group:
    """A column of the published breakdown: one sector, or the merged small sectors."""

    key: str  # a sector's value, or OTHER_SECTORS
    sectors: tuple[Sector, ...]
    voters: int

    @property
    def label(self):
        if self.key == OTHER_SECTORS:
            return _l("Other sectors")
        return self.sectors[0].label


@dataclass(frozen=True)
class PublishedTally:
    voters: int
    groups: tuple[Group, ...]  # empty when only totals may be published (rule 2)
    approvals: dict  # option key -> total approvals
    breakdown: dict  # option key -> {group key: approvals}, or None where withheld (rule 3)
    threshold: int

    @property
    def totals_only(self) -> bool:
        return not self.groups and self.voters > 0

    @property
    def withheld_rows(self) -> int:
        return sum(1 for cells in self.breakdown.values() if cells is None) if self.groups else 0

    def as_data(self, labels: Mapping) -> dict:
        """The form written into the participation log (labels included: the log outlives the tables)."""
        return {
            "voters": self.voters,
            "threshold": self.threshold,
            "groups": {g.key: g.voters for g in self.groups},
            "merged": {g.key: [s.value for s in g.sectors] for g in self.groups if g.key == OTHER_SECTORS},
            "options": {str(key): {"label": labels[key], "approvals": self.approvals[key],
                                   "by_group": self.breakdown.get(key)} for key in self.approvals},
        }


def publishable(voters_by_sector: Mapping[Sector, int], approvals_by_sector: Mapping, threshold: int) -> PublishedTally:
    """``voters_by_sector``: {Sector: voters}; ``approvals_by_sector``: {option key: {Sector: approvals}}
    for every option (an option nobody approved maps to an empty dict)."""
    voters_by_sector = {Sector(s): n for s, n in voters_by_sector.items() if n}
    voters = sum(voters_by_sector.values())
    ordered = [s for s in Sector if s in voters_by_sector]
    large = [s for s in ordered if voters_by_sector[s] >= threshold]
    small = [s for s in ordered if voters_by_sector[s] < threshold]
    groups = [Group(s.value, (s,), voters_by_sector[s]) for s in large]
    merged = sum(voters_by_sector[s] for s in small)
    if merged:
        groups = groups + [Group(OTHER_SECTORS, tuple(small), merged)] if merged >= threshold else []
    totals, breakdown = {}, {}
    for key, cells in approvals_by_sector.items():
        cells = {Sector(s): n for s, n in cells.items()}
        totals[key] = sum(cells.values())
        if not groups:
            breakdown[key] = None
            continue
        row = {g.key: sum(cells.get(s, 0) for s in g.sectors) for g in groups}
        unanimous = len(groups) > 1 and any(row[g.key] in (0, g.voters) for g in groups)
        breakdown[key] = None if unanimous else row
    return PublishedTally(voters, tuple(groups), totals, breakdown, threshold)
