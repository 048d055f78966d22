"""Configuration read from the environment; one class per environment.

OGPCOCREATE_ENV chooses the class: ``production`` (the default, so a deployment that forgets to say
anything gets the strict settings), ``development`` (what ``make run`` uses) or ``testing``.
"""

from __future__ import annotations

import os
import secrets
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

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    SIGNUP_RATE_LIMIT = os.environ.get("SIGNUP_RATE_LIMIT", "5 per minute;30 per hour")
    # Contributions (proposals now, comments later), per account and per address: a person writes a
    # few a day; a script flooding a call is stopped with a clear message.
    CONTRIBUTION_RATE_LIMIT = os.environ.get("CONTRIBUTION_RATE_LIMIT", os.environ.get("PROPOSAL_RATE_LIMIT", "10 per minute;60 per day"))

    EMAIL_TOKEN_MAX_AGE = _int("EMAIL_TOKEN_MAX_AGE", 60 * 60 * 48)
    RESET_TOKEN_MAX_AGE = _int("RESET_TOKEN_MAX_AGE", 60 * 60 * 2)
    INVITATION_DAYS = _int("INVITATION_DAYS", 14)
    MIN_PASSWORD_SCORE = 3  # zxcvbn: 0 (guessable) .. 4 (very strong)
    MIN_PASSWORD_LENGTH = 10

    PER_PAGE = 25
    # How long an influence report may be served from the process's cache while the participation log
    # is unchanged (reports/services.py); 0 computes it on every request.
    REPORT_CACHE_SECONDS = _int("REPORT_CACHE_SECONDS", 60)
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
