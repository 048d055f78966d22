"""The participation log: one append-only, hash-chained record of every act.

Implements shared/DOMAIN.md, "Participation event": every act is appended to one log (who, for which
organisation, sector, territory, what, on what, when); each entry stores the hash of the previous one,
so any later edit is detectable by a verify command.

The chain: salted digests, not payloads (DOMAIN.md, "What is public, and when")
-----------------------------------------------------------------------------
The log is public and permanent, yet it must never publish what is not public yet (a draft call's
title, a ballot's question) nor personal data a person may withdraw (the name of a closed account).
So the chain commits to each entry's payload through a salted digest, never through the payload:

- The payload has two parts, each withheld or shown on its own (visibility.disclosure decides):
  ``who`` is the actor's name (``actor_name``), withheld once the account is closed; ``what`` is the
  organisation's name and the free data (``organisation_name``, ``data``), withheld while the subject is
  not public.
- Each part has its own random salt (``secrets``, 128 bits, as 32 hex digits) and its digest is
  ``SHA-256(salt + canonical JSON of the part)`` (UTF-8), stored as ``who_salt``/``who_digest`` and
  ``what_salt``/``what_digest``. The ``who`` part is the name or null; the ``what`` part is
  ``{"data": {...}, "organisation": name or null}``. An empty name counts as null, so a CSV cell
  (where both read the same) rebuilds the same digest. Without the salt, a guessed name or title
  cannot be confirmed against a published digest: the salt is published only with its payload.
- The entry's ``hash`` is SHA-256 of the canonical JSON of its *envelope*: ``seq``, ``occurred_at``
  (UTC, microseconds, ``Z``), ``actor_id``, ``organisation_id``, ``sector``, ``territory``, ``channel``,
  ``verb``, ``subject_type``, ``subject_id``, ``plan_id``, ``call_id``, ``who_digest``, ``what_digest``,
  ``prev_hash``, as an object of text values (numbers in decimal, absent values and empty text as
  null), keys sorted. These are exactly the cells of the public CSV, so anyone can recompute the hash
  from the export, payload shown or not (static/record/verify_record.py does, with only the standard
  library).
- Entry ``n`` stores ``seq = n`` and ``prev_hash`` = the ``hash`` of entry ``n - 1`` (64 zeros for the
  first). ``verify()`` walks the entries in ``seq`` order and checks each link, each hash, and that
  each stored payload still matches its digest; so it finds an altered payload or envelope field, a
  removed entry (gap in ``seq`` or broken link) and a re-ordered one, even after the append-only
  triggers are dropped.

Disclosure is computed when the record is read; the log itself is never updated, so an entry becomes
readable the moment its subject becomes public (or stays a digest once its author closes the account)
and the chain is the same either way. Migration 0010 re-chained the entries written before this
design.

Concurrency: appending reads the last entry and writes the next one, so two writers must never read
the same last entry. PostgreSQL: a transaction-scoped advisory lock serialises appenders until they
commit. SQLite: write transactions begin IMMEDIATE (core/db.py), which serialises them on the database
lock. Behind both, ``seq`` and ``prev_hash`` are UNIQUE, so a fork cannot be stored even by a writer
that bypasses this module: it fails and rolls back instead. The migration adds triggers that refuse
UPDATE and DELETE on the table.

Sector and territory are copied at the moment of the act, so the record stays true when an
organisation later moves or changes sector.
"""

from __future__ import annotations

import enum
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, select, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .db import enum_column, utcnow
from .sectors import Sector

GENESIS_HASH = "0" * 64
# Any constant works; it names the lock on pg_locks for whoever debugs a stuck writer.
_PG_LOCK_KEY = 0x06F0C0C8EA7E


class Channel(enum.StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"


class Verb(enum.StrEnum):
    """What happened. Participation acts first (DOMAIN.md), then the acts that set the stage."""

    SUBMITTED = "submitted"
    EDITED = "edited"
    WITHDRAWN = "withdrawn"
    COMMENTED = "commented"
    RESPONDED = "responded"
    ATTENDED = "attended"
    VOTED = "voted"
    APPROVED = "approved"  # a seat's approval of an act (approvals/services.py), never an adoption
    OBJECTED = "objected"
    ADOPTED = "adopted"  # a draft commitment adopted, by the three seats or by a ballot
    PUBLISHED = "published"  # something made public: a call, a version of a draft, a ballot, a meeting
    RESULTS_PUBLISHED = "results_published"  # the results of a call or of a ballot
    SIGNED = "signed"  # a meeting's minutes signed by the seats
    REPORTED = "reported"  # a comment reported for moderation (the reporter is not recorded)
    MODERATED = "moderated"  # a moderation decision on a comment
    CREATED = "created"
    REGISTERED = "registered"
    VERIFIED = "verified"
    REJECTED = "rejected"
    INVITED = "invited"
    JOINED = "joined"
    LEFT = "left"
    ROLE_CHANGED = "role_changed"
    SEAT_ASSIGNED = "seat_assigned"
    SEAT_ENDED = "seat_ended"
    ACCOUNT_CLOSED = "account_closed"
    PROGRESS_REPORTED = "progress_reported"  # a milestone's status or actual dates (monitoring/)
    MEASURED = "measured"  # a measurement of a commitment's indicator
    ASSESSED = "assessed"  # a criterion of the IRM's assessment of a commitment


VERB_LABELS = {
    Verb.SUBMITTED: _l("submitted"),
    Verb.EDITED: _l("edited"),
    Verb.WITHDRAWN: _l("withdrew"),
    Verb.COMMENTED: _l("commented"),
    Verb.RESPONDED: _l("responded"),
    Verb.ATTENDED: _l("attended"),
    Verb.VOTED: _l("voted"),
    Verb.APPROVED: _l("approved"),
    Verb.OBJECTED: _l("objected"),
    Verb.ADOPTED: _l("adopted"),
    Verb.PUBLISHED: _l("published"),
    Verb.RESULTS_PUBLISHED: _l("published the results"),
    Verb.SIGNED: _l("signed the minutes"),
    Verb.REPORTED: _l("reported a comment"),
    Verb.MODERATED: _l("moderated"),
    Verb.CREATED: _l("created"),
    Verb.REGISTERED: _l("registered"),
    Verb.VERIFIED: _l("verified"),
    Verb.REJECTED: _l("rejected"),
    Verb.INVITED: _l("invited a member"),
    Verb.JOINED: _l("joined"),
    Verb.LEFT: _l("left"),
    Verb.ROLE_CHANGED: _l("changed administrators"),
    Verb.SEAT_ASSIGNED: _l("assigned a secretariat seat"),
    Verb.SEAT_ENDED: _l("ended a secretariat seat"),
    Verb.ACCOUNT_CLOSED: _l("closed their account"),
    Verb.PROGRESS_REPORTED: _l("reported progress"),
    Verb.MEASURED: _l("recorded a measurement"),
    Verb.ASSESSED: _l("recorded an assessment"),
}

# Names of the tables a log entry can be about, as a reader would say them.
SUBJECT_LABELS = {
    "users": _l("account"),
    "organisation": _l("organisation"),
    "invitation": _l("invitation"),
    "secretariat_membership": _l("secretariat seat"),
    "action_plan": _l("action plan"),
    "call": _l("call for proposals"),
    "proposal": _l("proposal"),
    "response": _l("reasoned response"),
    "approval": _l("approval"),
    "ballot": _l("ballot"),
    "draft_commitment": _l("draft commitment"),
    "draft_version": _l("version of a draft commitment"),
    "comment": _l("comment"),
    "report": _l("report on a comment"),
    "moderation_action": _l("moderation decision"),
    "meeting": _l("meeting"),
    "milestone": _l("milestone"),
    "responsible_institution": _l("responsible institution"),
    "commitment_contact": _l("commitment contact"),
    "evidence_link": _l("evidence of progress"),
    "indicator": _l("indicator"),
    "measurement": _l("measurement"),
    "assessment_entry": _l("IRM assessment"),
    "assessor": _l("assessor role"),
    "recommendation": _l("IRM recommendation"),
    "archive_export": _l("continuity archive"),
}


def verb_label(verb: str) -> str:
    try:
        return str(VERB_LABELS[Verb(verb)])
    except (ValueError, KeyError):
        return verb


def subject_label(subject_type: str | None) -> str:
    return str(SUBJECT_LABELS.get(subject_type, subject_type or ""))


class ParticipationEvent(db.Model):
    __tablename__ = "participation_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str | None] = mapped_column(String(120))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    sector: Mapped[Sector | None] = enum_column(Sector, nullable=True)
    territory: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[Channel] = enum_column(Channel, default=Channel.ONLINE)
    verb: Mapped[str] = mapped_column(String(40))
    # The log outlives any table it talks about, so it names its subject rather than joining to it.
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # The process the act belongs to, so reports aggregate per call and per plan with one indexed scan.
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("action_plan.id"))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id"))
    # The salted digests the hash covers instead of the payload (module docstring).
    who_salt: Mapped[str] = mapped_column(String(32))
    who_digest: Mapped[str] = mapped_column(String(64))
    what_salt: Mapped[str] = mapped_column(String(32))
    what_digest: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    __table_args__ = (
        # With verb and sector, the reports find the act behind each contribution from the index alone.
        Index("ix_participation_event_subject", "subject_type", "subject_id", "verb", "sector"),
        Index("ix_participation_event_actor_id", "actor_id"),
        Index("ix_participation_event_organisation_id", "organisation_id"),
        Index("ix_participation_event_verb", "verb"),
        Index("ix_participation_event_plan_verb", "plan_id", "verb"),
        Index("ix_participation_event_call_verb", "call_id", "verb"),
    )

    def compute_hash(self) -> str:
        return entry_hash(envelope(self))

    def seal(self) -> None:
        """Draw the salts, compute both digests and the hash: the entry is then ready to append."""
        seal_entry(self)


def canonical_time(value: datetime) -> str:
    """A moment as the chain writes it: UTC, microseconds, a trailing Z (the raw CSV's cell too)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def new_salt() -> str:
    return secrets.token_hex(16)


def digest(salt: str, part) -> str:
    """The salted digest of one payload part (``who_part`` or ``what_part``)."""
    return hashlib.sha256((salt + canonical_json(part)).encode("utf-8")).hexdigest()


def who_part(actor_name: str | None):
    return actor_name or None


def what_part(organisation_name: str | None, data: dict | None) -> dict:
    return {"data": data or {}, "organisation": organisation_name or None}


# The envelope, in the order the public CSV gives it. Every value is text or null (module docstring).
ENVELOPE = (
    "seq", "occurred_at", "actor_id", "organisation_id", "sector", "territory", "channel", "verb",
    "subject_type", "subject_id", "plan_id", "call_id", "who_digest", "what_digest", "prev_hash",
)  # fmt: skip


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return canonical_time(value)
    if isinstance(value, enum.Enum):
        value = value.value
    return str(value) or None


def envelope(e) -> dict[str, str | None]:
    """The fields the hash covers, as text: anything that reads like an entry (a row, a namespace)."""
    return {name: _text(getattr(e, name)) for name in ENVELOPE}


def entry_hash(fields: dict[str, str | None]) -> str:
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()


def seal_entry(e, salts: tuple[str, str] | None = None) -> None:
    """Fill ``e``'s salts, digests and hash from its payload and envelope (``e.prev_hash`` set).

    ``salts`` (who, what) is for the bulk generator, whose data must come out the same at every run;
    everything else draws fresh random salts.
    """
    e.who_salt, e.what_salt = salts or (new_salt(), new_salt())
    e.who_digest = digest(e.who_salt, who_part(e.actor_name))
    e.what_digest = digest(e.what_salt, what_part(e.organisation_name, e.data))
    e.hash = entry_hash(envelope(e))


# Functions called with (event, call) after each append, in the same transaction: derived data that
# must move with the log (reports/tally.py registers the participation tally in create_app).
_LISTENERS: list = []


def listen(listener) -> None:
    """Call ``listener(event, call)`` after every append (once, however often the app is created)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


# Who counts as government (DOMAIN.md): the sector of a person acting for no organisation is decided
# by organisations/acting.py, which core may not import; create_app installs it here. Without it (a
# bare script), a person acting alone is an individual citizen.
_individual_sector = None


def classify_individuals(resolver) -> None:
    """Use ``resolver(user) -> Sector`` for the sector of a person acting for no organisation."""
    global _individual_sector
    _individual_sector = resolver


def _lock_chain() -> None:
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})


def record(
    actor,
    verb: Verb | str,
    subject=None,
    organisation=None,
    data: dict[str, Any] | None = None,
    *,
    sector: Sector | None = None,
    territory: str | None = None,
    channel: Channel = Channel.ONLINE,
    call=None,
    plan=None,
) -> ParticipationEvent:
    """Append one entry to the log in the caller's transaction and return it (flushed).

    ``actor`` is a User or None (the system). ``subject`` is any mapped object with an ``id``.
    Sector and territory default to the organisation's when the act is on its behalf, else to a
    person acting alone: the sector "Who counts as government" gives them (``classify_individuals``)
    and the territory on their profile. Secretariat acts
    pass their seat's sector explicitly. ``call`` (or ``plan``) names the process the act is part of.
    The act happens now (core/db.py ``utcnow``, the one clock; the demo replays its past acts by holding
    that clock at each act's moment, never by writing another time here).
    """
    if subject is not None and getattr(subject, "id", None) is None:
        db.session.flush()
    if organisation is not None:
        sector = sector or organisation.sector
        territory = territory or organisation.territory
    elif actor is not None:
        sector = sector or (_individual_sector(actor) if _individual_sector else Sector.CITIZEN)
        territory = territory or getattr(actor, "territory", None)

    _lock_chain()
    last = db.session.execute(
        select(ParticipationEvent.seq, ParticipationEvent.hash).order_by(ParticipationEvent.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, GENESIS_HASH)

    event = ParticipationEvent(
        seq=seq,
        occurred_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.display_name if actor is not None else None,
        organisation_id=organisation.id if organisation is not None else None,
        organisation_name=organisation.name if organisation is not None else None,
        sector=sector,
        territory=territory,
        channel=channel,
        verb=str(verb),
        subject_type=subject.__tablename__ if subject is not None else None,
        subject_id=subject.id if subject is not None else None,
        data=_jsonable(data or {}),
        plan_id=call.plan_id if call is not None else (plan.id if plan is not None else None),
        call_id=call.id if call is not None else None,
        prev_hash=prev_hash,
    )
    event.seal()
    db.session.add(event)
    db.session.flush()
    for listener in _LISTENERS:
        listener(event, call)
    return event


def _jsonable(data: dict) -> dict:
    """Round-trip through JSON so what is hashed now is exactly what the database gives back later."""
    return json.loads(json.dumps(data, default=str, ensure_ascii=False))


@dataclass
class VerifyResult:
    checked: int
    error: str | None = None
    bad_seq: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def verify(batch: int = 5000) -> VerifyResult:
    """Walk the whole chain in order; report the first entry that does not hold.

    Streams the table in batches (keyset on seq), so memory stays flat whatever its size.
    """
    expected_seq, expected_prev, checked, after = 1, GENESIS_HASH, 0, 0
    while True:
        rows = db.session.scalars(
            select(ParticipationEvent)
            .where(ParticipationEvent.seq > after)
            .order_by(ParticipationEvent.seq)
            .limit(batch)
            .execution_options(populate_existing=True)
        ).all()
        if not rows:
            return VerifyResult(checked)
        for event in rows:
            if event.seq != expected_seq:
                return VerifyResult(checked, f"entry {expected_seq} is missing (next entry is {event.seq})", expected_seq)
            if event.prev_hash != expected_prev:
                return VerifyResult(checked, f"entry {event.seq} does not link to entry {event.seq - 1}", event.seq)
            if event.compute_hash() != event.hash:
                return VerifyResult(checked, f"entry {event.seq} was altered (its hash does not match its content)", event.seq)
            if digest(event.who_salt or "", who_part(event.actor_name)) != event.who_digest:
                return VerifyResult(checked, f"entry {event.seq} was altered (its name does not match its digest)", event.seq)
            if digest(event.what_salt or "", what_part(event.organisation_name, event.data)) != event.what_digest:
                return VerifyResult(checked, f"entry {event.seq} was altered (its content does not match its digest)",
                                    event.seq)
            checked += 1
            expected_seq, expected_prev, after = event.seq + 1, event.hash, event.seq
        db.session.expunge_all()
