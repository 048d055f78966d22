"""Loading a document, a version or a commission report for a request, with its access check (404 when
the current user may not see it)."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from .. import permissions
from ..extensions import db
from .models import CommissionReport, Document, DocumentVersion


def get_document_or_404(document_id: int) -> Document:
    document = db.session.get(Document, document_id)
    if document is None or not permissions.can_see_document(current_user, document):
        abort(404)
    return document


def get_version_or_404(document_id: int, number: int) -> tuple[Document, DocumentVersion]:
    document = get_document_or_404(document_id)
    version = db.session.scalar(select(DocumentVersion).where(DocumentVersion.document_id == document.id,
                                                              DocumentVersion.number == number))
    if version is None:
        abort(404)
    return document, version


def get_report_or_404(report_id: int) -> CommissionReport:
    report = db.session.get(CommissionReport, report_id)
    if report is None:
        abort(404)
    return report
