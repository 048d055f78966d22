"""Searching the public record: the query's stems matched by the database's full-text index (SQLite
FTS5 or PostgreSQL ``tsvector``, one interface: ``match`` and ``rank``), filtered by kind, plan and year,
ordered by relevance (a match in a title weighs more than one in a body) or newest first, and never a
row that is not public: each kind of row is shown only where visibility.py's rule for its subject holds
now (a hidden comment's text never, whoever searches).

The statement of each combination of filters is built once per process with the query, the moment and
the filters as bound parameters (building the visibility rules is most of the Python time of a search),
and the count stops at ``COUNT_CAP``: beyond it the page says "more than 1,000 results" rather than
making the database visit every match to count them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import and_, bindparam, column, exists, func, literal_column, or_, select, table, text, true

from .. import visibility
from ..comments.models import Comment
from ..core.db import utcnow
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
SORTS = {"relevance": _l("Relevance"), "newest": _l("Newest first")}
PER_PAGE = 20
COUNT_CAP = 1000
ALL = {"sqlite": -1, "postgresql": None}  # LIMIT with no limit
MIN_CANDIDATES = 100  # the best matches asked the visibility rules first: at least, and 3 pages' worth
TITLE_WEIGHT = 5.0  # SQLite bm25: a word of the title counts five words of the body


def _per_row(query):
    """EXISTS asked row by row: ``OFFSET 0`` keeps PostgreSQL from turning it into a hash of every public
    row of the table (its choice when it expects many matches, blind to the LIMIT that stops early)."""
    return exists(query.offset(literal_column("0")))


def public_condition(now=None):
    """SQL: the index row's subject is public at ``now`` (DOMAIN.md, "What is public, and when").

    Each rule is asked of the matching rows only (a correlated EXISTS on the subject's primary key), so
    the cost follows the number of matches, not the size of the tables."""
    e = SearchEntry
    public_calls = visibility.public_call_ids(now)
    public_drafts = visibility.public_draft_ids(now)
    rules = {
        "call": e.object_id.in_(public_calls),
        "proposal": _per_row(select(Proposal.id).where(Proposal.id == e.object_id, Proposal.call_id.in_(public_calls))),
        # A hidden comment's text is never public (comments/rules.py): hidden comments are not searchable.
        "comment": _per_row(select(Comment.id).join(DraftVersion, DraftVersion.id == Comment.version_id)
                            .where(Comment.id == e.object_id, Comment.hidden_at.is_(None),
                                   DraftVersion.draft_id.in_(public_drafts))),
        "draft_version": _per_row(select(DraftVersion.id).where(DraftVersion.id == e.object_id,
                                                                DraftVersion.draft_id.in_(public_drafts))),
        "commitment": _per_row(select(DraftCommitment.id).where(DraftCommitment.id == e.object_id,
                                                                DraftCommitment.adopted_at.is_not(None),
                                                                DraftCommitment.id.in_(public_drafts))),
        "document": _per_row(select(Document.id).where(Document.id == e.object_id, visibility.public_document(now))),
        "commission_report": true(),
        "organisation": true(),
    }
    return or_(*(and_(e.kind == kind, rule) for kind, rule in rules.items()))


_FTS = table("search_fts", column("rowid"))
_VECTOR = literal_column("search_index.vector")


def _tsquery():
    return func.to_tsquery(literal_column("'simple'::regconfig"), bindparam("fts"))


def match_text(query: fts.Query, dialect: str) -> str:
    """The query in the database's full-text syntax: every word and every phrase (stems)."""
    if dialect == "postgresql":
        return " & ".join([*query.words, *("(" + " <-> ".join(p) + ")" for p in query.phrases)])
    return " ".join([f'"{w}"' for w in query.words] + ['"' + " ".join(p) + '"' for p in query.phrases])


def matching(dialect: str):
    """A SELECT of index rows whose title or body holds the query bound as ``fts`` (``match_text``)."""
    if dialect == "postgresql":
        return select(SearchEntry).where(_VECTOR.op("@@")(_tsquery()))
    return (select(SearchEntry).join(_FTS, _FTS.c.rowid == SearchEntry.id)
            .where(literal_column("search_fts").op("MATCH")(bindparam("fts"))))


def score(dialect: str):
    """(relevance score, whether higher is better). FTS5's bm25 (lower is better) with the title weighed
    TITLE_WEIGHT times the body; PostgreSQL's cover density over the weighted vector (title at A: 1.0,
    body at B: 0.4), divided by the log of the length so a long text does not win by length alone."""
    if dialect == "postgresql":
        return func.ts_rank_cd(_VECTOR, _tsquery(), 1), True
    return func.bm25(literal_column("search_fts"), TITLE_WEIGHT, 1.0), False


def rank(dialect: str):
    """ORDER BY terms: most relevant first, then the newest row."""
    value, higher_first = score(dialect)
    return (value.desc() if higher_first else value), SearchEntry.id.desc()


def _order(sort: str, dialect: str, key, row_id):
    """ORDER BY terms over a candidate's sort key and id (``_statements``)."""
    if sort == "newest":
        return key.desc().nulls_last(), row_id.desc()
    return (key.desc() if score(dialect)[1] else key), row_id.desc()


@lru_cache(maxsize=64)
def _statements(dialect: str, kind: bool, plan: bool, year: bool, sort: str):
    """(anything, count, page) statements for a combination of filters, with bound parameters: ``fts``, ``now``,
    ``kind``, ``plan_id``, ``year``, ``cap``, ``candidates``, ``limit`` and ``offset``.

    The page is found in two steps in one statement: the ``candidates`` best matches in the chosen order
    (the full-text lookup alone, which must rank every match anyway), then the visibility rules on those
    only. Should too few of them be public for the page, ``search`` asks again with no limit."""
    found = matching(dialect)
    if kind:
        found = found.where(SearchEntry.kind == bindparam("kind"))
    if plan:
        found = found.where(SearchEntry.plan_id == bindparam("plan_id"))
    if year:
        found = found.where(SearchEntry.year == bindparam("year"))
    public = public_condition(bindparam("now"))
    capped = found.with_only_columns(SearchEntry.id).where(public).limit(bindparam("cap")).subquery()
    count = select(func.count()).select_from(capped)
    # Whether the words occur anywhere: a query that matches nothing (a typo, a word nobody wrote) is
    # answered without planning the visibility rules, which costs more than the lookup itself.
    anything = select(found.with_only_columns(SearchEntry.id).limit(1).exists())
    key = score(dialect)[0] if sort == "relevance" else SearchEntry.dated_on
    candidates = (found.with_only_columns(SearchEntry.id.label("id"), key.label("sort_key"))
                  .order_by(*_order(sort, dialect, key, SearchEntry.id)).limit(bindparam("candidates"))
                  .cte("candidates"))
    page = (select(SearchEntry).join(candidates, candidates.c.id == SearchEntry.id).where(public)
            .order_by(*_order(sort, dialect, candidates.c.sort_key, candidates.c.id))
            .limit(bindparam("limit")).offset(bindparam("offset")))
    return anything, count, page


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
    total: int  # at most COUNT_CAP + 1
    page: int
    pages: int

    cap: int = COUNT_CAP  # the count stops past this many

    @property
    def more_than_cap(self) -> bool:
        """More results than were counted: the page says "more than COUNT_CAP"."""
        return self.total > self.cap

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


def search(raw: str, filters: Filters, page: int = 1, per_page: int = PER_PAGE, sort: str = "relevance") -> Page:
    query = fts.parse(raw)
    if query.empty or (filters.kind and filters.kind not in KINDS):
        return Page([], 0, 1, 1)
    dialect = db.session.get_bind().dialect.name
    anything, count, rows = _statements(dialect, bool(filters.kind), bool(filters.plan_id), bool(filters.year),
                              sort if sort in SORTS else "relevance")
    params = {"fts": match_text(query, dialect), "now": utcnow(), "kind": filters.kind, "plan_id": filters.plan_id,
              "year": filters.year, "cap": COUNT_CAP + 1}
    if not db.session.scalar(anything, params):
        return Page([], 0, 1, 1)
    if dialect == "postgresql":
        # For this transaction only. psycopg prepares a statement run often and PostgreSQL may then plan
        # it once for any query: a plan that fits "propuestas" (thousands of matches) scans the whole
        # index for a rare word. And the visibility rules, costed per match with no regard for the
        # LIMIT, push the estimate past jit_above_cost: compiling them took seconds to save milliseconds.
        db.session.execute(text("SELECT set_config('plan_cache_mode', 'force_custom_plan', true), "
                                "set_config('jit', 'off', true)"))
    total = db.session.scalar(count, params) or 0
    pages = max((min(total, COUNT_CAP) + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    offset = (page - 1) * per_page
    expected = max(min(per_page, min(total, COUNT_CAP) - offset), 0)
    params |= {"limit": per_page, "offset": offset, "candidates": max(MIN_CANDIDATES, 3 * (offset + per_page))}
    found = db.session.scalars(rows, params).all() if expected else []
    if len(found) < expected:  # too many of the best matches are not public: rank them all
        found = db.session.scalars(rows, params | {"candidates": ALL[dialect]}).all()
    labels = {kind: str(label) for kind, label in KINDS.items()}
    results = [Result(r.kind, labels[r.kind], r.title, fts.highlight(r.body or r.title, query), r.endpoint,
                      json.loads(r.args), r.year) for r in found]
    return Page(results, total, page, pages, COUNT_CAP)
