"""Language and time for display: the locale selector and the template filters that show dates.

Dates are stored in UTC and shown in the display timezone (America/Mexico_City by default), in the
reader's language (DOMAIN.md, "Call for proposals").
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, g, has_app_context, has_request_context, request
from flask_babel import Domain, format_date, format_datetime, get_locale, get_timezone, get_translations
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


# --- fast paths for templates -----------------------------------------------------------------------
#
# A discussion page calls gettext some 600 times and formats a date for each comment. flask_babel looks the
# locale and the catalog up through four context lookups per call, and Babel parses the date pattern on
# each one; these helpers find both once per request and format each (value, format, locale, zone) once per
# process. They give exactly what flask_babel gives (its own functions do the work on a miss).


def _babel_state():
    """The request's (or app context's) Locale and tzinfo as flask_babel holds them once it chose them,
    or None before it has."""
    if not has_app_context():
        return None
    state = getattr(g._get_current_object(), "_flask_babel", None)
    locale = getattr(state, "babel_locale", None)
    tzinfo = getattr(state, "babel_tzinfo", None)
    if locale is None or tzinfo is None:
        return None
    return locale, tzinfo


def _kept_translations(find):
    """The catalog ``find()`` gives, kept on ``g`` beside the Locale it is for: force_locale and refresh
    replace the Locale object, so a catalog kept for another one is never used."""
    if not has_app_context():
        return find()
    holder = g._get_current_object()
    state = getattr(holder, "_flask_babel", None)
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        return find()  # the first call of the context chooses the locale
    kept = getattr(holder, "_ogp_translations", None)
    if kept is not None and kept[0] is locale:
        return kept[1]
    translations = find()
    holder._ogp_translations = (locale, translations)
    return translations


def _translations():
    return _kept_translations(get_translations)


class _Domain(Domain):
    """flask_babel's message domain, finding the request's catalog once: lazy strings (enum labels, form
    choices) are translated through it, some hundreds on a long page."""

    def get_translations(self):
        return _kept_translations(super().get_translations)


_FORMATTED: dict[tuple, str] = {}
_FORMATTED_MAX = 20_000  # distinct (value, format, locale, zone) kept per process before starting afresh


def _memo_format(kind: str, formatter, value, fmt: str) -> str:
    if not value:
        return ""
    state = _babel_state()
    if state is None:  # the locale or zone not chosen yet in this context: flask_babel chooses them
        get_locale(), get_timezone()
        state = _babel_state()
        if state is None:
            return formatter(value, fmt)
    key = (kind, value, fmt, str(state[0]), str(state[1]))
    text = _FORMATTED.get(key)
    if text is None:
        text = formatter(value, fmt)
        if len(_FORMATTED) >= _FORMATTED_MAX:
            _FORMATTED.clear()
        _FORMATTED[key] = text
    return text


def register(app) -> None:
    # Babel.domain_instance is a cached property: the domain every gettext and lazy string goes through.
    babel = app.extensions["babel"].instance
    if not isinstance(babel.__dict__.get("domain_instance"), _Domain):
        babel.__dict__["domain_instance"] = _Domain(domain=app.config.get("BABEL_DOMAIN", "messages"))
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": _memo_format("datetime", format_datetime, value, fmt)
    app.jinja_env.filters["date"] = lambda value, fmt="medium": _memo_format("date", format_date, value, fmt)
    app.jinja_env.filters["isotime"] = lambda value: value.isoformat() if value else ""
    app.jinja_env.filters["territory"] = territories.name
    app.jinja_env.filters["sector"] = _sector_label
    app.jinja_env.filters["seat"] = _seat_label
