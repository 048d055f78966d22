"""The open-data API's resources: what each lists, which rows are public (always a rule of visibility.py),
its filters, and how a page of rows becomes JSON in a fixed number of statements.

Adding a resource is one ``Resource`` (a model, its public rule, its filters, a serializer taking a
whole page) appended to RESOURCES, one schema in schemas.py and its columns in dictionary.py; views.py
gives it ``/api/v1/<name>`` (a page, by cursor), ``/api/v1/<name>/<id>`` and ``/open-data/<name>.csv``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import extract, func, select
from sqlalchemy.orm import selectinload

from .. import visibility
from ..calls.models import Call, Theme
from ..comments import rules as comment_rules
from ..comments.models import Comment
from ..core.db import utcnow
from ..core.eventlog import ParticipationEvent
from ..core.params import MAX_ID
from ..core.sectors import Sector
from ..core.urls import external_url
from ..drafts.models import DraftCommitment, DraftVersion, Incorporation
from ..extensions import db
from ..meetings.models import Attendance, Meeting
from ..monitoring import rules as monitoring_rules
from ..monitoring.models import (
    AssessmentEntry,
    EvidenceLink,
    ImplementationComment,
    Indicator,
    MilestoneUpdate,
    PlanMonitoring,
    ResponsibleInstitution,
    Scale,
)
from ..monitoring.services import today
from ..organisations.models import Organisation, Verification
from ..plans.models import ActionPlan, PlanStatus
from ..proposals.models import Proposal
from ..repository import commission
from ..repository import services as repository
from ..repository.models import LANGUAGES, CommissionReport, Document, DocumentKind
from ..responses.models import Outcome, Response
from ..votes import services as votes
from ..votes.models import Ballot, BallotKind, BallotOption
from . import schemas


@dataclass(frozen=True)
class Filter:
    """A query-string filter, as the site's page of the same list has it.

    ``kind`` says what it takes: ``id`` (a number), ``choice`` (one of ``choices``, converted by
    ``convert``), ``year`` (a year, as the pages' year fields: 1990 to 2100) or ``text`` (a few words,
    up to 100 characters). The rows kept are ``column == value``, or ``match(value)`` when given (a
    condition the page builds the same way).
    """

    column: Any
    description: str
    choices: tuple[str, ...] | None = None
    convert: Callable[[str], Any] = str
    kind: str = ""
    match: Callable[[Any], Any] | None = None

    @property
    def type(self) -> str:
        return self.kind or ("choice" if self.choices is not None else "id")

    def condition(self, value):
        return self.match(value) if self.match is not None else self.column == value


@dataclass(frozen=True)
class Resource:
    name: str
    model: type
    schema: type
    summary: str
    public: Callable[[], Any]  # the SQL condition from visibility.py
    serialize: Callable[[list], list[dict]]  # a whole page at once, so statements do not grow with it
    filters: dict[str, Filter] = field(default_factory=dict)
    options: tuple = ()
    key: str = ""  # the item route's argument, as the site's pages name it: plan_id, org_id...

    @property
    def argument(self) -> str:
        return self.key or f"{self.name.removesuffix('s')}_id"


def _values(enum_cls) -> tuple[str, ...]:
    return tuple(e.value for e in enum_cls)


def _v(value):
    return value.value if hasattr(value, "value") else value


# --- serializers: one page of rows -> dicts (schemas.py says what each field is) ---------------------


def _counts(column, ids: list[int], *conditions) -> dict[int, int]:
    """Rows per value of ``column`` among ``ids``, in one grouped statement (nothing when ``ids`` is empty)."""
    if not ids:
        return {}
    return dict(db.session.execute(select(column, func.count()).where(column.in_(ids), *conditions)
                                   .group_by(column)).all())


def _plans(rows: list[ActionPlan]) -> list[dict]:
    calls = _counts(Call.plan_id, [p.id for p in rows], visibility.public_call())
    return [{"id": p.id, "name": p.name, "period_start": p.period_start, "period_end": p.period_end,
             "status": p.status.value, "description": p.description, "requires_tripartite": p.requires_tripartite,
             "calls": calls.get(p.id, 0),
             "url": external_url("plans.detail", plan_id=p.id),
             "influence": external_url("reports.api_plan_influence", plan_id=p.id)} for p in rows]


def _theme(t: Theme) -> dict:
    return {"id": t.id, "call_id": t.call_id, "name": t.name, "position": t.position}


def _calls(rows: list[Call]) -> list[dict]:
    now = utcnow()
    proposals = _counts(Proposal.call_id, [c.id for c in rows])
    out = []
    for c in rows:
        item = {name: getattr(c, name) for name in (
            "id", "plan_id", "title", "description", "announce_at", "opens_at", "closes_at", "deliberation_at",
            "decision_at", "results_at", "published_at", "results_published_at")}
        item.update(submitters=c.submitters.value, phase=c.phase_at(now).value, themes=[_theme(t) for t in c.themes],
                    proposals=proposals.get(c.id, 0),
                    url=external_url("calls.detail", call_id=c.id),
                    influence=external_url("reports.api_call_influence", call_id=c.id))
        out.append(item)
    return out


def _themes(rows: list[Theme]) -> list[dict]:
    return [_theme(t) for t in rows]


def _proposals(rows: list[Proposal]) -> list[dict]:
    return [{"id": p.id, "call_id": p.call_id, "theme_id": p.theme_id, "organisation_id": p.organisation_id,
             "title": p.title, "problem": p.problem, "action": p.action, "expected_result": p.expected_result,
             "links": p.link_list, "created_at": p.created_at, "updated_at": p.updated_at,
             "withdrawn_at": p.withdrawn_at, "url": external_url("proposals.detail", proposal_id=p.id)} for p in rows]


def _responses(rows: list[Response]) -> list[dict]:
    return [{"id": r.id, "proposal_id": r.proposal_id, "comment_id": r.comment_id, "revision": r.revision,
             "is_current": r.is_current, "outcome": r.outcome.value, "justification": r.justification,
             "seat": r.seat.value, "created_at": r.created_at} for r in rows]


def _drafts(rows: list[DraftCommitment]) -> list[dict]:
    version_ids = [v.id for d in rows for v in d.versions]
    taken: dict[int, list[dict]] = {}
    if version_ids:
        for inc in db.session.scalars(select(Incorporation).where(Incorporation.version_id.in_(version_ids))
                                      .order_by(Incorporation.id)):
            taken.setdefault(inc.version_id, []).append({"proposal_id": inc.proposal_id, "comment_id": inc.comment_id})
    out = []
    for d in rows:
        versions = [{
            "id": v.id, "number": v.number, "published_at": v.published_at, "comments_close_at": v.comments_close_at,
            "change_note": v.change_note, "problem": v.problem, "status_quo": v.status_quo,
            "description": v.description, "how": v.how, "relevance": v.relevance, "other_actors": v.other_actors,
            "milestones": [{"position": m.position, "description": m.description, "due": m.due,
                            "responsible": m.responsible} for m in v.milestones],
            "incorporations": taken.get(v.id, []),
        } for v in d.versions]
        out.append({"id": d.id, "call_id": d.call_id, "theme_id": d.theme_id, "title": d.title,
                    "adopted_via": _v(d.adopted_via), "adopted_at": d.adopted_at,
                    "sources": [p.id for p in d.sources], "versions": versions,
                    "url": external_url("drafts.detail", draft_id=d.id)})
    return out


def _comments(rows: list[Comment]) -> list[dict]:
    # The text through the one rule of who reads it (comments/rules.py): the public, never a hidden one's.
    return [{"id": c.id, "draft_id": c.version.draft_id, "version_id": c.version_id, "section": _v(c.section),
             "parent_id": c.parent_id, "organisation_id": c.organisation_id, "is_contribution": c.is_contribution,
             "created_at": c.created_at, "hidden": c.is_hidden, "hidden_reason": c.hidden_reason if c.is_hidden else None,
             "body": comment_rules.text_for(None, c)} for c in rows]


def _meetings(rows: list[Meeting]) -> list[dict]:
    ids = [m.id for m in rows]
    people, orgs = {}, {}
    if ids:
        for mid, n_people, n_orgs in db.session.execute(
            select(Attendance.meeting_id, func.count(Attendance.id), func.count(func.distinct(Attendance.organisation_id)))
            .where(Attendance.meeting_id.in_(ids)).group_by(Attendance.meeting_id)
        ):
            people[mid], orgs[mid] = n_people, n_orgs
    out = []
    for m in rows:
        unregistered = {u.sector.value: u.count for u in m.unregistered if u.count}
        out.append({
            "id": m.id, "call_id": m.call_id, "theme_id": m.theme_id, "title": m.title, "starts_at": m.starts_at,
            "modality": m.modality.value, "place": m.place, "territory": m.territory, "minutes": m.minutes,
            "agreements": m.agreements, "signed_at": m.signed_at, "published_at": m.published_at,
            "attendance": {"people": people.get(m.id, 0), "organisations": orgs.get(m.id, 0),
                           "unregistered": unregistered, "total": people.get(m.id, 0) + sum(unregistered.values())},
            "url": external_url("meetings.detail", meeting_id=m.id),
        })
    return out


def _results(ballot: Ballot) -> dict | None:
    """The tally as the ballot page publishes it (votes/secrecy.py decides the breakdown), once published."""
    if ballot.results_published_at is None:
        return None
    tally = votes.tally(ballot)
    return {"voters": tally.voters, "threshold": tally.published.threshold,
            "groups": {g.key: g.voters for g in tally.groups},
            "options": [{"option_id": r.option.id, "approvals": r.approvals, "by_group": r.by_group}
                        for r in tally.options]}


def _ballots(rows: list[Ballot]) -> list[dict]:
    return [{"id": b.id, "call_id": b.call_id, "kind": b.kind.value, "electorate": b.electorate.value,
             "question": b.question, "opens_at": b.opens_at, "closes_at": b.closes_at, "published_at": b.published_at,
             "results_published_at": b.results_published_at,
             "options": [{"id": o.id, "label": o.label, "theme_id": o.theme_id, "draft_id": o.draft_id} for o in b.options],
             "results": _results(b), "url": external_url("votes.detail", ballot_id=b.id)} for b in rows]


def _organisations(rows: list[Organisation]) -> list[dict]:
    return [{"id": o.id, "name": o.name, "acronym": o.acronym, "sector": o.sector.value, "territory": o.territory,
             "cluni": o.cluni, "rfc": o.rfc, "website": o.website, "description": o.description,
             "verification": o.verification.value, "verified_at": o.verified_at,
             "url": external_url("organisations.detail", org_id=o.id)} for o in rows]


def _documents(rows: list[Document]) -> list[dict]:
    return [{"id": d.id, "title": d.title, "kind": d.kind.value, "document_date": d.document_date,
             "description": d.description, "language": d.language, "plan_id": d.plan_id, "call_id": d.call_id,
             "meeting_id": d.meeting_id, "proposal_id": d.proposal_id, "published_at": d.published_at,
             "files": [{"number": v.number, "filename": v.filename, "extension": v.extension, "size": v.size,
                        "sha256": v.sha256, "created_at": v.created_at,
                        "url": external_url("repository.download", document_id=d.id, number=v.number)}
                       for v in d.versions],
             "url": external_url("repository.detail", document_id=d.id)} for d in rows]


def _commission_reports(rows: list[CommissionReport]) -> list[dict]:
    return [{"id": r.id, **{code: getattr(r, code) for code in commission.FIELDS}, "created_at": r.created_at,
             "url": external_url("repository.report", report_id=r.id)} for r in rows]


def _commitments(rows: list[DraftCommitment]) -> list[dict]:
    """Adopted commitments with their monitoring (DOMAIN.md, "Adopted commitment", "The IRM's assessment"):
    the milestones of the adopted (last) version with their progress reports and evidence, the responsible
    institution and its history, indicators with measurements, and every assessment entry (the standing
    one per criterion marked ``current``); starred as the plan's scale computes it (monitoring/rules.py).
    A fixed number of statements per page: one per kind of row, for every commitment of the page at once."""
    ids = [d.id for d in rows]
    milestones = {d.id: list(d.current_version.milestones) if d.current_version else [] for d in rows}
    milestone_ids = [m.id for ms in milestones.values() for m in ms]
    by = defaultdict(list)

    def gather(key: str, query, attribute: str) -> None:
        for row in db.session.scalars(query):
            by[key, getattr(row, attribute)].append(row)

    if ids:
        gather("institution", select(ResponsibleInstitution).where(ResponsibleInstitution.draft_id.in_(ids))
               .order_by(ResponsibleInstitution.id), "draft_id")
        gather("indicator", select(Indicator).options(selectinload(Indicator.measurements))
               .where(Indicator.draft_id.in_(ids)).order_by(Indicator.id), "draft_id")
        gather("assessment", select(AssessmentEntry).where(AssessmentEntry.draft_id.in_(ids))
               .order_by(AssessmentEntry.id), "draft_id")
    flagged: set[int] = set()
    if milestone_ids:
        gather("update", select(MilestoneUpdate).where(MilestoneUpdate.milestone_id.in_(milestone_ids))
               .order_by(MilestoneUpdate.id), "milestone_id")
        gather("evidence", select(EvidenceLink).where(EvidenceLink.milestone_id.in_(milestone_ids))
               .order_by(EvidenceLink.id), "milestone_id")
        flagged = set(db.session.scalars(select(ImplementationComment.milestone_id).where(
            ImplementationComment.milestone_id.in_(milestone_ids), ImplementationComment.at_risk).distinct()))
    plan_ids = {d.call.plan_id for d in rows}
    scales = dict(db.session.execute(select(PlanMonitoring.plan_id, PlanMonitoring.scale)
                                     .where(PlanMonitoring.plan_id.in_(plan_ids))).all()) if plan_ids else {}
    now = today()
    out = []
    for d in rows:
        scale = scales.get(d.call.plan_id, Scale.RESULTS_2020)
        entries = by["assessment", d.id]
        standing = {e.criterion: e for e in entries}
        on_scale = {c: e.value for c, e in standing.items() if e.scale is scale}
        institutions = by["institution", d.id]
        out.append({
            "id": d.id, "plan_id": d.call.plan_id, "call_id": d.call_id, "theme_id": d.theme_id, "title": d.title,
            "adopted_via": _v(d.adopted_via), "adopted_at": d.adopted_at,
            "version_id": d.current_version.id if d.current_version else None,
            "responsible_institution": institutions[-1].name if institutions else None,
            "institution_history": [{"name": i.name, "named_at": i.created_at} for i in institutions],
            "scale": scale.value, "starred": monitoring_rules.is_starred(scale, on_scale),
            "milestones": [{
                "id": m.id, "position": m.position, "description": m.description, "responsible": m.responsible,
                "planned_start": m.planned_start, "planned_end": m.due, "status": m.status.value,
                "actual_start": m.actual_start, "actual_end": m.actual_end, "overdue": m.is_overdue(now),
                "at_risk": m.id in flagged and not m.status.is_closed,
                "updates": [{"status": u.status.value, "actual_start": u.actual_start, "actual_end": u.actual_end,
                             "note": u.note, "created_at": u.created_at} for u in by["update", m.id]],
                "evidence": [{"title": e.title, "url": e.url, "created_at": e.created_at} for e in by["evidence", m.id]],
            } for m in milestones[d.id]],
            "indicators": [{
                "id": i.id, "name": i.name, "target_population": i.target_population, "criterion": i.criterion,
                "unit": i.unit, "baseline_value": i.baseline_value, "baseline_date": i.baseline_date,
                "target_value": i.target_value, "target_date": i.target_date,
                "measurements": [{"value": ms.value, "measured_on": ms.measured_on, "source": ms.source}
                                 for ms in i.measurements],
            } for i in by["indicator", d.id]],
            "assessments": [{"criterion": e.criterion.value, "value": e.value, "scale": e.scale.value,
                             "justification": e.justification, "assessed_on": e.assessed_on,
                             "current": standing[e.criterion] is e} for e in entries],
            "url": external_url("monitoring.commitment", draft_id=d.id),
        })
    return out


_CALL = "Only those of this call (its number)."


def _year(column):
    return lambda year: extract("year", column) == year


def _of_plan(model):
    return lambda plan_id: model.call_id.in_(select(Call.id).where(Call.plan_id == plan_id))


RESOURCES: list[Resource] = [
    Resource("plans", ActionPlan, schemas.PlanSchema, "Action plans", visibility.public_plan, _plans,
             {"status": Filter(ActionPlan.status, "Plans in this status.", _values(PlanStatus), PlanStatus)}),
    Resource("calls", Call, schemas.CallSchema, "Calls for proposals", visibility.public_call, _calls,
             {"plan": Filter(Call.plan_id, "Only the calls of this plan.")},
             options=(selectinload(Call.themes),)),
    Resource("themes", Theme, schemas.ThemeSchema, "Themes of the calls", visibility.public_theme, _themes,
             {"call": Filter(Theme.call_id, _CALL)}),
    Resource("proposals", Proposal, schemas.ProposalSchema, "Proposals", visibility.public_proposal, _proposals,
             {"call": Filter(Proposal.call_id, _CALL), "theme": Filter(Proposal.theme_id, "Only those of this theme."),
              "organisation": Filter(Proposal.organisation_id, "Only those of this organisation.")}),
    Resource("responses", Response, schemas.ResponseSchema, "Reasoned responses to contributions",
             visibility.public_response, _responses,
             {"proposal": Filter(Response.proposal_id, "Only those to this proposal."),
              "comment": Filter(Response.comment_id, "Only those to this comment."),
              "outcome": Filter(Response.outcome, "Only this outcome.", _values(Outcome), Outcome)}),
    Resource("drafts", DraftCommitment, schemas.DraftSchema, "Draft commitments, their versions and incorporations",
             visibility.public_draft, _drafts,
             {"call": Filter(DraftCommitment.call_id, _CALL), "theme": Filter(DraftCommitment.theme_id, "Only those of this theme.")},
             options=(selectinload(DraftCommitment.versions).selectinload(DraftVersion.milestones),
                      selectinload(DraftCommitment.sources))),
    Resource("comments", Comment, schemas.CommentSchema, "Public comments on draft versions",
             visibility.public_comment, _comments,
             {"version": Filter(Comment.version_id, "Only those on this draft version (its id).")},
             options=(selectinload(Comment.version),)),
    Resource("meetings", Meeting, schemas.MeetingSchema, "Meetings with attendance counts",
             visibility.public_meeting, _meetings,
             {"call": Filter(Meeting.call_id, _CALL), "theme": Filter(Meeting.theme_id, "Only those of this theme.")},
             options=(selectinload(Meeting.unregistered),)),
    Resource("ballots", Ballot, schemas.BallotSchema, "Ballots and their published tallies",
             visibility.public_ballot, _ballots,
             {"call": Filter(Ballot.call_id, _CALL),
              "kind": Filter(Ballot.kind, "Only this kind of ballot.", _values(BallotKind), BallotKind)},
             options=(selectinload(Ballot.options).selectinload(BallotOption.theme),
                      selectinload(Ballot.options).selectinload(BallotOption.draft))),
    Resource("organisations", Organisation, schemas.OrganisationSchema, "Organisations (public fields)",
             visibility.public_organisation, _organisations,
             {"sector": Filter(Organisation.sector, "Only this sector.", _values(Sector), Sector),
              "territory": Filter(Organisation.territory, "Only this territory (ISO 3166-2 code, or national).",
                                  kind="text"),
              "verification": Filter(Organisation.verification, "Only this verification status.",
                                     _values(Verification), Verification)}, key="org_id"),
    # The repository's filters (/repository): type, plan (directly or through its calls, meetings and
    # proposals), year of the document's date, language; and the call or meeting it belongs to.
    Resource("documents", Document, schemas.DocumentSchema, "Documents of the public repository, with their files",
             visibility.public_document, _documents,
             {"kind": Filter(Document.kind, "Only this type of document.", _values(DocumentKind), DocumentKind),
              "plan": Filter(Document.plan_id, "Only those of this plan, or of its calls, meetings and proposals.",
                             match=repository.of_plan),
              "year": Filter(Document.document_date, "Only those dated in this year.", kind="year",
                             match=_year(Document.document_date)),
              "language": Filter(Document.language, "Only those in this language.", tuple(LANGUAGES)),
              "call": Filter(Document.call_id, "Only those of this call (its terms, say)."),
              "meeting": Filter(Document.meeting_id, "Only those of this meeting (minutes and annexes).")},
             options=(selectinload(Document.versions),)),
    # The commission reports' page (/commission-reports): year, commissioner and place.
    Resource("commission-reports", CommissionReport, schemas.CommissionReportSchema, "Commission reports",
             visibility.public_commission_report, _commission_reports,
             {"year": Filter(CommissionReport.report_date, "Only those dated in this year.", kind="year",
                             match=_year(CommissionReport.report_date)),
              "person": Filter(CommissionReport.commissioner, "Only those whose commissioner's name contains this.",
                               kind="text", match=lambda text: repository.containing(CommissionReport.commissioner, text)),
              "place": Filter(CommissionReport.place, "Only those whose place contains this.", kind="text",
                              match=lambda text: repository.containing(CommissionReport.place, text))},
             key="report_id"),
    # A plan's performance page (/plans/<id>/performance) lists its adopted commitments.
    Resource("commitments", DraftCommitment, schemas.CommitmentSchema,
             "Adopted commitments with milestones, indicators, measurements and the IRM's assessment",
             visibility.public_commitment, _commitments,
             {"plan": Filter(DraftCommitment.call_id, "Only the commitments of this plan.",
                             match=_of_plan(DraftCommitment)),
              "call": Filter(DraftCommitment.call_id, _CALL),
              "theme": Filter(DraftCommitment.theme_id, "Only those of this theme.")},
             options=(selectinload(DraftCommitment.call),
                      selectinload(DraftCommitment.versions).selectinload(DraftVersion.milestones)),
             key="draft_id"),
]


def page(resource: Resource, where: dict[str, Any], after: int, limit: int) -> tuple[list[dict], int | None]:
    """One page of public rows after ``after`` (keyset on id, never OFFSET), and the cursor of the next."""
    model = resource.model
    conditions = [resource.filters[name].condition(value) for name, value in where.items()]
    rows = list(db.session.scalars(
        select(model).where(resource.public(), model.id > after, *conditions)
        .options(*resource.options).order_by(model.id).limit(limit + 1)
    ))
    more = len(rows) > limit
    rows = rows[:limit]
    return resource.serialize(rows), (rows[-1].id if more else None)


def cursor_before(resource: Resource, where: dict[str, Any], skip: int) -> int:
    """The cursor after which the public rows start once ``skip`` of them are passed (a deprecated page
    number turned into a cursor: one statement); past the last row, a cursor after every id."""
    if skip <= 0:
        return 0
    model = resource.model
    conditions = [resource.filters[name].condition(value) for name, value in where.items()]
    found = db.session.scalar(select(model.id).where(resource.public(), *conditions)
                              .order_by(model.id).offset(skip - 1).limit(1))
    return found if found is not None else MAX_ID


def one(resource: Resource, item_id: int) -> dict | None:
    obj = db.session.scalars(
        select(resource.model).where(resource.public(), resource.model.id == item_id).options(*resource.options)
    ).first()
    return resource.serialize([obj])[0] if obj is not None else None


def last_change() -> datetime | None:
    """When public data last changed: the newest entry of the participation log (every act is logged), or
    the announcement of a call that made it public since, whichever is later."""
    now = utcnow()
    logged = db.session.scalar(select(func.max(ParticipationEvent.occurred_at)))
    announced = db.session.scalar(select(func.max(Call.announce_at)).where(visibility.public_call(now)))
    stamps = [s for s in (logged, announced) if s is not None]
    return max(stamps) if stamps else None


def max_page() -> int:
    return current_app.config.get("API_MAX_LIMIT", 200)


def by_name(name: str) -> Resource | None:
    return next((r for r in RESOURCES if r.name == name), None)
