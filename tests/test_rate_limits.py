"""Rate limits (core/ratelimit.py) and the timing oracles of the account pages.

Strangers cannot lock an owner out; one account and address backs off; a workshop behind one router
takes part while one flooding account is stopped; invitations are limited per account and per
organisation; every refusal is a translated 429 that changes nothing; production refuses per-process
counters with several workers; the counters are shared through Redis; and log in, registration and
password reset do the same work whether or not an address has an account.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from ogpcocreate import create_app
from ogpcocreate.auth import models as auth_models
from ogpcocreate.auth import services as auth_services
from ogpcocreate.auth.models import User
from ogpcocreate.config import ConfigError, check_rate_limit_storage, web_workers
from ogpcocreate.core.outbox import OutboxMessage
from ogpcocreate.extensions import db
from ogpcocreate.organisations.models import Invitation, Membership, Role
from ogpcocreate.proposals.models import Proposal

from .conftest import FormClient
from .factories import PASSWORD, make_call, make_organisation, make_plan, make_user
from .snapshots import changed_tables, database_fingerprint

WRONG = "not-the-password-at-all"


def limited_app(make_app, app_config, **settings):
    return make_app({**app_config, "RATELIMIT_ENABLED": True, **settings})


def client_at(app, address: str) -> FormClient:
    """A browser at one network address: every request it makes comes from there."""
    client = FormClient(app.test_client())
    client.client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(client: FormClient, email: str, password: str):
    return client.post_form("/login", {"email": email, "password": password})


def count(app, column) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(column)))


# --- log in ------------------------------------------------------------------------------------------


def test_failures_from_other_addresses_never_lock_the_owner_out(app_config, make_app):
    app = limited_app(make_app, app_config)
    with app.app_context():
        make_user("duena@example.org")
        db.session.commit()
    # Ten strangers, each from their own address, each until their own address is locked out.
    for n in range(10):
        stranger = client_at(app, f"203.0.113.{n + 1}")
        statuses = [attempt(stranger, "duena@example.org", WRONG).status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429]
    owner = client_at(app, "198.51.100.7")
    assert attempt(owner, "duena@example.org", PASSWORD).status_code == 302


def test_the_same_account_and_address_backs_off_exponentially(app_config, make_app):
    app = limited_app(make_app, app_config, LOGIN_FREE_FAILURES=3, LOGIN_BACKOFF_SECONDS=30,
                      LOGIN_BACKOFF_MAX_SECONDS=120)
    with app.app_context():
        make_user("luis@example.org")
        db.session.commit()
    here = client_at(app, "198.51.100.20")

    def locked() -> bool:
        """Even the right password is refused while locked (and not even checked)."""
        response = attempt(here, "luis@example.org", PASSWORD)
        assert response.status_code in (302, 429)
        return response.status_code == 429

    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        assert [attempt(here, "luis@example.org", WRONG).status_code for _ in range(3)] == [200, 200, 200]
        refused = attempt(here, "luis@example.org", PASSWORD)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 30
        page = refused.get_data(as_text=True)
        assert "Demasiados intentos fallidos de iniciar sesión en esta cuenta" in page and "1 minuto," in page
        assert here.get("/account").status_code == 302  # not logged in
        # The same account from another address, and another account from this one, are not locked.
        assert attempt(client_at(app, "198.51.100.21"), "luis@example.org", WRONG).status_code == 200
        assert attempt(here, "otra@example.org", WRONG).status_code == 200
        # Each further failure doubles the lock: 30 s, 60 s, 120 s, then no more than the 120 s maximum.
        for seconds in (30, 60, 120, 120):
            clock.shift(seconds - 1)
            assert locked(), seconds
            clock.shift(2)
            assert attempt(here, "luis@example.org", WRONG).status_code == 200
        clock.shift(119)
        assert locked()
        clock.shift(2)
        # A success forgets the failures: the next mistakes are free again.
        assert not locked()
        here = client_at(app, "198.51.100.20")  # logged out: a new browser at the same address
        assert [attempt(here, "luis@example.org", WRONG).status_code for _ in range(3)] == [200, 200, 200]
        assert locked()


def test_backoff_schedule():
    config = {"LOGIN_FREE_FAILURES": 5, "LOGIN_BACKOFF_SECONDS": 30, "LOGIN_BACKOFF_MAX_SECONDS": 3600}
    from ogpcocreate.core.ratelimit import backoff_seconds

    assert [backoff_seconds(n, config) for n in range(1, 14)] == [0, 0, 0, 0, 30, 60, 120, 240, 480, 960, 1920,
                                                                   3600, 3600]


def test_successful_log_ins_are_never_counted(app_config, make_app):
    app = limited_app(make_app, app_config, LOGIN_RATE_LIMIT="2 per minute")
    with app.app_context():
        make_user("luis@example.org")
        db.session.commit()
    for _ in range(5):
        c = client_at(app, "198.51.100.30")
        assert attempt(c, "luis@example.org", PASSWORD).status_code == 302


def test_the_address_ceiling_counts_failures_over_every_account(app_config, make_app):
    app = limited_app(make_app, app_config, LOGIN_RATE_LIMIT="4 per minute")
    spray = client_at(app, "203.0.113.50")
    assert [attempt(spray, f"p{n}@example.org", WRONG).status_code for n in range(5)] == [200] * 4 + [429]
    refused = attempt(spray, "p9@example.org", WRONG)
    assert "Han llegado demasiados intentos fallidos de inicio de sesión desde tu red" in refused.get_data(as_text=True)
    assert attempt(client_at(app, "203.0.113.51"), "p0@example.org", WRONG).status_code == 200


# --- registration and reset --------------------------------------------------------------------------

GOOD = "un-puerto-tranquilo-y-largo-42"


def registration(n: int) -> dict:
    return {"display_name": f"Persona {n}", "email": f"taller{n}@example.org", "password": GOOD,
            "password_confirm": GOOD, "territory": "MX-OAX", "locale": "es"}


def test_a_workshop_registers_from_one_address_but_one_address_is_not_hammered(app_config, make_app):
    app = limited_app(make_app, app_config)
    router = "192.0.2.1"
    for n in range(12):
        assert client_at(app, router).post_form("/register", registration(n)).status_code == 302
    assert count(app, User.id) == 12
    # One e-mail address is limited strictly, from wherever it comes.
    statuses = [client_at(app, f"192.0.2.{n + 10}").post_form("/password/forgot", {"email": "taller0@example.org"}).status_code
                for n in range(6)]
    assert statuses == [200] * 5 + [429]


# --- contributions -----------------------------------------------------------------------------------


def proposal_form(theme_id: int, n: int) -> dict:
    return {"organisation": "0", "theme": str(theme_id), "title": f"Propuesta del taller {n}",
            "problem_source": "No se publican los contratos.", "action_source": "Publicarlos en formato abierto.",
            "expected_result_source": "Contratos consultables.", "links": ""}


def open_call(app) -> tuple[int, int]:
    with app.app_context():
        call = make_call(make_plan(), phase="open")
        db.session.commit()
        return call.id, call.themes[0].id


def test_eleven_people_behind_one_router_each_submit_while_one_flooding_account_is_stopped(app_config, make_app):
    app = limited_app(make_app, app_config)  # the defaults: 10 a minute per account, 100 per address
    call_id, theme_id = open_call(app)
    with app.app_context():
        emails = [make_user(f"taller{n}@example.org").email for n in range(11)]
        db.session.commit()
    router = "192.0.2.1"
    for n, email in enumerate(emails):
        person = client_at(app, router)
        person.login(email)
        response = person.post_form(f"/calls/{call_id}/proposals/new", proposal_form(theme_id, n))
        assert response.status_code == 302, (n, response.status_code)
    assert count(app, Proposal.id) == 11
    # One account flooding, from the same router: its allowance is 10 a minute, and it has used 1.
    flooder = client_at(app, router)
    flooder.login(emails[0])
    statuses = [flooder.post_form(f"/calls/{call_id}/proposals/new", proposal_form(theme_id, 100 + n)).status_code
                for n in range(10)]
    assert statuses == [302] * 9 + [429]
    before = database_fingerprint(app)
    refused = flooder.post_form(f"/calls/{call_id}/proposals/new", proposal_form(theme_id, 999))
    assert refused.status_code == 429
    assert "Has enviado muchas contribuciones en poco tiempo. No se guardó nada" in refused.get_data(as_text=True)
    assert changed_tables(before, database_fingerprint(app)) == []
    # The others at the workshop carry on.
    other = client_at(app, router)
    other.login(emails[1])
    assert other.post_form(f"/calls/{call_id}/proposals/new", proposal_form(theme_id, 1000)).status_code == 302


def test_an_address_has_a_ceiling_over_every_account(app_config, make_app):
    app = limited_app(make_app, app_config, CONTRIBUTION_ADDRESS_RATE_LIMIT="3 per minute")
    call_id, theme_id = open_call(app)
    with app.app_context():
        emails = [make_user().email for _ in range(5)]
        db.session.commit()
    statuses = []
    for n, email in enumerate(emails[:4]):
        person = client_at(app, "192.0.2.99")
        person.login(email)
        statuses.append(person.post_form(f"/calls/{call_id}/proposals/new", proposal_form(theme_id, n)).status_code)
    assert statuses == [302, 302, 302, 429]
    elsewhere = client_at(app, "192.0.2.100")
    elsewhere.login(emails[4])
    assert elsewhere.post_form(f"/calls/{call_id}/proposals/new", proposal_form(theme_id, 9)).status_code == 302


# --- invitations -------------------------------------------------------------------------------------


def test_invitations_are_limited_per_account_and_per_organisation(app_config, make_app):
    app = limited_app(make_app, app_config, INVITATION_RATE_LIMIT="3 per minute",
                      INVITATION_ORGANISATION_RATE_LIMIT="4 per minute")
    with app.app_context():
        first, second = make_user("admin1@example.org"), make_user("admin2@example.org")
        org = make_organisation(first)
        db.session.add(Membership(organisation_id=org.id, user_id=second.id, role=Role.ADMIN))
        db.session.commit()
        url = f"/organisations/{org.id}/invitations"
    one = client_at(app, "198.51.100.40")
    one.login("admin1@example.org")
    statuses = [one.post_form(url, {"email": f"persona{n}@example.org"}).status_code for n in range(3)]
    assert statuses == [302, 302, 302]
    before = database_fingerprint(app)
    refused = one.post_form(url, {"email": "persona9@example.org"})
    assert refused.status_code == 429
    assert "Se enviaron demasiadas invitaciones en poco tiempo. Esta no se envió" in refused.get_data(as_text=True)
    assert changed_tables(before, database_fingerprint(app)) == []
    # Another administrator of the same organisation, elsewhere: the organisation has one more left.
    two = client_at(app, "198.51.100.41")
    two.login("admin2@example.org")
    assert two.post_form(url, {"email": "persona10@example.org"}).status_code == 302
    assert two.post_form(url, {"email": "persona11@example.org"}).status_code == 429
    assert count(app, Invitation.id) == 4


# --- the shared store --------------------------------------------------------------------------------


def test_production_refuses_per_process_counters_with_several_workers(monkeypatch, database_url, make_app):
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("PUBLIC_URL", "https://cocreacion.example.org")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("WEB_CONCURRENCY", "2")
    with pytest.raises(ConfigError) as refused:
        create_app({"ENV_NAME": "production", "RATELIMIT_STORAGE_URI": "memory://"})
    message = str(refused.value)
    assert "\n" not in message and "RATELIMIT_STORAGE_URI" in message and "redis://" in message
    assert "2 web workers" in message
    monkeypatch.delenv("WEB_CONCURRENCY")
    with pytest.raises(ConfigError, match="unknown number of web workers"):
        create_app({"ENV_NAME": "production", "RATELIMIT_STORAGE_URI": "memory://"})
    # A shared store is accepted with any number of workers (nothing connects to it until a limit is counted).
    monkeypatch.setenv("WEB_CONCURRENCY", "8")
    app = make_app({"ENV_NAME": "production", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"})
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379"
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    assert make_app({"ENV_NAME": "production", "RATELIMIT_STORAGE_URI": "memory://"}) is not None


@pytest.mark.parametrize("argv, environ, expected", [
    # The Procfile: gunicorn ... --workers ${WEB_CONCURRENCY:-3}
    (["/srv/.venv/bin/gunicorn", "--bind", "0.0.0.0:5000", "--workers", "3", "ogpcocreate:create_app()"], {}, 3),
    (["/usr/lib/python3/site-packages/gunicorn/__main__.py", "-w2", "x:app"], {"WEB_CONCURRENCY": "1"}, 2),
    (["/srv/.venv/bin/gunicorn", "--workers=4", "x:app"], {}, 4),
    (["/srv/.venv/bin/gunicorn", "x:app"], {"GUNICORN_CMD_ARGS": "--bind 0.0.0.0 -w 5"}, 5),
    (["/srv/.venv/bin/gunicorn", "-c", "gunicorn.conf.py", "x:app"], {"WEB_CONCURRENCY": "6"}, 6),
    (["/srv/.venv/bin/flask", "--app", "ogpcocreate", "db", "upgrade"], {}, None),
    (["/srv/.venv/bin/flask", "run", "-w", "9"], {}, None),  # not gunicorn: its -w means nothing here
])
def test_the_number_of_web_workers_is_read_from_gunicorn_or_web_concurrency(argv, environ, expected):
    assert web_workers(environ, argv) == expected


def test_the_storage_check_in_detail():
    gunicorn3 = ["/srv/.venv/bin/gunicorn", "--workers", "3", "x:app"]
    with pytest.raises(ConfigError, match="3 web workers"):
        check_rate_limit_storage({"RATELIMIT_STORAGE_URI": "memory://"}, {}, gunicorn3)
    check_rate_limit_storage({"RATELIMIT_STORAGE_URI": "redis://10.0.0.5:6379/2"}, {}, gunicorn3)
    check_rate_limit_storage({"RATELIMIT_STORAGE_URI": "memory://"}, {"WEB_CONCURRENCY": "1"}, ["flask"])
    check_rate_limit_storage({"RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_ENABLED": False}, {}, gunicorn3)


def redis_or_skip() -> None:
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("OGP_REQUIRE_REDIS"):
            raise
        pytest.skip("Redis is not running on 127.0.0.1:6379 (OGP_REQUIRE_REDIS=1 makes this a failure)")


def test_limits_and_back_off_hold_across_two_app_instances_sharing_redis(app_config, make_app):
    """Two processes (two app instances here) share one count: neither accepts the limit on its own."""
    import redis

    redis_or_skip()
    prefix = f"test-ratelimit-{uuid.uuid4().hex}"
    config = {**app_config, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
              "RATELIMIT_KEY_PREFIX": prefix, "LOGIN_FREE_FAILURES": 2, "CONTRIBUTION_RATE_LIMIT": "3 per minute"}
    first, second = make_app(config), make_app(config)
    try:
        owner = f"{prefix}@example.org"
        with first.app_context():
            make_user(owner)
            db.session.commit()
        # The back-off: one failure through each instance locks the account from this address in both.
        a, b = client_at(first, "198.51.100.60"), client_at(second, "198.51.100.60")
        assert attempt(a, owner, WRONG).status_code == 200
        assert attempt(b, owner, WRONG).status_code == 200
        assert attempt(a, owner, PASSWORD).status_code == 429
        assert attempt(b, owner, PASSWORD).status_code == 429
        # A contribution limit: three proposals in all, whichever instance takes them.
        call_id, theme_id = open_call(first)
        with first.app_context():
            email = make_user().email
            db.session.commit()
        clients = [client_at(first, "198.51.100.61"), client_at(second, "198.51.100.61")]
        for c in clients:
            c.login(email)
        statuses = [clients[n % 2].post_form(f"/calls/{call_id}/proposals/new", proposal_form(theme_id, n)).status_code
                    for n in range(4)]
        assert statuses == [302, 302, 302, 429]
    finally:
        connection = redis.Redis(host="127.0.0.1", port=6379)
        for key in connection.scan_iter(f"*{prefix}*"):
            connection.delete(key)


# --- timing oracles: the same work either way ---------------------------------------------------------


@pytest.fixture
def kdf_calls(monkeypatch):
    """Every run of the password KDF (hash or check), with the method of the hash it used."""
    calls = []
    real_check, real_hash = auth_models.check_password_hash, auth_models.generate_password_hash

    def check(pwhash, password):
        calls.append(("check", pwhash.split("$", 1)[0]))
        return real_check(pwhash, password)

    def generate(password, *args, **kwargs):
        result = real_hash(password, *args, **kwargs)
        calls.append(("hash", result.split("$", 1)[0]))
        return result

    monkeypatch.setattr(auth_models, "check_password_hash", check)
    monkeypatch.setattr(auth_models, "generate_password_hash", generate)
    return calls


def test_log_in_checks_one_password_whether_or_not_the_account_exists(appctx, kdf_calls):
    known = make_user("luis@example.org")
    known.set_password(GOOD)  # the production method, not the factories' cheap one
    gone = make_user("baja@example.org")
    gone.set_password(GOOD)
    gone.active = False
    db.session.flush()
    real_method = known.password_hash.split("$", 1)[0]
    auth_models.dummy_password_hash()  # computed once per process, at start-up outside the tests
    kdf_calls.clear()
    for email in ("luis@example.org", "nadie@example.org", "baja@example.org"):
        assert auth_services.authenticate(email, WRONG) is None
        assert kdf_calls == [("check", real_method)], email
        kdf_calls.clear()
    assert auth_services.authenticate("baja@example.org", GOOD) is None and len(kdf_calls) == 1


def test_the_log_in_page_does_the_same_work_for_unknown_addresses(app, client, kdf_calls):
    with app.app_context():
        make_user("luis@example.org")
        db.session.commit()
        auth_models.dummy_password_hash()
    kdf_calls.clear()
    attempt(client, "luis@example.org", WRONG)
    known = list(kdf_calls)
    kdf_calls.clear()
    attempt(client, "nadie@example.org", WRONG)
    assert len(kdf_calls) == len(known) == 1 and kdf_calls[0][0] == known[0][0] == "check"


def test_registration_hashes_and_mails_once_whether_or_not_the_address_is_taken(appctx, kdf_calls):
    make_user("luis@example.org")
    for email, creates in (("nueva@example.org", True), ("luis@example.org", False)):
        mails = db.session.scalar(select(func.count(OutboxMessage.id)))
        kdf_calls.clear()
        user = auth_services.register("Luis", email, GOOD, None, "es")
        assert (user is not None) == creates
        assert [kind for kind, _method in kdf_calls] == ["hash"]
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == mails + 1


def test_password_reset_renders_and_queues_one_mail_whether_or_not_the_address_has_an_account(appctx):
    make_user("luis@example.org")
    gone = make_user("baja@example.org")
    gone.active = False
    db.session.flush()
    for email in ("luis@example.org", "nadie@example.org", "baja@example.org"):
        before = db.session.scalar(select(func.count(OutboxMessage.id)))
        auth_services.request_password_reset(email, locale="es")
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == before + 1, email
    subjects = db.session.scalars(select(OutboxMessage.subject).order_by(OutboxMessage.id)).all()
    assert "Restablece tu contraseña" in subjects[0]
    assert all("sin cuenta" in s for s in subjects[1:])


# --- behind a reverse proxy -----------------------------------------------------------------------------


def test_behind_a_proxy_each_visitor_is_counted_by_their_own_address(app_config, make_app):
    app = limited_app(make_app, app_config, TRUSTED_PROXIES=1, LOGIN_RATE_LIMIT="2 per minute")
    proxy = "10.0.0.2"

    def fail_from(visitor: str, forged: str = ""):
        c = client_at(app, proxy)
        chain = f"{forged}, {visitor}" if forged else visitor
        return c.post_form("/login", {"email": "x@example.org", "password": WRONG},
                           headers={"X-Forwarded-For": chain}).status_code

    assert [fail_from("192.0.2.1") for _ in range(3)] == [200, 200, 429]
    assert fail_from("192.0.2.2") == 200  # someone else behind the same proxy
    # Only the entry our proxy added is trusted: one forged by the visitor changes nothing.
    assert fail_from("192.0.2.1", forged="198.51.100.99") == 429


def test_without_trusted_proxies_a_forwarded_address_is_ignored(app_config, make_app):
    app = limited_app(make_app, app_config, LOGIN_RATE_LIMIT="2 per minute")
    c = client_at(app, "192.0.2.1")
    statuses = [c.post_form("/login", {"email": "x@example.org", "password": WRONG},
                            headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code for n in range(3)]
    assert statuses == [200, 200, 429]
