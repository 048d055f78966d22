"""Monitoring an adopted commitment: who implements it, its milestones' progress, its indicators and
measurements, the IRM's assessment, and the plan's reference line, recommendations.

DOMAIN.md, "Adopted commitment" and "The IRM's assessment of commitments". Nothing here is overwritten
without a trace: the responsible institution, each milestone's progress and each assessment are kept
as rows in order, the newest standing; measurements and evidence links are only ever added. Every
change is also an act on the participation log (services.py).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..core.db import TimestampMixin, enum_column
from ..drafts.models import DraftCommitment, Milestone, MilestoneStatus
from ..extensions import db
from ..meetings.models import Meeting
from ..organisations.models import Organisation
from ..plans.models import ActionPlan

# --- the IRM's scales (DOMAIN.md, "The IRM's assessment of commitments") -----------------------------


class Scale(enum.StrEnum):
    """Which version of the IRM's method an assessment used: the plan's, stored with each assessment."""

    RESULTS_2020 = "results_2020"  # potential for results (IRM from 2020)
    IMPACT_LEGACY = "impact_legacy"  # potential impact (older plans); starred exists only here

    @property
    def label(self):
        return {Scale.RESULTS_2020: _l("IRM from 2020: potential for results"),
                Scale.IMPACT_LEGACY: _l("Older IRM method: potential impact")}[self]


class Criterion(enum.StrEnum):
    VERIFIABILITY = "verifiability"
    LENS = "lens"
    POTENTIAL_RESULTS = "potential_results"
    POTENTIAL_IMPACT = "potential_impact"
    COMPLETION = "completion"
    OPENED_GOVERNMENT = "opened_government"

    @property
    def label(self):
        return CRITERION_LABELS[self]


CRITERION_LABELS = {
    Criterion.VERIFIABILITY: _l("Verifiability"),
    Criterion.LENS: _l("Open government lens"),
    Criterion.POTENTIAL_RESULTS: _l("Potential for results"),
    Criterion.POTENTIAL_IMPACT: _l("Potential impact"),
    Criterion.COMPLETION: _l("Completion"),
    Criterion.OPENED_GOVERNMENT: _l("Did it open government?"),
}

# The values each criterion takes, in the IRM's order (lowest first), with their labels.
CRITERION_VALUES = {
    Criterion.VERIFIABILITY: {"not_verifiable": _l("Not verifiable"), "verifiable": _l("Verifiable")},
    Criterion.LENS: {"no": _l("No"), "yes": _l("Yes")},
    Criterion.POTENTIAL_RESULTS: {"unclear": _l("Unclear"), "modest": _l("Modest"), "substantial": _l("Substantial")},
    Criterion.POTENTIAL_IMPACT: {"none": _l("None"), "minor": _l("Minor"), "moderate": _l("Moderate"),
                                 "transformative": _l("Transformative")},
    Criterion.COMPLETION: {"no_evidence": _l("No evidence available"), "not_started": _l("Not started"),
                           "limited": _l("Limited"), "substantial": _l("Substantial"), "complete": _l("Complete")},
    Criterion.OPENED_GOVERNMENT: {"worsened": _l("Worsened"), "did_not_change": _l("Did not change"),
                                  "marginal": _l("Marginal"), "major": _l("Major"), "outstanding": _l("Outstanding")},
}

# The criteria each scale assesses: potential for results or potential impact, never both.
SCALE_CRITERIA = {
    Scale.RESULTS_2020: [Criterion.VERIFIABILITY, Criterion.LENS, Criterion.POTENTIAL_RESULTS, Criterion.COMPLETION,
                         Criterion.OPENED_GOVERNMENT],
    Scale.IMPACT_LEGACY: [Criterion.VERIFIABILITY, Criterion.LENS, Criterion.POTENTIAL_IMPACT, Criterion.COMPLETION,
                          Criterion.OPENED_GOVERNMENT],
}


def value_label(criterion: Criterion, value: str | None) -> str:
    if value is None:
        return ""
    return str(CRITERION_VALUES[criterion].get(value, value))


# --- the plan's monitoring settings -------------------------------------------------------------------


class PlanMonitoring(db.Model):
    """The plan's IRM scale and the reference line of its performance figure (the region's leader or
    average, as the secretariat enters it: the IRM summary compares each plan with it)."""

    __tablename__ = "plan_monitoring"

    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plan.id"), primary_key=True)
    scale: Mapped[Scale] = enum_column(Scale, default=Scale.RESULTS_2020, server_default=Scale.RESULTS_2020.value)
    reference_label: Mapped[str] = mapped_column(String(200), default="", server_default="")
    reference_completion: Mapped[int | None]  # percent of commitments substantially or fully complete
    reference_ambition: Mapped[int | None]  # percent with substantial (or transformative) potential
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    plan: Mapped[ActionPlan] = relationship()

    __table_args__ = (
        CheckConstraint("reference_completion IS NULL OR (reference_completion BETWEEN 0 AND 100)",
                        name="completion_percent"),
        CheckConstraint("reference_ambition IS NULL OR (reference_ambition BETWEEN 0 AND 100)",
                        name="ambition_percent"),
    )


# --- implementation ----------------------------------------------------------------------------------


class ResponsibleInstitution(TimestampMixin, db.Model):
    """Who answers for the commitment; the newest row stands, the earlier ones stay as its history."""

    __tablename__ = "responsible_institution"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft_commitment.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    named_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class Contact(TimestampMixin, db.Model):
    """A government account the secretariat named to report a commitment's progress."""

    __tablename__ = "commitment_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft_commitment.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    named_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class MilestoneUpdate(TimestampMixin, db.Model):
    """One report of a milestone's progress: what its status and actual dates became, and why."""

    __tablename__ = "milestone_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id"), index=True)
    status: Mapped[MilestoneStatus] = enum_column(MilestoneStatus)
    actual_start: Mapped[date | None]
    actual_end: Mapped[date | None]
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    author: Mapped[User] = relationship()


class EvidenceLink(TimestampMixin, db.Model):
    """A link to evidence of a milestone's progress (a publication, a data set, minutes)."""

    __tablename__ = "evidence_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(300))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    milestone: Mapped[Milestone] = relationship()


class ImplementationComment(TimestampMixin, db.Model):
    """A participant's comment on a commitment's implementation, optionally flagging one milestone as at
    risk with the reason. It is a contribution (responses/contributions.py): the responsible institution
    (a contact) or the secretariat answers it with a reasoned response, counted like any other."""

    __tablename__ = "implementation_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft_commitment.id"), index=True)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestone.id"), index=True)
    at_risk: Mapped[bool] = mapped_column(default=False, server_default="0")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    body_source: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    milestone: Mapped[Milestone | None] = relationship()
    draft: Mapped[DraftCommitment] = relationship()

    __table_args__ = (CheckConstraint("NOT at_risk OR milestone_id IS NOT NULL", name="at_risk_names_milestone"),)

    # The response mechanism asks every contribution these (responses/services.py).
    is_contribution = True
    is_hidden = False

    @property
    def call(self):
        return self.draft.call


class Indicator(TimestampMixin, db.Model):
    """How a commitment's result is measured (the IRM's recommendation: target populations, criteria
    and baselines). Its definition is fixed once recorded: a changed definition is a new indicator."""

    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft_commitment.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    target_population: Mapped[str] = mapped_column(String(300))
    criterion: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(100))
    baseline_value: Mapped[float]
    baseline_date: Mapped[date]
    target_value: Mapped[float]
    target_date: Mapped[date]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    draft: Mapped[DraftCommitment] = relationship()
    measurements: Mapped[list[Measurement]] = relationship(
        back_populates="indicator", order_by="(Measurement.measured_on, Measurement.id)")

    def progress(self, value: float | None) -> float | None:
        """Share of the way from baseline to target ``value`` has come (0 to 1, clipped), or None."""
        if value is None or self.target_value == self.baseline_value:
            return None
        share = (value - self.baseline_value) / (self.target_value - self.baseline_value)
        return max(0.0, min(1.0, share))

    @property
    def latest(self) -> Measurement | None:
        return self.measurements[-1] if self.measurements else None


class Measurement(TimestampMixin, db.Model):
    __tablename__ = "measurement"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"))
    value: Mapped[float]
    measured_on: Mapped[date]
    source: Mapped[str] = mapped_column(String(500))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    indicator: Mapped[Indicator] = relationship(back_populates="measurements")

    __table_args__ = (Index("ix_measurement_indicator_date", "indicator_id", "measured_on"),)


# --- the IRM's assessment ------------------------------------------------------------------------------


class Assessor(TimestampMixin, db.Model):
    """A person the secretariat lets record the IRM's assessment (an IRM researcher, say)."""

    __tablename__ = "assessor"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class AssessmentEntry(TimestampMixin, db.Model):
    """One criterion of the IRM's assessment of a commitment: its value, justification and date, and the
    scale it used. The newest entry per criterion stands; starred is computed (rules.is_starred)."""

    __tablename__ = "assessment_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft_commitment.id"), index=True)
    scale: Mapped[Scale] = enum_column(Scale)
    criterion: Mapped[Criterion] = enum_column(Criterion)
    value: Mapped[str] = mapped_column(String(32))
    justification: Mapped[str] = mapped_column(Text)
    assessed_on: Mapped[date]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    recorded_by: Mapped[User] = relationship()

    @property
    def value_label(self) -> str:
        return value_label(self.criterion, self.value)


# --- the IRM's recommendations ----------------------------------------------------------------------


class RecommendationStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    ADDRESSED = "addressed"
    NOT_ADDRESSED = "not_addressed"

    @property
    def label(self):
        return {RecommendationStatus.NOT_STARTED: _l("Not started"),
                RecommendationStatus.IN_PROGRESS: _l("In progress"),
                RecommendationStatus.ADDRESSED: _l("Addressed"),
                RecommendationStatus.NOT_ADDRESSED: _l("Not addressed")}[self]


class Recommendation(TimestampMixin, db.Model):
    __tablename__ = "recommendation"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("action_plan.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[RecommendationStatus] = enum_column(RecommendationStatus, default=RecommendationStatus.NOT_STARTED)
    what_was_done: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    links: Mapped[list[RecommendationLink]] = relationship(order_by="RecommendationLink.id")
    updates: Mapped[list[RecommendationUpdate]] = relationship(order_by="RecommendationUpdate.id")


class RecommendationUpdate(TimestampMixin, db.Model):
    """Each change of a recommendation's status and of what was done, kept in order."""

    __tablename__ = "recommendation_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendation.id"), index=True)
    status: Mapped[RecommendationStatus] = enum_column(RecommendationStatus)
    what_was_done: Mapped[str] = mapped_column(Text, default="", server_default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class RecommendationLink(TimestampMixin, db.Model):
    """What answers a recommendation: a commitment or a meeting (explicit keys, exactly one set)."""

    __tablename__ = "recommendation_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendation.id"), index=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft_commitment.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))

    draft: Mapped[DraftCommitment | None] = relationship()
    meeting: Mapped[Meeting | None] = relationship()

    __table_args__ = (
        CheckConstraint("(draft_id IS NULL) <> (meeting_id IS NULL)", name="exactly_one_target"),
    )
