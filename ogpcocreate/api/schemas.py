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
