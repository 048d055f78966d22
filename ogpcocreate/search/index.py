"""Keeping the search index current: an ``after_flush`` listener turns every new or changed searchable
object into its index row in the same transaction (so a rolled-back write leaves no trace in the
index), and ``rebuild`` recomputes the whole index from the tables (``flask repository rebuild-search``).

What is indexed is everything searchable, public or not: whether a row may be shown is decided when
searching, by the rules of visibility.py (search/services.py), because a call becomes public on its
announcement date without any write.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, event, insert, select, text, update
from sqlalchemy.orm import Session, selectinload

from ..calls.models import Call
from ..comments.models import Comment
from ..drafts.models import DraftCommitment, DraftVersion
from ..extensions import db
from ..organisations.models import Organisation
from ..proposals.models import Proposal
from ..repository.models import CommissionReport, Document, DocumentVersion
from . import text as fts
from .models import SearchEntry, SearchIndexState

TABLE = SearchEntry.__table__
# The version of what the indexer writes (the rows below, the stems of text.py). Raise it in a migration
# whenever that changes: after every upgrade that applies a revision and reaches the head,
# migrations/env.py rebuilds an index whose stamp differs (``ensure_current``).
INDEX_VERSION = 1


@dataclass
class Row:
    kind: str
    object_id: int
    plan_id: int | None
    dated_on: date | None  # the subject's own date: "newest first", and the year filter
    title: str
    body: str
    endpoint: str
    args: dict

    @property
    def year(self) -> int | None:
        return self.dated_on.year if self.dated_on is not None else None


def _date(value) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _call(c: Call) -> Row:
    return Row("call", c.id, c.plan_id, _date(c.announce_at), c.title, fts.plain(c.description), "calls.detail",
               {"call_id": c.id})


def _proposal(p: Proposal) -> Row:
    body = " ".join(fts.plain(x) for x in (p.problem, p.action, p.expected_result))
    return Row("proposal", p.id, p.call.plan_id, _date(p.created_at), p.title, body, "proposals.detail",
               {"proposal_id": p.id})


def _comment(c: Comment) -> Row:
    draft = c.version.draft
    return Row("comment", c.id, draft.call.plan_id, _date(c.created_at), draft.title, fts.plain(c.body),
               "drafts.detail", {"draft_id": draft.id, "_anchor": f"comment-{c.id}"})


def _version(v: DraftVersion) -> Row:
    draft = v.draft
    body = " ".join(fts.plain(x) for x in (v.problem, v.status_quo, v.description, v.how, v.relevance, v.other_actors))
    return Row("draft_version", v.id, draft.call.plan_id, _date(v.published_at), f"{draft.title} (v{v.number})", body,
               "drafts.version", {"draft_id": draft.id, "number": v.number})


def _commitment(d: DraftCommitment) -> Row | None:
    if d.adopted_at is None or not d.versions:
        return None
    latest = d.versions[-1]
    body = " ".join(fts.plain(x) for x in (latest.description, latest.problem, latest.how))
    return Row("commitment", d.id, d.call.plan_id, _date(d.adopted_at), d.title, body, "drafts.detail",
               {"draft_id": d.id})


def _document(d: Document) -> Row:
    call = d.process_call
    version = d.current
    body = " ".join(x for x in (d.description, version.text if version else "") if x)
    return Row("document", d.id, d.plan_id or (call.plan_id if call else None), _date(d.document_date), d.title,
               body, "repository.detail", {"document_id": d.id})


def _report(r: CommissionReport) -> Row:
    body = "\n".join(str(x) for x in (r.place, r.act, r.objective, r.activities, r.conclusions, r.results,
                                     r.commissioner, r.position_title, r.unit))
    return Row("commission_report", r.id, None, _date(r.report_date), f"{r.folio} · {r.place}", body,
               "repository.report", {"report_id": r.id})


def _organisation(o: Organisation) -> Row:
    title = f"{o.name} ({o.acronym})" if o.acronym else o.name
    return Row("organisation", o.id, None, _date(o.created_at), title, fts.plain(o.description),
               "organisations.detail", {"org_id": o.id})


INDEXERS = {Call: _call, Proposal: _proposal, Comment: _comment, DraftVersion: _version,
            DraftCommitment: _commitment, Document: _document, CommissionReport: _report,
            Organisation: _organisation}
KIND_OF = {Call: "call", Proposal: "proposal", Comment: "comment", DraftVersion: "draft_version",
           DraftCommitment: "commitment", Document: "document", CommissionReport: "commission_report",
           Organisation: "organisation"}


# --- writing rows, per database ------------------------------------------------------------------------


def _write(connection, kind: str, object_id: int, row: Row | None) -> None:
    """Insert, replace or (row None) remove one object's index row."""
    sqlite = connection.dialect.name == "sqlite"
    existing = connection.execute(
        select(TABLE.c.id).where(TABLE.c.kind == kind, TABLE.c.object_id == object_id)).scalar()
    if row is None:
        if existing is not None:
            connection.execute(delete(TABLE).where(TABLE.c.id == existing))
            if sqlite:
                connection.execute(text("DELETE FROM search_fts WHERE rowid = :id"), {"id": existing})
        return
    values = _values(kind, object_id, row)
    if existing is None:
        existing = connection.execute(insert(TABLE).values(**values).returning(TABLE.c.id)).scalar_one()
    else:
        connection.execute(update(TABLE).where(TABLE.c.id == existing).values(**values))
    if sqlite:
        connection.execute(text("DELETE FROM search_fts WHERE rowid = :id"), {"id": existing})
        connection.execute(text("INSERT INTO search_fts(rowid, title, body) VALUES (:id, :title, :body)"),
                           {"id": existing, "title": values["title_terms"], "body": values["terms"]})


def _values(kind: str, object_id: int, row: Row) -> dict:
    """The index row of an object. ``terms`` and ``title_terms`` are the stems of body and title, one per
    word (text.py): PostgreSQL derives its weighted ``vector`` column from them, SQLite's FTS5 table
    keeps a copy of each in a column of its own (title and body, weighed apart by bm25)."""
    title = row.title[:300]
    return {"kind": kind, "object_id": object_id, "plan_id": row.plan_id, "year": row.year,
            "dated_on": row.dated_on, "title": title, "body": row.body, "title_terms": fts.terms(title),
            "terms": fts.terms(row.body), "endpoint": row.endpoint, "args": json.dumps(row.args)}


def _targets(obj):
    """The indexed objects a changed object stands for (a new file version re-indexes its document)."""
    if isinstance(obj, DocumentVersion):
        return [obj.document] if obj.document is not None else []
    if type(obj) in INDEXERS:
        return [obj]
    return []


_paused = False


@contextmanager
def paused():
    """No indexing inside: for code that writes rows into a database migrated to an older revision,
    which has no search index yet (the migration tests)."""
    global _paused
    _paused = True
    try:
        yield
    finally:
        _paused = False


def _after_flush(session: Session, _context) -> None:
    """Note what changed (the session still lists it here); it is indexed once the flush is done."""
    if _paused:
        return
    pending = session.info.setdefault("search_pending", {})
    for obj in list(session.new) + list(session.dirty):
        for target in _targets(obj):
            pending[(type(target), id(target))] = target
    for obj in session.deleted:
        if type(obj) in INDEXERS:
            pending[(type(obj), id(obj))] = None, type(obj), obj.id


def _after_flush_postexec(session: Session, _context) -> None:
    """Index what the flush wrote: the objects are persistent now, their relationships loadable."""
    pending = session.info.pop("search_pending", None)
    if not pending:
        return
    connection = session.connection()
    for target in pending.values():
        if isinstance(target, tuple):
            _none, cls, object_id = target
            _write(connection, KIND_OF[cls], object_id, None)
        elif target.id is not None:
            _write(connection, KIND_OF[type(target)], target.id, INDEXERS[type(target)](target))


def register() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_flush_postexec", _after_flush_postexec)


# What each indexer reads, loaded with each batch rather than one object at a time.
_LOADS = {
    Proposal: (selectinload(Proposal.call),),
    Comment: (selectinload(Comment.version).selectinload(DraftVersion.draft).selectinload(DraftCommitment.call),),
    DraftVersion: (selectinload(DraftVersion.draft).selectinload(DraftCommitment.call),),
    DraftCommitment: (selectinload(DraftCommitment.call), selectinload(DraftCommitment.versions)),
    Document: (selectinload(Document.versions), selectinload(Document.call), selectinload(Document.meeting),
               selectinload(Document.proposal)),
}


def rebuild(batch: int = 500, session: Session | None = None) -> int:
    """Recompute the whole index from the tables, in the caller's transaction, a batch of objects at a
    time; stamp it with INDEX_VERSION. Returns the row count."""
    session = session if session is not None else db.session
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    connection.execute(delete(TABLE))
    if sqlite:
        connection.execute(text("DELETE FROM search_fts"))
    count = 0
    for cls, indexer in INDEXERS.items():
        last = 0
        while True:
            objects = session.scalars(select(cls).options(*_LOADS.get(cls, ())).where(cls.id > last)
                                      .order_by(cls.id).limit(batch)).all()
            if not objects:
                break
            values = [_values(KIND_OF[cls], obj.id, row) for obj in objects if (row := indexer(obj)) is not None]
            if values:
                connection.execute(insert(TABLE), values)
                count += len(values)
            last = objects[-1].id
            session.expunge_all()
    if sqlite:  # the full-text copy in one statement, rather than one per row
        connection.execute(text("INSERT INTO search_fts(rowid, title, body) "
                                "SELECT id, title_terms, terms FROM search_index"))
    connection.execute(delete(SearchIndexState.__table__))
    connection.execute(insert(SearchIndexState.__table__).values(id=1, version=INDEX_VERSION))
    return count


def is_current(connection) -> bool:
    """Whether the index was written by this version of the indexer (its stamp)."""
    state = SearchIndexState.__table__
    return connection.execute(select(state.c.version).where(state.c.id == 1)).scalar() == INDEX_VERSION


def ensure_current(connection) -> int | None:
    """Rebuild the index on ``connection`` (inside its transaction) unless its stamp is current; the
    upgrade calls it (migrations/env.py). Returns the rows indexed, or None when nothing was needed."""
    if is_current(connection):
        return None
    with Session(bind=connection) as session:
        count = rebuild(session=session)
    if count == 0:  # an empty database stays empty (the continuity archive imports into empty ones only)
        connection.execute(delete(SearchIndexState.__table__))
    return count
