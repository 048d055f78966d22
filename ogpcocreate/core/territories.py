"""Territories: the country's first-level subdivisions (ISO 3166-2, from pycountry) plus ``national``.

The country is a setting (COUNTRY, default MX); nothing here is a hand-typed list of states.
"""

from __future__ import annotations

from functools import cache

import pycountry
from flask import current_app
from flask_babel import lazy_gettext as _l

NATIONAL = "national"


@cache
def _subdivisions(country: str) -> tuple[tuple[str, str], ...]:
    subs = pycountry.subdivisions.get(country_code=country) or []
    first_level = [s for s in subs if not getattr(s, "parent_code", None)]
    return tuple(sorted(((s.code, s.name) for s in first_level), key=lambda pair: pair[1]))


def country() -> str:
    return current_app.config["COUNTRY"]


def subdivisions(country_code: str | None = None) -> tuple[tuple[str, str], ...]:
    """(code, name) of every first-level subdivision, sorted by name."""
    return _subdivisions(country_code or country())


def is_valid(code: str | None) -> bool:
    return code == NATIONAL or any(code == c for c, _ in subdivisions())


def name(code: str | None) -> str:
    if code == NATIONAL:
        return str(_l("National"))
    for c, n in subdivisions():
        if c == code:
            return n
    return code or ""


def choices(include_national: bool = True, blank: str | None = None):
    options = []
    if blank is not None:
        options.append(("", blank))
    if include_national:
        options.append((NATIONAL, _l("National")))
    options.extend(subdivisions())
    return options
