"""Configuration read from the environment; one class per environment.

OGPCOCREATE_ENV chooses the class: ``production`` (the default, so a deployment that forgets to say
anything gets the strict settings), ``development`` (what ``make run`` uses) or ``testing``.
"""

from __future__ import annotations

import os
import secrets
import shlex
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    """A whole number from the environment; a wrong one stops the program with one line saying so."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        # Read when this module is imported, before create_app() could turn a ConfigError into one line.
        raise SystemExit(f"ogpcocreate: configuration error: {name} must be a whole number, not {value!r}.")
    return int(value)


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class ConfigError(RuntimeError):
    """The environment does not describe a safe configuration."""


def _gunicorn_workers(args: list[str]) -> int | None:
    """The value of gunicorn's ``-w N`` / ``--workers N`` / ``--workers=N`` in ``args``, if any (the last wins)."""
    found = None
    for i, arg in enumerate(args):
        value = None
        if arg in ("-w", "--workers") and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--workers="):
            value = arg.split("=", 1)[1]
        elif arg.startswith("-w") and len(arg) > 2:
            value = arg[2:]
        if value is not None and value.strip().isdigit():
            found = int(value)
    return found


def web_workers(environ=None, argv: list[str] | None = None) -> int | None:
    """How many web processes count rate limits with this configuration, or None if it cannot be known.

    1. gunicorn's ``--workers`` on its command line (or in GUNICORN_CMD_ARGS): gunicorn forks its workers
       from the master, so ``sys.argv`` in a worker is the master's. The Procfile passes
       ``--workers ${WEB_CONCURRENCY:-3}``, so its default of 3 is seen here too.
    2. ``WEB_CONCURRENCY``: the hosting platforms' convention, and gunicorn's own default for ``workers``.
    A gunicorn config file's ``workers`` is not visible from here: set WEB_CONCURRENCY to match it.
    """
    environ = os.environ if environ is None else environ
    argv = sys.argv if argv is None else argv
    started_by_gunicorn = bool(argv) and "gunicorn" in (Path(argv[0]).name, Path(argv[0]).parent.name)
    if started_by_gunicorn:  # the `gunicorn` script, or `python -m gunicorn` (argv[0] is gunicorn/__main__.py)
        workers = _gunicorn_workers(list(argv[1:]))
        if workers is not None:
            return workers
    workers = _gunicorn_workers(shlex.split(environ.get("GUNICORN_CMD_ARGS", "")))
    if workers is not None:
        return workers
    value = environ.get("WEB_CONCURRENCY", "").strip()
    return int(value) if value.isdigit() else None


def check_rate_limit_storage(config, environ=None, argv: list[str] | None = None) -> None:
    """Several processes counting in their own memory multiply every limit by their number: refuse that.

    An unknown number of processes counts as several (the Procfile starts 3 unless told otherwise).
    """
    if not config.get("RATELIMIT_ENABLED", True):
        return
    storage = (config.get("RATELIMIT_STORAGE_URI") or "memory://").strip()
    if not storage.startswith("memory://"):
        return
    workers = web_workers(environ, argv)
    if workers == 1:
        return
    how_many = f"{workers} web workers" if workers else "an unknown number of web workers (WEB_CONCURRENCY is not set)"
    raise ConfigError(
        f"RATELIMIT_STORAGE_URI is memory:// but production runs {how_many}, each of which would count rate "
        "limits alone: set RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379 (a store shared by every worker), "
        "or WEB_CONCURRENCY=1 for a single worker."
    )


class BaseConfig:
    ENV_NAME = "base"
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    BABEL_DEFAULT_LOCALE = "es"
    BABEL_DEFAULT_TIMEZONE = "America/Mexico_City"
    LANGUAGES = ("es", "en")
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).parent / "translations")

    COUNTRY = os.environ.get("OGP_COUNTRY", "MX")
    DISPLAY_TIMEZONE = os.environ.get("OGP_TIMEZONE", "America/Mexico_City")

    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead, so a long draft does not lose its token
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "ogpcocreate <no-reply@localhost>")
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 8)
    # Flask-Mail would silently drop mail when TESTING; the tests deliver to a real SMTP server instead.
    MAIL_SUPPRESS_SEND = False

    # The continuity archive (archive/): where the archiver keeps the secretariat's archives (default:
    # instance/archives). The archive includes and restores the repository's files (STORAGE_ROOT).
    ARCHIVE_FOLDER = os.environ.get("ARCHIVE_FOLDER") or None
    # How many of the secretariat's archives stay on disk: the newest ARCHIVE_KEEP ready ones (at least
    # one), plus any being downloaded; the archiver removes the older files (archive/services.py, prune).
    ARCHIVE_KEEP = _int("ARCHIVE_KEEP", 5)
    # The open-data API: the most items a page may ask for (``limit``).
    API_MAX_LIMIT = _int("API_MAX_LIMIT", 200)

    # Rate limits (core/ratelimit.py says who each one counts). A person is counted strictly, an address
    # generously: a workshop of forty people shares one router.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # How many reverse proxies in front of the application append to X-Forwarded-For. 0 (the default)
    # ignores the header, which anyone can forge; behind one proxy, every visitor would otherwise have
    # the proxy's address and share one allowance.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    RATELIMIT_HEADERS_ENABLED = True
    # Log in: failed attempts from one address, whatever the account (the owner's own address is never
    # blocked by failures elsewhere); per account and address, the back-off below.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "30 per minute;200 per hour")
    LOGIN_FREE_FAILURES = _int("LOGIN_FREE_FAILURES", 5)
    LOGIN_BACKOFF_SECONDS = _int("LOGIN_BACKOFF_SECONDS", 30)
    LOGIN_BACKOFF_MAX_SECONDS = _int("LOGIN_BACKOFF_MAX_SECONDS", 3600)
    LOGIN_FAILURE_MEMORY_SECONDS = _int("LOGIN_FAILURE_MEMORY_SECONDS", 24 * 3600)
    # Registration, password reset and new confirmation links: per e-mail address (or account), and per address.
    SIGNUP_RATE_LIMIT = os.environ.get("SIGNUP_RATE_LIMIT", "5 per minute;30 per hour")
    SIGNUP_ADDRESS_RATE_LIMIT = os.environ.get("SIGNUP_ADDRESS_RATE_LIMIT", "50 per minute;300 per hour")
    # Contributions (proposals and comments together), per account and per address: a person writes a
    # few a day; a script flooding a call is stopped with a clear message.
    CONTRIBUTION_RATE_LIMIT = os.environ.get("CONTRIBUTION_RATE_LIMIT", os.environ.get("PROPOSAL_RATE_LIMIT", "10 per minute;60 per day"))
    CONTRIBUTION_ADDRESS_RATE_LIMIT = os.environ.get("CONTRIBUTION_ADDRESS_RATE_LIMIT", "100 per minute;600 per day")
    # Invitations to join an organisation: per inviting account and per organisation.
    INVITATION_RATE_LIMIT = os.environ.get("INVITATION_RATE_LIMIT", "10 per minute;100 per day")
    INVITATION_ORGANISATION_RATE_LIMIT = os.environ.get("INVITATION_ORGANISATION_RATE_LIMIT", "20 per minute;200 per day")

    EMAIL_TOKEN_MAX_AGE = _int("EMAIL_TOKEN_MAX_AGE", 60 * 60 * 48)
    RESET_TOKEN_MAX_AGE = _int("RESET_TOKEN_MAX_AGE", 60 * 60 * 2)
    INVITATION_DAYS = _int("INVITATION_DAYS", 14)
    MIN_PASSWORD_SCORE = 3  # zxcvbn: 0 (guessable) .. 4 (very strong)
    MIN_PASSWORD_LENGTH = 10

    PER_PAGE = 25
    # Uploaded files (core/storage.py): a directory, by default the instance folder's files/. Point every
    # web machine at the same shared directory so they all serve the same files.
    STORAGE_ROOT = os.environ.get("STORAGE_ROOT") or str(ROOT / "instance" / "files")
    # The full-page cache for anonymous readers (core/pagecache.py, which says what it keeps and why it
    # is never stale). PAGE_CACHE_URL: a Redis shared by every process and machine (production uses the
    # rate limits' Redis when this is unset); without one, each process keeps its own store.
    PAGE_CACHE = _bool("PAGE_CACHE", True)
    PAGE_CACHE_URL = os.environ.get("PAGE_CACHE_URL", "")
    # The bound: how long after a write in another process a page may still be served (milliseconds).
    PAGE_CACHE_HEAD_MS = _int("PAGE_CACHE_HEAD_MS", 1000)
    # The longest any entry lives, for what depends on the clock alone beyond transitions.py's list.
    PAGE_CACHE_MAX_SECONDS = _int("PAGE_CACHE_MAX_SECONDS", 600)
    # How long a reader waits for another to compute the same page before computing it too.
    PAGE_CACHE_WAIT_SECONDS = _int("PAGE_CACHE_WAIT_SECONDS", 10)
    PAGE_CACHE_ITEMS = _int("PAGE_CACHE_ITEMS", 5000)  # the in-process store's size, in pages
    PAGE_CACHE_NEAR_MB = _int("PAGE_CACHE_NEAR_MB", 64)  # each process's copy of the pages it served last
    # Parts of heavy pages shared by readers of the same kind, signed in or not (core/fragments.py), in the
    # same store, keyed by the head as each request reads it (so never stale).
    FRAGMENT_CACHE = _bool("FRAGMENT_CACHE", True)
    # How long an influence report from the process's cache while the participation log
    # is unchanged (reports/services.py); 0 computes it on every request.
    REPORT_CACHE_SECONDS = _int("REPORT_CACHE_SECONDS", 60)
    # DOMAIN.md, "Ballot secrecy": a tally by sector merges every sector with fewer voters than this into
    # "other sectors", and shows only totals when even that group is smaller.
    BALLOT_MIN_GROUP = _int("BALLOT_MIN_GROUP", 5)
    SITE_NAME = os.environ.get("SITE_NAME", "ogpcocreate")
    PUBLIC_URL = os.environ.get("PUBLIC_URL")  # used in e-mails sent by the worker

    @classmethod
    def finalise(cls, config: dict) -> None:
        """Fill in values that depend on others; raise ConfigError if unsafe."""


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def finalise(cls, config: dict) -> None:
        secret = os.environ.get("SECRET_KEY")
        if not secret or len(secret) < 32:
            raise ConfigError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production "
                "(python -c 'import secrets; print(secrets.token_hex(32))'); to try the site locally, run "
                "`make run` first or set OGPCOCREATE_ENV=development."
            )
        config["SECRET_KEY"] = secret
        config["SQLALCHEMY_DATABASE_URI"] = _database_url(f"sqlite:///{ROOT / 'instance' / 'ogpcocreate.db'}")
        config["PUBLIC_URL"] = os.environ.get("PUBLIC_URL") or config.get("PUBLIC_URL")
        if not config.get("PUBLIC_URL"):
            raise ConfigError("PUBLIC_URL must be set in production (the site's address, used in e-mails).")
        host = urlsplit(config["PUBLIC_URL"]).hostname
        if not host:
            raise ConfigError(f"PUBLIC_URL must be a full address such as https://cocreacion.example.org, not {config['PUBLIC_URL']!r}.")
        # Requests for any other Host are refused (400): links are built from PUBLIC_URL, but a cache in
        # front must never keep a page answered for a forged host. ALLOWED_HOSTS adds others (a health
        # check's address, say), separated by commas.
        extra = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
        config["TRUSTED_HOSTS"] = [host, *extra]
        check_rate_limit_storage(config)
        if not config.get("PAGE_CACHE_URL") and config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://")):
            config["PAGE_CACHE_URL"] = config["RATELIMIT_STORAGE_URI"]


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False

    @classmethod
    def finalise(cls, config: dict) -> None:
        instance = ROOT / "instance"
        instance.mkdir(exist_ok=True)
        secret = os.environ.get("SECRET_KEY")
        if not secret:
            # A key kept on disk so that sessions survive a restart of `make run`.
            key_file = instance / "secret_key"
            if not key_file.exists():
                key_file.write_text(secrets.token_hex(32))
                key_file.chmod(0o600)
            secret = key_file.read_text().strip()
        config["SECRET_KEY"] = secret
        config["SQLALCHEMY_DATABASE_URI"] = _database_url(f"sqlite:///{instance / 'ogpcocreate.db'}")
        config["MAIL_PORT"] = _int("MAIL_PORT", 8025)
        config.setdefault("PUBLIC_URL", None)
        config["PUBLIC_URL"] = config["PUBLIC_URL"] or "http://127.0.0.1:5000"


class TestingConfig(BaseConfig):
    ENV_NAME = "testing"
    TESTING = True
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    RATELIMIT_ENABLED = False
    MAIL_MAX_ATTEMPTS = 3
    REPORT_CACHE_SECONDS = 0  # factories write rows without log entries; tests that cache turn it on
    PAGE_CACHE = False  # the same; tests/test_page_cache.py turns it on
    # Content-addressed, so tests may share one store: the same bytes are the same file.
    STORAGE_ROOT = os.environ.get("STORAGE_ROOT") or os.path.join(tempfile.gettempdir(), "ogpcocreate-test-files")

    @classmethod
    def finalise(cls, config: dict) -> None:
        config["SECRET_KEY"] = config.get("SECRET_KEY") or "testing-" + "x" * 40
        config["PUBLIC_URL"] = config.get("PUBLIC_URL") or "http://localhost"


CONFIGS = {c.ENV_NAME: c for c in (ProductionConfig, DevelopmentConfig, TestingConfig)}


def load(config: dict, overrides: dict | None = None) -> None:
    """Load the class named by OGPCOCREATE_ENV (or overrides['ENV_NAME']) into a Flask config."""
    name = (overrides or {}).get("ENV_NAME") or os.environ.get("OGPCOCREATE_ENV", "production")
    try:
        cls = CONFIGS[name]
    except KeyError as exc:
        raise ConfigError(f"OGPCOCREATE_ENV must be one of {', '.join(CONFIGS)}, not {name!r}.") from exc
    config.from_object(cls)
    if overrides:
        config.update(overrides)
    cls.finalise(config)
    if overrides:  # explicit overrides win over what finalise derived
        config.update(overrides)
