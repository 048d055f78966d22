"""Numbers read from URLs and query strings, kept within what the database can hold.

Every id column is a 32-bit integer on PostgreSQL, and SQLite overflows past 2**63, so a number
beyond MAX_ID names nothing: the route converter answers 404 before any query runs, and a query
parameter that is not a whole number in range is a 400 that says, in the reader's language, what was
expected. Every route and every list reads its numbers through here, so no view parses one by hand.
"""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1
MAX_PAGE = 100_000
MAX_SEQ = 2**62  # the log's seq is a 64-bit integer; a cursor past this names no entry


class BadParameter(BadRequest):
    """A query parameter the page cannot use; ``description`` is translated and shown to the reader."""


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` for every route: ASCII digits only, from 0 up to MAX_ID, else 404."""

    regex = r"[0-9]{1,12}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register(app) -> None:
    """Install the bounded converter as ``int``; must run before any blueprint is registered."""
    app.url_map.converters["int"] = BoundedIntConverter


def parse_id(value) -> int | None:
    """An id typed into a form field (a hidden ``parent``, say): the number, or None if it names nothing."""
    text = str(value).strip() if value is not None else ""
    if text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID)) and 1 <= int(text) <= MAX_ID:
        return int(text)
    return None


def int_arg(name: str, *, maximum: int = MAX_ID, message: str | None = None) -> int | None:
    """A positive whole number from the query string; None when absent or empty; 400 otherwise."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if raw.isascii() and raw.isdigit() and len(raw) <= len(str(maximum)) and 1 <= int(raw) <= maximum:
        return int(raw)
    raise BadParameter(message or _("“%(name)s” must be a whole number from 1 to %(max)d.", name=name, max=maximum))


def page_arg(name: str = "page") -> int:
    """The page of a paginated list: 1 when absent, 400 when not a whole number from 1 to MAX_PAGE."""
    return int_arg(name, maximum=MAX_PAGE,
                   message=_("The page must be a whole number from 1 to %(max)d.", max=MAX_PAGE)) or 1
