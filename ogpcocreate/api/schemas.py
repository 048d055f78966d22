"""What each resource of the open-data API contains: the marshmallow schemas that both shape every answer
(a field not declared here never leaves the server) and generate the OpenAPI document."""

from __future__ import annotations

from marshmallow import Schema, fields


class _Out(Schema):
    class Meta:
        ordered = True


def _dt(**kw):
    return fields.DateTime(format="iso", allow_none=kw.pop("allow_none", False), **kw)


class PageMeta(_Out):
    next_cursor = fields.String(allow_none=True, metadata={"description": "Give it as `cursor` for the next page; null on the last."})
    next = fields.String(allow_none=True, metadata={"description": "The URL of the next page, or null."})
    limit = fields.Integer()


def page_of(item_schema: type[Schema], name: str) -> type[Schema]:
    """A page of items: ``{"items": [...], "next_cursor": ..., "next": ..., "limit": ...}``."""
    return type(f"{name}Page", (PageMeta,), {"items": fields.List(fields.Nested(item_schema))})


class ApiErrorSchema(_Out):
    error = fields.String()
    detail = fields.String(allow_none=True)


class ThemeSchema(_Out):
    id = fields.Integer()
    call_id = fields.Integer()
    name = fields.String()
    position = fields.Integer()


class PlanSchema(_Out):
    id = fields.Integer()
    name = fields.String()
    period_start = fields.Integer()
    period_end = fields.Integer()
    status = fields.String(metadata={"enum": ["co_creation", "implementation", "closed"]})
    description = fields.String(metadata={"description": "Sanitised HTML."})
    requires_tripartite = fields.Boolean()
    calls = fields.Integer(metadata={"description": "Its public calls."})
    url = fields.String()
    influence = fields.String()


class CallSchema(_Out):
    id = fields.Integer()
    plan_id = fields.Integer()
    title = fields.String()
    description = fields.String(metadata={"description": "Sanitised HTML."})
    submitters = fields.String()
    phase = fields.String()
    announce_at = _dt()
    opens_at = _dt()
    closes_at = _dt()
    deliberation_at = _dt()
    decision_at = _dt()
    results_at = _dt()
    published_at = _dt(allow_none=True)
    results_published_at = _dt(allow_none=True)
    themes = fields.List(fields.Nested(ThemeSchema))
    proposals = fields.Integer(metadata={"description": "Proposals submitted to it."})
    url = fields.String()
    influence = fields.String()


class ProposalSchema(_Out):
    id = fields.Integer()
    call_id = fields.Integer()
    theme_id = fields.Integer()
    organisation_id = fields.Integer(allow_none=True, metadata={"description": "Null: submitted as an individual citizen."})
    title = fields.String()
    problem = fields.String(metadata={"description": "Sanitised HTML."})
    action = fields.String(metadata={"description": "Sanitised HTML."})
    expected_result = fields.String(metadata={"description": "Sanitised HTML."})
    links = fields.List(fields.String())
    created_at = _dt()
    updated_at = _dt()
    withdrawn_at = _dt(allow_none=True)
    url = fields.String()


class ResponseSchema(_Out):
    id = fields.Integer()
    proposal_id = fields.Integer(allow_none=True)
    comment_id = fields.Integer(allow_none=True)
    revision = fields.Integer()
    is_current = fields.Boolean()
    outcome = fields.String(metadata={"enum": ["adopted", "partially_adopted", "merged", "not_adopted", "out_of_scope"]})
    justification = fields.String(metadata={"description": "Sanitised HTML; may be empty when adopted."})
    seat = fields.String(metadata={"description": "The secretariat seat that answered."})
    created_at = _dt()


class MilestoneSchema(_Out):
    position = fields.Integer()
    description = fields.String()
    due = fields.Date()
    responsible = fields.String()


class IncorporationSchema(_Out):
    proposal_id = fields.Integer(allow_none=True)
    comment_id = fields.Integer(allow_none=True)


class VersionSchema(_Out):
    id = fields.Integer()
    number = fields.Integer()
    published_at = _dt()
    comments_close_at = _dt()
    change_note = fields.String()
    problem = fields.String()
    status_quo = fields.String()
    description = fields.String()
    how = fields.String()
    relevance = fields.String()
    other_actors = fields.String()
    milestones = fields.List(fields.Nested(MilestoneSchema))
    incorporations = fields.List(fields.Nested(IncorporationSchema))


class DraftSchema(_Out):
    id = fields.Integer()
    call_id = fields.Integer()
    theme_id = fields.Integer()
    title = fields.String()
    adopted_via = fields.String(allow_none=True, metadata={"enum": ["tripartite", "vote", None]})
    adopted_at = _dt(allow_none=True)
    sources = fields.List(fields.Integer(), metadata={"description": "The proposals it came from."})
    versions = fields.List(fields.Nested(VersionSchema))
    url = fields.String()


class CommentSchema(_Out):
    id = fields.Integer()
    draft_id = fields.Integer()
    version_id = fields.Integer()
    section = fields.String(allow_none=True)
    parent_id = fields.Integer(allow_none=True)
    organisation_id = fields.Integer(allow_none=True)
    is_contribution = fields.Boolean()
    created_at = _dt()
    hidden = fields.Boolean()
    hidden_reason = fields.String(allow_none=True, metadata={"description": "Why the secretariat hid it."})
    body = fields.String(allow_none=True, metadata={"description": "Sanitised HTML; null when the comment is hidden."})


class AttendanceSchema(_Out):
    people = fields.Integer(metadata={"description": "Registered participants who attended."})
    organisations = fields.Integer()
    unregistered = fields.Dict(keys=fields.String(), values=fields.Integer(),
                               metadata={"description": "People without an account, by sector."})
    total = fields.Integer()


class MeetingSchema(_Out):
    id = fields.Integer()
    call_id = fields.Integer()
    theme_id = fields.Integer(allow_none=True)
    title = fields.String()
    starts_at = _dt()
    modality = fields.String()
    place = fields.String()
    territory = fields.String()
    minutes = fields.String()
    agreements = fields.String()
    signed_at = _dt(allow_none=True)
    published_at = _dt(allow_none=True)
    attendance = fields.Nested(AttendanceSchema)
    url = fields.String()


class OptionSchema(_Out):
    id = fields.Integer()
    label = fields.String()
    theme_id = fields.Integer(allow_none=True)
    draft_id = fields.Integer(allow_none=True)


class OptionResultSchema(_Out):
    option_id = fields.Integer()
    approvals = fields.Integer()
    by_group = fields.Dict(keys=fields.String(), values=fields.Integer(), allow_none=True,
                           metadata={"description": "Null where a breakdown would reveal a choice."})


class ResultsSchema(_Out):
    voters = fields.Integer()
    threshold = fields.Integer()
    groups = fields.Dict(keys=fields.String(), values=fields.Integer())
    options = fields.List(fields.Nested(OptionResultSchema))


class BallotSchema(_Out):
    id = fields.Integer()
    call_id = fields.Integer()
    kind = fields.String()
    electorate = fields.String()
    question = fields.String()
    opens_at = _dt()
    closes_at = _dt()
    published_at = _dt(allow_none=True)
    results_published_at = _dt(allow_none=True)
    options = fields.List(fields.Nested(OptionSchema))
    results = fields.Nested(ResultsSchema, allow_none=True,
                            metadata={"description": "The published tally (ballot secrecy applied), or null until published."})
    url = fields.String()


class OrganisationSchema(_Out):
    id = fields.Integer()
    name = fields.String()
    acronym = fields.String(allow_none=True)
    sector = fields.String()
    territory = fields.String()
    cluni = fields.String(allow_none=True)
    rfc = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    description = fields.String()
    verification = fields.String()
    verified_at = _dt(allow_none=True)
    url = fields.String()


class DocumentFileSchema(_Out):
    number = fields.Integer(metadata={"description": "The file's version: 1, then 2 when replaced..."})
    filename = fields.String()
    extension = fields.String()
    size = fields.Integer(metadata={"description": "Bytes."})
    sha256 = fields.String()
    created_at = _dt()
    url = fields.String()


class DocumentSchema(_Out):
    id = fields.Integer()
    title = fields.String()
    kind = fields.String(metadata={"enum": ["minutes", "annex", "terms", "report", "attachment", "other"]})
    document_date = fields.Date()
    description = fields.String()
    language = fields.String()
    plan_id = fields.Integer(allow_none=True)
    call_id = fields.Integer(allow_none=True)
    meeting_id = fields.Integer(allow_none=True)
    proposal_id = fields.Integer(allow_none=True)
    published_at = _dt(allow_none=True)
    files = fields.List(fields.Nested(DocumentFileSchema), metadata={"description": "Every version, oldest first."})
    url = fields.String()


class CommissionReportSchema(_Out):
    id = fields.Integer()
    folio = fields.String()
    report_date = fields.Date()
    addressee = fields.String()
    place = fields.String()
    period_from = fields.Date()
    period_to = fields.Date()
    act = fields.String()
    objective = fields.String()
    activities = fields.String()
    conclusions = fields.String()
    results = fields.String()
    commissioner = fields.String()
    position_key = fields.String()
    position_title = fields.String()
    unit = fields.String()
    created_at = _dt()
    url = fields.String()


class InstitutionSchema(_Out):
    name = fields.String()
    named_at = _dt()


class MilestoneUpdateSchema(_Out):
    status = fields.String()
    actual_start = fields.Date(allow_none=True)
    actual_end = fields.Date(allow_none=True)
    note = fields.String()
    created_at = _dt()


class EvidenceSchema(_Out):
    title = fields.String()
    url = fields.String()
    created_at = _dt()


class CommitmentMilestoneSchema(_Out):
    id = fields.Integer()
    position = fields.Integer()
    description = fields.String()
    responsible = fields.String()
    planned_start = fields.Date(allow_none=True)
    planned_end = fields.Date()
    status = fields.String(metadata={"enum": ["not_started", "in_progress", "complete", "cancelled"]})
    actual_start = fields.Date(allow_none=True)
    actual_end = fields.Date(allow_none=True)
    overdue = fields.Boolean()
    at_risk = fields.Boolean(metadata={"description": "A participant flagged it at risk, and it is not done."})
    updates = fields.List(fields.Nested(MilestoneUpdateSchema))
    evidence = fields.List(fields.Nested(EvidenceSchema))


class MeasurementSchema(_Out):
    value = fields.Float()
    measured_on = fields.Date()
    source = fields.String()


class IndicatorSchema(_Out):
    id = fields.Integer()
    name = fields.String()
    target_population = fields.String()
    criterion = fields.String()
    unit = fields.String()
    baseline_value = fields.Float()
    baseline_date = fields.Date()
    target_value = fields.Float()
    target_date = fields.Date()
    measurements = fields.List(fields.Nested(MeasurementSchema))


class AssessmentSchema(_Out):
    criterion = fields.String()
    value = fields.String()
    scale = fields.String()
    justification = fields.String()
    assessed_on = fields.Date()
    current = fields.Boolean(metadata={"description": "The standing value of its criterion (the newest entry)."})


class CommitmentSchema(_Out):
    id = fields.Integer()
    plan_id = fields.Integer()
    call_id = fields.Integer()
    theme_id = fields.Integer()
    title = fields.String()
    adopted_via = fields.String(metadata={"enum": ["tripartite", "vote"]})
    adopted_at = _dt(allow_none=True)
    version_id = fields.Integer(allow_none=True, metadata={"description": "The adopted version."})
    responsible_institution = fields.String(allow_none=True)
    institution_history = fields.List(fields.Nested(InstitutionSchema))
    scale = fields.String(metadata={"enum": ["results_2020", "impact_legacy"]})
    starred = fields.Boolean(allow_none=True, metadata={"description": "Older IRM scale only; null on the 2020 one."})
    milestones = fields.List(fields.Nested(CommitmentMilestoneSchema))
    indicators = fields.List(fields.Nested(IndicatorSchema))
    assessments = fields.List(fields.Nested(AssessmentSchema))
    url = fields.String()


class RecordEntrySchema(_Out):
    seq = fields.Integer()
    occurred_at = fields.String()
    actor_id = fields.Integer(allow_none=True)
    organisation_id = fields.Integer(allow_none=True)
    sector = fields.String(allow_none=True)
    territory = fields.String(allow_none=True)
    channel = fields.String(allow_none=True)
    verb = fields.String()
    subject_type = fields.String(allow_none=True)
    subject_id = fields.Integer(allow_none=True)
    plan_id = fields.Integer(allow_none=True)
    call_id = fields.Integer(allow_none=True)
    actor_name = fields.String(allow_none=True)
    who_salt = fields.String(allow_none=True)
    who_digest = fields.String(allow_none=True)
    organisation_name = fields.String(allow_none=True)
    data = fields.Raw(allow_none=True)
    what_salt = fields.String(allow_none=True)
    what_digest = fields.String(allow_none=True)
    prev_hash = fields.String(allow_none=True)
    hash = fields.String()
    who_shown = fields.Boolean()
    what_shown = fields.Boolean()
    actor_label = fields.String(allow_none=True)
    subject_url = fields.String(allow_none=True)
