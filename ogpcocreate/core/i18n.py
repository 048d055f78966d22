"""Language and time for display: the locale selector and the template filters that show dates.

Dates are stored in UTC and shown in the display timezone (America/Mexico_City by default), in the
reader's language (DOMAIN.md, "Call for proposals").
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request
from flask_babel import format_date, format_datetime
from flask_login import current_user

from . import territories
from .sectors import Seat, Sector


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (e-mail subjects are translated later,
    in the recipient's language)."""
    return message


# The language a reader chose, kept in a plain cookie rather than the session: anonymous readers have
# no session (core/pagecache.py), and the choice outlives a log-out.
LOCALE_COOKIE = "locale"


def locale_of(req, languages, default: str) -> str:
    """The language chosen by the ``locale`` cookie, else by Accept-Language, else the default. It needs
    no session, no database and no app context, so the page cache can key on it before Flask runs."""
    chosen = req.cookies.get(LOCALE_COOKIE)
    if chosen in languages:
        return chosen
    return req.accept_languages.best_match(languages) or default


def reader_locale() -> str:
    return locale_of(request, current_app.config["LANGUAGES"], current_app.config["BABEL_DEFAULT_LOCALE"])


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and workers: the default; e-mails force the recipient's own
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    return reader_locale()


def display_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def from_local(value: datetime | None) -> datetime | None:
    """A naive date and time typed in a form (display time zone) as an aware UTC datetime."""
    if value is None:
        return None
    return value.replace(tzinfo=display_zone()).astimezone(UTC)


def to_local(value: datetime | None) -> datetime | None:
    """An aware datetime as the naive local date and time a form field shows."""
    if value is None:
        return None
    return value.astimezone(display_zone()).replace(tzinfo=None)


def select_timezone() -> str:
    return current_app.config["DISPLAY_TIMEZONE"]


def _sector_label(value) -> str:
    try:
        return str(Sector(value).label)
    except ValueError:
        return str(value or "")


def _seat_label(value) -> str:
    try:
        return str(Seat(value).label)
    except ValueError:
        return str(value or "")


def register(app) -> None:
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": format_datetime(value, fmt) if value else ""
    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt) if value else ""
    app.jinja_env.filters["isotime"] = lambda value: value.isoformat() if value else ""
    app.jinja_env.filters["territory"] = territories.name
    app.jinja_env.filters["sector"] = _sector_label
    app.jinja_env.filters["seat"] = _seat_label
