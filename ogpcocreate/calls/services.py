"""Calls: creating and scheduling them, and publishing them and their results once approved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import permissions, visibility
from ..approvals import services as approvals
from ..approvals.models import Action
from ..auth.models import User
from ..core import eventlog, richtext
from ..core.db import utcnow
from ..core.errors import ServiceError
from ..core.eventlog import Verb
from ..core.sectors import Seat
from ..extensions import db
from ..plans.models import ActionPlan
from . import rules
from .models import Call, Submitters, Theme
from .phases import SCHEDULE, Phase

SCHEDULE_FIELDS = [name for name, _label in SCHEDULE]


def check_schedule(dates: dict[str, datetime], now: datetime) -> None:
    """Dates in the order of the timeline (DOMAIN.md, "Call for proposals"), none in the past."""
    for name in SCHEDULE_FIELDS:
        if dates.get(name) is None:
            raise ServiceError(_("Give every date of the timeline."), field=name)
    if dates["announce_at"] < now:
        raise ServiceError(_("The announcement cannot be in the past."), field="announce_at")
    labels = dict(SCHEDULE)
    for earlier, later in zip(SCHEDULE_FIELDS, SCHEDULE_FIELDS[1:], strict=False):
        strict = later == "closes_at"  # proposals must be open for some time; the other steps may coincide
        if dates[later] < dates[earlier] or (strict and dates[later] == dates[earlier]):
            raise ServiceError(
                _("%(later)s must come after %(earlier)s.", later=labels[later], earlier=labels[earlier]), field=later
            )


def _themes(text: str) -> list[str]:
    names = []
    for line in (text or "").splitlines():
        name = line.strip(" -*\t")
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name[:200])
    if not names:
        raise ServiceError(_("Give at least one theme, one per line."), field="themes")
    return names


def _apply(call: Call, data: dict) -> None:
    dates = {name: data.get(name) for name in SCHEDULE_FIELDS}
    check_schedule(dates, utcnow())
    themes = _themes(data.get("themes", ""))
    call.title = data["title"].strip()
    call.description_source = data.get("description_source") or ""
    call.description = richtext.sanitize(call.description_source)
    call.submitters = Submitters(data["submitters"])
    for name, value in dates.items():
        setattr(call, name, value)
    existing = {t.name.casefold(): t for t in call.themes}
    call.themes = [existing.get(name.casefold()) or Theme(name=name) for name in themes]
    for position, theme in enumerate(call.themes):
        theme.name = themes[position]
        theme.position = position


def create_call(actor: User, seat: Seat, plan: ActionPlan, data: dict) -> Call:
    call = Call(plan_id=plan.id, plan=plan, created_by_id=actor.id)
    _apply(call, data)
    db.session.add(call)
    db.session.flush()
    eventlog.record(actor, Verb.CREATED, call, sector=seat.sector, territory="national", call=call,
                    data={"title": call.title, "short_notice": call.short_notice})
    return call


def update_call(actor: User, seat: Seat, call: Call, data: dict) -> None:
    if not call.phase.schedule_editable:
        raise ServiceError(_("A published call cannot be edited: its schedule is public and people rely on it."))
    before = approvals.snapshot_of(call)
    _apply(call, data)
    eventlog.record(actor, Verb.EDITED, call, sector=seat.sector, territory="national", call=call,
                    data={"title": call.title, "short_notice": call.short_notice})
    db.session.flush()
    db.session.refresh(call, ["themes"])
    # A seat approved the text it saw: an edit withdraws the standing approvals (DOMAIN.md).
    approvals.withdraw_on_edit(actor, seat, call, before)


def take_position(actor: User, seat: Seat, call: Call, action: str, stance: str, comment: str) -> bool:
    """Approve or object to publishing the call or its results; carry the act out once approved.

    Returns True if this position completed the approval and the act was carried out.
    """
    action = Action(action)
    refusal = rules.position_refusal(call, action, utcnow())
    if refusal:
        raise ServiceError(refusal)
    new_state = approvals.take_position(actor, seat, action, call, stance, comment, call.plan.requires_tripartite)
    if not new_state.complete:
        return False
    now = utcnow()
    if action is Action.PUBLISH_CALL:
        call.published_at = now
    else:
        call.results_published_at = now
    eventlog.record(actor, Verb.PUBLISHED if action is Action.PUBLISH_CALL else Verb.RESULTS_PUBLISHED, call, sector=seat.sector, territory="national", call=call,
                    data={"action": action.value, "approved_by": [s.value for s in new_state.approvals],
                          "short_notice": call.short_notice, "notice_days": call.notice.days})
    db.session.flush()
    return True


def withdraw_position(actor: User, call: Call, approval_id: int) -> None:
    from ..approvals.models import Approval

    approval = db.session.get(Approval, approval_id)
    if approval is None or approval.call_id != call.id:
        raise ServiceError(_("There is no such position on this call."))
    if rules.act_done(call, approval.action):
        raise ServiceError(_("The act has been carried out; its approvals are part of the record."))
    approvals.withdraw(actor, approval, call)


# --- queries for pages -----------------------------------------------------------------------------


@dataclass
class CallLists:
    open: list[Call]
    upcoming: list[Call]
    closed: list[Call]
    drafts: list[Call]


def call_lists(include_drafts: bool) -> CallLists:
    now = utcnow()
    calls = db.session.scalars(
        select(Call).options(selectinload(Call.plan)).order_by(Call.opens_at.desc(), Call.id.desc())
    ).all()
    lists = CallLists([], [], [], [])
    for call in calls:
        phase = call.phase_at(now)
        if not visibility.call_is_public(call, now):  # drafts, and published calls not announced yet
            if include_drafts:
                lists.drafts.append(call)
        elif phase is Phase.OPEN:
            lists.open.append(call)
        elif phase is Phase.ANNOUNCED:
            lists.upcoming.append(call)
        else:
            lists.closed.append(call)
    return lists


def calls_of_plan(plan: ActionPlan, include_drafts: bool) -> list[Call]:
    query = select(Call).where(Call.plan_id == plan.id).order_by(Call.opens_at)
    if not include_drafts:
        query = query.where(visibility.public_call())
    return list(db.session.scalars(query))


def timeline(call: Call) -> list[tuple[str, str, datetime]]:
    """(attribute, label, date) for each step of the schedule, in order."""
    return [(name, str(label), getattr(call, name)) for name, label in SCHEDULE]


def proposal_count(call: Call) -> int:
    from ..proposals.models import Proposal

    return db.session.scalar(select(func.count(Proposal.id)).where(Proposal.call_id == call.id))


@dataclass
class TimelinePoint:
    label: str
    date: datetime
    x: float
    above: bool
    passed: bool


@dataclass
class TimelineFigure:
    width: int
    points: list[TimelinePoint]
    today_x: float | None


def timeline_figure(call: Call, now: datetime | None = None, width: int = 960, margin: int = 90) -> TimelineFigure:
    """Geometry of the timeline drawn on the call's page: each step placed in proportion to its date."""
    now = now or utcnow()
    steps = timeline(call)
    start, end = steps[0][2], steps[-1][2]
    span = max((end - start).total_seconds(), 1)
    plot = width - 2 * margin

    def x(when: datetime) -> float:
        return round(margin + plot * (when - start).total_seconds() / span, 1)

    points = [TimelinePoint(label, date, x(date), i % 2 == 0, date <= now) for i, (_n, label, date) in enumerate(steps)]
    return TimelineFigure(width, points, x(now) if start <= now <= end else None)


def page_audience(user, call: Call) -> str:
    """Who the shared part of the call's page (calls/_detail.html) is rendered for: its own for whoever
    took a position on the call (permissions.audience)."""
    return permissions.audience(user, owns=lambda: approvals.took_position(user, call))
