"""The full-page cache for anonymous readers (issue 18), and the shared store other caches use.

Most readers have no account: they read calls, drafts, the record and the reports. For them a page
depends only on its address, their language, the participation log and the clock, so it is computed
once and served from a store until one of those changes.

What is cached
    A GET or HEAD from a reader who sends no session and no remember cookie, answered 200, not
    streamed, that set no cookie and did not touch the session. Anonymous readers get no session and
    no CSRF token (the language switch is a GET form that sets a plain cookie; forms that need a token
    appear only where a person can act), so every public page qualifies. A logged-in reader always gets
    a page computed for them, in which the heavy pages place parts shared by every reader of their kind
    (core/fragments.py).

The key
    (head, clock window, language, host, path and query), the head as below. The language is the one
    the reader's ``locale`` cookie or Accept-Language header selects (core/i18n.py), so the response
    varies on both.

Freshness, and its bound
    Every act that changes what a public page shows appends to the participation log (STYLE.md
    convention 4; DOMAIN.md, "Participation event"). Anything else that changes a table a public page
    may show (a person's public name, say) moves a counter, PageGeneration, in the same transaction
    (``_before_commit``, which sees every flush of the transaction, so no route or command can forget
    it). The head is the log's last hash and that counter: a page is valid while both are the same.
    Each process holds the head in memory: a process that commits re-reads it on its next request, and
    every process re-reads it at most PAGE_CACHE_HEAD_MS (default 1,000 ms) after its last reading, with
    one indexed query. No query per request, and no page is served more than that bound after the
    commit that changed it, on any machine sharing the database.

The clock
    Some pages change with no act at all: a call's phase opens, a comment window or a ballot closes, a
    meeting starts, a milestone falls due at midnight. ``transitions.next_transition`` (installed by the
    app factory) names the next such moment; it is part of the key and of the ETag, so every cached page
    expires exactly then, and no entry lives past the next multiple of PAGE_CACHE_MAX_SECONDS.

Private writes
    Tables and columns no public page shows are declared in PRIVATE_TABLES and PRIVATE_COLUMNS with the
    reason: writing them moves nothing, so logging in or reading a notification keeps the cache.

Revalidation
    The ETag is the head, the clock window and the language; a client that has the page gets a 304.
    ``Cache-Control: no-cache`` lets browsers and proxies keep it but ask every time, so the bound above
    holds for them too.

The store
    Flask-Caching: Redis (PAGE_CACHE_URL, shared by every process and machine) where configured, else one
    store per process. ``memo`` is the one entry point for computed values (pages here, influence reports
    in reports/services.py): on a miss, one thread computes while the others wait for its result.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, has_app_context, has_request_context, request
from flask_caching import Cache
from sqlalchemy import BigInteger, event, inspect, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.wrappers import Request as WerkzeugRequest

from ..extensions import db
from .db import utcnow
from .eventlog import ParticipationEvent
from .i18n import locale_of

log = logging.getLogger(__name__)

store = Cache()

# Tables no public page shows (or that are derived from the log in the same transaction as the append).
PRIVATE_TABLES = {
    "archive_export": "the secretariat's own archive jobs",
    "follow": "what a person follows is theirs alone",
    "notification": "a person's notifications",
    "notification_preference": "a person's settings",
    "outbox_message": "mail waiting to be sent",
    "invitation": "an invitation is seen only by the organisation's administrators and the invitee",
    "report": "reports of comments are seen only by moderators (the act is on the log)",
    "participation_tally": "derived from the log, written with the append",
    "search_index": "derived from its subject, written in the same transaction",
    "search_index_state": "which version of the indexer wrote the search index",
    "participation_event": "the log itself",
    "vote": "ballot choices are secret (DOMAIN.md, Ballot secrecy)",
    "page_generation": "this module's own counter",
}
# Columns no public page shows, on tables that have public columns too.
PRIVATE_COLUMNS = {
    "users": {"email", "password_hash", "locale", "session_token", "password_changed_at", "is_admin", "active"},
}

_READS = {"GET", "HEAD"}


class Head:
    """The log's head as this process last read it (see "Freshness" above)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._value: str | None = None
        self._read_at = float("-inf")

    def invalidate(self) -> None:
        self._read_at = float("-inf")  # not 0: the monotonic clock starts near 0 when the machine boots

    def current(self, bound_seconds: float, read: Callable[[], str]) -> str:
        now = time.monotonic()
        if now - self._read_at < bound_seconds and self._value is not None:
            return self._value
        with self._lock:
            if time.monotonic() - self._read_at >= bound_seconds or self._value is None:
                self._value = read()
                self._read_at = time.monotonic()
            return self._value


class Window:
    """The next moment a page changes by the clock alone, cached per head (the last few: whole pages and
    fragments may read the head a moment apart)."""

    KEEP = 4

    def __init__(self):
        self._lock = threading.Lock()
        self._for: dict[str, datetime] = {}

    def until(self, head: str, now: datetime, compute: Callable[[datetime], datetime]) -> datetime:
        held = self._for.get(head)
        if held is not None and now < held:
            return held
        with self._lock:
            held = self._for.get(head)
            if held is None or now >= held:
                held = compute(now)
                self._for.pop(head, None)
                self._for[head] = held
                while len(self._for) > self.KEEP:
                    self._for.pop(next(iter(self._for)))
            return held


def _head_query():
    last = select(ParticipationEvent.hash).order_by(ParticipationEvent.seq.desc()).limit(1).scalar_subquery()
    generation = select(PageGeneration.n).where(PageGeneration.id == 1).scalar_subquery()
    return select(last, generation)


def _head_of(row) -> str:
    return f"{row[0] or 'empty'}-{row[1] or 0}"


def _read_head() -> str:
    """The last entry's hash (unique to this log's content: a restored or rebuilt database with another
    history never shares a key with this one, even in a shared Redis) and the page generation."""
    with db.engine.connect() as connection:
        return _head_of(connection.execute(_head_query()).one())


def session_head() -> str:
    """The head as this request's own transaction sees it (one indexed query, once per request): what a
    signed-in reader's cached fragments are keyed by (core/fragments.py), so that a person sees their
    own act at once, on any machine, with no bound to wait out."""
    if "pagecache_head" not in g:
        g.pagecache_head = _head_of(db.session.execute(_head_query()).one())
    return g.pagecache_head


def _state(app: Flask) -> dict:
    return app.extensions["ogp_pagecache"]


def head_and_window(app: Flask | None = None) -> tuple[str, datetime]:
    """The current head and the end of the current clock window (both parts of every key). Callable
    outside a request (the fast path): the database is read in an app context, and only when due."""
    app = app or current_app._get_current_object()
    state = _state(app)
    bound = app.config["PAGE_CACHE_HEAD_MS"] / 1000.0

    def read() -> str:
        with app.app_context():
            return _read_head()

    head = state["head"].current(bound, read)
    return head, window_for(head, app)


def window_for(head: str, app: Flask | None = None) -> datetime:
    """The end of the clock window that starts now, for this head: the next transition, or the next
    multiple of PAGE_CACHE_MAX_SECONDS, whichever comes first."""
    app = app or current_app._get_current_object()
    state = _state(app)
    now = utcnow()
    # The longest life ends on a grid shared by every process (not "now plus"), so that processes agree
    # on the window and share their entries.
    step = max(1, app.config["PAGE_CACHE_MAX_SECONDS"])
    limit = datetime.fromtimestamp((int(now.timestamp()) // step + 1) * step, tz=UTC)

    def compute(at: datetime) -> datetime:
        if has_app_context():  # in a request: its own session (a second one would queue behind its writes)
            upcoming = state["next_transition"](at)
        else:
            with app.app_context():
                upcoming = state["next_transition"](at)
        return min(upcoming, limit) if upcoming is not None else limit

    return state["window"].until(head, now, compute)


def _near_or_shared(state: dict, key: str):
    """What is stored under ``key``: this process's copy, else the shared store's (then kept near), else
    None. Only for keys whose value never changes (they hold the head and the clock window)."""
    value = state["near"].get(key)
    if value is None:
        value = state["backend"].get(key)
        if value is not None:
            state["near"].put(key, value)
    return value


def _seconds_until(moment: datetime) -> int:
    return max(1, int((moment - utcnow()).total_seconds()) + 1)


def memo(key: str, compute: Callable[[], object], expires: datetime, near: bool = False) -> object:
    """``compute()``'s value under ``key`` in the shared store until ``expires``; on a miss one thread
    (in any process, with Redis) computes it while the others wait for its result (no stampede).

    A waiter gives up after PAGE_CACHE_WAIT_SECONDS and computes the value itself, so a computer that died
    delays the others, never stops them. ``near``: the value (text) is also kept in this process's memory,
    for a key whose value never changes (one that holds the head and the clock window)."""
    state = _state(current_app)
    value = _near_or_shared(state, key) if near else store.get(key)
    if value is not None:
        return value
    lock = "lock:" + key
    wait = current_app.config["PAGE_CACHE_WAIT_SECONDS"]
    owner = store.add(lock, 1, timeout=int(wait) + 1)
    if not owner:
        value = _wait_for(key)
        if value is not None:
            return value
    try:
        value = compute()
        store.set(key, value, timeout=_seconds_until(expires))
        if near:
            state["near"].put(key, value)
        return value
    finally:
        if owner:
            store.delete(lock)


# --- pages -------------------------------------------------------------------------------------------


def _is_anonymous(req, config) -> bool:
    cookies = req.cookies
    return not (cookies.get(config["SESSION_COOKIE_NAME"]) or cookies.get(config.get("REMEMBER_COOKIE_NAME", "remember_token"))
                or req.authorization)


def _page_key(req, head: str, window: datetime, locale: str) -> str:
    raw = f"{head}|{window.timestamp():.0f}|{locale}|{req.host}|{req.path}?{req.query_string.decode('latin-1')}"
    return "page:" + hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()


def _etag(head: str, window: datetime, locale: str) -> str:
    chain, generation = head.rsplit("-", 1)
    return f"{chain[:20]}.{generation}.{window.timestamp():.0f}.{locale}"


def _lookup(app: Flask, req):
    """(key, etag, window, stored page or None) for an anonymous reader's GET, or None when this request
    is not one the cache answers."""
    config = app.config
    if req.method not in _READS or not config["PAGE_CACHE"]:
        return None
    if len(req.query_string) > 2000 or not _is_anonymous(req, config):
        return None
    head, window = head_and_window(app)
    locale = locale_of(req, config["LANGUAGES"], config["BABEL_DEFAULT_LOCALE"])
    key = _page_key(req, head, window, locale)
    return key, _etag(head, window, locale), window, _near_or_shared(_state(app), key)


class FastPath:
    """WSGI middleware: a stored page is answered before Flask builds a request, a session, or anything
    else (what is stored is the whole answer, headers included). Everything else goes to the app."""

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") in _READS and self.app.config["PAGE_CACHE"]:
            req = WerkzeugRequest(environ)
            found = _lookup(self.app, req)
            if found is not None and found[3] is not None:
                _key, etag, _window, page = found
                if etag in req.if_none_match:
                    response = _revalidated(etag, page)
                else:
                    response = _response(page)
                return response(environ, start_response)
        return self.wsgi_app(environ, start_response)


def _serve_cached():
    """before_request: a reader the fast path did not answer. A stored page is answered (it was stored
    meanwhile); a missing one is computed by this reader while the others wait (no stampede)."""
    app = current_app._get_current_object()
    if request.endpoint is None or request.endpoint == "static":
        return None
    if getattr(app.view_functions.get(request.endpoint), "pagecache_uncached", False):
        return None
    found = _lookup(app, request)
    if found is None:
        return None
    key, etag, window, page = found
    if page is None:
        # The first reader of this key computes it (the view runs on); the others wait for its result.
        if store.add("lock:" + key, 1, timeout=int(app.config["PAGE_CACHE_WAIT_SECONDS"]) + 1):
            g.pagecache_pending = (key, etag, window)
            return None
        page = _wait_for(key)
        if page is None:
            g.pagecache_pending = (key, etag, window)  # the computer gave up: compute, and store it
            return None
    g.pagecache_served = True
    return _revalidated(etag, page) if etag in request.if_none_match else _response(page)


def _wait_for(key: str):
    """The page another reader is computing, once stored; None if it gave up or its answer could not be
    stored (an error, a page that set a cookie): then this reader computes its own."""
    deadline = time.monotonic() + current_app.config["PAGE_CACHE_WAIT_SECONDS"]
    while time.monotonic() < deadline:
        time.sleep(0.005)
        cached = store.get(key)
        if cached is not None:
            return cached
        if not store.has("lock:" + key):
            return store.get(key)
    return None


# Headers a stored page does not keep: the server sets the first two again, and a stored page never
# set a cookie (it would not have been stored).
_NOT_STORED = {"content-length", "date", "set-cookie", "x-page-cache"}


def _revalidated(etag: str, page: dict) -> Response:
    response = Response(status=304)
    for name, value in page["headers"]:
        if name.lower() not in {"content-type", "content-disposition"}:
            response.headers.add(name, value)
    response.headers["X-Page-Cache"] = "hit"
    return response


def _public_headers(response: Response, etag: str) -> None:
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"  # keep it, but ask (If-None-Match) before each use
    response.vary.add("Cookie")
    response.vary.add("Accept-Language")


def _response(page: dict) -> Response:
    response = Response(page["body"], status=200)
    response.headers.clear()
    for name, value in page["headers"]:
        response.headers.add(name, value)
    response.headers["X-Page-Cache"] = "hit"
    return response


def _cacheable(response: Response) -> bool:
    from flask import session

    return (response.status_code == 200 and not response.is_streamed and not response.direct_passthrough
            and "Set-Cookie" not in response.headers and not session.modified)


def _store_page(response: Response) -> Response:
    """after_request, the last to run (registered first): the answer is stored with every header the
    other handlers added (security headers, CORS), so the fast path can send it as it is."""
    pending = g.pop("pagecache_pending", None)
    if getattr(g, "pagecache_served", False) or pending is None:
        return response
    key, etag, window = pending
    try:
        if _cacheable(response):
            _public_headers(response, etag)
            headers = [(name, value) for name, value in response.headers.items() if name.lower() not in _NOT_STORED]
            page = {"body": response.get_data(), "headers": headers}
            store.set(key, page, timeout=_seconds_until(window))
            _state(current_app._get_current_object())["near"].put(key, page)
            response.headers["X-Page-Cache"] = "miss"
    finally:
        store.delete("lock:" + key)
    return response


def _release(_exc=None) -> None:
    pending = g.pop("pagecache_pending", None) if has_request_context() else None
    if pending is not None:  # the view raised before after_request: let the waiters compute
        store.delete("lock:" + pending[0])


class NearStore:
    """The pages and fragments (core/fragments.py) this process served last, in its own memory, before the
    shared store: an entry's key holds the head and the clock window, so what is under a key never changes
    and this copy is never stale. Bounded in bytes (PAGE_CACHE_NEAR_MB), least recently used first out."""

    def __init__(self, budget_bytes: int):
        self._items: OrderedDict[str, dict] = OrderedDict()
        self._bytes = 0
        self._budget = budget_bytes
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            page = self._items.get(key)
            if page is not None:
                self._items.move_to_end(key)
            return page

    @staticmethod
    def _size(value) -> int:
        return len(value["body"]) if isinstance(value, dict) else len(value)

    def put(self, key: str, value) -> None:
        """Keep ``value`` (a stored page, or a fragment's text) under ``key``."""
        size = self._size(value)
        if size > self._budget // 8:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self._bytes += size
            while self._bytes > self._budget and self._items:
                _old, dropped = self._items.popitem(last=False)
                self._bytes -= self._size(dropped)


def uncached(view):
    """Decorator: a view whose answer must never be stored (it shows something the key does not hold,
    such as the database's health now)."""
    view.pagecache_uncached = True
    return view


# --- the head moves, and writes that do not append ----------------------------------------------------


class PageGeneration(db.Model):
    """One row counting the commits that changed what a public page shows without an act on the log
    (see "Writes that do not append" above). It has no row until the first such commit."""

    __tablename__ = "page_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


def _changed_tables(session: Session) -> set[str]:
    """The tables a public page may show that this flush changes (PRIVATE_TABLES and PRIVATE_COLUMNS
    aside; an account nobody has confirmed is not public either: it enters the record when confirmed)."""
    tables = set()
    for obj in session.new:
        if obj.__table__.name == "users" and obj.email_confirmed_at is None:
            continue
        tables.add(obj.__table__.name)
    for obj in session.deleted:
        tables.add(obj.__table__.name)
    for obj in session.dirty:
        if not session.is_modified(obj, include_collections=False):
            continue
        table = obj.__table__.name
        private = PRIVATE_COLUMNS.get(table)
        if private is None:
            tables.add(table)
            continue
        changed = {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}
        if changed - private:
            tables.add(table)
    return tables - set(PRIVATE_TABLES)


def _after_flush(session: Session, _context) -> None:
    info = session.info
    if any(isinstance(obj, ParticipationEvent) for obj in session.new):
        info["pagecache_appended"] = True
    info.setdefault("pagecache_tables", set()).update(_changed_tables(session))


def _bulk_write(orm_execute_state) -> None:
    if orm_execute_state.is_update or orm_execute_state.is_delete or orm_execute_state.is_insert:
        table = getattr(orm_execute_state.statement, "table", None)
        name = getattr(table, "name", None)
        if name and name not in PRIVATE_TABLES:
            orm_execute_state.session.info.setdefault("pagecache_tables", set()).add(name)
        if name == "participation_event":
            orm_execute_state.session.info["pagecache_appended"] = True


def _before_commit(session: Session) -> None:
    """A transaction that changed a public table without appending to the log moves the generation, in
    the same transaction: so every commit that changes a public page moves the head, whatever route or
    command made it."""
    if session.in_nested_transaction():
        return
    if session.new or session.dirty or session.deleted:
        session.flush()  # the last changes, so that the tables below are all of them
    info = session.info
    if info.get("pagecache_appended") or not info.get("pagecache_tables") or not _has_generation(session):
        return
    moved = session.execute(update(PageGeneration).where(PageGeneration.id == 1).values(n=PageGeneration.n + 1))
    if moved.rowcount == 0:
        session.add(PageGeneration(id=1, n=1))
        session.flush()
    info["pagecache_moved"] = True
    log.info("commit changed %s without an act on the log: the page generation moved", sorted(info["pagecache_tables"]))


def _has_generation(session: Session) -> bool:
    """Whether this database has the counter: a script writing to a database migrated only part of the
    way (an upgrade's own tests) has none, and no page is served from such a database. Asked at each
    move, which is rare (most public changes are acts on the log)."""
    return inspect(session.connection()).has_table(PageGeneration.__tablename__)


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the enclosing transaction's commit decides
    info = session.info
    moved = info.pop("pagecache_appended", False) | info.pop("pagecache_moved", False)
    info.pop("pagecache_tables", None)
    if moved:
        # This process's apps re-read the head on their next request; other processes within the bound.
        for state in _APPS:
            state["head"].invalidate()
        if has_request_context():
            g.pop("pagecache_head", None)  # this request reads the head it has just moved


def _after_rollback(session: Session) -> None:
    if session.in_nested_transaction():
        return  # back to a savepoint: what the enclosing transaction wrote before it still counts
    for key in ("pagecache_appended", "pagecache_tables", "pagecache_moved"):
        session.info.pop(key, None)


_APPS: list = []
_LISTENING = False


def init_app(app: Flask, next_transition: Callable[[datetime], datetime | None]) -> None:
    global _LISTENING
    url = app.config.get("PAGE_CACHE_URL") or ""
    if url.startswith(("redis://", "rediss://", "unix://")):
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url, "CACHE_KEY_PREFIX": "ogp:"}
    else:
        config = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": app.config["PAGE_CACHE_ITEMS"]}
    store.init_app(app, config=config)
    state = {"head": Head(), "window": Window(), "next_transition": next_transition,
             "backend": app.extensions["cache"][store], "near": NearStore(app.config["PAGE_CACHE_NEAR_MB"] * 2**20)}
    app.extensions["ogp_pagecache"] = state
    _APPS.append(state)
    if not _LISTENING:
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        event.listen(Session, "do_orm_execute", _bulk_write)
        _LISTENING = True
    # First of all: a stored page is answered before the rate limiter's bookkeeping (it limits form posts
    # only) and before anything else reads the request.
    app.before_request_funcs.setdefault(None, []).insert(0, _serve_cached)
    app.after_request(_store_page)  # registered before every other: it runs last
    app.wsgi_app = FastPath(app.wsgi_app, app)
    app.teardown_request(_release)
