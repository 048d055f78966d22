"""A newcomer's first commands: every configuration problem is one line saying what to set, and the
links the site e-mails follow the address and port it is served on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", "ogpcocreate"]


def _run(args, tmp_path, **env):
    clean = {k: v for k, v in os.environ.items()
             if k not in {"SECRET_KEY", "PUBLIC_URL", "DATABASE_URL", "OGPCOCREATE_ENV", "MAIL_PORT"}}
    # A working directory without .flaskenv, so only what the test sets counts.
    return subprocess.run([*FLASK, *args], cwd=tmp_path, env={**clean, "PYTHONPATH": str(ROOT), **env},
                          capture_output=True, text=True, timeout=120)


def _one_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode != 0
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize(("env", "says"), [
    ({}, "SECRET_KEY must be set"),
    ({"SECRET_KEY": "s" * 40}, "PUBLIC_URL must be set"),
    ({"SECRET_KEY": "s" * 40, "PUBLIC_URL": "cocreacion"}, "PUBLIC_URL must be a full address"),
    ({"OGPCOCREATE_ENV": "staging"}, "OGPCOCREATE_ENV must be one of"),
    ({"OGPCOCREATE_ENV": "development", "MAIL_PORT": "veinticinco"}, "MAIL_PORT must be a whole number"),
])
def test_a_configuration_error_is_one_line_saying_what_to_set(tmp_path, env, says):
    line = _one_line(_run(["audit", "verify"], tmp_path, **env))
    assert says in line, line


def test_a_database_never_migrated_is_one_line_saying_what_to_run(tmp_path):
    result = _run(["audit", "verify"], tmp_path, OGPCOCREATE_ENV="development",
                  DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}")
    line = _one_line(result)
    assert "db upgrade" in line, line


def test_links_in_e_mails_follow_the_port_the_site_is_served_on(make_app, app_config, inbox):
    from ogpcocreate.auth import services
    from ogpcocreate.core.outbox import send_due
    from ogpcocreate.extensions import db

    app = make_app({**app_config, "PUBLIC_URL": "http://127.0.0.1:5001"})
    with app.test_request_context():
        services.register("Ana", "ana@example.org", "a-long-and-quiet-harbour-42", "MX-OAX", "es")
        db.session.commit()
        send_due()
    assert inbox.link("ana@example.org").startswith("http://127.0.0.1:5001/confirm/")
