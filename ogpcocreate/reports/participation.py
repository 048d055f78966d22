"""Who participated in a call or a plan (shared/DOMAIN.md, "Who participated"): unique people and
organisations by sector, territory, channel and phase, the share of non-government participants and
the territories reached out of all the country's first-level subdivisions.

Counted from the participation log, as it recorded each act (sector and territory at the time), through
its tally (reports/tally.py) in one SQL statement (see _breakdowns): never row by row.
Participation acts are the public's: submitting, commenting, attending and voting; the secretariat's
acts (responding, approving, publishing, moderating) are the process, not participation. People
counted at a meeting without an account (meetings' unregistered attendance, by sector) are added to
the sector, channel (the meeting's; hybrid counts as in person) and totals, and take the meeting's
territory (DOMAIN.md, "Refinements of the influence rules").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import String, case, distinct, func, literal, select, type_coerce, union_all

from .. import visibility
from ..calls.models import Call
from ..calls.phases import Phase
from ..core import territories
from ..core.eventlog import Channel
from ..core.sectors import Sector
from ..extensions import db
from ..meetings.models import Meeting, Modality, UnregisteredAttendance
from .models import ParticipationTally
from .scope import Scope

# Phases in which people can act, in order (a call is public from its announcement).
PHASES = [Phase.ANNOUNCED, Phase.OPEN, Phase.REVIEW, Phase.DELIBERATION, Phase.DECISION, Phase.RESULTS]


@dataclass
class Row:
    key: str
    people: int = 0
    organisations: int = 0
    acts: int = 0
    unregistered: int = 0  # people counted at meetings without an account

    @property
    def total_people(self) -> int:
        return self.people + self.unregistered


@dataclass
class Participation:
    people: int = 0
    organisations: int = 0
    acts: int = 0
    non_government_people: int = 0
    unregistered: int = 0
    unregistered_non_government: int = 0
    by_sector: list[Row] = field(default_factory=list)
    by_territory: list[Row] = field(default_factory=list)  # every subdivision, then national
    by_channel: list[Row] = field(default_factory=list)
    by_phase: list[Row] = field(default_factory=list)

    @property
    def total_people(self) -> int:
        return self.people + self.unregistered

    @property
    def non_government_share(self) -> float | None:
        total = self.total_people
        return (self.non_government_people + self.unregistered_non_government) / total if total else None

    @property
    def sectors_present(self) -> list[Row]:
        """The sectors anyone participated from (the sector figure and its table show these)."""
        return [r for r in self.by_sector if r.total_people or r.acts]

    @property
    def subdivisions(self) -> list[Row]:
        return [r for r in self.by_territory if r.key != territories.NATIONAL]

    @property
    def territories_reached(self) -> int:
        return sum(1 for r in self.subdivisions if r.total_people)

    @property
    def territories_total(self) -> int:
        return len(self.subdivisions)

    @property
    def national(self) -> Row:
        return next(r for r in self.by_territory if r.key == territories.NATIONAL)


def _breakdowns(scope: Scope) -> dict[str, dict[str, tuple[int, int, int]]]:
    """Every breakdown in one statement over the tally of the process (reports/tally.py: the log's
    participation acts counted per person, organisation, sector, territory, channel and phase), so the
    cost follows the number of people, not the number of acts.
    Returns {dimension: {key: (people, organisations, acts)}}; dimension "all" holds the totals under
    "" and the non-government people under "non_government"."""
    t = ParticipationTally
    organisation = case((t.organisation_id != 0, t.organisation_id), else_=None)

    def per(dimension: str, key):
        return select(literal(dimension).label("dimension"), type_coerce(key, String).label("key"),
                      func.count(distinct(t.actor_id)), func.count(distinct(organisation)),
                      func.coalesce(func.sum(t.acts), 0)).where(scope.tally())

    statement = union_all(
        per("all", literal("")),
        per("all", literal("non_government")).where(t.sector != Sector.GOVERNMENT.value),
        *(per(name, getattr(t, name)).group_by(getattr(t, name)) for name in ("sector", "territory", "channel", "phase")),
    )
    result: dict[str, dict[str, tuple[int, int, int]]] = defaultdict(dict)
    for dimension, key, people, organisations, acts in db.session.execute(statement):
        result[dimension][key or ""] = (int(people), int(organisations), int(acts))
    return result


def who_participated(scope: Scope) -> Participation:
    result = Participation()
    counts = _breakdowns(scope)
    result.people, result.organisations, result.acts = counts["all"].get("", (0, 0, 0))
    result.non_government_people = counts["all"].get("non_government", (0, 0, 0))[0]

    unregistered: dict[Sector, int] = defaultdict(int)
    unregistered_in: dict[str, int] = defaultdict(int)
    unregistered_online = 0
    for sector, modality, territory, n in db.session.execute(
        select(UnregisteredAttendance.sector, Meeting.modality, Meeting.territory, func.sum(UnregisteredAttendance.count))
        .join(Meeting, Meeting.id == UnregisteredAttendance.meeting_id)
        .join(Call, Call.id == Meeting.call_id).where(scope.calls(), visibility.public_meeting())
        .group_by(UnregisteredAttendance.sector, Meeting.modality, Meeting.territory)
    ):
        unregistered[sector] += int(n or 0)
        unregistered_in[territory] += int(n or 0)
        unregistered_online += int(n or 0) if modality is Modality.ONLINE else 0
    result.unregistered = sum(unregistered.values())
    result.unregistered_non_government = sum(n for s, n in unregistered.items() if s is not Sector.GOVERNMENT)

    def rows(dimension: str, keys, **extra) -> list[Row]:
        found = counts.get(dimension, {})
        return [Row(key, *found.get(key, (0, 0, 0)), **{k: v(key) for k, v in extra.items()}) for key in keys]

    result.by_sector = rows("sector", [s.value for s in Sector],
                            unregistered=lambda key: unregistered.get(Sector(key), 0))
    result.by_territory = rows("territory", [code for code, _name in territories.subdivisions()] + [territories.NATIONAL],
                               unregistered=lambda key: unregistered_in.get(key, 0))
    # A hybrid meeting counts as in person (meetings/services.channel_of).
    result.by_channel = rows("channel", [c.value for c in Channel], unregistered=lambda key: unregistered_online
                             if key == Channel.ONLINE.value else result.unregistered - unregistered_online)
    result.by_phase = rows("phase", [p.value for p in PHASES])
    return result
