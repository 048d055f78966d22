"""Accounts: registration, confirmation, log in/out, password reset and change, profile, language."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from ogpcocreate.auth.models import User
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.eventlog import ParticipationEvent
from ogpcocreate.core.outbox import OutboxMessage, send_due
from ogpcocreate.extensions import db

from .factories import PASSWORD, make_user

GOOD = "un-puerto-tranquilo-y-largo-42"


def register(client, **overrides):
    data = {
        "display_name": "Ana Pérez",
        "email": "ana@example.org",
        "password": GOOD,
        "password_confirm": GOOD,
        "territory": "MX-OAX",
        "locale": "es",
        **overrides,
    }
    return client.post_form("/register", data, follow_redirects=True)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def deliver(app):
    with app.app_context():
        return send_due()


def test_register_confirm_and_log_in(app, client, inbox):
    response = register(client)
    assert response.status_code == 200
    assert "Revisa tu correo" in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "ana@example.org"))
        assert user.email_confirmed_at is None and user.territory == "MX-OAX"
        # DOMAIN.md: a registration enters the public record only once the address is confirmed.
        assert db.session.scalar(select(func.count()).select_from(ParticipationEvent)) == 0
    assert deliver(app).sent == 1
    message = inbox.to("ana@example.org")[0]
    assert "Confirma tu correo" in message["Subject"]
    link = inbox.link("ana@example.org")
    response = client.get(link.replace("http://localhost", ""))
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "ana@example.org"))
        assert user.is_confirmed
        events = db.session.execute(select(ParticipationEvent.verb, ParticipationEvent.actor_id)).all()
        assert events == [("registered", user.id)]
    client.get(link.replace("http://localhost", ""))  # a second click confirms nothing new, logs nothing
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ParticipationEvent)) == 1
    client.login("ana@example.org", GOOD)
    assert "Ana Pérez" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"email": "not-an-email"}, "Escribe un correo electrónico válido"),
        ({"password": "password123", "password_confirm": "password123"}, "demasiado fácil de adivinar"),
        ({"password": "corta", "password_confirm": "corta"}, "al menos 10 caracteres"),
        ({"password": "ana@example.org", "password_confirm": "ana@example.org"}, "demasiado fácil"),
        ({"password_confirm": "otra-cosa-distinta-99"}, "Las contraseñas no coinciden"),
        ({"display_name": ""}, "Este campo es obligatorio"),
        ({"territory": "MX-XXX"}, "Opción inválida"),
    ],
)
def test_register_refuses_bad_input_and_changes_nothing(app, client, overrides, message):
    response = register(client, **overrides)
    text = response.get_data(as_text=True)
    assert message.lower() in text.lower()
    assert count(app, User) == 0
    assert count(app, OutboxMessage) == 0


def test_register_with_a_taken_email_reveals_nothing_and_tells_the_owner(app, client, inbox):
    with app.app_context():
        make_user("ana@example.org", name="Ana Original")
        db.session.commit()
    response = register(client, email="ANA@example.org ")
    assert "Revisa tu correo" in response.get_data(as_text=True)
    assert count(app, User) == 1
    deliver(app)
    assert "ya tiene una" in inbox.body(inbox.to("ana@example.org")[0])


def _answer(make_client, email: str) -> tuple:
    """Everything the requester sees of POST /register: status, redirect, and the page it leads to
    (with the typed address and the per-session CSRF token taken out, the only parts that may differ)."""
    client = make_client()
    posted = client.post_form("/register", {"display_name": "Ana Pérez", "email": email, "password": GOOD,
                                            "password_confirm": GOOD, "territory": "MX-OAX", "locale": "es"})
    page = client.get(posted.headers["Location"]).get_data(as_text=True)
    page = re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", page.replace(email, "ADDRESS"))
    return posted.status_code, posted.headers["Location"], page


def test_register_answers_the_same_for_new_and_existing_addresses(app, make_client, inbox):
    with app.app_context():
        make_user("luis@example.org", name="Luis Original", locale="en")
        db.session.commit()
    new, existing = _answer(make_client, "nueva@example.org"), _answer(make_client, "luis@example.org")
    assert new == existing
    assert new[0] == 302 and new[1] == "/register/check-email" and "Revisa tu correo" in new[2]
    with app.app_context():
        # Nothing enters the public record for either until an address is confirmed.
        assert db.session.scalar(select(func.count()).select_from(ParticipationEvent)) == 0
        assert db.session.scalar(select(User.display_name).where(User.email == "luis@example.org")) == "Luis Original"
    assert deliver(app).sent == 2
    # The owner of the existing address is told, in their own language, and nothing else changes.
    owner = inbox.to("luis@example.org")
    assert len(owner) == 1 and "Someone tried to register with your e-mail address" in owner[0]["Subject"]
    body = inbox.body(owner[0])
    assert "Hello Luis Original" in body and "http://localhost/password/forgot" in body and "http://localhost/login" in body
    assert "Confirma tu correo" in inbox.to("nueva@example.org")[0]["Subject"]


def test_a_password_reset_confirms_the_address_and_logs_the_registration_once(app, client, inbox):
    register(client)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ParticipationEvent)) == 0
    client.post_form("/password/forgot", {"email": "ana@example.org"})
    deliver(app)
    link = inbox.link("ana@example.org", r"http://localhost/password/reset/\S+").replace("http://localhost", "")
    new = "otro-puerto-tranquilo-y-largo-43"
    assert client.post_form(link, {"password": new, "password_confirm": new}).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(ParticipationEvent.verb)).all() == ["registered"]


def test_confirmation_link_expires_and_cannot_be_forged(app, client, inbox):
    register(client)
    deliver(app)
    link = inbox.link("ana@example.org").replace("http://localhost", "")
    with time_machine.travel(utcnow() + timedelta(hours=49)):
        response = client.get(link)
    assert response.status_code == 400 and "caducado" in response.get_data(as_text=True)
    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    response = client.get(forged)
    assert response.status_code == 400 and "no es válido" in response.get_data(as_text=True)
    response = client.get("/confirm/not-a-token")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(User)).email_confirmed_at is None


def test_resend_confirmation(app, client, inbox):
    register(client)
    client.login("ana@example.org", GOOD)
    response = client.post_form("/confirm/resend")
    assert response.status_code == 302
    deliver(app)
    assert len(inbox.to("ana@example.org")) == 2


def test_login_failures_and_unconfirmed_accounts(app, client):
    with app.app_context():
        make_user("luis@example.org", confirmed=False)
        db.session.commit()
    response = client.post_form("/login", {"email": "luis@example.org", "password": "wrong-password-here"})
    assert "no son correctos" in response.get_data(as_text=True)
    response = client.post_form("/login", {"email": "nobody@example.org", "password": PASSWORD})
    assert "no son correctos" in response.get_data(as_text=True)
    client.login("luis@example.org")
    # An unconfirmed person may log in but not take part yet.
    response = client.get("/organisations/new")
    assert response.status_code == 302 and "/confirm" in response.headers["Location"]


def test_login_redirects_only_within_the_site(app, client):
    with app.app_context():
        make_user("luis@example.org")
        db.session.commit()
    for target, expected in [("/organisations", "/organisations"), ("https://evil.example/x", "/"), ("//evil.example", "/")]:
        c = client
        c._token = None
        response = c.post_form(f"/login?next={target}", {"email": "luis@example.org", "password": PASSWORD})
        assert response.headers["Location"] == expected
        c.logout()


def test_logout_is_a_post_with_csrf(app, client):
    with app.app_context():
        make_user("luis@example.org")
        db.session.commit()
    client.login("luis@example.org")
    assert client.get("/logout").status_code == 405
    client.client.post("/logout")  # no token: refused, still logged in
    assert client.get("/account").status_code == 200
    client.logout()
    assert client.get("/account").status_code == 302


def test_remember_me_sets_a_persistent_cookie(app, client):
    with app.app_context():
        make_user("luis@example.org")
        db.session.commit()
    response = client.post_form("/login", {"email": "luis@example.org", "password": PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=") and "HttpOnly" in c for c in cookies)


def test_password_reset_works_once(app, client, inbox):
    with app.app_context():
        make_user("luis@example.org")
        db.session.commit()
    response = client.post_form("/password/forgot", {"email": "luis@example.org"})
    assert "va en camino" in response.get_data(as_text=True)
    client.post_form("/password/forgot", {"email": "nobody@example.org"})
    deliver(app)
    assert len(inbox.to("luis@example.org")) == 1
    # An address without an account is told so, with no link that could change anything.
    (no_account,) = inbox.to("nobody@example.org")
    assert "ninguna cuenta activa" in inbox.body(no_account) and "/password/reset/" not in inbox.body(no_account)
    link = inbox.link("luis@example.org").replace("http://localhost", "")
    weak = client.post_form(link, {"password": "123456789012", "password_confirm": "123456789012"})
    assert "demasiado fácil" in weak.get_data(as_text=True)
    response = client.post_form(link, {"password": GOOD, "password_confirm": GOOD})
    assert response.status_code == 302
    again = client.get(link)
    assert again.status_code == 400 and "ya se usó" in again.get_data(as_text=True)
    client.login("luis@example.org", GOOD)


def test_password_reset_link_expires(app, client, inbox):
    with app.app_context():
        make_user("luis@example.org")
        db.session.commit()
    client.post_form("/password/forgot", {"email": "luis@example.org"})
    deliver(app)
    link = inbox.link("luis@example.org").replace("http://localhost", "")
    with time_machine.travel(utcnow() + timedelta(hours=3)):
        response = client.get(link)
    assert response.status_code == 400 and "caducado" in response.get_data(as_text=True)


def test_password_change_ends_other_sessions(app, make_client):
    with app.app_context():
        make_user("luis@example.org")
        db.session.commit()
    here, elsewhere = make_client(), make_client()
    here.login("luis@example.org")
    elsewhere.login("luis@example.org")
    wrong = here.post_form("/account/password", {"pw-current_password": "not-my-password", "pw-password": GOOD, "pw-password_confirm": GOOD})
    assert "no es correcta" in wrong.get_data(as_text=True)
    assert elsewhere.get("/account").status_code == 200
    response = here.post_form("/account/password", {"pw-current_password": PASSWORD, "pw-password": GOOD, "pw-password_confirm": GOOD})
    assert response.status_code == 302
    assert here.get("/account").status_code == 200
    assert elsewhere.get("/account").status_code == 302


def test_log_out_everywhere(app, make_client):
    with app.app_context():
        make_user("luis@example.org")
        db.session.commit()
    here, elsewhere = make_client(), make_client()
    here.login("luis@example.org")
    elsewhere.login("luis@example.org")
    here.post_form("/account/sessions/end", {"s-csrf_token": here.token()})
    assert here.get("/account").status_code == 200
    assert elsewhere.get("/account").status_code == 302


def test_profile_and_language(app, client):
    with app.app_context():
        make_user("luis@example.org", locale="es")
        db.session.commit()
    client.login("luis@example.org")
    response = client.post_form("/account", {"display_name": "Luis Ortega", "territory": "MX-YUC", "locale": "en"})
    assert response.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "Your account" in page and 'lang="en"' in page
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.display_name, user.territory, user.locale) == ("Luis Ortega", "MX-YUC", "en")
    bad = client.post_form("/account", {"display_name": "", "territory": "", "locale": "en"})
    assert "This field is required" in bad.get_data(as_text=True)


def test_anonymous_language_choice_and_default(client):
    assert 'lang="es"' in client.get("/").get_data(as_text=True)
    assert 'lang="en"' in client.get("/", headers={"Accept-Language": "en-US,en"}).get_data(as_text=True)
    response = client.post_form("/language", {"language": "en", "next": "/organisations"})
    assert response.headers["Location"] == "/organisations"
    assert "Directory of organisations" in client.get("/organisations").get_data(as_text=True)
    bad = client.post_form("/language", {"language": "xx", "next": "https://evil.example"})
    assert bad.headers["Location"] == "/"


def test_failed_logins_from_one_address_are_limited(app_config, make_app):
    """The per-address ceiling counts failed log-ins, whatever the account; another address is not affected.
    (The back-off per account and address, and that strangers cannot lock an owner out, are in
    tests/test_rate_limits.py.)"""
    app = make_app({**app_config, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"})
    from .conftest import FormClient

    client = FormClient(app.test_client())
    for n in range(3):
        assert client.post_form("/login", {"email": f"x{n}@example.org", "password": "nope-nope-nope"}).status_code == 200
    blocked = client.post_form("/login", {"email": "x9@example.org", "password": "nope-nope-nope"})
    assert blocked.status_code == 429
    assert "demasiados intentos fallidos" in blocked.get_data(as_text=True).lower()
    other = FormClient(app.test_client())
    response = other.post_form("/login", {"email": "x0@example.org", "password": "nope"}, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert response.status_code == 200


def test_create_admin_command(app):
    from ogpcocreate.cli import create_admin

    runner = app.test_cli_runner()
    weak = runner.invoke(create_admin, ["--email", "root@example.org", "--name", "Root", "--password", "password"])
    assert weak.exit_code != 0
    ok = runner.invoke(create_admin, ["--email", "Root@Example.org", "--name", "Root", "--password", GOOD])
    assert ok.exit_code == 0, ok.output
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "root@example.org" and user.is_admin and user.is_confirmed


def test_email_links_use_public_url(app, client, inbox):
    register(client)
    deliver(app)
    assert re.match(r"http://localhost/confirm/\S+", inbox.link("ana@example.org"))


def test_rate_limits_are_shared_through_redis(app_config, make_app):
    """With RATELIMIT_STORAGE_URI on Redis, every process counts against the same limit."""
    import os
    import uuid

    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("OGP_REQUIRE_REDIS"):
            raise
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    config = {**app_config, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "2 per minute",
              "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
              "LOGIN_FAILURE_MEMORY_SECONDS": 60}  # the back-off's counters leave Redis within a minute
    from .conftest import FormClient

    first, second = FormClient(make_app(config).test_client()), FormClient(make_app(config).test_client())
    assert first.post_form("/login", {"email": "x@example.org", "password": "nope-nope"}).status_code == 200
    assert second.post_form("/login", {"email": "x@example.org", "password": "nope-nope"}).status_code == 200
    assert first.post_form("/login", {"email": "x@example.org", "password": "nope-nope"}).status_code == 429


def test_logout_ends_the_session_even_for_a_copied_cookie(app, make_client):
    with app.app_context():
        make_user("luis@example.org")
        db.session.commit()
    here = make_client()
    here.login("luis@example.org")
    stolen = here.client.get_cookie("session").value
    thief = make_client()
    thief.client.set_cookie("session", stolen)
    assert thief.get("/account").status_code == 200  # a copied cookie works while the session lives
    here.logout()
    assert thief.get("/account").status_code == 302  # and is worthless after logging out


def test_session_fixation_is_impossible(app, make_client):
    """Whatever session an attacker plants before login, the login starts a new one."""
    with app.app_context():
        make_user("luis@example.org")
        db.session.commit()
    attacker = make_client()
    attacker.post_form("/language", {"language": "en", "next": "/"})
    planted = attacker.client.get_cookie("session").value
    victim = make_client()
    victim.client.set_cookie("session", planted)
    victim._token = None
    victim.login("luis@example.org")
    after = victim.client.get_cookie("session").value
    assert after != planted
    replay = make_client()
    replay.client.set_cookie("session", planted)
    assert replay.get("/account").status_code == 302  # the planted cookie never became a logged-in session


@pytest.mark.parametrize("url, data", [
    ("/register", {"display_name": "Ana", "email": "ana@example.org", "password": GOOD, "password_confirm": GOOD,
                   "locale": "es"}),
    ("/password/forgot", {"email": "ana@example.org"}),
])
def test_registration_and_password_reset_are_rate_limited(app_config, make_app, url, data):
    from .conftest import FormClient

    limited = make_app({**app_config, "RATELIMIT_ENABLED": True, "SIGNUP_RATE_LIMIT": "2 per minute"})
    client = FormClient(limited.test_client())
    statuses = [client.post_form(url, data).status_code for _ in range(3)]
    assert statuses[-1] == 429 and 429 not in statuses[:2]
    # Per account too: the same address from another IP is refused.
    other = FormClient(limited.test_client())
    assert other.post_form(url, data, environ_base={"REMOTE_ADDR": "10.7.7.7"}).status_code == 429
