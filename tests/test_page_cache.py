"""The full-page cache for anonymous readers (issue 18; ogpcocreate/core/pagecache.py).

- Anonymous readers get no session and no CSRF token: no public page sets a cookie, and the language
  switch works with a GET form and a plain cookie.
- Pages are served from the store keyed by the log's head, the clock window and the language; an act
  moves the head, and the next reader gets the new page; revalidation answers 304.
- Pages that change with the clock alone expire at the next transition (transitions.py).
- Every commit that changes a public table moves the head: by an act on the log, or else by the page
  generation in the same transaction, whatever route or command made it.
- On a miss, one thread computes while the others wait; the store is shared through Redis.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import Blueprint
from sqlalchemy import select

from ogpcocreate.core import pagecache
from ogpcocreate.core.db import utcnow
from ogpcocreate.extensions import db

from .conftest import FormClient
from .factories import make_call, make_plan, make_user
from .test_permissions import PUBLIC, ROUTES
from .test_rate_limits import redis_or_skip

# Pages where an anonymous reader acts (log in, register, reset a password): their forms need a
# session for the CSRF token. Every other public page sets no cookie.
ACTING_PAGES = {"auth.register", "auth.login", "auth.forgot_password", "auth.reset_password"}


@pytest.mark.parametrize("endpoint", sorted(e for e, (method, _url, roles) in ROUTES.items()
                                            if method == "GET" and roles == PUBLIC and e not in ACTING_PAGES))
def test_no_public_page_gives_an_anonymous_reader_a_cookie(world_case, endpoint):
    client = world_case.client("anonymous")
    url = ROUTES[endpoint][1].format(**world_case.world.__dict__)
    response = client.get(url)
    response.close()
    assert response.status_code < 500
    assert "Set-Cookie" not in response.headers, (endpoint, response.headers.get("Set-Cookie"))


def test_pages_where_an_anonymous_reader_acts_keep_their_token(world_case):
    client = world_case.client("anonymous")
    response = client.get("/login")
    assert 'name="csrf_token"' in response.get_data(as_text=True)
    assert "Set-Cookie" in response.headers


def test_the_language_switch_needs_no_session(client):
    page = client.get("/").get_data(as_text=True)
    assert 'method="get" action="/language"' in page and "csrf_token" not in page
    response = client.get("/language?language=en&next=/organisations")
    assert response.status_code == 302 and response.headers["Location"] == "/organisations"
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("locale=en;") and "HttpOnly" in cookies[0]
    english = client.get("/organisations")
    assert "Directory of organisations" in english.get_data(as_text=True)
    assert "Set-Cookie" not in english.headers
    # A language that does not exist, or a next that leaves the site: nothing set, home.
    bad = client.get("/language?language=xx&next=https://evil.example")
    assert bad.headers["Location"] == "/" and "Set-Cookie" not in bad.headers


def test_a_logged_in_switch_is_a_post_that_changes_the_account(app, client):
    from ogpcocreate.auth.models import User

    with app.app_context():
        make_user("luis@example.org", locale="es")
        db.session.commit()
    client.login("luis@example.org")
    page = client.get("/").get_data(as_text=True)
    assert 'method="post" action="/language"' in page
    # A GET only sets the cookie: the account's language wins for a logged-in person and is unchanged.
    client.get("/language?language=en&next=/")
    with app.app_context():
        assert db.session.scalar(select(User.locale)) == "es"
    assert client.post_form("/language", {"language": "en", "next": "/"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.locale)) == "en"


# --- the cache --------------------------------------------------------------------------------------


@pytest.fixture
def cached_app(app_config, make_app):
    return make_app({**app_config, "PAGE_CACHE": True, "PAGE_CACHE_HEAD_MS": 60_000})


def _public_call(app, phase: str = "open", now=None, **dates):
    """A public call (by the factories' phases), with any date then moved to ``dates``."""
    with app.app_context():
        call = make_call(make_plan(), phase=phase, now=now)
        for name, value in dates.items():
            setattr(call, name, value)
        db.session.commit()
        return call.id


def test_an_anonymous_page_is_computed_once_and_revalidated(cached_app):
    call_id = _public_call(cached_app)
    client = cached_app.test_client()
    first = client.get(f"/calls/{call_id}")
    assert first.status_code == 200 and first.headers["X-Page-Cache"] == "miss"
    second = client.get(f"/calls/{call_id}")
    assert second.headers["X-Page-Cache"] == "hit"
    assert second.get_data() == first.get_data()
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    assert second.headers["Content-Security-Policy"] and second.headers["X-Frame-Options"] == "DENY"
    assert "Cookie" in second.headers["Vary"] and "Accept-Language" in second.headers["Vary"]
    assert second.headers["Cache-Control"] == "no-cache"
    etag = second.headers["ETag"]
    assert client.get(f"/calls/{call_id}", headers={"If-None-Match": etag}).status_code == 304
    # Each language is its own page.
    english = client.get(f"/calls/{call_id}", headers={"Accept-Language": "en"})
    assert english.headers["X-Page-Cache"] == "miss" and english.headers["ETag"] != etag
    assert 'lang="en"' in english.get_data(as_text=True)


def test_a_logged_in_reader_never_gets_a_stored_page(cached_app):
    call_id = _public_call(cached_app)
    with cached_app.app_context():
        make_user("luis@example.org", name="Luis Ortega")
        db.session.commit()
    FormClient(cached_app.test_client()).get(f"/calls/{call_id}")
    member = FormClient(cached_app.test_client())
    member.login("luis@example.org")
    page = member.get(f"/calls/{call_id}")
    assert "X-Page-Cache" not in page.headers and "Luis Ortega" in page.get_data(as_text=True)


def test_an_act_moves_the_head_and_the_next_reader_sees_it(cached_app):
    """A proposal submitted through the site appends to the log: the anonymous page that lists the
    call's proposals is computed afresh at once, in the process that took the act (another process
    within PAGE_CACHE_HEAD_MS)."""
    call_id = _public_call(cached_app, "open")
    with cached_app.app_context():
        make_user("ana@example.org")
        from ogpcocreate.calls.models import Theme

        theme_id = db.session.scalar(select(Theme.id).where(Theme.call_id == call_id))
        db.session.commit()
    reader = cached_app.test_client()
    reader.get(f"/calls/{call_id}")
    assert reader.get(f"/calls/{call_id}").headers["X-Page-Cache"] == "hit"
    author = FormClient(cached_app.test_client())
    author.login("ana@example.org")
    response = author.post_form(f"/calls/{call_id}/proposals/new", {
        "theme": str(theme_id), "title": "Padrón abierto de beneficiarios",
        "problem_source": "Nadie sabe quién recibe los apoyos.", "action_source": "Publicar el padrón cada mes.",
        "expected_result_source": "Un padrón verificable.", "links": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    fresh = reader.get(f"/calls/{call_id}")
    assert fresh.headers["X-Page-Cache"] == "miss"
    assert "Padrón abierto de beneficiarios" in fresh.get_data(as_text=True)


def test_a_page_expires_at_the_next_transition(cached_app):
    """Nobody acts, the log's head stays, but the call opens: the page shows it open from that moment."""
    start = datetime(2030, 3, 1, 12, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        call_id = _public_call(cached_app, "announced", now=start, opens_at=start + timedelta(hours=2))
        client = cached_app.test_client()
        before = client.get(f"/calls/{call_id}")
        assert client.get(f"/calls/{call_id}").headers["X-Page-Cache"] == "hit"
    with time_machine.travel(start + timedelta(hours=2, seconds=1), tick=False):
        after = client.get(f"/calls/{call_id}")
        assert after.headers["X-Page-Cache"] == "miss"
        assert after.headers["ETag"] != before.headers["ETag"]
        assert after.get_data() != before.get_data()


def test_the_next_transition_is_the_earliest_scheduled_moment(app):
    from ogpcocreate import transitions

    now = datetime(2030, 3, 1, 12, tzinfo=UTC)
    _public_call(app, "announced", now=now, opens_at=now + timedelta(hours=5))
    with app.app_context():
        with time_machine.travel(now, tick=False):
            assert transitions.next_transition(now) == now + timedelta(hours=5)
            # With nothing scheduled sooner, the next local midnight (America/Mexico_City, UTC-6).
            later = now + timedelta(hours=6)
            assert transitions.next_transition(later) == datetime(2030, 3, 2, 6, tzinfo=UTC)


def test_every_commit_that_changes_a_public_page_moves_the_head(cached_app):
    """Whatever route or command writes, without an act on the log: a public table changed moves the
    page generation in the same transaction (so the next anonymous reader gets a fresh page); private
    columns (a person's language, a log-in's session token) move nothing and keep the cache."""
    from ogpcocreate.auth.models import User
    from ogpcocreate.calls.models import Call

    bp = Blueprint("sneaky", __name__)

    @bp.route("/sneaky/<int:call_id>", methods=["POST"])
    def rename(call_id):
        db.session.get(Call, call_id).title = "Renombrada sin pasar por el registro"
        db.session.commit()
        return "done"

    @bp.route("/private", methods=["POST"])
    def private():
        db.session.scalar(select(User).where(User.email == "luis@example.org")).locale = "en"
        db.session.commit()
        return "done"

    cached_app.register_blueprint(bp)
    cached_app.config["WTF_CSRF_ENABLED"] = False
    call_id = _public_call(cached_app)
    with cached_app.app_context():
        make_user("luis@example.org")
        db.session.commit()
    reader = cached_app.test_client()
    reader.get(f"/calls/{call_id}")
    assert reader.get(f"/calls/{call_id}").headers["X-Page-Cache"] == "hit"
    assert cached_app.test_client().post("/private").status_code == 200
    assert reader.get(f"/calls/{call_id}").headers["X-Page-Cache"] == "hit"
    assert cached_app.test_client().post(f"/sneaky/{call_id}").status_code == 200
    fresh = reader.get(f"/calls/{call_id}")
    assert fresh.headers["X-Page-Cache"] == "miss"
    assert "Renombrada sin pasar por el registro" in fresh.get_data(as_text=True)


def test_an_account_nobody_confirmed_moves_nothing(cached_app):
    """Registering is not public until the address is confirmed (then "registered" is on the log), so a
    flood of registrations cannot empty the cache."""
    call_id = _public_call(cached_app)
    reader = cached_app.test_client()
    reader.get(f"/calls/{call_id}")
    with cached_app.app_context():
        make_user("nadie@example.org", confirmed=False)
        db.session.commit()
    assert reader.get(f"/calls/{call_id}").headers["X-Page-Cache"] == "hit"


def test_private_declarations_name_real_tables_and_columns(app):
    tables = db.metadata.tables
    assert set(pagecache.PRIVATE_TABLES) <= set(tables)
    for table, columns in pagecache.PRIVATE_COLUMNS.items():
        assert columns <= {c.name for c in tables[table].columns}


def test_one_thread_computes_while_the_others_wait(cached_app):
    calls = []
    gate = threading.Event()

    def compute():
        calls.append(1)
        gate.wait(2)
        return {"value": 42}

    results = []

    def reader():
        with cached_app.app_context():
            results.append(pagecache.memo("test:stampede", compute, utcnow() + timedelta(minutes=1)))

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for t in threads:
        t.start()
    threading.Timer(0.3, gate.set).start()
    for t in threads:
        t.join(10)
    assert len(calls) == 1 and results == [{"value": 42}] * 8


def test_processes_share_pages_through_redis(app_config, make_app):
    redis_or_skip()
    import uuid

    url = "redis://127.0.0.1:6379/0"
    one = make_app({**app_config, "PAGE_CACHE": True, "PAGE_CACHE_URL": url, "PAGE_CACHE_HEAD_MS": 60_000})
    call_id = _public_call(one)
    two = make_app({**app_config, "PAGE_CACHE": True, "PAGE_CACHE_URL": url, "PAGE_CACHE_HEAD_MS": 60_000})
    # A query string of its own, so that no other run's entry answers.
    path = f"/calls/{call_id}?run={uuid.uuid4().hex}"
    first = one.test_client().get(path)
    assert first.headers["X-Page-Cache"] == "miss"
    second = two.test_client().get(path)
    assert second.headers["X-Page-Cache"] == "hit" and second.get_data() == first.get_data()


def test_a_stored_answer_keeps_every_header_and_answers_head(cached_app):
    """The fast path sends a stored page as it was answered: the API's CORS header and the security
    headers included; HEAD gets the headers without the body."""
    _public_call(cached_app)
    client = cached_app.test_client()
    first = client.get("/api/v1/proposals")
    assert first.status_code == 200 and first.headers["X-Page-Cache"] == "miss"
    hit = client.get("/api/v1/proposals")
    assert hit.headers["X-Page-Cache"] == "hit" and hit.get_data() == first.get_data()
    for name in ("Access-Control-Allow-Origin", "Content-Security-Policy", "X-Content-Type-Options", "ETag", "Vary"):
        assert hit.headers[name] == first.headers[name], name
    head = client.head("/api/v1/proposals")
    assert head.status_code == 200 and head.get_data() == b"" and head.headers["ETag"] == first.headers["ETag"]
    # The health check is never stored: it says how the database is now.
    client.get("/healthz")
    assert "X-Page-Cache" not in client.get("/healthz").headers
