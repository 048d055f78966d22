"""The state of one generation (demo/generate.py) and its people: accounts, organisations, the secretariat.

``World`` holds the rows of every table (plain dicts, primary keys assigned here, so children name
their parents without asking the database) and the participation events, in the order they happened.
The participation events mirror what the services write for the same acts (DOMAIN.md, "Participation
event"): who, for which organisation, with the organisation's sector and territory copied, or the
seat's sector and ``national`` for the secretariat, or ``citizen`` and the person's territory.
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ..core.eventlog import Channel, Verb
from ..core.sectors import Seat, Sector
from ..core.territories import NATIONAL
from ..extensions import db
from ..organisations.acting import STATE_SECTORS
from ..organisations.models import Role, Verification
from ..organisations.services import name_key
from . import generate_text as words
from .loader import PASSWORD

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
EMAIL_DOMAIN = "example.org"

# One unit of scale: about the size of a real co-creation process.
UNIT = {
    "organisations": 200,
    "people": 400,
    "proposals": 2000,
    "comments": 10_000,
    "meetings": 130,
}

ORG_SECTORS = [
    (Sector.CIVIL_SOCIETY, 70), (Sector.ACADEMIA, 10), (Sector.PRIVATE_SECTOR, 7), (Sector.INTERNATIONAL, 4),
    (Sector.OTHER, 4), (Sector.GOVERNMENT, 3), (Sector.GUARANTOR, 2),
]  # fmt: skip
# The capital and the largest states weigh more; every state still appears (see people()).
TERRITORY_WEIGHTS = {NATIONAL: 6, "MX-CMX": 6, "MX-MEX": 3, "MX-JAL": 3, "MX-NLE": 2, "MX-PUE": 2, "MX-VER": 2}


@dataclass
class Org:
    id: int
    name: str
    sector: Sector
    territory: str
    verification: Verification
    created_at: datetime
    admin: int


@dataclass
class Person:
    id: int
    name: str
    territory: str | None
    org: int | None = None  # the organisation they act for, unless it was rejected
    confirmed: bool = True


@dataclass
class Weighted:
    """Pick items with fixed weights in O(log n): a few people and organisations do most of the work."""

    items: list
    cumulative: list[float] = field(default_factory=list)

    @classmethod
    def of(cls, items: list, weights: list[float]) -> Weighted:
        return cls(items, list(itertools.accumulate(weights)))

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


class World:
    def __init__(self, scale: float, seed: int, first_id: Callable[[str], int], secret: str, territories: list[str]):
        self.scale, self.seed = scale, seed
        self.rng = random.Random(seed)
        self.secret = secret.encode()
        self.territories = territories
        # Not utcnow: the same seed gives the same data. Every date lies before 2026.
        self.t0 = datetime(2025, 2, 3, 15, tzinfo=UTC) + timedelta(days=seed % 7, minutes=seed % 60)
        self._first_id, self._next = first_id, {}
        self._blank = {t.name: dict.fromkeys(t.columns.keys()) for t in db.metadata.sorted_tables}
        self.rows: dict[str, list[dict]] = {name: [] for name in self._blank}
        self.events: list[tuple] = []
        self.people: dict[int, Person] = {}
        self.orgs: dict[int, Org] = {}
        self.secretariat: dict[Seat, list[Person]] = {}
        self.summary: dict = {}

    # --- rows and events -------------------------------------------------------------------------

    def count(self, what: str) -> int:
        return max(1, round(UNIT[what] * self.scale))

    def new_id(self, table: str) -> int:
        """The next primary key of ``table``: after the largest one the table had when we started."""
        if table not in self._next:
            self._next[table] = self._first_id(table)
        self._next[table] += 1
        return self._next[table] - 1

    def add(self, table: str, **values) -> int | None:
        """Queue one row (every column given, or None); assign its id unless given (from ``new_id``)."""
        row = {**self._blank[table], **values}
        if "id" in row and row["id"] is None:
            row["id"] = self.new_id(table)
        self.rows[table].append(row)
        return row.get("id")

    def token(self, purpose: str, key: int) -> str:
        """A stable secret value (session token, invitation token hash): same seed, same value, but not
        guessable without the application's SECRET_KEY."""
        return hmac.new(self.secret, f"{purpose}:{self.seed}:{key}".encode(), hashlib.sha256).hexdigest()

    def event(self, when: datetime, verb: Verb, subject: str | None, subject_id: int | None, actor: Person | None = None,
              org: Org | None = None, *, seat: Seat | None = None, territory: str | None = None,
              channel: Channel = Channel.ONLINE, data: dict | None = None, plan: int | None = None,
              call=None) -> None:
        """One log entry, resolved as core.eventlog.record resolves it; chained later, in time order."""
        if seat is not None:
            sector, territory = seat.sector, territory or NATIONAL
        elif org is not None:
            sector, territory = org.sector, territory or org.territory
        elif actor is not None:
            sector, territory = self.individual_sector(actor), territory or actor.territory
        else:
            sector = None
        if call is not None:
            plan = call.plan_id
        self.events.append((
            when, len(self.events), actor.id if actor else None, actor.name if actor else None,
            org.id if org else None, org.name if org else None, sector, territory, channel, str(verb), subject,
            subject_id, data or {}, plan, call.id if call is not None else None,
        ))

    def individual_sector(self, person: Person) -> Sector:
        """The sector of a person acting for no organisation, by organisations/acting.py's rule (DOMAIN.md,
        "Who counts as government"): a member of a verified government or guarantor body counts as one.
        (Seat holders act with their seat's sector and never vote.)"""
        org = self.orgs.get(person.org) if person.org is not None else None
        if org is not None and org.verification is Verification.VERIFIED and org.sector in STATE_SECTORS:
            return org.sector
        return Sector.CITIZEN

    def between(self, start: datetime, end: datetime) -> datetime:
        """A moment in [start, end), to the second."""
        span = max(1, int((end - start).total_seconds()))
        return start + timedelta(seconds=self.rng.randrange(span))

    def after(self, moment: datetime, least: timedelta, most: timedelta) -> datetime:
        return self.between(moment + least, moment + most)

    def member(self, seat: Seat, n: int = 0) -> Person:
        members = self.secretariat[seat]
        return members[n % len(members)]


# --- people ------------------------------------------------------------------------------------------


def _person_name(rng: random.Random) -> str:
    return f"{rng.choice(words.FIRST_NAMES)} {rng.choice(words.LAST_NAMES)} {rng.choice(words.LAST_NAMES)}"


def _user(w: World, created: datetime, territory: str | None, password_hash: str, confirmed: bool = True) -> Person:
    user_id = w.new_id("users")
    person = Person(user_id, _person_name(w.rng), territory, confirmed=confirmed)
    w.add("users", id=user_id, email=f"gen-{user_id:06d}@{EMAIL_DOMAIN}", password_hash=password_hash,
          display_name=person.name, locale="en" if w.rng.random() < 0.05 else "es", territory=territory,
          email_confirmed_at=created + timedelta(minutes=10) if confirmed else None, is_admin=False,
          active=True, session_token=w.token("session", user_id)[:43], password_changed_at=None, created_at=created)
    w.people[user_id] = person
    if confirmed:  # a registration enters the record when the address is confirmed (auth/services.py)
        w.event(created + timedelta(minutes=10), Verb.REGISTERED, "users", user_id, person)
    return person


def _org_name(w: World, sector: Sector, territory: str, used: set[str], names: dict[str, str]) -> str:
    kinds = {Sector.ACADEMIA: words.ACADEMIC_KINDS, Sector.PRIVATE_SECTOR: words.PRIVATE_KINDS,
             Sector.INTERNATIONAL: words.INTERNATIONAL_KINDS, Sector.GOVERNMENT: words.PUBLIC_KINDS,
             Sector.GUARANTOR: ["Instituto de Transparencia"]}.get(sector, words.ORG_KINDS)
    place = "Nacional" if territory == NATIONAL else f"de {names[territory]}"
    name = f"{w.rng.choice(kinds)} {w.rng.choice(words.ORG_MISSIONS)} {place}"
    n = 2
    while name_key(name) in used:  # two organisations may not differ only in spelling
        name = f"{name.rsplit(' núm. ', 1)[0]} núm. {n}"
        n += 1
    used.add(name_key(name))
    return name


def people(w: World, password_hash: str, used_names: set[str], territory_names: dict[str, str]) -> None:
    """The secretariat (two people per seat), organisations with their administrators and invited
    members, and individual citizens; registered, verified and joined before the older plan starts."""
    rng, start = w.rng, w.t0 - 1100 * DAY
    for seat in Seat:
        w.secretariat[seat] = []
        for n in range(2):
            person = _user(w, start + n * HOUR, None, password_hash)
            w.secretariat[seat].append(person)
            membership = w.add("secretariat_membership", seat=seat, user_id=person.id, started_at=start + DAY,
                               assigned_by_id=None, ended_at=None, ended_by_id=None)
            w.event(start + DAY, Verb.SEAT_ASSIGNED, "secretariat_membership", membership, None, seat=seat,
                    data={"member": person.name, "seat": seat.value})
    reviewer = w.member(Seat.GUARANTOR)

    n_orgs = w.count("organisations")
    sectors = Weighted.of([s for s, _ in ORG_SECTORS], [n for _, n in ORG_SECTORS])
    places = [NATIONAL, *w.territories]
    spread = Weighted.of(places, [TERRITORY_WEIGHTS.get(p, 1) for p in places])
    first = rng.sample(places, len(places))  # every territory at least once, when there are enough
    for i in range(n_orgs):
        territory = first[i] if i < len(first) else spread.pick(rng)
        sector = sectors.pick(rng)
        registered = w.between(start + 10 * DAY, start + 300 * DAY)
        admin = _user(w, registered, None if territory == NATIONAL else territory, password_hash)
        created = w.after(registered, HOUR, 5 * DAY)
        roll = rng.random()
        verification = (Verification.VERIFIED if roll < 0.90 else Verification.PENDING if roll < 0.96
                        else Verification.REJECTED)
        org_id = w.new_id("organisation")
        name = _org_name(w, sector, territory, used_names, territory_names)
        acronym = "".join(word[0] for word in name.split() if word[0].isupper())[:12]
        verified_at = w.after(created, DAY, 20 * DAY) if verification is not Verification.PENDING else None
        reason = "La clave CLUNI no corresponde a la organización en el registro federal." \
            if verification is Verification.REJECTED else None
        cluni = (f"{acronym[:3].upper().ljust(3, 'X')}{rng.randint(5, 24):02d}{rng.randint(1, 12):02d}"
                 f"{rng.randint(1, 28):02d}{org_id:06d}") if sector is Sector.CIVIL_SOCIETY else None
        description = words.ORG_MISSIONS[org_id % len(words.ORG_MISSIONS)]
        w.add("organisation", id=org_id, name=name, name_key=name_key(name), acronym=acronym, sector=sector,
              territory=territory, cluni=cluni, rfc=None, website=f"https://org-{org_id}.{EMAIL_DOMAIN}",
              **words.pair("description", f"Organización que trabaja {description.lower()}."),
              verification=verification, verification_reason=reason, verified_at=verified_at,
              verified_by_id=reviewer.id if verified_at else None, created_by_id=admin.id,
              updated_at=verified_at or created, created_at=created)
        org = Org(org_id, name, sector, territory, verification, created, admin.id)
        w.orgs[org_id] = org
        w.add("membership", organisation_id=org_id, user_id=admin.id, role=Role.ADMIN, joined_at=created, left_at=None)
        w.event(created, Verb.CREATED, "organisation", org_id, admin, org)
        if verified_at:
            w.event(verified_at, Verb.VERIFIED if verification is Verification.VERIFIED else Verb.REJECTED,
                    "organisation", org_id, reviewer, seat=Seat.GUARANTOR,
                    data={"organisation": name, "reason": reason, "seat": Seat.GUARANTOR.value})
        if verification is not Verification.REJECTED:
            admin.org = org_id

    # Invited members (about 35% of people), then citizens acting alone (the rest).
    n_people = max(w.count("people"), n_orgs)
    orgs = list(w.orgs.values())
    n_members = round((n_people - n_orgs) * 0.7)
    for _ in range(n_members):
        org = rng.choice(orgs)
        invited = w.after(org.created_at, DAY, 60 * DAY)
        admin = w.people[org.admin]
        invitation = w.new_id("invitation")
        person = _user(w, invited + HOUR, None if org.territory == NATIONAL else org.territory, password_hash)
        joined = invited + 2 * HOUR
        w.add("invitation", id=invitation, organisation_id=org.id, email=f"gen-{person.id:06d}@{EMAIL_DOMAIN}",
              token_hash=w.token("invitation", invitation), invited_by_id=admin.id, created_at=invited,
              expires_at=invited + 14 * DAY, accepted_at=joined, accepted_by_id=person.id, revoked_at=None)
        w.add("membership", organisation_id=org.id, user_id=person.id, role=Role.MEMBER, joined_at=joined, left_at=None)
        w.event(invited, Verb.INVITED, "invitation", invitation, admin, org)
        w.event(joined, Verb.JOINED, "organisation", org.id, person, org)
        if org.verification is not Verification.REJECTED:
            person.org = org.id
    for _ in range(n_people - n_orgs - n_members):
        confirmed = rng.random() < 0.97
        _user(w, w.between(start, w.t0 - 800 * DAY), rng.choice(w.territories), password_hash, confirmed)
    w.summary["password"] = PASSWORD
    w.summary["secretariat"] = {seat.value: [f"gen-{p.id:06d}@{EMAIL_DOMAIN}" for p in members]
                                for seat, members in w.secretariat.items()}
