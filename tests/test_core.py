"""Cross-cutting behaviour: health, error pages, headers, configuration, rich text, CSRF, schema, catalogs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import func, select

from ogpcocreate import create_app
from ogpcocreate.auth.models import User
from ogpcocreate.config import ConfigError
from ogpcocreate.core.richtext import sanitize, to_plain
from ogpcocreate.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(app_config, make_app):
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    app = make_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["status"] == "unavailable"


def test_error_pages_are_in_the_site_style(client):
    response = client.get("/no-such-page")
    text = response.get_data(as_text=True)
    assert response.status_code == 404 and "Página no encontrada" in text and "site-header" in text
    api = client.get("/api/nothing")
    assert api.status_code == 404 and api.json["error"] == "Página no encontrada"


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_page_loads_inline_script_or_remote_assets(client):
    for url in ("/", "/login", "/register", "/organisations", "/secretariat", "/record"):
        html = client.get(url).get_data(as_text=True)
        assert "<script" not in html and " style=" not in html
        assert "http://" not in html.split("<body")[0] and "https://" not in html.split("<body")[0]


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"ENV_NAME": "production"})
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError):
        create_app({"ENV_NAME": "production"})


def test_production_cookies_are_secure(monkeypatch, database_url, make_app):
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("PUBLIC_URL", "https://cocreacion.example.org")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("WEB_CONCURRENCY", "1")  # one process may count rate limits in its own memory
    app = make_app({"ENV_NAME": "production"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    response = app.test_client().get("/")
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_postgres_urls_are_given_a_driver(monkeypatch):
    from ogpcocreate.config import _database_url

    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/x")
    assert _database_url("sqlite://") == "postgresql+psycopg://u:p@db:5432/x"


@pytest.mark.parametrize(
    "source, must_have, must_not_have",
    [
        ("**bold** and *it*", ["<strong>bold</strong>", "<em>it</em>"], []),
        ("<script>alert(1)</script>hi", ["hi"], ["<script"]),
        ('<img src=x onerror="alert(1)">', [], ["<img", "onerror"]),
        ("[x](javascript:alert(1))", [], ["javascript:"]),
        ('<a href="https://ejemplo.org" onclick="x()">l</a>', ['href="https://ejemplo.org"', 'rel="nofollow'], ["onclick"]),
        ("<p style='color:red'>p</p>", ["<p>p</p>"], ["style"]),
        ("visit https://ejemplo.org now", ['<a href="https://ejemplo.org"'], []),
        ("<iframe src=https://evil.example></iframe>", [], ["<iframe"]),
    ],
)
def test_rich_text_is_sanitised(source, must_have, must_not_have):
    html = sanitize(source)
    for fragment in must_have:
        assert fragment in html
    for fragment in must_not_have:
        assert fragment not in html
    assert "<" not in to_plain(html)


def test_post_without_csrf_token_is_refused_and_changes_nothing(app, client):
    response = client.client.post("/register", data={
        "display_name": "Ana", "email": "ana@example.org", "password": "un-puerto-tranquilo-y-largo-42",
        "password_confirm": "un-puerto-tranquilo-y-largo-42", "locale": "es",
    })
    assert response.status_code == 400
    assert "caducó o no se envió desde este sitio" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_migrations_match_the_models(app):
    from alembic.util.exc import AutogenerateDiffsDetected
    from flask_migrate import check

    with app.app_context():
        try:
            check()
        except AutogenerateDiffsDetected as exc:  # pragma: no cover - the failure message is the point
            pytest.fail(f"models and migrations differ: {exc}")


def test_every_visible_string_is_in_the_spanish_catalog(tmp_path):
    """Extract the strings from code and templates now, and require each to be translated in es."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
         "-k", "N_", "--ignore-dirs=.* __pycache__", "-o", str(pot), "ogpcocreate", "templates"],
        cwd=ROOT, check=True, capture_output=True,
    )
    with open(pot, "rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    with open(ROOT / "ogpcocreate/translations/es/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and m.string and (isinstance(m.string, str) or all(m.string)) and not m.fuzzy
    }
    missing = sorted(wanted - translated)
    assert not missing, f"untranslated (run `make messages` and translate): {missing}"


def test_the_demo_loads_and_its_record_verifies(app):
    from ogpcocreate.core.eventlog import verify
    from ogpcocreate.demo import loader
    from ogpcocreate.organisations.models import Organisation

    with app.app_context():
        loader.load()
        db.session.commit()
        organisations = db.session.scalars(select(Organisation)).all()
        assert len(organisations) >= 30
        assert len({o.territory for o in organisations}) >= 25
        assert len({o.sector for o in organisations}) >= 6
        from ogpcocreate.calls.models import Call
        from ogpcocreate.proposals.models import Proposal
        from ogpcocreate.responses.models import Response

        phases = sorted(c.phase.value for c in db.session.scalars(select(Call)))
        assert phases == ["deliberation", "open", "results"]  # the current plan's two calls, the older plan's one
        proposals = db.session.scalar(select(func.count(Proposal.id)))
        answered = db.session.scalar(select(func.count(Response.proposal_id)))
        assert proposals >= 24 and proposals * 0.5 < answered < proposals
        from ogpcocreate.drafts.models import DraftVersion
        from ogpcocreate.meetings.models import Attendance
        from ogpcocreate.votes.models import BallotVoter

        assert db.session.scalar(select(func.max(DraftVersion.number))) == 3
        assert db.session.scalar(select(func.count(Attendance.id))) >= 10
        assert db.session.scalar(select(func.count(BallotVoter.id))) >= 20
        assert verify().ok
    runner = app.test_cli_runner()
    from ogpcocreate.cli import demo_load, demo_logins

    assert "already has data" in runner.invoke(demo_load, ["--if-empty"]).output
    assert "gobierno@" in runner.invoke(demo_logins).output


def test_nul_characters_are_refused_cleanly(app, client):
    response = client.post_form("/register", {"display_name": "Ana\x00", "email": "ana@example.org"})
    assert response.status_code == 400
    assert client.get("/organisations?q=a%00b").status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0
