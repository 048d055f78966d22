"""The influence report of a call or a plan: the level with its evidence (influence.py), who participated
(participation.py), process flags (flags.py) and the timeline, plus its JSON and CSV forms.

Links are kept as (endpoint, values) and resolved by the caller's ``link`` function, so this module
never needs a request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import visibility
from ..calls.models import Call
from ..calls.phases import PHASE_LABELS, SCHEDULE, Phase
from ..core import pagecache, territories
from ..core.db import utcnow
from ..core.eventlog import Channel
from ..core.sectors import Sector
from ..drafts.models import DraftCommitment, DraftVersion
from ..extensions import db
from ..meetings.models import Meeting
from ..plans.models import ActionPlan
from ..responses.models import Outcome
from ..votes.models import Ballot
from . import flags as flags_module
from .contributions import AWAITING
from .flags import Flag
from .influence import Assessment, Evidence, assess
from .levels import LEVELS, Level
from .participation import Participation, who_participated
from .scope import Scope

Link = Callable[[str, dict], str]
TIMELINE_LIMIT = 40  # markers per kind in the figure; the table says how many more there are

CHANNEL_LABELS = {Channel.ONLINE.value: _l("Online"), Channel.IN_PERSON.value: _l("In person")}


@dataclass
class TimelineEntry:
    when: datetime
    label: str
    kind: str  # call, meeting, version, ballot
    endpoint: str
    values: dict


@dataclass
class InfluenceReport:
    scope: Scope
    assessment: Assessment
    participation: Participation
    flags: list[Flag]
    timeline: list[TimelineEntry]
    timeline_more: int
    generated_at: datetime

    @property
    def level(self) -> Level:
        return self.assessment.level

    @property
    def counts(self):
        return self.assessment.counts


def report(scope: Scope, now: datetime | None = None) -> InfluenceReport:
    """The report as of ``now``; without ``now``, the latest, from the per-process cache when it holds."""
    if now is None:
        return _cached(scope)
    return _compute(scope, now)


def _compute(scope: Scope, now: datetime) -> InfluenceReport:
    assessment = assess(scope, now)
    entries, more = timeline(scope)
    return InfluenceReport(scope, assessment, who_participated(scope),
                           flags_module.process_flags(scope, assessment.counts, now), entries, more, now)


# --- the cache ---------------------------------------------------------------------------------------
# Every act that can change a report appends to the participation log (STYLE.md convention 4), so a
# report is valid for as long as the log's head is the same; time matters too (a window closing makes
# contributions due), so it also expires at the next scheduled transition (transitions.py) and after
# REPORT_CACHE_SECONDS at most. It is kept in the store the page cache uses (core/pagecache.py: Redis,
# shared by every process, where configured), and on a miss one thread computes it while the others
# wait. REPORT_CACHE_SECONDS = 0 computes it on every request.


def _cached(scope: Scope) -> InfluenceReport:
    now = utcnow()
    seconds = current_app.config.get("REPORT_CACHE_SECONDS", 0)
    if not seconds:
        return _compute(scope, now)
    head, window = pagecache.head_and_window()
    key = f"report:{head}:{window.timestamp():.0f}:{scope.kind}:{scope.id}:{get_locale()}"
    return pagecache.memo(key, lambda: _compute(scope, now), min(window, now + timedelta(seconds=seconds)))


def plan_report(plan: ActionPlan, now: datetime | None = None) -> InfluenceReport:
    return report(Scope.of_plan(plan), now)


def call_report(call: Call, now: datetime | None = None) -> InfluenceReport:
    return report(Scope.of_call(call), now)


def plans() -> list[ActionPlan]:
    """Every public plan, oldest first (the choices of the comparison form)."""
    return list(db.session.scalars(select(ActionPlan).where(visibility.public_plan())
                                   .order_by(ActionPlan.period_start, ActionPlan.id)))


def plan_level(plan: ActionPlan, now: datetime | None = None) -> Level:
    return report(Scope.of_plan(plan), now).level


def previous_plan(plan: ActionPlan) -> ActionPlan | None:
    """The public plan before this one (by period), the natural comparison, as the IRM compares plan 1 and 2."""
    return db.session.scalar(
        select(ActionPlan).where(ActionPlan.id != plan.id, ActionPlan.period_start <= plan.period_start,
                                 visibility.public_plan())
        .order_by(ActionPlan.period_start.desc(), ActionPlan.id.desc()).limit(1)
    )


# --- the timeline ------------------------------------------------------------------------------------


def timeline(scope: Scope) -> tuple[list[TimelineEntry], int]:
    """The dated steps of the process: each call's schedule, meetings, draft versions and ballots, the
    public ones only (visibility.py; scope.calls() keeps the public calls). Each kind is capped at TIMELINE_LIMIT entries (the first ones), so a huge process stays one figure.
    Steps at the same moment keep the order of their ids, so every database gives the same timeline."""
    entries: list[TimelineEntry] = []
    more = 0
    calls = db.session.execute(
        select(Call).where(scope.calls()).order_by(Call.announce_at, Call.id).limit(TIMELINE_LIMIT)
    ).scalars().all()
    for call in calls:
        for attribute, label in (SCHEDULE[0], SCHEDULE[1], SCHEDULE[2], SCHEDULE[5]):
            name = f"{label}: {call.title}" if scope.is_plan else str(label)
            entries.append(TimelineEntry(getattr(call, attribute), name, "call", "calls.detail", {"call_id": call.id}))

    def capped(kind: str, query, make) -> None:
        nonlocal more
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        more += max(0, total - TIMELINE_LIMIT)
        for row in db.session.execute(query.limit(TIMELINE_LIMIT)):
            entries.append(make(row))

    capped("meeting",
           select(Meeting.id, Meeting.title, Meeting.starts_at).join(Call, Call.id == Meeting.call_id)
           .where(scope.calls(), visibility.public_meeting()).order_by(Meeting.starts_at, Meeting.id),
           lambda r: TimelineEntry(r.starts_at, r.title, "meeting", "meetings.detail", {"meeting_id": r.id}))
    capped("version",
           select(DraftVersion.draft_id, DraftVersion.number, DraftVersion.published_at, DraftCommitment.title)
           .join(DraftCommitment, DraftCommitment.id == DraftVersion.draft_id)
           .join(Call, Call.id == DraftCommitment.call_id).where(scope.calls()).order_by(DraftVersion.published_at, DraftVersion.id),
           lambda r: TimelineEntry(r.published_at, _("%(title)s, version %(number)d", title=r.title, number=r.number),
                                   "version", "drafts.version", {"draft_id": r.draft_id, "number": r.number}))
    capped("ballot",
           select(Ballot.id, Ballot.question, Ballot.closes_at).join(Call, Call.id == Ballot.call_id)
           .where(scope.calls(), visibility.public_ballot()).order_by(Ballot.closes_at, Ballot.id),
           lambda r: TimelineEntry(r.closes_at, r.question, "ballot", "votes.detail", {"ballot_id": r.id}))
    entries.sort(key=lambda e: e.when)
    return entries, more


# --- breakdowns as tables (the page, CSV and JSON all read these) -----------------------------------


def outcome_label(code: str) -> str:
    return _("Awaiting a response") if code == AWAITING else str(Outcome(code).label)


OUTCOME_COLUMNS = [o.value for o in Outcome] + [AWAITING]

BREAKDOWNS = ("sector", "territory", "channel", "phase", "outcomes")


def breakdown(rep: InfluenceReport, name: str) -> tuple[list[str], list[list]]:
    """(header, rows) of one breakdown, the same numbers the page and the JSON show."""
    p = rep.participation
    if name == "sector":
        return ([_("Sector code"), _("Sector"), _("People"), _("Organisations"), _("Acts"),
                 _("People counted at meetings without an account")],
                [[r.key, str(Sector(r.key).label), r.people, r.organisations, r.acts, r.unregistered] for r in p.by_sector])
    if name == "territory":
        return ([_("Territory code"), _("Territory"), _("People"), _("Organisations"), _("Acts"),
                 _("People counted at meetings without an account")],
                [[r.key, territories.name(r.key), r.people, r.organisations, r.acts, r.unregistered]
                 for r in p.by_territory])
    if name == "channel":
        return ([_("Channel code"), _("Channel"), _("People"), _("Acts"),
                 _("People counted at meetings without an account")],
                [[r.key, str(CHANNEL_LABELS[r.key]), r.people, r.acts, r.unregistered] for r in p.by_channel])
    if name == "phase":
        return ([_("Phase code"), _("Phase"), _("People"), _("Organisations"), _("Acts")],
                [[r.key, str(PHASE_LABELS[Phase(r.key)]), r.people, r.organisations, r.acts] for r in p.by_phase])
    if name == "outcomes":
        by_sector = rep.counts.by_sector
        header = [_("Sector code"), _("Sector"), _("Contributions")] + [outcome_label(o) for o in OUTCOME_COLUMNS]
        rows = []
        for sector in Sector:
            outcomes = by_sector.get(sector.value, {})
            if outcomes:
                rows.append([sector.value, str(sector.label), sum(outcomes.values())]
                            + [outcomes.get(o, 0) for o in OUTCOME_COLUMNS])
        return header, rows
    raise KeyError(name)


# --- JSON --------------------------------------------------------------------------------------------


def _evidence(items: list[Evidence], link: Link) -> list[dict]:
    return [{"text": e.text, "url": link(e.endpoint, e.values) if e.endpoint else None} for e in items]


def as_json(rep: InfluenceReport, link: Link) -> dict:
    """The report as JSON (issue 5): level, evidence per level, missing_for_next, participants,
    response_coverage, flags, plus contributions by sector and the timeline."""
    a, p, c = rep.assessment, rep.participation, rep.counts
    scope_endpoint = ("plans.detail", {"plan_id": rep.scope.id}) if rep.scope.is_plan else \
        ("calls.detail", {"call_id": rep.scope.id})

    def rows(name: str, keys: list[str]) -> list[dict]:
        _header, table = breakdown(rep, name)
        return [dict(zip(keys, r, strict=True)) for r in table]

    return {
        "scope": {"type": rep.scope.kind, "id": rep.scope.id, "name": rep.scope.name, "url": link(*scope_endpoint)},
        "generated_at": rep.generated_at.isoformat(),
        "method": "evidence-based: computed from the participation record (shared/DOMAIN.md)",
        "level": a.level.value,
        "level_label": str(a.level.label),
        "levels": [lvl.value for lvl in LEVELS],
        "evidence": [
            # "met": the level's own conditions hold; "reached": they and every level below hold.
            {"level": chk.level.value, "met": chk.met, "reached": a.reached(chk.level),
             "evidence": _evidence(chk.evidence, link),
             "missing": _evidence(chk.missing, link)} for chk in a.checks
        ],
        "next_level": a.level.next.value if a.level.next else None,
        "missing_for_next": _evidence(a.missing_for_next, link),
        "response_coverage": {
            "contributions": c.total, "proposals": c.by_kind.get("proposal", 0), "comments": c.by_kind.get("comment", 0),
            "answered": c.answered, "due": c.due, "due_answered": c.due_answered, "due_unanswered": c.due_unanswered,
            "awaiting_window": c.awaiting_window, "without_justification": c.unjustified,
            "percent": round(100 * c.coverage, 1) if c.coverage is not None else None,
        },
        "participants": {
            "people": p.total_people, "registered_people": p.people, "unregistered_people": p.unregistered,
            "organisations": p.organisations, "acts": p.acts,
            "non_government_share": round(p.non_government_share, 4) if p.non_government_share is not None else None,
            "territories_reached": p.territories_reached, "territories_total": p.territories_total,
            "by_sector": rows("sector", ["sector", "label", "people", "organisations", "acts", "unregistered"]),
            "by_territory": rows("territory", ["territory", "label", "people", "organisations", "acts", "unregistered"]),
            "by_channel": rows("channel", ["channel", "label", "people", "acts", "unregistered"]),
            "by_phase": rows("phase", ["phase", "label", "people", "organisations", "acts"]),
        },
        "contributions_by_sector": rows("outcomes", ["sector", "label", "contributions", *OUTCOME_COLUMNS]),
        "flags": [{"code": f.code, "title": str(f.title), "status": f.status.value, "detail": f.detail,
                   "evidence": _evidence(f.evidence, link)} for f in rep.flags],
        "timeline": [{"date": e.when.isoformat(), "kind": e.kind, "label": e.label, "url": link(e.endpoint, e.values)}
                     for e in rep.timeline],
    }
