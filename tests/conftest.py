"""Fixtures: a fresh, migrated database per test (SQLite by default, PostgreSQL with TEST_DATABASE_URL),
a real SMTP server on loopback, and a test client that sends CSRF tokens like a browser would."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ogpcocreate import create_app

PG_URL = os.environ.get("TEST_DATABASE_URL")
if PG_URL and PG_URL.startswith("postgresql://"):
    PG_URL = "postgresql+psycopg://" + PG_URL[len("postgresql://") :]


# --- database ---------------------------------------------------------------------------------------


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        from ogpcocreate.extensions import db

        db.engine.dispose()


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
    """Migrate once per session: a template SQLite file, or the PostgreSQL test database."""
    if PG_URL:
        try:
            _ensure_pg_database(PG_URL)
        except Exception as exc:  # unreachable server
            if os.environ.get("OGP_REQUIRE_POSTGRES"):
                raise
            pytest.skip(f"PostgreSQL not reachable: {exc}")
        _migrate(PG_URL)
        return PG_URL
    path = tmp_path_factory.mktemp("db") / "template.db"
    _migrate(f"sqlite:///{path}")
    return path


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            tables = conn.scalars(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")
            ).all()
            if tables:
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    finally:
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
        response = self.client.get("/") if self._token is None else None
        if response is not None:
            match = CSRF_RE.search(response.get_data(as_text=True))
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


def pytest_collection_modifyitems(config, items):
    root = Path(__file__).parent
    for item in items:
        if (root / "browser") in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
