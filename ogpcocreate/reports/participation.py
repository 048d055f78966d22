"""Who participated in a call or a plan (shared/DOMAIN.md, "Who participated"): unique people and
organisations by sector, territory, channel and phase, the share of non-government participants and
the territories reached out of all the country's first-level subdivisions.

Counted from the participation log, as it recorded each act (sector and territory at the time), with
one grouped SQL query per breakdown over the indexed (plan_id|call_id, verb) range: never row by row.
Participation acts are the public's: submitting, commenting, attending and voting; the secretariat's
acts (responding, approving, publishing, moderating) are the process, not participation. People
counted at a meeting without an account (meetings' unregistered attendance, by sector) are added to
the sector, channel (the meeting's; hybrid counts as in person) and totals, never to territories (their territory was not recorded).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import case, distinct, func, select

from ..calls.models import Call
from ..calls.phases import Phase
from ..core import territories
from ..core.eventlog import Channel, ParticipationEvent, Verb
from ..core.sectors import Sector
from ..extensions import db
from ..meetings.models import Meeting, Modality, UnregisteredAttendance
from .scope import Scope

PARTICIPATION_VERBS = (Verb.SUBMITTED.value, Verb.COMMENTED.value, Verb.ATTENDED.value, Verb.VOTED.value)
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
    def subdivisions(self) -> list[Row]:
        return [r for r in self.by_territory if r.key != territories.NATIONAL]

    @property
    def territories_reached(self) -> int:
        return sum(1 for r in self.subdivisions if r.people)

    @property
    def territories_total(self) -> int:
        return len(self.subdivisions)

    @property
    def national(self) -> Row:
        return next(r for r in self.by_territory if r.key == territories.NATIONAL)


def _base(scope: Scope):
    return (ParticipationEvent.verb.in_(PARTICIPATION_VERBS), scope.events())


def _grouped(scope: Scope, key) -> dict[str, tuple[int, int, int]]:
    rows = db.session.execute(
        select(key.label("key"), func.count(distinct(ParticipationEvent.actor_id)),
               func.count(distinct(ParticipationEvent.organisation_id)), func.count())
        .where(*_base(scope)).group_by(key)
    ).all()
    return {str(k) if k is not None else "": (p, o, a) for k, p, o, a in rows}


def _phase_key():
    e = ParticipationEvent.occurred_at
    return case(
        (e < Call.opens_at, Phase.ANNOUNCED.value),
        (e < Call.closes_at, Phase.OPEN.value),
        (e < Call.deliberation_at, Phase.REVIEW.value),
        (e < Call.decision_at, Phase.DELIBERATION.value),
        (e < Call.results_at, Phase.DECISION.value),
        else_=Phase.RESULTS.value,
    )


def who_participated(scope: Scope) -> Participation:
    result = Participation()
    ngo = case((ParticipationEvent.sector != Sector.GOVERNMENT.value, ParticipationEvent.actor_id), else_=None)
    result.people, result.organisations, result.acts, result.non_government_people = db.session.execute(
        select(func.count(distinct(ParticipationEvent.actor_id)), func.count(distinct(ParticipationEvent.organisation_id)),
               func.count(), func.count(distinct(ngo))).where(*_base(scope))
    ).one()

    unregistered: dict[Sector, int] = defaultdict(int)
    unregistered_online = 0
    for sector, modality, n in db.session.execute(
        select(UnregisteredAttendance.sector, Meeting.modality, func.sum(UnregisteredAttendance.count))
        .join(Meeting, Meeting.id == UnregisteredAttendance.meeting_id)
        .join(Call, Call.id == Meeting.call_id).where(scope.calls())
        .group_by(UnregisteredAttendance.sector, Meeting.modality)
    ):
        unregistered[sector] += int(n or 0)
        unregistered_online += int(n or 0) if modality is Modality.ONLINE else 0
    result.unregistered = sum(unregistered.values())
    result.unregistered_non_government = sum(n for s, n in unregistered.items() if s is not Sector.GOVERNMENT)

    sectors = _grouped(scope, ParticipationEvent.sector)
    result.by_sector = [Row(s.value, *sectors.get(s.value, (0, 0, 0)), unregistered=int(unregistered.get(s, 0)))
                        for s in Sector]

    places = _grouped(scope, ParticipationEvent.territory)
    codes = [code for code, _name in territories.subdivisions()] + [territories.NATIONAL]
    result.by_territory = [Row(code, *places.get(code, (0, 0, 0))) for code in codes]

    channels = _grouped(scope, ParticipationEvent.channel)
    # A hybrid meeting counts as in person (meetings/services.channel_of).
    unregistered_by_channel = {Channel.ONLINE: unregistered_online,
                               Channel.IN_PERSON: result.unregistered - unregistered_online}
    result.by_channel = [Row(c.value, *channels.get(c.value, (0, 0, 0)), unregistered=unregistered_by_channel[c])
                         for c in Channel]

    phase = _phase_key()
    phases = {k: (p, o, a) for k, p, o, a in db.session.execute(
        select(phase, func.count(distinct(ParticipationEvent.actor_id)),
               func.count(distinct(ParticipationEvent.organisation_id)), func.count())
        .join(Call, Call.id == ParticipationEvent.call_id).where(*_base(scope)).group_by(phase)
    )}
    result.by_phase = [Row(p.value, *phases.get(p.value, (0, 0, 0))) for p in PHASES]
    return result
