"""Searching the public record: the query's stems matched by the database's full-text index (SQLite
FTS5 or PostgreSQL ``tsvector``, one interface: ``match``), filtered by kind, plan and year, and never a
row that is not public: each kind of row is shown only where visibility.py's rule for its subject holds
now (a hidden comment's text never, whoever searches)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import and_, exists, false, func, literal_column, or_, select, text, true

from .. import visibility
from ..comments.models import Comment
from ..drafts.models import DraftCommitment, DraftVersion
from ..extensions import db
from ..proposals.models import Proposal
from ..repository.models import Document
from . import text as fts
from .models import SearchEntry

KINDS = {
    "call": _l("Calls"),
    "proposal": _l("Proposals"),
    "comment": _l("Public comments"),
    "draft_version": _l("Draft versions"),
    "commitment": _l("Commitments"),
    "document": _l("Documents"),
    "commission_report": _l("Commission reports"),
    "organisation": _l("Organisations"),
}
PER_PAGE = 20


def public_condition():
    """SQL: the index row's subject is public now (DOMAIN.md, "What is public, and when").

    Each rule is asked of the matching rows only (a correlated EXISTS on the subject's primary key), so
    the cost follows the number of matches, not the size of the tables."""
    e = SearchEntry
    public_drafts = visibility.public_draft_ids()
    rules = {
        "call": e.object_id.in_(visibility.public_call_ids()),
        "proposal": exists(select(Proposal.id).where(Proposal.id == e.object_id,
                                                     Proposal.call_id.in_(visibility.public_call_ids()))),
        # A hidden comment's text is never public (comments/rules.py): hidden comments are not searchable.
        "comment": exists(select(Comment.id).join(DraftVersion, DraftVersion.id == Comment.version_id)
                          .where(Comment.id == e.object_id, Comment.hidden_at.is_(None),
                                 DraftVersion.draft_id.in_(public_drafts))),
        "draft_version": exists(select(DraftVersion.id).where(DraftVersion.id == e.object_id,
                                                              DraftVersion.draft_id.in_(public_drafts))),
        "commitment": exists(select(DraftCommitment.id).where(DraftCommitment.id == e.object_id,
                                                              DraftCommitment.adopted_at.is_not(None),
                                                              DraftCommitment.id.in_(public_drafts))),
        "document": exists(select(Document.id).where(Document.id == e.object_id, visibility.public_document())),
        "commission_report": true(),
        "organisation": true(),
    }
    return or_(*(and_(e.kind == kind, rule) for kind, rule in rules.items()))


def match(query: fts.Query):
    """SQL: the row contains every word and every phrase of the query (stems), on either database."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        parts = [*query.words, *("(" + " <-> ".join(p) + ")" for p in query.phrases)]
        vector = func.to_tsvector(literal_column("'simple'::regconfig"), SearchEntry.terms)
        return vector.op("@@")(func.to_tsquery(literal_column("'simple'::regconfig"), " & ".join(parts)))
    parts = [f'"{w}"' for w in query.words] + ['"' + " ".join(p) + '"' for p in query.phrases]
    rows = text("SELECT rowid FROM search_fts WHERE search_fts MATCH :fts").bindparams(fts=" ".join(parts))
    return SearchEntry.id.in_(rows.columns(literal_column("rowid")))


@dataclass
class Filters:
    kind: str | None = None
    plan_id: int | None = None
    year: int | None = None


@dataclass
class Result:
    kind: str
    kind_label: str
    title: str
    passage: Markup
    endpoint: str
    args: dict
    year: int | None


@dataclass
class Page:
    results: list[Result]
    total: int
    page: int
    pages: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def search(raw: str, filters: Filters, page: int = 1, per_page: int = PER_PAGE) -> Page:
    query = fts.parse(raw)
    if query.empty:
        return Page([], 0, 1, 1)
    conditions = [match(query), public_condition()]
    if filters.kind in KINDS:
        conditions.append(SearchEntry.kind == filters.kind)
    elif filters.kind:
        conditions.append(false())
    if filters.plan_id:
        conditions.append(SearchEntry.plan_id == filters.plan_id)
    if filters.year:
        conditions.append(SearchEntry.year == filters.year)
    total = db.session.scalar(select(func.count(SearchEntry.id)).where(*conditions)) or 0
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    rows = db.session.scalars(
        select(SearchEntry).where(*conditions)
        .order_by(SearchEntry.year.desc().nulls_last(), SearchEntry.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    labels = {kind: str(label) for kind, label in KINDS.items()}
    results = [Result(r.kind, labels[r.kind], r.title, fts.highlight(r.body or r.title, query), r.endpoint,
                      json.loads(r.args), r.year) for r in rows]
    return Page(results, total, page, pages)
