"""Recording working meetings: details, minutes and agreements, attendance, and signing the minutes.

DOMAIN.md, "Meeting" and "Tripartite approval": a meeting of a call (optionally of one theme) has a
date, a modality, a place and a territory, its attendance, minutes and agreements; the record is
signed by the three seats (one seat suffices where the plan switched the requirement off).
Attendance is participation ("Participation event": attended), so each registered attendee gets one
entry in the log, for the organisation they came with.

What the record may still change is decided here, once:
- nothing changes once the minutes are signed;
- nothing changes while a seat's approval of the minutes stands, so every seat signs the same text.
  An objection does not freeze the record: it asks for changes.

Publication (DOMAIN.md, "What is public, and when": a meeting is public once published): a meeting
is recorded unpublished, seen by the secretariat only, and a secretariat member publishes it when it is
ready to be announced; it is then public from the moment its call is. Publishing cannot be undone: what
was public stays on the record. Attendance is recorded, and the minutes signed, only once the meeting
is published: attendance is participation, counted in the public figures, and signed minutes are part
of the public record, so neither may describe a meeting the public cannot see. A meeting of a call that
the seats have not published cannot be published: it would be public before its process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import visibility
from ..approvals import services as approvals
from ..approvals.models import Action, Approval
from ..auth.models import User
from ..calls.models import Call, Theme
from ..core import eventlog, richtext, territories
from ..core.db import utcnow
from ..core.errors import ServiceError
from ..core.eventlog import Channel, Verb
from ..core.sectors import Seat, Sector
from ..extensions import db
from ..organisations.models import Membership, Organisation, Verification
from . import rules
from .models import Attendance, Meeting, Modality, UnregisteredAttendance

MAX_ATTENDEES_AT_ONCE = 500
MAX_UNREGISTERED = 100_000
_EMAIL_SEPARATORS = re.compile(r"[\s,;]+")


def channel_of(meeting: Meeting) -> Channel:
    """Someone who attended a hybrid meeting may have been in the room: it counts as in person."""
    return Channel.ONLINE if meeting.modality is Modality.ONLINE else Channel.IN_PERSON


def sign_state(meeting: Meeting) -> approvals.ApprovalState:
    return approvals.state(Action.SIGN_MINUTES, meeting, meeting.call.plan.requires_tripartite)


def check_changeable(meeting: Meeting) -> None:
    if refusal := rules.change_refusal(meeting):
        raise ServiceError(refusal)


def _check_attendance(meeting: Meeting) -> None:
    if refusal := rules.attendance_refusal(meeting, utcnow()):
        raise ServiceError(refusal)


# --- the meeting itself ---------------------------------------------------------------------------


def _apply(meeting: Meeting, call: Call, data: dict) -> None:
    theme_id = data.get("theme") or None
    theme = db.session.get(Theme, theme_id) if theme_id else None
    if theme_id and (theme is None or theme.call_id != call.id):
        raise ServiceError(_("Choose one of this call's themes, or none."), field="theme")
    starts_at: datetime | None = data.get("starts_at")
    if starts_at is None:
        raise ServiceError(_("Give the date and time of the meeting."), field="starts_at")
    try:
        modality = Modality(data.get("modality"))
    except ValueError:
        raise ServiceError(_("Choose how the meeting is held."), field="modality") from None
    place = (data.get("place") or "").strip()
    if modality is not Modality.ONLINE and not place:
        raise ServiceError(_("Say where the meeting is held: people attend it in person."), field="place")
    territory = data.get("territory") or ""
    if not territories.is_valid(territory):
        raise ServiceError(_("Choose the territory where the meeting is held, or national."), field="territory")
    title = (data.get("title") or "").strip()
    if not title:
        raise ServiceError(_("Give the meeting a title."), field="title")
    meeting.theme_id = theme.id if theme else None
    meeting.theme = theme
    meeting.title = title
    meeting.starts_at = starts_at
    meeting.modality = modality
    meeting.place = place
    meeting.territory = territory
    for name in ("minutes", "agreements"):
        source = data.get(f"{name}_source") or ""
        setattr(meeting, f"{name}_source", source)
        setattr(meeting, name, richtext.sanitize(source))


def _summary(meeting: Meeting) -> dict:
    return {"title": meeting.title, "starts_at": meeting.starts_at, "modality": meeting.modality.value,
            "territory": meeting.territory, "theme": meeting.theme_id}


def create_meeting(actor: User, seat: Seat, call: Call, data: dict) -> Meeting:
    meeting = Meeting(call_id=call.id, call=call, created_by_id=actor.id)
    _apply(meeting, call, data)
    db.session.add(meeting)
    db.session.flush()
    eventlog.record(actor, Verb.CREATED, meeting, sector=seat.sector, territory="national", call=call,
                    data=_summary(meeting))
    return meeting


def update_meeting(actor: User, seat: Seat, meeting: Meeting, data: dict) -> None:
    check_changeable(meeting)
    before = approvals.snapshot_of(meeting)
    _apply(meeting, meeting.call, data)
    eventlog.record(actor, Verb.EDITED, meeting, sector=seat.sector, territory="national", call=meeting.call,
                    data=_summary(meeting))
    db.session.flush()
    approvals.withdraw_on_edit(actor, seat, meeting, before)


# --- attendance -----------------------------------------------------------------------------------


def parse_emails(text: str) -> list[str]:
    """The addresses typed one per line (commas and semicolons also separate), lower-cased, each once."""
    seen: list[str] = []
    for token in _EMAIL_SEPARATORS.split(text or ""):
        address = token.strip().strip("<>").lower()
        if address and address not in seen:
            seen.append(address)
    return seen


def organisations_of(user_ids: list[int]) -> dict[int, list[Organisation]]:
    """Each person's current organisations, except those the secretariat rejected (one statement)."""
    result: dict[int, list[Organisation]] = {user_id: [] for user_id in user_ids}
    rows = db.session.execute(
        select(Membership.user_id, Organisation)
        .join(Organisation, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id.in_(user_ids), Membership.left_at.is_(None),
               Organisation.verification != Verification.REJECTED)
        .order_by(Organisation.name_key)
    ).all() if user_ids else []
    for user_id, organisation in rows:
        result[user_id].append(organisation)
    return result


def attended_for(organisations: list[Organisation]) -> Organisation | None:
    """Whom a person attended for: their organisation if they belong to exactly one, else themselves.

    A person in several organisations is recorded as an individual rather than credited to a guess:
    an attendance wrongly attributed would distort the participation figures by sector and territory
    for good, since the log cannot be rewritten.
    """
    return organisations[0] if len(organisations) == 1 else None


@dataclass
class AttendanceResult:
    added: list[Attendance] = field(default_factory=list)
    already: list[User] = field(default_factory=list)


def add_attendees(actor: User, seat: Seat, meeting: Meeting, emails: str | list[str]) -> AttendanceResult:
    """Record registered people as attendees, each once, with one participation event each.

    Every address must belong to an account; otherwise nothing is recorded and the error names the
    unknown addresses. People already recorded are left as they are (no second event).
    """
    _check_attendance(meeting)
    addresses = parse_emails(emails) if isinstance(emails, str) else parse_emails("\n".join(emails))
    if not addresses:
        raise ServiceError(_("Give at least one e-mail address, one per line."), field="emails")
    if len(addresses) > MAX_ATTENDEES_AT_ONCE:
        raise ServiceError(_("Give at most %(n)d addresses at once.", n=MAX_ATTENDEES_AT_ONCE), field="emails")
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(addresses)))}
    unknown = [a for a in addresses if a not in users]
    if unknown:
        raise ServiceError(_("No account is registered with: %(emails)s. Ask them to register, or count them "
                             "below as unregistered attendees. Nothing was saved.", emails=", ".join(unknown)),
                           field="emails")
    before = approvals.snapshot_of(meeting)
    recorded = set(db.session.scalars(select(Attendance.user_id).where(Attendance.meeting_id == meeting.id)))
    memberships = organisations_of([u.id for u in users.values() if u.id not in recorded])
    result = AttendanceResult()
    channel = channel_of(meeting)
    for address in addresses:
        user = users[address]
        if user.id in recorded:
            result.already.append(user)
            continue
        organisation = attended_for(memberships[user.id])
        attendance = Attendance(meeting_id=meeting.id, user_id=user.id, user=user,
                                organisation_id=organisation.id if organisation else None, organisation=organisation)
        db.session.add(attendance)
        recorded.add(user.id)
        result.added.append(attendance)
        eventlog.record(user, Verb.ATTENDED, meeting, organisation, channel=channel, call=meeting.call,
                        data={"meeting": meeting.id})
    db.session.flush()
    db.session.refresh(meeting, ["attendees"])
    approvals.withdraw_on_edit(actor, seat, meeting, before)
    return result


def set_unregistered(actor: User, seat: Seat, meeting: Meeting, counts: dict) -> dict[str, int]:
    """Replace the counts of attendees without an account, by sector; log the new counts once.

    Logged as an edit of the meeting by the secretariat member (their seat's sector), not as attendance:
    the member did not attend on those people's behalf, and reports read the counts from the record.
    The territory is the meeting's, the only place known for people without a profile.
    """
    _check_attendance(meeting)
    wanted: dict[Sector, int] = {}
    for key, value in counts.items():
        try:
            sector = Sector(key)
        except ValueError:
            raise ServiceError(_("Unknown sector: %(sector)s.", sector=str(key)[:40])) from None
        if value is None or value == "":
            value = 0
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_UNREGISTERED:
            raise ServiceError(_("Give a whole number from 0 to %(max)d.", max=MAX_UNREGISTERED),
                               field=f"count_{sector.value}")
        wanted[sector] = value
    text_before = approvals.snapshot_of(meeting)
    existing = {row.sector: row for row in meeting.unregistered}
    before = {row.sector.value: row.count for row in meeting.unregistered if row.count}
    for sector, value in wanted.items():
        row = existing.get(sector)
        if row is not None:
            row.count = value
        elif value:
            meeting.unregistered.append(UnregisteredAttendance(meeting_id=meeting.id, sector=sector, count=value))
    db.session.flush()
    current = {row.sector.value: row.count for row in meeting.unregistered if row.count}
    if current == before:
        return current  # nothing changed: nothing to log
    eventlog.record(actor, Verb.EDITED, meeting, sector=seat.sector, territory=meeting.territory,
                    channel=channel_of(meeting), call=meeting.call,
                    data={"meeting": meeting.id, "unregistered": current})
    approvals.withdraw_on_edit(actor, seat, meeting, text_before)
    return current


# --- publishing the meeting ------------------------------------------------------------------------


def publish_refusal(meeting: Meeting) -> str | None:
    """Why the meeting cannot be published now, or None; the page shows the same reason by the button."""
    if meeting.published_at is not None:
        return _("This meeting was published on %(date)s.", date=format_datetime(meeting.published_at, "medium"))
    if meeting.call.published_at is None:
        return _("The call of this meeting has not been published. Publish the call first: a meeting cannot be "
                 "public before its process.")
    return None


def publish_meeting(actor: User, seat: Seat, meeting: Meeting) -> None:
    if reason := publish_refusal(meeting):
        raise ServiceError(reason)
    meeting.published_at = utcnow()
    eventlog.record(actor, Verb.PUBLISHED, meeting, sector=seat.sector, territory="national", call=meeting.call,
                    data={"action": "publish_meeting", **_summary(meeting)})
    db.session.flush()


# --- signing the minutes --------------------------------------------------------------------------


def take_position(actor: User, seat: Seat, meeting: Meeting, stance: str, comment: str) -> bool:
    """Approve or object to the minutes for the member's seat; sign them once every seat approved.

    Returns True if this position completed the approval and the minutes are now signed.
    """
    refusal = rules.signing_refusal(meeting, utcnow())
    if refusal:
        raise ServiceError(refusal)
    new_state = approvals.take_position(actor, seat, Action.SIGN_MINUTES, meeting, stance, comment,
                                        meeting.call.plan.requires_tripartite)
    if not new_state.complete:
        return False
    meeting.signed_at = utcnow()
    eventlog.record(actor, Verb.SIGNED, meeting, sector=seat.sector, territory="national", call=meeting.call,
                    data={"action": Action.SIGN_MINUTES.value, "meeting": meeting.id,
                          "approved_by": [s.value for s in new_state.approvals]})
    db.session.flush()
    return True


def withdraw_position(actor: User, meeting: Meeting, approval_id: int) -> None:
    approval = db.session.get(Approval, approval_id)
    if approval is None or approval.meeting_id != meeting.id:
        raise ServiceError(_("There is no such position on this meeting."))
    if meeting.is_signed:
        raise ServiceError(_("The act has been carried out; its approvals are part of the record."))
    approvals.withdraw(actor, approval, meeting)


# --- queries for pages ----------------------------------------------------------------------------


@dataclass
class MeetingRow:
    meeting: Meeting
    registered: int
    unregistered: int

    @property
    def total(self) -> int:
        return self.registered + self.unregistered


def meetings_of(call: Call, include_unpublished: bool = False) -> list[MeetingRow]:
    """The call's meetings in date order, with their attendance counts, in three statements: the public
    ones (visibility.py), or every one for the secretariat."""
    query = (select(Meeting).where(Meeting.call_id == call.id).options(selectinload(Meeting.theme))
             .order_by(Meeting.starts_at, Meeting.id))
    if not include_unpublished:
        query = query.where(visibility.public_meeting())
    meetings = list(db.session.scalars(query))
    ids = [m.id for m in meetings]
    registered = dict(db.session.execute(
        select(Attendance.meeting_id, func.count(Attendance.id)).where(Attendance.meeting_id.in_(ids))
        .group_by(Attendance.meeting_id)
    ).all()) if ids else {}
    unregistered = dict(db.session.execute(
        select(UnregisteredAttendance.meeting_id, func.sum(UnregisteredAttendance.count))
        .where(UnregisteredAttendance.meeting_id.in_(ids)).group_by(UnregisteredAttendance.meeting_id)
    ).all()) if ids else {}
    return [MeetingRow(m, registered.get(m.id, 0), int(unregistered.get(m.id) or 0)) for m in meetings]


def attendees(meeting: Meeting) -> list[Attendance]:
    """Registered attendees with their person and organisation, by organisation then name."""
    rows = db.session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting.id)
        .options(selectinload(Attendance.user), selectinload(Attendance.organisation))
    ).all()
    return sorted(rows, key=lambda a: (a.organisation is None, a.organisation.name_key if a.organisation else "",
                                       a.user.public_name.casefold()))


@dataclass
class OrganisationAttendance:
    organisation: Organisation
    people: list[User]


@dataclass
class SectorTotal:
    sector: Sector | None  # None for the row of totals
    organisations: int = 0
    registered: int = 0
    unregistered: int = 0

    @property
    def people(self) -> int:
        return self.registered + self.unregistered


@dataclass
class AttendanceSummary:
    organisations: list[OrganisationAttendance]
    individuals: list[User]
    unregistered: list[tuple[Sector, int]]
    by_sector: list[SectorTotal]

    @property
    def total(self) -> SectorTotal:
        total = SectorTotal(sector=None)
        for row in self.by_sector:
            total.organisations += row.organisations
            total.registered += row.registered
            total.unregistered += row.unregistered
        return total


def attendance_summary(meeting: Meeting) -> AttendanceSummary:
    """Who attended, grouped for the public page, and the totals by sector.

    A registered person counts in their organisation's sector, or as an individual citizen.
    """
    by_org: dict[int, OrganisationAttendance] = {}
    individuals: list[User] = []
    totals = {sector: SectorTotal(sector) for sector in Sector}
    for attendance in attendees(meeting):
        organisation = attendance.organisation
        if organisation is None:
            individuals.append(attendance.user)
            totals[Sector.CITIZEN].registered += 1
            continue
        if organisation.id not in by_org:
            by_org[organisation.id] = OrganisationAttendance(organisation, [])
            totals[organisation.sector].organisations += 1
        by_org[organisation.id].people.append(attendance.user)
        totals[organisation.sector].registered += 1
    unregistered = [(row.sector, row.count) for row in sorted(meeting.unregistered, key=lambda r: list(Sector).index(r.sector))
                    if row.count]
    for sector, count in unregistered:
        totals[sector].unregistered += count
    return AttendanceSummary(
        organisations=list(by_org.values()),
        individuals=individuals,
        unregistered=unregistered,
        by_sector=[row for row in totals.values() if row.people],
    )


def unregistered_counts(meeting: Meeting) -> dict[str, int]:
    return {row.sector.value: row.count for row in meeting.unregistered}
