"""Fixtures, and how the suite keeps tests apart while running fast.

Every test that uses ``database_url`` (and so ``app``, ``client``, ``make_client``, ``appctx``) gets a
fresh database of its own that it may write and commit to: on SQLite a copy of a template file
migrated once per session; on PostgreSQL the worker's database, emptied before the test. Tests whose
point is real commits seen by other connections or processes (test_durability, test_generate, the
concurrency tests of test_eventlog, the browser tests' live server) rely on this.

Two kinds of tests share instead, because they are many and each only needs to look at a world
that is expensive to build:

- The authorization matrix, the CSRF tests and the fuzzing tests (``world_case``): the world of
  tests/world.py is built once per session into its own database, each module builds one app on it
  and logs each role in once. Every case runs inside one database transaction that is rolled back
  afterwards (``rolled_back``): the app's sessions join it and their commits only release savepoints
  (SQLAlchemy's "join a session into an external transaction"). This works on both databases: on
  SQLite the outer transaction is the app's own BEGIN IMMEDIATE, on PostgreSQL the log's advisory lock
  is taken on the same connection and released with the rollback.
- The demo (``demo_database_url``): loaded once per session into its own database; tests/test_demo.py
  reads it through one app per module, again rolling back each test.

Templates are per session, and under pytest-xdist per worker: each worker has its own SQLite files,
its own PostgreSQL databases (TEST_DATABASE_URL's name + "_gw0", "_gw1"...; the migrated template
gets "_tpl", the world "_world", the demo "_demo") and its own SMTP server. The tests marked slow
start several processes and time their own load: `make test` runs them alone, after the others.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ogpcocreate import create_app as _create_app


class _TemplateCache(BytecodeCache):
    """Compiled templates kept in memory for the whole session: most tests build an app of their own,
    and compiling the templates again for each took about a third of a short test's time. Jinja checks
    each template's source against the cached code, so an edited template is compiled again."""

    def __init__(self):
        self.compiled = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CACHE = _TemplateCache()


def create_app(config):
    app = _create_app(config)
    app.jinja_env.bytecode_cache = TEMPLATE_CACHE
    return app


def _worker_url(url: str | None) -> str | None:
    """TEST_DATABASE_URL with a driver, and under pytest-xdist a database of the worker's own."""
    if not url:
        return None
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        parsed = make_url(url)
        url = parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)
    return url


PG_URL = _worker_url(os.environ.get("TEST_DATABASE_URL"))


# --- database ---------------------------------------------------------------------------------------


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        from ogpcocreate.extensions import db

        db.engine.dispose()


def _named(url: str, suffix: str) -> str:
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}{suffix}").render_as_string(hide_password=False)


def _pg_admin(url: str, *statements: str) -> None:
    """Run statements (CREATE/DROP DATABASE) on the server's maintenance database."""
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        admin.dispose()


def _pg_clone(template_url: str, url: str) -> None:
    """(Re)create the database of ``url`` as a copy of the one of ``template_url``."""
    name, template = make_url(url).database, make_url(template_url).database
    _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def _ensure_pg_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()
    engine = create_engine(parsed, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate once per session: a template SQLite file, or the PostgreSQL test database.

    On PostgreSQL the migrations run in a template database (PG_URL + "_tpl") that no test connects
    to, so the world and the demo can be cloned from it at any time; PG_URL is a clone of it.
    """
    if PG_URL:
        template = _named(PG_URL, "_tpl")
        try:
            _ensure_pg_database(template)
        except Exception as exc:  # unreachable server
            if os.environ.get("OGP_REQUIRE_POSTGRES"):
                raise
            pytest.skip(f"PostgreSQL not reachable: {exc}")
        _migrate(template)
        _pg_clone(template, PG_URL)
        return PG_URL
    path = tmp_path_factory.mktemp("db") / "template.db"
    _migrate(f"sqlite:///{path}")
    return path


_PG_ENGINES: dict[str, object] = {}


def _pg_engine(url: str):
    """One engine per database for the suite's own housekeeping, closed at the end of the session."""
    if url not in _PG_ENGINES:
        _PG_ENGINES[url] = create_engine(url)
    return _PG_ENGINES[url]


def _truncate_all(url: str) -> None:
    """Empty every table of the PostgreSQL database at ``url`` and restart its sequences.

    As a superuser (the usual test setup) only the tables that hold rows are emptied, with DELETE under
    ``session_replication_role = replica``, which skips the foreign-key checks and the log's append-only
    triggers: a few milliseconds for a test's handful of rows, where a TRUNCATE of every table takes
    ~150 ms. Otherwise, one TRUNCATE of every table.
    """
    with _pg_engine(url).begin() as conn:
        tables = conn.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")
        ).all()
        if not tables:
            return
        if conn.scalar(text("SELECT current_setting('is_superuser')")) != "on":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
            return
        probe = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT FROM \"{t}\")" for t in tables)
        filled = conn.scalars(text(probe)).all()
        used = conn.scalars(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL")
        ).all()
        statements = [f'DELETE FROM "{t}"' for t in filled] + [f'ALTER SEQUENCE "{s}" RESTART' for s in used]
        if statements:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica; " + "; ".join(statements))


def pytest_sessionfinish(session, exitstatus):
    for engine in _PG_ENGINES.values():
        engine.dispose()


@pytest.fixture
def database_url(database_template, tmp_path):
    """A fresh database for one test: a copy of the template file, or the PostgreSQL database emptied."""
    if PG_URL:
        _truncate_all(PG_URL)
        return PG_URL
    path = tmp_path / "test.db"
    shutil.copy(database_template, path)
    return f"sqlite:///{path}"


def _populated_database(database_template, tmp_path_factory, name: str, populate) -> str:
    """A database of its own, migrated and filled once by ``populate(app)``; returns its URL."""
    if PG_URL:
        url = _named(PG_URL, f"_{name}")
        _pg_clone(_named(PG_URL, "_tpl"), url)
    else:
        path = tmp_path_factory.mktemp(name) / f"{name}.db"
        shutil.copy(database_template, path)
        url = f"sqlite:///{path}"
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "PUBLIC_URL": "http://localhost"})
    try:
        populate(app)
    finally:
        _dispose(app)
    return url


@pytest.fixture
def is_postgres() -> bool:
    return bool(PG_URL)


# --- mail ------------------------------------------------------------------------------------------


class Inbox:
    """Collects what the loopback SMTP server receives."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def clear(self):
        with self.lock:
            self.messages.clear()

    def to(self, address: str):
        return [m for m in self.messages if address in m["To"]]

    @staticmethod
    def body(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    def link(self, address: str, pattern: str = r"https?://\S+") -> str:
        messages = self.to(address)
        assert messages, f"no e-mail to {address}"
        found = re.findall(pattern, self.body(messages[-1]))
        assert found, f"no link in the e-mail to {address}"
        return found[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def inbox(smtp_server):
    smtp_server.handler.clear()
    return smtp_server.handler


# --- application -----------------------------------------------------------------------------------


@pytest.fixture
def app_config(database_url, smtp_server):
    return {
        "ENV_NAME": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
        "PUBLIC_URL": "http://localhost",
    }


def _dispose(app) -> None:
    from ogpcocreate.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app():
    """Build extra apps (other settings, same database); their connections are closed after the test."""
    made = []

    def build(config):
        made.append(create_app(config))
        return made[-1]

    yield build
    for app in made:
        _dispose(app)


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    yield app
    _dispose(app)


@pytest.fixture
def appctx(app):
    """An application context for tests that call services directly and use no client.

    Tests that also use the client must not hold a context open across requests (Flask would share
    it, and its ``g``, with every request): they seed data inside ``with app.app_context():`` blocks.
    """
    with app.test_request_context():
        yield app


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class FormClient:
    """Flask's test client plus ``post_form``, which first fetches a CSRF token like a browser."""

    def __init__(self, client):
        self.client = client
        self._token = None

    def __getattr__(self, name):
        return getattr(self.client, name)

    def token(self) -> str:
        """A CSRF token as a browser gets one: from the home page's forms when logged in; an anonymous
        reader's pages carry none (core/pagecache.py), so from the log-in page, where a person acts."""
        if self._token is None:
            match = CSRF_RE.search(self.client.get("/").get_data(as_text=True))
            if match is None:
                match = CSRF_RE.search(self.client.get("/login").get_data(as_text=True))
            assert match, "no CSRF token on the page"
            self._token = match.group(1)
        return self._token

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        payload = {"csrf_token": self.token(), **(data or {})}
        return self.client.post(url, data=payload, **kwargs)

    def login(self, email: str, password: str = "a-long-and-quiet-harbour-42"):
        self._token = None
        response = self.post_form("/login", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        self._token = None  # the session was renewed at login
        return response

    def logout(self):
        response = self.post_form("/logout")
        self._token = None
        return response


@pytest.fixture
def client(app):
    return FormClient(app.test_client())


@pytest.fixture
def make_client(app):
    return lambda: FormClient(app.test_client())


# --- shared worlds, rolled back per test ------------------------------------------------------------


@contextmanager
def rolled_back(app):
    """Run the block inside one transaction that is rolled back at the end.

    Every session the app opens meanwhile (one per request, or per ``app.app_context()``) is bound to
    the same connection and joins that transaction; its commits and rollbacks only release or undo a
    savepoint. Only for the app's own sessions: other engines, processes and threads see none of it.
    """
    from ogpcocreate.extensions import db

    with app.app_context():
        engines = db.engines
    engine = engines[None]
    factory = db.session.session_factory
    previous_mode = factory.kw.get("join_transaction_mode")
    connection = engine.connect()
    transaction = connection.begin()
    engines[None] = connection
    factory.configure(join_transaction_mode="create_savepoint")
    try:
        yield connection
    finally:
        if previous_mode is None:
            factory.kw.pop("join_transaction_mode", None)
        else:
            factory.configure(join_transaction_mode=previous_mode)
        engines[None] = engine
        transaction.rollback()
        connection.close()


def _shared_app(url: str, smtp_server):
    return create_app({
        "ENV_NAME": "testing",
        "SQLALCHEMY_DATABASE_URI": url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
        "PUBLIC_URL": "http://localhost",
    })


@pytest.fixture(scope="session")
def world_database_url(database_template, tmp_path_factory):
    """The world of tests/world.py, built once per session (per xdist worker) in a database of its own.

    Returns (url, world). Nothing writes to it for good but the logins of ``shared_world``: every test
    using it runs in ``rolled_back``.
    """
    from .world import build_world

    built = {}
    url = _populated_database(database_template, tmp_path_factory, "world",
                              lambda app: built.setdefault("world", build_world(app)))
    return url, built["world"]


class SharedWorld:
    """One app on the world database, with one logged-in FormClient per role (logged in once)."""

    def __init__(self, app, world):
        from .world import ROLES

        self.app = app
        self.world = world
        self._logged_in = {}
        for role in ROLES:
            if role != "anonymous":
                client = FormClient(app.test_client())
                client.login(f"{role}@example.org")
                client.token()
                self._logged_in[role] = client

    def client(self, role: str) -> FormClient:
        """A new client carrying ``role``'s session: what a test does to its cookies stays with it."""
        client = FormClient(self.app.test_client())
        source = self._logged_in.get(role)
        if source is not None:
            name = self.app.config["SESSION_COOKIE_NAME"]
            client.set_cookie(name, source.get_cookie(name).value)
            client._token = source._token
        return client


@pytest.fixture(scope="module")
def shared_world(world_database_url, smtp_server):
    url, world = world_database_url
    app = _shared_app(url, smtp_server)
    yield SharedWorld(app, world)
    _dispose(app)


@pytest.fixture
def world_case(shared_world):
    """The module's shared world for one test, whose every change is rolled back afterwards."""
    with rolled_back(shared_world.app):
        yield shared_world


@pytest.fixture(scope="session")
def demo_database_url(database_template, tmp_path_factory):
    """The demo (ogpcocreate/demo), loaded once per session in a database of its own; read it in
    ``rolled_back``. Its times are relative to the session's start, which tests allow for."""

    def load(app):
        from ogpcocreate.demo import loader
        from ogpcocreate.extensions import db

        with app.app_context():
            loader.load()
            db.session.commit()

    return _populated_database(database_template, tmp_path_factory, "demo", load)


@pytest.fixture(scope="module")
def demo_app(demo_database_url, smtp_server):
    app = _shared_app(demo_database_url, smtp_server)
    yield app
    _dispose(app)


def pytest_collection_modifyitems(config, items):
    root = Path(__file__).parent
    for item in items:
        if (root / "browser") in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
