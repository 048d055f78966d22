"""Documents of the public repository and commission reports: uploading, replacing (a new version; the
earlier ones stay on the record), publishing, attaching files to proposals, and the public lists.

Every file passes core/uploads.py ``check_upload`` and is stored by its content hash (core/storage.py).
Publishing a document is an act on the participation log (Verb.PUBLISHED), which is what the
"repository updated at least twice a year" flag counts (reports/flags.py).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import extract, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage

from .. import visibility
from ..auth.models import User
from ..calls.models import Call
from ..core import eventlog
from ..core.db import utcnow
from ..core.errors import ServiceError
from ..core.eventlog import Verb
from ..core.sectors import Seat
from ..core.storage import storage
from ..core.uploads import check_upload
from ..extensions import db
from ..meetings.models import Meeting
from ..plans.models import ActionPlan
from ..proposals import rules as proposal_rules
from ..proposals.models import Proposal
from . import commission, rules
from .models import LANGUAGES, CommissionReport, Document, DocumentKind, DocumentVersion

ACCEPTED = {"pdf", "png", "jpg", "jpeg", "odt", "ods", "docx", "xlsx", "csv", "txt"}
# The request as a whole is capped by MAX_CONTENT_LENGTH; the file leaves room for the form around it.
FORM_ALLOWANCE = 64 * 1024
MAX_TEXT = 1_000_000  # characters of extracted text kept for search

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
}


def max_bytes() -> int:
    return max(current_app.config["MAX_CONTENT_LENGTH"] - FORM_ALLOWANCE, 1024)


def content_type(extension: str) -> str:
    """A type the browser will not run: never HTML, SVG or script; unknown types are plain bytes."""
    return CONTENT_TYPES.get(extension, "application/octet-stream")


# --- text for search ------------------------------------------------------------------------------------

_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


def extract_text(extension: str, data: bytes) -> str:
    """The words of the file, for search: a PDF's text (pypdf), an office document's XML text, a CSV or
    text file as it is. A file whose text cannot be read is still accepted, with no text."""
    text = ""
    try:
        if extension == "pdf":
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data))
            parts = []
            for page in reader.pages[:500]:
                parts.append(page.extract_text() or "")
                if sum(len(p) for p in parts) > MAX_TEXT:
                    break
            text = "\n".join(parts)
        elif extension in {"csv", "txt"}:
            text = data.decode("utf-8", "replace")
        elif extension in {"docx", "xlsx", "odt", "ods"}:
            wanted = ("word/document.xml", "xl/sharedStrings.xml", "content.xml")
            with zipfile.ZipFile(io.BytesIO(data)) as archive:  # already checked by check_upload
                for name in wanted:
                    if name in archive.namelist():
                        text += " " + _TAGS.sub(" ", archive.read(name)[:MAX_TEXT * 4].decode("utf-8", "replace"))
    except Exception:  # noqa: BLE001 - a damaged file's text is simply not searchable
        current_app.logger.info("no text extracted from a .%s file", extension)
        return ""
    return _SPACES.sub(" ", text).strip()[:MAX_TEXT]


# --- documents ------------------------------------------------------------------------------------------


def _store(actor: User, document: Document, upload: FileStorage | None) -> DocumentVersion:
    checked = check_upload(upload, ACCEPTED, max_bytes())
    key = storage().put(checked.data)
    number = (document.current.number + 1) if document.versions else 1
    version = DocumentVersion(document=document, number=number, filename=checked.filename,
                              extension=checked.extension, size=len(checked.data), sha256=key,
                              text=extract_text(checked.extension, checked.data), created_by_id=actor.id)
    db.session.add(version)
    return version


def _subject(value: str | None) -> tuple[str | None, object | None]:
    """'plan:3', 'call:4', 'meeting:5' or '' -> the object the document belongs to."""
    if not value:
        return None, None
    kind, _sep, raw = str(value).partition(":")
    models = {"plan": ActionPlan, "call": Call, "meeting": Meeting}
    if kind not in models or not raw.isdigit() or len(raw) > 12:
        raise ServiceError(_("Choose what the document belongs to from the list."), field="subject")
    target = db.session.get(models[kind], int(raw))
    if target is None:
        raise ServiceError(_("Choose what the document belongs to from the list."), field="subject")
    return kind, target


def _apply(document: Document, data: dict) -> None:
    title = (data.get("title") or "").strip()
    if len(title) < 3:
        raise ServiceError(_("Give the document a title."), field="title")
    try:
        kind = DocumentKind(data.get("kind"))
    except ValueError:
        raise ServiceError(_("Choose the type of document."), field="kind") from None
    if kind is DocumentKind.ATTACHMENT:
        raise ServiceError(_("Choose the type of document."), field="kind")
    document_date = data.get("document_date")
    if not isinstance(document_date, date):
        raise ServiceError(_("Give the document's date."), field="document_date")
    language = data.get("language") or "es"
    if language not in LANGUAGES:
        raise ServiceError(_("Choose the document's language."), field="language")
    subject_kind, subject = _subject(data.get("subject"))
    document.title = title
    document.kind = kind
    document.document_date = document_date
    document.language = language
    document.description = (data.get("description") or "").strip()
    document.plan = subject if subject_kind == "plan" else None
    document.call = subject if subject_kind == "call" else None
    document.meeting = subject if subject_kind == "meeting" else None


def _log(actor: User, verb: Verb, document: Document, seat: Seat | None = None, organisation=None, **data):
    call = document.process_call
    eventlog.record(actor, verb, document, organisation, sector=seat.sector if seat else None,
                    territory="national" if seat else None, call=call,
                    plan=document.plan if call is None else None,
                    data={"title": document.title, "kind": document.kind.value, **data})


def create_document(actor: User, seat: Seat, data: dict, upload: FileStorage | None) -> Document:
    """Record a document with its first version, not yet published (the secretariat publishes it)."""
    document = Document(created_by_id=actor.id)
    _apply(document, data)
    version = _store(actor, document, upload)
    db.session.add(document)
    db.session.flush()
    _log(actor, Verb.CREATED, document, seat, version=version.number, sha256=version.sha256)
    return document


def update_document(actor: User, seat: Seat, document: Document, data: dict) -> None:
    if document.proposal_id is not None:
        raise ServiceError(_("Attachments to a proposal are changed by attaching a new file to the proposal."))
    _apply(document, data)
    db.session.flush()
    _log(actor, Verb.EDITED, document, seat)


def replace_file(actor: User, seat: Seat, document: Document, upload: FileStorage | None) -> DocumentVersion:
    """A new version of the file; the earlier ones stay on the record and can still be downloaded."""
    if reason := rules.replace_refusal(document):
        raise ServiceError(reason)
    version = _store(actor, document, upload)
    db.session.flush()
    _log(actor, Verb.EDITED, document, seat, version=version.number, sha256=version.sha256)
    return version


def publish_document(actor: User, seat: Seat, document: Document) -> None:
    if reason := rules.publish_refusal(document):
        raise ServiceError(reason)
    document.published_at = utcnow()
    db.session.flush()
    _log(actor, Verb.PUBLISHED, document, seat, version=document.current.number, sha256=document.current.sha256)


def attach_to_proposal(actor: User, proposal: Proposal, data: dict, upload: FileStorage | None) -> Document:
    """A participant attaches a file to their proposal while the call takes proposals; it is public with
    the proposal, as the proposal's own text is."""
    # Attaching changes the proposal: the same rule as editing it (proposals/rules.py).
    if refusal := proposal_rules.change_refusal(actor, proposal):
        raise ServiceError(refusal)
    title = (data.get("title") or "").strip()
    if len(title) < 3:
        raise ServiceError(_("Give the document a title."), field="title")
    document = Document(title=title, kind=DocumentKind.ATTACHMENT, document_date=utcnow().date(), language="es",
                        description="", proposal=proposal, created_by_id=actor.id, published_at=utcnow())
    version = _store(actor, document, upload)
    db.session.add(document)
    db.session.flush()
    _log(actor, Verb.SUBMITTED, document, organisation=proposal.organisation, version=version.number,
         sha256=version.sha256, proposal=proposal.id)
    return document


def attachments_of(proposal: Proposal) -> list[Document]:
    return list(db.session.scalars(select(Document).options(selectinload(Document.versions))
                                   .where(Document.proposal_id == proposal.id).order_by(Document.id)))


def documents_of(*, call: Call | None = None, meeting: Meeting | None = None, include_unpublished=False) -> list[Document]:
    query = select(Document).options(selectinload(Document.versions)).order_by(Document.document_date.desc(),
                                                                              Document.id.desc())
    query = query.where(Document.call_id == call.id) if call is not None else query.where(Document.meeting_id == meeting.id)
    if not include_unpublished:
        query = query.where(visibility.public_document())
    return list(db.session.scalars(query))


@dataclass
class DocumentFilters:
    kind: str | None = None
    plan_id: int | None = None
    year: int | None = None
    language: str | None = None


def listing(filters: DocumentFilters, include_unpublished: bool = False):
    """The repository's list, newest first; the public sees public documents only (visibility.py)."""
    query = (select(Document).options(selectinload(Document.versions), selectinload(Document.plan),
                                      selectinload(Document.call), selectinload(Document.meeting),
                                      selectinload(Document.proposal))
             .order_by(Document.document_date.desc(), Document.id.desc()))
    if not include_unpublished:
        query = query.where(visibility.public_document())
    if filters.kind:
        query = query.where(Document.kind == filters.kind)
    if filters.language:
        query = query.where(Document.language == filters.language)
    if filters.year:
        query = query.where(extract("year", Document.document_date) == filters.year)
    if filters.plan_id:
        query = query.where(of_plan(filters.plan_id))
    return query


def of_plan(plan_id: int):
    """SQL: the document belongs to the plan, directly or through one of its calls, their meetings or
    their proposals (the repository's plan filter; the open-data API filters the same way)."""
    plan_calls = select(Call.id).where(Call.plan_id == plan_id)
    return ((Document.plan_id == plan_id) | Document.call_id.in_(plan_calls)
            | Document.meeting_id.in_(select(Meeting.id).where(Meeting.call_id.in_(plan_calls)))
            | Document.proposal_id.in_(select(Proposal.id).where(Proposal.call_id.in_(plan_calls))))


def subject_choices() -> list[tuple[str, str]]:
    """What a document may belong to: every plan, call and meeting (the secretariat's form)."""
    choices = [("", _("Nothing in particular: the repository"))]
    choices += [(f"plan:{p.id}", _("Plan: %(name)s", name=p.name))
                for p in db.session.scalars(select(ActionPlan).order_by(ActionPlan.id))]
    choices += [(f"call:{c.id}", _("Call: %(name)s", name=c.title)) for c in db.session.scalars(select(Call).order_by(Call.id))]
    choices += [(f"meeting:{m.id}", _("Meeting: %(name)s", name=m.title))
                for m in db.session.scalars(select(Meeting).order_by(Meeting.id))]
    return choices


def subject_value(document: Document) -> str:
    for kind in ("plan", "call", "meeting"):
        if getattr(document, f"{kind}_id"):
            return f"{kind}:{getattr(document, f'{kind}_id')}"
    return ""


def read_file(version: DocumentVersion) -> bytes:
    return storage().get(version.sha256)


# --- commission reports ---------------------------------------------------------------------------------


def _check_report(data: dict, report: CommissionReport | None) -> dict:
    missing = [code for code in commission.FIELDS if data.get(code) in (None, "")]
    if missing:
        raise ServiceError(_("These fields are missing: %(fields)s. Nothing was saved.",
                             fields=", ".join(str(commission.FIELDS[c]) for c in missing)), field=missing[0])
    folio = str(data["folio"]).strip()
    taken = db.session.scalar(select(CommissionReport.id).where(CommissionReport.folio == folio))
    if taken is not None and (report is None or taken != report.id):
        raise ServiceError(_("A commission report with folio %(folio)s is already on the record. Nothing was saved.",
                             folio=folio), field="folio")
    if data["period_from"] > data["period_to"]:
        raise ServiceError(_("The period ends before it starts. Nothing was saved."), field="period_to")
    return {code: (data[code].strip() if isinstance(data[code], str) else data[code]) for code in commission.FIELDS}


def record_report(actor: User | None, seat: Seat | None, data: dict) -> CommissionReport:
    """Record (and so publish) a commission report; ``actor`` None is the command line."""
    values = _check_report(data, None)
    report = CommissionReport(created_by_id=actor.id if actor else None, **values)
    db.session.add(report)
    db.session.flush()
    eventlog.record(actor, Verb.PUBLISHED, report, sector=seat.sector if seat else None, territory="national",
                    data={"folio": report.folio, "place": report.place})
    return report


def update_report(actor: User, seat: Seat, report: CommissionReport, data: dict) -> None:
    values = _check_report(data, report)
    for code, value in values.items():
        setattr(report, code, value)
    db.session.flush()
    eventlog.record(actor, Verb.EDITED, report, sector=seat.sector, territory="national",
                    data={"folio": report.folio, "place": report.place})


def import_report(text: str) -> CommissionReport:
    """Read a report in the seed's plain-text layout and record it, or refuse naming what is missing."""
    parsed = commission.parse(text)
    if parsed.missing:
        raise ServiceError(_("These fields could not be found: %(fields)s. Nothing was saved.",
                             fields=", ".join(str(commission.FIELDS[c]) for c in parsed.missing)))
    return record_report(None, None, parsed.values)


@dataclass
class ReportFilters:
    year: int | None = None
    person: str | None = None
    place: str | None = None


def reports_listing(filters: ReportFilters):
    query = select(CommissionReport).order_by(CommissionReport.report_date.desc(), CommissionReport.id.desc())
    if filters.year:
        query = query.where(extract("year", CommissionReport.report_date) == filters.year)
    if filters.person:
        query = query.where(containing(CommissionReport.commissioner, filters.person))
    if filters.place:
        query = query.where(containing(CommissionReport.place, filters.place))
    return query


def containing(column, text: str):
    """SQL: the column contains the text, whatever the case (the commission reports' person and place)."""
    return column.ilike(f"%{_like(text)}%", escape="\\")


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def report_as_dict(report: CommissionReport) -> dict:
    return {"id": report.id, **{code: (getattr(report, code).isoformat() if isinstance(getattr(report, code), date)
                                       else getattr(report, code)) for code in commission.FIELDS}}
