"""Process flags from the OGP Participation and Co-Creation Standards (2021), as shared/DOMAIN.md lists
them ("Process flags"): the forum met at least every six months; the repository was updated at least
twice a year; every contribution got a reasoned response; the call was announced ahead of opening.

The process runs from the first announcement of a published call in scope to the last results date,
or to today while it is still running. "At least every six months" and "at least twice a year" are
both read as: no stretch of more than 183 days (half a year) between the start of the process, each
meeting or repository update, and the end (or today). A process younger than that with nothing yet is
"not yet due", not failed. Repository updates are the publications the log records (calls, results,
draft versions, ballots, meeting records).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select

from .. import visibility
from ..calls.models import Call
from ..core.eventlog import ParticipationEvent, Verb
from ..extensions import db
from ..meetings.models import Meeting
from ..plans.models import ActionPlan
from .contributions import ContributionCounts
from .influence import Evidence
from .scope import Scope

HALF_YEAR = timedelta(days=183)
# What updates the public repository (OGP 2.2): a call, a version or a ballot made public, results, signed
# minutes. Each is its own verb (core/eventlog.py), so the check names them all.
PUBLICATIONS = (Verb.PUBLISHED.value, Verb.RESULTS_PUBLISHED.value, Verb.SIGNED.value)


class Status(enum.StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NOT_YET = "not_yet"

    @property
    def label(self):
        return {Status.MET: _l("Met"), Status.NOT_MET: _l("Not met"), Status.NOT_YET: _l("Not yet due")}[self]


FLAG_TITLES = {
    "forum_meetings": _l("The forum met at least every six months"),
    "repository_updates": _l("The repository was updated at least twice a year"),
    "response_coverage": _l("Every contribution got a reasoned response"),
    "notice_period": _l("Calls were announced ahead of opening"),
}


@dataclass
class Flag:
    code: str
    status: Status
    detail: str
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def title(self):
        return FLAG_TITLES[self.code]


@dataclass
class Span:
    start: datetime
    end: datetime


def process_span(scope: Scope, now: datetime) -> Span | None:
    start, last = db.session.execute(
        select(func.min(Call.announce_at), func.max(Call.results_at)).where(scope.calls())
    ).one()
    if start is None:
        return None
    return Span(start, min(now, last) if last else now)


def _longest_gap(span: Span, moments: list[datetime]) -> timedelta:
    points = [span.start] + sorted(m for m in moments if span.start <= m <= span.end) + [span.end]
    return max((b - a for a, b in zip(points, points[1:], strict=False)), default=timedelta(0))


def _regularity(code: str, span: Span | None, moments: list[datetime], counted: str) -> Flag:
    if span is None:
        return Flag(code, Status.NOT_YET, _("Nothing has been published yet."))
    inside = [m for m in moments if span.start <= m <= span.end]
    gap = _longest_gap(span, moments)
    detail = _("%(counted)s: %(num)d. Longest stretch without one: %(days)d days (at most 183).",
               counted=counted, num=len(inside), days=gap.days)
    if gap > HALF_YEAR:
        return Flag(code, Status.NOT_MET, detail)
    if not inside:
        return Flag(code, Status.NOT_YET, detail)
    return Flag(code, Status.MET, detail)


def forum_meetings(scope: Scope, span: Span | None) -> Flag:
    held = list(db.session.scalars(
        select(Meeting.starts_at).join(Call, Call.id == Meeting.call_id).where(scope.calls(), visibility.public_meeting())
        .order_by(Meeting.starts_at)
    ))
    return _regularity("forum_meetings", span, held, _("Meetings held"))


def repository_updates(scope: Scope, span: Span | None) -> Flag:
    published = list(db.session.scalars(
        select(ParticipationEvent.occurred_at).where(scope.events(), ParticipationEvent.verb.in_(PUBLICATIONS))
    ))
    return _regularity("repository_updates", span, published, _("Publications"))


def response_coverage(counts: ContributionCounts) -> Flag:
    if not counts.due:
        return Flag("response_coverage", Status.NOT_YET, _("No contribution is due a response yet."))
    detail = ngettext("%(answered)d of %(num)d contribution due a response has one (%(percent)s).",
                      "%(answered)d of %(num)d contributions due a response have one (%(percent)s).",
                      counts.due, answered=counts.due_answered, percent=f"{counts.coverage:.0%}")
    if counts.unjustified:
        detail += " " + ngettext("%(num)d response that does not adopt gives no reasons.",
                                 "%(num)d responses that do not adopt give no reasons.", counts.unjustified)
    ok = counts.due_unanswered == 0 and counts.unjustified == 0
    return Flag("response_coverage", Status.MET if ok else Status.NOT_MET, detail)


def notice_period(scope: Scope) -> Flag:
    calls = db.session.execute(
        select(Call.id, Call.title, Call.announce_at, Call.opens_at, ActionPlan.notice_days)
        .join(ActionPlan, ActionPlan.id == Call.plan_id)
        .where(scope.calls()).order_by(Call.opens_at)
    ).all()
    if not calls:
        return Flag("notice_period", Status.NOT_YET, _("No call has been published yet."))
    short = [c for c in calls if c.opens_at - c.announce_at < timedelta(days=c.notice_days)]
    evidence = [Evidence(_("“%(title)s” was announced %(days)d days before opening (the plan asks for %(notice)d).",
                           title=c.title, days=(c.opens_at - c.announce_at).days, notice=c.notice_days),
                         "calls.detail", {"call_id": c.id}) for c in short]
    if short:
        detail = ngettext("%(num)d of %(total)d call was announced with less notice than the plan asks for.",
                          "%(num)d of %(total)d calls were announced with less notice than the plan asks for.",
                          len(short), total=len(calls))
        return Flag("notice_period", Status.NOT_MET, detail, evidence)
    detail = ngettext("The %(num)d call was announced with the notice the plan asks for.",
                      "All %(num)d calls were announced with the notice the plan asks for.", len(calls))
    return Flag("notice_period", Status.MET, detail)


def process_flags(scope: Scope, counts: ContributionCounts, now: datetime) -> list[Flag]:
    span = process_span(scope, now)
    return [forum_meetings(scope, span), repository_updates(scope, span), response_coverage(counts),
            notice_period(scope)]
