"""Monitoring adopted commitments: implementation (institution, contacts, milestones' progress and
evidence, indicators and measurements), the IRM's assessment, a plan's settings and recommendations,
and the figures of a plan's performance.

Every act is appended to the participation log in the caller's transaction (core/eventlog.py), and
nothing is overwritten without a trace: each change adds a row (models.py says which). Services take
plain data and the acting user, check the rules (rules.py) and flush; views commit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import permissions, visibility
from ..auth.models import User
from ..calls.models import Call
from ..core import eventlog, richtext
from ..core.db import utcnow
from ..core.errors import ServiceError
from ..core.eventlog import Verb
from ..core.i18n import to_local
from ..drafts.models import DraftCommitment, DraftVersion, Milestone, MilestoneStatus
from ..extensions import db
from ..organisations.acting import individual_sector
from ..organisations.models import Organisation, Verification
from ..plans.models import ActionPlan
from ..responses import services as responses
from ..responses.models import Response
from . import rules
from .models import (
    SCALE_CRITERIA,
    AssessmentEntry,
    Assessor,
    Contact,
    Criterion,
    EvidenceLink,
    ImplementationComment,
    Indicator,
    Measurement,
    MilestoneUpdate,
    PlanMonitoring,
    Recommendation,
    RecommendationLink,
    RecommendationStatus,
    RecommendationUpdate,
    ResponsibleInstitution,
    Scale,
)


def today() -> date:
    """Today where the process happens (dates of milestones are local dates)."""
    return to_local(utcnow()).date()


def _check(refusal: str | None, field_name: str | None = None) -> None:
    if refusal:
        raise ServiceError(refusal, field=field_name)


def _log(actor: User, verb: Verb, subject, draft: DraftCommitment | None = None, *, plan=None, data=None):
    """The act on the log, as part of the commitment's call (so it is public exactly when the call is)."""
    return eventlog.record(actor, verb, subject, call=draft.call if draft is not None else None, plan=plan,
                           data=data or {})


def _adopted(draft: DraftCommitment) -> None:
    _check(rules.monitoring_refusal(draft))


# --- reading ---------------------------------------------------------------------------------------------


def plan_settings(plan: ActionPlan) -> PlanMonitoring:
    """The plan's monitoring settings (the defaults, unsaved, when the secretariat set none)."""
    return db.session.get(PlanMonitoring, plan.id) or PlanMonitoring(plan_id=plan.id, scale=Scale.RESULTS_2020,
                                                                     reference_label="")


def institution_of(draft: DraftCommitment) -> ResponsibleInstitution | None:
    return db.session.scalar(select(ResponsibleInstitution).where(ResponsibleInstitution.draft_id == draft.id)
                             .order_by(ResponsibleInstitution.id.desc()).limit(1))


def institutions_history(draft: DraftCommitment) -> list[ResponsibleInstitution]:
    return list(db.session.scalars(select(ResponsibleInstitution).where(ResponsibleInstitution.draft_id == draft.id)
                                   .order_by(ResponsibleInstitution.id)))


def contacts_of(draft: DraftCommitment) -> list[Contact]:
    return list(db.session.scalars(select(Contact).options(selectinload(Contact.user))
                                   .where(Contact.draft_id == draft.id, Contact.ended_at.is_(None))
                                   .order_by(Contact.id)))


def milestones_of(draft: DraftCommitment) -> list[Milestone]:
    """The milestones being implemented: those of the adopted (last) version."""
    version = draft.current_version
    return list(version.milestones) if version is not None else []


def updates_of(milestones: list[Milestone]) -> dict[int, list[MilestoneUpdate]]:
    result: dict[int, list[MilestoneUpdate]] = defaultdict(list)
    ids = [m.id for m in milestones]
    if ids:
        for u in db.session.scalars(select(MilestoneUpdate).options(selectinload(MilestoneUpdate.author))
                                    .where(MilestoneUpdate.milestone_id.in_(ids)).order_by(MilestoneUpdate.id)):
            result[u.milestone_id].append(u)
    return result


def evidence_of(milestones: list[Milestone]) -> dict[int, list[EvidenceLink]]:
    result: dict[int, list[EvidenceLink]] = defaultdict(list)
    ids = [m.id for m in milestones]
    if ids:
        for e in db.session.scalars(select(EvidenceLink).where(EvidenceLink.milestone_id.in_(ids))
                                    .order_by(EvidenceLink.id)):
            result[e.milestone_id].append(e)
    return result


def indicators_of(draft: DraftCommitment) -> list[Indicator]:
    return list(db.session.scalars(select(Indicator).options(selectinload(Indicator.measurements))
                                   .where(Indicator.draft_id == draft.id).order_by(Indicator.id)))


def assessment_history(draft: DraftCommitment) -> list[AssessmentEntry]:
    return list(db.session.scalars(select(AssessmentEntry).options(selectinload(AssessmentEntry.recorded_by))
                                   .where(AssessmentEntry.draft_id == draft.id).order_by(AssessmentEntry.id)))


def standing(entries: list[AssessmentEntry]) -> dict[Criterion, AssessmentEntry]:
    """The newest entry per criterion (entries in the order they were recorded)."""
    result: dict[Criterion, AssessmentEntry] = {}
    for entry in entries:
        result[entry.criterion] = entry
    return result


def values(current: dict[Criterion, AssessmentEntry]) -> dict[Criterion, str]:
    return {criterion: entry.value for criterion, entry in current.items()}


# --- implementation ------------------------------------------------------------------------------------


def set_institution(actor: User, draft: DraftCommitment, data: dict) -> ResponsibleInstitution:
    _adopted(draft)
    name = (data.get("name") or "").strip()
    if not name:
        raise ServiceError(_("Name the responsible institution."), field="name")
    current = institution_of(draft)
    if current is not None and current.name == name:
        raise ServiceError(_("That is already the responsible institution. Nothing was saved."), field="name")
    row = ResponsibleInstitution(draft_id=draft.id, name=name, named_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    _log(actor, Verb.CREATED, row, draft, data={"commitment": draft.id, "institution": name,
                                                "previous": current.name if current else None})
    return row


def name_contact(actor: User, draft: DraftCommitment, data: dict) -> Contact:
    _adopted(draft)
    email = (data.get("email") or "").strip().lower()
    person = db.session.scalar(select(User).where(func.lower(User.email) == email)) if email else None
    if person is None or not person.is_confirmed or not person.is_active:
        raise ServiceError(_("There is no confirmed account with that e-mail address. Nothing was saved."),
                           field="email")
    _check(rules.contact_refusal(individual_sector(person)), "email")
    if any(c.user_id == person.id for c in contacts_of(draft)):
        raise ServiceError(_("This person is already a contact for the commitment. Nothing was saved."), field="email")
    contact = Contact(draft_id=draft.id, user_id=person.id, named_by_id=actor.id)
    db.session.add(contact)
    db.session.flush()
    _log(actor, Verb.CREATED, contact, draft, data={"commitment": draft.id, "contact": person.display_name})
    return contact


def end_contact(actor: User, draft: DraftCommitment, contact: Contact) -> None:
    if contact.draft_id != draft.id or contact.ended_at is not None:
        raise ServiceError(_("This person is no longer a contact for the commitment."))
    contact.ended_at = utcnow()
    contact.ended_by_id = actor.id
    db.session.flush()
    _log(actor, Verb.EDITED, contact, draft, data={"commitment": draft.id, "contact": contact.user.display_name,
                                                   "ended": True})


def _milestone_of(draft: DraftCommitment, milestone_id: int) -> Milestone:
    for milestone in milestones_of(draft):
        if milestone.id == milestone_id:
            return milestone
    raise ServiceError(_("This milestone is not one of the adopted commitment's. Nothing was saved."))


def report_progress(actor: User, draft: DraftCommitment, milestone_id: int, data: dict) -> MilestoneUpdate:
    """A milestone's new status and actual dates; the earlier ones stay as MilestoneUpdate rows."""
    _adopted(draft)
    milestone = _milestone_of(draft, milestone_id)
    try:
        status = MilestoneStatus(data.get("status"))
    except ValueError:
        raise ServiceError(_("Choose the milestone's status."), field="status") from None
    actual_start, actual_end = data.get("actual_start"), data.get("actual_end")
    _check(rules.progress_refusal(actual_start, actual_end, today()), "actual_end")
    if status is MilestoneStatus.COMPLETE and actual_end is None:
        raise ServiceError(_("Give the date the milestone was completed."), field="actual_end")
    note = (data.get("note") or "").strip()
    if (status, actual_start, actual_end) == (milestone.status, milestone.actual_start, milestone.actual_end) \
            and not note:
        raise ServiceError(_("Nothing changed: give a new status, dates or a note. Nothing was saved."), field="status")
    update = MilestoneUpdate(milestone_id=milestone.id, status=status, actual_start=actual_start,
                             actual_end=actual_end, note=note, author_id=actor.id)
    milestone.status, milestone.actual_start, milestone.actual_end = status, actual_start, actual_end
    db.session.add(update)
    db.session.flush()
    _log(actor, Verb.PROGRESS_REPORTED, milestone, draft, data={
        "commitment": draft.id, "status": status.value, "actual_start": actual_start, "actual_end": actual_end,
        "note": note})
    return update


def safe_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def add_evidence(actor: User, draft: DraftCommitment, milestone_id: int, data: dict) -> EvidenceLink:
    _adopted(draft)
    milestone = _milestone_of(draft, milestone_id)
    url = (data.get("url") or "").strip()
    if not safe_url(url):
        raise ServiceError(_("Give a web address starting with http:// or https://."), field="url")
    title = (data.get("title") or "").strip()
    if not title:
        raise ServiceError(_("Say what the link shows."), field="title")
    link = EvidenceLink(milestone_id=milestone.id, url=url, title=title, added_by_id=actor.id)
    db.session.add(link)
    db.session.flush()
    _log(actor, Verb.CREATED, link, draft, data={"commitment": draft.id, "milestone": milestone.id, "url": url,
                                                 "title": title})
    return link


INDICATOR_TEXT = ("name", "target_population", "criterion", "unit")


def add_indicator(actor: User, draft: DraftCommitment, data: dict) -> Indicator:
    _adopted(draft)
    text = {name: (data.get(name) or "").strip() for name in INDICATOR_TEXT}
    for name, value in text.items():
        if not value:
            raise ServiceError(_("This field is required."), field=name)
    numbers = {name: data.get(name) for name in ("baseline_value", "target_value", "baseline_date", "target_date")}
    for name, value in numbers.items():
        if value is None:
            raise ServiceError(_("This field is required."), field=name)
    if numbers["target_value"] == numbers["baseline_value"]:
        raise ServiceError(_("The target must differ from the baseline."), field="target_value")
    _check(rules.indicator_refusal(numbers["baseline_date"], numbers["target_date"]), "target_date")
    indicator = Indicator(draft_id=draft.id, created_by_id=actor.id, **text,
                          baseline_value=float(numbers["baseline_value"]), baseline_date=numbers["baseline_date"],
                          target_value=float(numbers["target_value"]), target_date=numbers["target_date"])
    db.session.add(indicator)
    db.session.flush()
    _log(actor, Verb.CREATED, indicator, draft, data={"commitment": draft.id, **text, **numbers})
    return indicator


def add_measurement(actor: User, draft: DraftCommitment, indicator_id: int, data: dict) -> Measurement:
    _adopted(draft)
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None or indicator.draft_id != draft.id:
        raise ServiceError(_("This indicator is not one of the commitment's. Nothing was saved."))
    value, measured_on = data.get("value"), data.get("measured_on")
    if value is None:
        raise ServiceError(_("This field is required."), field="value")
    if measured_on is None:
        raise ServiceError(_("This field is required."), field="measured_on")
    _check(rules.measurement_refusal(indicator, measured_on, today()), "measured_on")
    source = (data.get("source") or "").strip()
    if not source:
        raise ServiceError(_("Say where the figure comes from."), field="source")
    measurement = Measurement(indicator_id=indicator.id, value=float(value), measured_on=measured_on, source=source,
                              recorded_by_id=actor.id)
    db.session.add(measurement)
    db.session.flush()
    _log(actor, Verb.MEASURED, measurement, draft, data={"commitment": draft.id, "indicator": indicator.id,
                                                         "value": float(value), "measured_on": measured_on,
                                                         "source": source})
    return measurement


# --- the IRM's assessment --------------------------------------------------------------------------------


def assess(actor: User, draft: DraftCommitment, data: dict) -> AssessmentEntry:
    """One criterion's value with its justification and date, on the plan's scale (stored with it)."""
    _adopted(draft)
    scale = plan_settings(draft.call.plan).scale
    try:
        criterion = Criterion(data.get("criterion"))
    except ValueError:
        raise ServiceError(_("Choose the criterion you assess."), field="criterion") from None
    if criterion not in SCALE_CRITERIA[scale]:
        raise ServiceError(rules.assessment_refusal(scale, criterion, "", {}))
    value = data.get("value") or ""
    current = values(standing(assessment_history(draft)))
    _check(rules.assessment_refusal(scale, criterion, value, current), "value")
    justification = (data.get("justification") or "").strip()
    if not justification:
        raise ServiceError(_("Give the justification of the assessment."), field="justification")
    assessed_on = data.get("assessed_on")
    if assessed_on is None or assessed_on > today():
        raise ServiceError(_("Give the date of the assessment: today or earlier."), field="assessed_on")
    entry = AssessmentEntry(draft_id=draft.id, scale=scale, criterion=criterion, value=value,
                            justification=justification, assessed_on=assessed_on, recorded_by_id=actor.id)
    db.session.add(entry)
    db.session.flush()
    _log(actor, Verb.ASSESSED, entry, draft, data={"commitment": draft.id, "scale": scale.value,
                                                   "criterion": criterion.value, "value": value,
                                                   "justification": justification, "assessed_on": assessed_on})
    return entry


def grant_assessor(actor: User, data: dict) -> Assessor:
    email = (data.get("email") or "").strip().lower()
    person = db.session.scalar(select(User).where(func.lower(User.email) == email)) if email else None
    if person is None or not person.is_confirmed or not person.is_active:
        raise ServiceError(_("There is no confirmed account with that e-mail address. Nothing was saved."),
                           field="email")
    if db.session.scalar(select(Assessor.id).where(Assessor.user_id == person.id, Assessor.ended_at.is_(None))):
        raise ServiceError(_("This person is already an assessor. Nothing was saved."), field="email")
    grant = Assessor(user_id=person.id, granted_by_id=actor.id)
    db.session.add(grant)
    db.session.flush()
    eventlog.record(actor, Verb.ROLE_CHANGED, grant, data={"assessor": person.display_name})
    return grant


# --- the plan: settings and recommendations --------------------------------------------------------------


def update_settings(actor: User, plan: ActionPlan, data: dict) -> PlanMonitoring:
    try:
        scale = Scale(data.get("scale"))
    except ValueError:
        raise ServiceError(_("Choose the IRM method the plan is assessed with."), field="scale") from None
    settings = db.session.get(PlanMonitoring, plan.id)
    if settings is None:
        settings = PlanMonitoring(plan_id=plan.id)
        db.session.add(settings)
    for name in ("reference_completion", "reference_ambition"):
        value = data.get(name)
        if value is not None and not 0 <= value <= 100:
            raise ServiceError(_("Give a percentage from 0 to 100."), field=name)
    settings.scale = scale
    settings.reference_label = (data.get("reference_label") or "").strip()
    settings.reference_completion = data.get("reference_completion")
    settings.reference_ambition = data.get("reference_ambition")
    settings.updated_by_id = actor.id
    db.session.flush()
    eventlog.record(actor, Verb.EDITED, plan, plan=plan, data={"monitoring_settings": True,
        "scale": scale.value, "reference_label": settings.reference_label,
        "reference_completion": settings.reference_completion, "reference_ambition": settings.reference_ambition})
    return settings


def add_recommendation(actor: User, plan: ActionPlan, data: dict) -> Recommendation:
    title, body = (data.get("title") or "").strip(), (data.get("body") or "").strip()
    if not title:
        raise ServiceError(_("Give the recommendation a title."), field="title")
    if not body:
        raise ServiceError(_("Write what the IRM recommends."), field="body")
    position = db.session.scalar(select(func.count(Recommendation.id)).where(Recommendation.plan_id == plan.id)) or 0
    rec = Recommendation(plan_id=plan.id, position=position, title=title, body=body, created_by_id=actor.id,
                         status=RecommendationStatus.NOT_STARTED)
    db.session.add(rec)
    db.session.flush()
    eventlog.record(actor, Verb.CREATED, rec, plan=plan, data={"title": title, "body": body})
    return rec


def update_recommendation(actor: User, plan: ActionPlan, rec: Recommendation, data: dict) -> RecommendationUpdate:
    """Its status and what was done (the earlier ones kept), and what answers it: commitments and
    meetings of the same plan."""
    if rec.plan_id != plan.id:
        raise ServiceError(_("This recommendation belongs to another plan."))
    try:
        status = RecommendationStatus(data.get("status"))
    except ValueError:
        raise ServiceError(_("Choose the recommendation's status."), field="status") from None
    done = (data.get("what_was_done") or "").strip()
    links = _links(plan, data.get("drafts") or [], data.get("meetings") or [])
    update = RecommendationUpdate(recommendation_id=rec.id, status=status, what_was_done=done, author_id=actor.id)
    rec.status, rec.what_was_done = status, done
    known = {(link.draft_id, link.meeting_id) for link in rec.links}
    for draft_id, meeting_id in links:
        if (draft_id, meeting_id) not in known:
            rec.links.append(RecommendationLink(recommendation_id=rec.id, draft_id=draft_id, meeting_id=meeting_id))
    db.session.add(update)
    db.session.flush()
    eventlog.record(actor, Verb.EDITED, rec, plan=plan, data={
        "status": status.value, "what_was_done": done, "links": [list(pair) for pair in links]})
    return update


def _links(plan: ActionPlan, draft_ids: list[int], meeting_ids: list[int]) -> list[tuple[int | None, int | None]]:
    from ..meetings.models import Meeting

    call_ids = select(Call.id).where(Call.plan_id == plan.id)
    drafts = set(db.session.scalars(select(DraftCommitment.id).where(
        DraftCommitment.id.in_(draft_ids), DraftCommitment.call_id.in_(call_ids)))) if draft_ids else set()
    meetings = set(db.session.scalars(select(Meeting.id).where(
        Meeting.id.in_(meeting_ids), Meeting.call_id.in_(call_ids)))) if meeting_ids else set()
    if drafts != set(draft_ids) or meetings != set(meeting_ids):
        raise ServiceError(_("Link only commitments and meetings of this plan."), field="drafts")
    return [(d, None) for d in sorted(drafts)] + [(None, m) for m in sorted(meetings)]


def recommendations_of(plan: ActionPlan) -> list[Recommendation]:
    return list(db.session.scalars(
        select(Recommendation).options(selectinload(Recommendation.links).selectinload(RecommendationLink.draft),
                                       selectinload(Recommendation.links).selectinload(RecommendationLink.meeting))
        .where(Recommendation.plan_id == plan.id).order_by(Recommendation.position, Recommendation.id)))


# --- a plan's performance ----------------------------------------------------------------------------------


@dataclass
class CommitmentRow:
    draft: DraftCommitment
    institution: str | None
    milestones: list[Milestone]
    indicators: list[Indicator]
    current: dict[Criterion, AssessmentEntry]
    starred: bool | None
    completed: bool
    ambitious: bool
    overdue: list[Milestone] = field(default_factory=list)
    at_risk: list[Milestone] = field(default_factory=list)


@dataclass
class Performance:
    plan: ActionPlan
    settings: PlanMonitoring
    today: date
    rows: list[CommitmentRow]

    @property
    def total(self) -> int:
        return len(self.rows)

    def share(self, attribute: str) -> int | None:
        """Percent of the plan's commitments that are completed / ambitious (None without commitments)."""
        if not self.rows:
            return None
        return round(100 * sum(1 for r in self.rows if getattr(r, attribute)) / len(self.rows))

    @property
    def completion(self) -> int | None:
        return self.share("completed")

    @property
    def ambition(self) -> int | None:
        return self.share("ambitious")

    @property
    def starred(self) -> int | None:
        if self.settings.scale is not Scale.IMPACT_LEGACY:
            return None
        return sum(1 for r in self.rows if r.starred)

    @property
    def milestones(self) -> list[tuple[CommitmentRow, Milestone]]:
        return sorted(((r, m) for r in self.rows for m in r.milestones), key=lambda pair: (pair[1].due, pair[1].id))

    @property
    def indicators(self) -> list[tuple[CommitmentRow, Indicator]]:
        return [(r, i) for r in self.rows for i in r.indicators]


def adopted_commitments(plan: ActionPlan, *, public_only: bool) -> list[DraftCommitment]:
    query = (select(DraftCommitment).join(Call, Call.id == DraftCommitment.call_id)
             .where(Call.plan_id == plan.id, DraftCommitment.adopted_via.is_not(None))
             .order_by(DraftCommitment.id))
    if public_only:
        query = query.where(visibility.public_draft())
    return list(db.session.scalars(query))


def performance(plan: ActionPlan, *, public_only: bool = True) -> Performance:
    """Everything the performance page shows, in a fixed number of statements whatever the data's size."""
    settings = plan_settings(plan)
    drafts = adopted_commitments(plan, public_only=public_only)
    ids = [d.id for d in drafts]
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    indicators: dict[int, list[Indicator]] = defaultdict(list)
    entries: dict[int, list[AssessmentEntry]] = defaultdict(list)
    institutions: dict[int, str] = {}
    flagged: set[int] = set()
    if ids:
        last = (select(DraftVersion.draft_id, func.max(DraftVersion.number).label("number"))
                .where(DraftVersion.draft_id.in_(ids)).group_by(DraftVersion.draft_id).subquery())
        for draft_id, milestone in db.session.execute(
            select(DraftVersion.draft_id, Milestone).join(Milestone, Milestone.version_id == DraftVersion.id)
            .join(last, (last.c.draft_id == DraftVersion.draft_id) & (last.c.number == DraftVersion.number))
            .order_by(Milestone.position, Milestone.id)
        ):
            milestones[draft_id].append(milestone)
        for indicator in db.session.scalars(select(Indicator).options(selectinload(Indicator.measurements))
                                            .where(Indicator.draft_id.in_(ids)).order_by(Indicator.id)):
            indicators[indicator.draft_id].append(indicator)
        for entry in db.session.scalars(select(AssessmentEntry).where(AssessmentEntry.draft_id.in_(ids))
                                        .order_by(AssessmentEntry.id)):
            entries[entry.draft_id].append(entry)
        flagged = set(db.session.scalars(
            select(ImplementationComment.milestone_id).where(ImplementationComment.draft_id.in_(ids),
                                                             ImplementationComment.at_risk).distinct()))
        for row in db.session.execute(select(ResponsibleInstitution.draft_id, ResponsibleInstitution.name)
                                      .where(ResponsibleInstitution.draft_id.in_(ids))
                                      .order_by(ResponsibleInstitution.id)):
            institutions[row.draft_id] = row.name
    now = today()
    rows = []
    for draft in drafts:
        current = standing(entries[draft.id])
        # Each entry keeps the scale it used; the plan's figures read those on the plan's scale.
        on_scale = {c: e for c, e in current.items() if e.scale is settings.scale}
        vals = values(on_scale)
        rows.append(CommitmentRow(
            draft=draft, institution=institutions.get(draft.id), milestones=milestones[draft.id],
            indicators=indicators[draft.id], current=current, starred=rules.is_starred(settings.scale, vals),
            completed=rules.is_completed(vals), ambitious=rules.is_ambitious(settings.scale, vals),
            overdue=[m for m in milestones[draft.id] if m.is_overdue(now)],
            # At risk: a participant flagged it, and it is not done yet.
            at_risk=[m for m in milestones[draft.id] if m.id in flagged and not m.status.is_closed]))
    return Performance(plan=plan, settings=settings, today=now, rows=rows)


def scale_criteria(scale: Scale) -> list[Criterion]:
    return SCALE_CRITERIA[scale]


@dataclass
class PlanSummary:
    plan: ActionPlan
    scale: Scale
    commitments: int
    completion: int | None
    ambition: int | None
    starred: int | None


def plan_summaries() -> list[PlanSummary]:
    """Completion and ambition of every public plan, side by side (the IRM's "commitment performance"),
    in four statements whatever the number of plans and commitments."""
    plans = list(db.session.scalars(select(ActionPlan).where(visibility.public_plan())
                                    .order_by(ActionPlan.period_start, ActionPlan.id)))
    if not plans:
        return []
    scales = {s.plan_id: s.scale for s in db.session.scalars(select(PlanMonitoring))}
    drafts = db.session.execute(
        select(DraftCommitment.id, Call.plan_id).join(Call, Call.id == DraftCommitment.call_id)
        .where(DraftCommitment.adopted_via.is_not(None), visibility.public_draft())).all()
    entries: dict[int, list[AssessmentEntry]] = defaultdict(list)
    if drafts:
        public_drafts = (select(DraftCommitment.id).where(DraftCommitment.adopted_via.is_not(None),
                                                          visibility.public_draft()))
        for entry in db.session.scalars(select(AssessmentEntry).where(AssessmentEntry.draft_id.in_(public_drafts))
                                        .order_by(AssessmentEntry.id)):
            entries[entry.draft_id].append(entry)
    by_plan: dict[int, list[int]] = defaultdict(list)
    for draft_id, plan_id in drafts:
        by_plan[plan_id].append(draft_id)
    result = []
    for plan in plans:
        scale = scales.get(plan.id, Scale.RESULTS_2020)
        verdicts = []
        for draft_id in by_plan[plan.id]:
            vals = values({c: e for c, e in standing(entries[draft_id]).items() if e.scale is scale})
            verdicts.append((rules.is_completed(vals), rules.is_ambitious(scale, vals), rules.is_starred(scale, vals)))
        n = len(verdicts)
        result.append(PlanSummary(
            plan=plan, scale=scale, commitments=n,
            completion=round(100 * sum(v[0] for v in verdicts) / n) if n else None,
            ambition=round(100 * sum(v[1] for v in verdicts) / n) if n else None,
            starred=sum(1 for v in verdicts if v[2]) if scale is Scale.IMPACT_LEGACY else None))
    return result


# --- dialogue during implementation ------------------------------------------------------------------


def add_comment(actor: User, draft: DraftCommitment, data: dict) -> ImplementationComment:
    """A participant's comment on the implementation, for themselves or their organisation, optionally
    flagging one milestone as at risk (the reason is the comment). It is a contribution: it is due a
    reasoned response (responses/contributions.py)."""
    _adopted(draft)
    body = (data.get("body_source") or "").strip()
    if not body:
        raise ServiceError(_("Write your comment."), field="body_source")
    milestone = None
    if data.get("milestone"):
        milestone = _milestone_of(draft, data["milestone"])
    at_risk = bool(data.get("at_risk"))
    if at_risk and milestone is None:
        raise ServiceError(_("Choose the milestone you think is at risk."), field="milestone")
    organisation = None
    if data.get("organisation"):
        organisation = db.session.get(Organisation, data["organisation"])
        if organisation is None or not permissions.is_member(actor, organisation) \
                or organisation.verification is Verification.REJECTED:
            raise ServiceError(_("You can only comment for an organisation you belong to."), field="organisation")
    comment = ImplementationComment(draft_id=draft.id, milestone_id=milestone.id if milestone else None,
                                    at_risk=at_risk, author_id=actor.id,
                                    organisation_id=organisation.id if organisation else None,
                                    body_source=body, body=richtext.sanitize(body))
    db.session.add(comment)
    db.session.flush()
    eventlog.record(actor, Verb.COMMENTED, comment, organisation, call=draft.call, data={
        "commitment": draft.id, "milestone": milestone.id if milestone else None, "at_risk": at_risk})
    return comment


def respond_to_comment(actor: User, seat, draft: DraftCommitment, comment_id: int, data: dict):
    """The responsible institution's (a contact's) or the secretariat's reasoned response, through the
    one mechanism of every contribution (responses/services.py)."""
    comment = db.session.get(ImplementationComment, comment_id)
    if comment is None or comment.draft_id != draft.id:
        raise ServiceError(_("This comment is not about this commitment's implementation."))
    return responses.respond(actor, seat, comment, data.get("outcome"), data.get("justification_source"))


def dialogue_of(draft: DraftCommitment):
    """The comments on the implementation, oldest first, each with its current response."""
    comments = list(db.session.scalars(
        select(ImplementationComment).options(selectinload(ImplementationComment.author),
                                              selectinload(ImplementationComment.organisation))
        .where(ImplementationComment.draft_id == draft.id).order_by(ImplementationComment.id)))
    responses = {r.implementation_comment_id: r for r in db.session.scalars(
        select(Response).options(selectinload(Response.responder))
        .where(Response.implementation_comment_id.in_([c.id for c in comments]), Response.is_current))} \
        if comments else {}
    return [(c, responses.get(c.id)) for c in comments]
