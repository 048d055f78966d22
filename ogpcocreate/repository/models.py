"""Documents of the public repository and their versions, and commission reports [informes de comisión].

DOMAIN.md, "Public record [repositorio]": documents and structured records the secretariat publishes.
A document belongs to at most one of: a plan, a call (its terms), a meeting (minutes and annexes) or a
proposal (a participant's attachment); its visibility follows that subject's (visibility.py).
Replacing a document's file adds a version: earlier versions stay on the record.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..calls.models import Call
from ..core.db import TimestampMixin, enum_column
from ..extensions import db
from ..meetings.models import Meeting
from ..plans.models import ActionPlan
from ..proposals.models import Proposal


class DocumentKind(enum.StrEnum):
    MINUTES = "minutes"
    ANNEX = "annex"
    TERMS = "terms"
    REPORT = "report"
    ATTACHMENT = "attachment"
    OTHER = "other"

    @property
    def label(self):
        return {DocumentKind.MINUTES: _l("Minutes"), DocumentKind.ANNEX: _l("Annex"),
                DocumentKind.TERMS: _l("Terms of the call"), DocumentKind.REPORT: _l("Report"),
                DocumentKind.ATTACHMENT: _l("Attachment to a proposal"), DocumentKind.OTHER: _l("Other")}[self]


LANGUAGES = {"es": _l("Spanish"), "en": _l("English")}


class Document(TimestampMixin, db.Model):
    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[DocumentKind] = enum_column(DocumentKind)
    document_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    language: Mapped[str] = mapped_column(String(8), default="es", server_default="es")
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("action_plan.id"), index=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"), index=True)
    # DOMAIN.md, "What is public, and when": public once published, and only while its subject is.
    published_at: Mapped[datetime | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    plan: Mapped[ActionPlan | None] = relationship()
    call: Mapped[Call | None] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    proposal: Mapped[Proposal | None] = relationship()
    versions: Mapped[list[DocumentVersion]] = relationship(back_populates="document", order_by="DocumentVersion.number")

    __table_args__ = (
        # No generic foreign key (STYLE.md 9): at most one subject, explicit columns.
        CheckConstraint(
            "(CASE WHEN plan_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN call_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN meeting_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN proposal_id IS NULL THEN 0 ELSE 1 END)"
            " <= 1", name="one_subject"),
    )

    @property
    def current(self) -> DocumentVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def process_call(self) -> Call | None:
        """The call whose process the document belongs to, if any (for the log and the reports)."""
        if self.call is not None:
            return self.call
        if self.meeting is not None:
            return self.meeting.call
        if self.proposal is not None:
            return self.proposal.call
        return None


class DocumentVersion(TimestampMixin, db.Model):
    __tablename__ = "document_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    number: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    extension: Mapped[str] = mapped_column(String(16))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # the key in core/storage.py
    text: Mapped[str] = mapped_column(Text, default="", server_default="")  # extracted, for search
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    document: Mapped[Document] = relationship(back_populates="versions")

    __table_args__ = (UniqueConstraint("document_id", "number", name="uq_document_version_number"),)


class CommissionReport(TimestampMixin, db.Model):
    """A commission report [informe de comisión]: the fields DOMAIN.md lists, one column each.

    Public once recorded: the secretariat enters it (or imports it) to publish it.
    """

    __tablename__ = "commission_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    folio: Mapped[str] = mapped_column(String(40), unique=True)
    report_date: Mapped[date] = mapped_column(Date)
    addressee: Mapped[str] = mapped_column(String(300))
    place: Mapped[str] = mapped_column(String(300))
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    act: Mapped[str] = mapped_column(Text)  # denominación del acto de representación
    objective: Mapped[str] = mapped_column(Text)
    activities: Mapped[str] = mapped_column(Text)
    conclusions: Mapped[str] = mapped_column(Text)
    results: Mapped[str] = mapped_column(Text)
    commissioner: Mapped[str] = mapped_column(String(200))
    position_key: Mapped[str] = mapped_column(String(40))
    position_title: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (CheckConstraint("period_from <= period_to", name="period_in_order"),)
