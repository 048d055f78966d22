"""The OGP minimum requirements (Participation and Co-Creation Standards, 2021) as one checklist per
plan: each met, not met or not yet due, with its evidence (DOMAIN.md, "OGP minimum requirements").

It takes over the four process flags of the influence report (reports/flags.py: forum, repository,
responses, notice), which keep their own rules there, and adds the rest:

- 1.1 the forum meets at least every six months (reports/flags.py), and its rules are public (the code
  of conduct is published on the platform);
- 2.1 a public OGP website: met once the plan is public on this platform, not yet due before;
- 2.2 the repository updated at least twice a year (reports/flags.py);
- 3.1 the timeline and ways to take part published ahead of co-creation, by the plan's notice period
  (reports/flags.py);
- 3.3 a way to give input: met once a public call opened for proposals; not yet due before;
- 4.1 a reasoned response to every contribution, published (reports/flags.py);
- 5.1 at least two meetings with civil society during implementation: implementation starts when the
  plan's first commitment is adopted; a meeting counts when it is public, took place after that and
  before now, and civil society attended (a civil-society organisation's member, or unregistered
  civil-society attendees). Two or more: met. Fewer: not yet due while the plan is being implemented,
  not met once the plan is closed; nothing adopted yet: not yet due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import exists, func, or_, select

from .. import visibility
from ..calls.models import Call
from ..core.db import utcnow
from ..core.sectors import Sector
from ..drafts.models import DraftCommitment
from ..extensions import db
from ..meetings.models import Attendance, Meeting, UnregisteredAttendance
from ..organisations.models import Organisation
from ..plans.models import ActionPlan, PlanStatus
from ..reports import services as reports
from ..reports.flags import Flag, Status
from ..reports.influence import Evidence

MIN_IMPLEMENTATION_MEETINGS = 2

TITLES = {
    "1.1": _l("A multi-stakeholder forum meets at least every six months, and its rules are public"),
    "2.1": _l("A public OGP website"),
    "2.2": _l("A public repository updated at least twice a year"),
    "3.1": _l("The timeline and ways to take part published ahead of co-creation"),
    "3.3": _l("A way to give input"),
    "4.1": _l("A reasoned response to every contribution, published"),
    "5.1": _l("At least two meetings with civil society during implementation"),
}
FROM_FLAGS = {"1.1": "forum_meetings", "2.2": "repository_updates", "3.1": "notice_period", "4.1": "response_coverage"}


@dataclass
class Requirement(Flag):
    """A minimum requirement: a process flag's shape (reports/flags.py) under the requirement's title."""

    @property
    def title(self):
        return TITLES[self.code]


def implementation_status(meetings: int, started: bool, plan_status: PlanStatus) -> Status:
    """5.1 from its inputs (the table-driven tests ask this directly)."""
    if not started:
        return Status.NOT_YET
    if meetings >= MIN_IMPLEMENTATION_MEETINGS:
        return Status.MET
    return Status.NOT_MET if plan_status is PlanStatus.CLOSED else Status.NOT_YET


def implementation_meetings(plan: ActionPlan, now: datetime) -> tuple[datetime | None, list[Meeting]]:
    started = db.session.scalar(
        select(func.min(DraftCommitment.adopted_at)).join(Call, Call.id == DraftCommitment.call_id)
        .where(Call.plan_id == plan.id, visibility.public_call(), DraftCommitment.adopted_at.is_not(None)))
    if started is None:
        return None, []
    civil_society = or_(
        exists(select(Attendance.id).join(Organisation, Organisation.id == Attendance.organisation_id)
               .where(Attendance.meeting_id == Meeting.id, Organisation.sector == Sector.CIVIL_SOCIETY)),
        exists(select(UnregisteredAttendance.id).where(UnregisteredAttendance.meeting_id == Meeting.id,
                                                       UnregisteredAttendance.sector == Sector.CIVIL_SOCIETY,
                                                       UnregisteredAttendance.count > 0)))
    held = list(db.session.scalars(
        select(Meeting).join(Call, Call.id == Meeting.call_id)
        .where(Call.plan_id == plan.id, visibility.public_meeting(), Meeting.starts_at >= started,
               Meeting.starts_at <= now, civil_society).order_by(Meeting.starts_at)))
    return started, held


def checklist(plan: ActionPlan, now: datetime | None = None) -> list[Requirement]:
    now = now or utcnow()
    rep = reports.plan_report(plan)
    flags = {f.code: f for f in rep.flags}
    result = {}
    for code, flag_code in FROM_FLAGS.items():
        flag = flags[flag_code]
        result[code] = Requirement(code, flag.status, flag.detail, list(flag.evidence))
    result["1.1"].evidence.append(Evidence(_("The forum's rules: the code of conduct."), "moderation.code_of_conduct"))

    public = visibility.plan_is_public(plan, now)
    result["2.1"] = (Requirement("2.1", Status.MET, _("The plan is public on this site."),
                                 [Evidence(plan.name, "plans.detail", {"plan_id": plan.id})]) if public else
                     Requirement("2.1", Status.NOT_YET, _("The plan is not public yet.")))

    opened = list(db.session.execute(
        select(Call.id, Call.title).where(Call.plan_id == plan.id, visibility.public_call(now), Call.opens_at <= now)
        .order_by(Call.opens_at)))
    result["3.3"] = (Requirement("3.3", Status.MET, ngettext("%(num)d call has been open for proposals.",
                                                             "%(num)d calls have been open for proposals.", len(opened)),
                                 [Evidence(c.title, "calls.detail", {"call_id": c.id}) for c in opened])
                     if opened else Requirement("3.3", Status.NOT_YET, _("No call has opened for proposals yet.")))

    started, held = implementation_meetings(plan, now)
    status = implementation_status(len(held), started is not None, plan.status)
    detail = (_("No commitment has been adopted yet: implementation has not started.") if started is None else
              ngettext("%(num)d meeting with civil society since the first commitment was adopted (at least %(min)d).",
                       "%(num)d meetings with civil society since the first commitment was adopted (at least %(min)d).",
                       len(held), min=MIN_IMPLEMENTATION_MEETINGS))
    result["5.1"] = Requirement("5.1", status, detail,
                                [Evidence(m.title, "meetings.detail", {"meeting_id": m.id}) for m in held])
    return [result[code] for code in TITLES]
