"""Rate limits in one place: who each limit counts (key functions), how much (limit strings from the
config), what the refused visitor is told, and the back-off on failed log-ins.

The rule: count the person strictly and the network address generously. Many people share one address
(a workshop of forty behind one router, a ministry behind its proxy), so an address limit is a ceiling
against scripts, about ten times what one person would do; and nobody elsewhere can use up someone
else's allowance, so strangers never lock an owner out of their account.

| act                           | strict, counted per                                | generous, per address     |
| ----------------------------- | -------------------------------------------------- | ------------------------- |
| log in (failures only)        | account + address: back-off (``check_login``)      | LOGIN_RATE_LIMIT          |
| register, ask for a reset     | the e-mail address typed: SIGNUP_RATE_LIMIT        | SIGNUP_ADDRESS_RATE_LIMIT |
| ask for a new confirmation    | account: SIGNUP_RATE_LIMIT                         | SIGNUP_ADDRESS_RATE_LIMIT |
| proposals and comments        | account: CONTRIBUTION_RATE_LIMIT (one shared pool) | CONTRIBUTION_ADDRESS_...  |
| invitations to an organisation| account: INVITATION_RATE_LIMIT; organisation:      |                           |
|                               | INVITATION_ORGANISATION_RATE_LIMIT                 |                           |

Log-in back-off, per account + address: the first LOGIN_FREE_FAILURES failures cost nothing; from then
on each failure locks that account *from that address* for LOGIN_BACKOFF_SECONDS, doubling with every
further failure up to LOGIN_BACKOFF_MAX_SECONDS (30 s, 1, 2, 4 ... minutes, then an hour at most). A
success forgets the failures; so does LOGIN_FAILURE_MEMORY_SECONDS after the first of them. Only failed
password checks are counted, here and in the per-address ceiling, so people who log in successfully
are never limited by their own past log-ins.

Every refusal is a 429 page (core/errors.py) with a translated message saying what was limited and
when to come back. Limits are checked before the view runs, so a refused request changes nothing.

Counters live in RATELIMIT_STORAGE_URI. ``memory://`` counts in each process alone, so several web
processes each accept the full limit: production with more than one worker must use Redis, and
refuses to start otherwise (config.check_rate_limit_storage). Keys hold no e-mail address in clear.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable

from flask import Flask, current_app, g, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from limits.storage import Storage, storage_from_string
from werkzeug.exceptions import TooManyRequests

from ..extensions import limiter

_STORAGE = "ogpcocreate.ratelimit"
_LOGIN_FAILED = "ogp_login_failed"


# --- keys ------------------------------------------------------------------------------------------


def address() -> str:
    """The client's network address (behind a reverse proxy, the proxy must pass the client's)."""
    return request.remote_addr or "unknown"


def address_key() -> str:
    return "address:" + address()


def account_key() -> str:
    """The signed-in account; an anonymous request is counted by its address instead."""
    if current_user.is_authenticated:
        return f"account:{current_user.id}"
    return address_key()


def _email_digest(email: str | None) -> str:
    normalised = (email or "").strip().lower()
    return hashlib.sha256(normalised.encode()).hexdigest()[:32]


def submitted_email_key() -> str:
    """The e-mail address typed in the form (registration, reset), hashed: counted wherever it comes from."""
    return "email:" + _email_digest(request.form.get("email"))


def organisation_key() -> str:
    return f"organisation:{(request.view_args or {}).get('org_id')}"


# --- limit strings ----------------------------------------------------------------------------------


def _setting(name: str) -> Callable[[], str]:
    def limit() -> str:
        return current_app.config[name]

    limit.__name__ = name.lower()
    return limit


login_address_limit = _setting("LOGIN_RATE_LIMIT")
signup_limit = _setting("SIGNUP_RATE_LIMIT")
signup_address_limit = _setting("SIGNUP_ADDRESS_RATE_LIMIT")
contribution_limit = _setting("CONTRIBUTION_RATE_LIMIT")
contribution_address_limit = _setting("CONTRIBUTION_ADDRESS_RATE_LIMIT")
invitation_limit = _setting("INVITATION_RATE_LIMIT")
invitation_organisation_limit = _setting("INVITATION_ORGANISATION_RATE_LIMIT")


# --- what the refused visitor reads ------------------------------------------------------------------


def _login_message() -> str:
    return _("Too many failed log-ins have come from your network. Nothing was changed; wait a few minutes "
             "and try again, or reset your password.")


def _signup_message() -> str:
    return _("Too many requests for this e-mail address or from your network in a short time. Nothing was "
             "sent; wait a few minutes and try again.")


def _contribution_message() -> str:
    return _("You have sent many contributions in a short time. Nothing was saved: go back to copy what you "
             "wrote, wait a few minutes and send it again.")


def _invitation_message() -> str:
    return _("Too many invitations have been sent in a short time. This one was not sent; wait a few "
             "minutes before sending more.")


class TooManyAttempts(TooManyRequests):
    """A refusal decided here rather than by Flask-Limiter; ``description`` is already translated."""


def refusal_message(exc: TooManyRequests) -> str | None:
    """The translated explanation for a 429, or None for the generic one."""
    from flask_limiter.errors import RateLimitExceeded

    if isinstance(exc, TooManyAttempts):
        return exc.description
    if isinstance(exc, RateLimitExceeded) and exc.limit.error_message:
        return exc.description
    return None


# --- decorators for views ----------------------------------------------------------------------------


def _stack(view, *decorators):
    """Apply limits so that they are checked in the order given (among limits of the same period): the
    strict per-person limit first, so that a request it refuses is not also counted against the
    address's shared allowance (Flask-Limiter stops at the first limit exceeded)."""
    for decorate in decorators:
        view = decorate(view)
    return view


def login_limits(view):
    """The per-address ceiling on failed log-ins; the per account + address back-off is ``check_login``."""
    return limiter.limit(login_address_limit, methods=["POST"], key_func=address_key,
                         deduct_when=lambda _response: bool(g.get(_LOGIN_FAILED)),
                         error_message=_login_message)(view)


def signup_limits(view):
    """Registration and password reset: per e-mail address typed, and per address."""
    return _stack(
        view,
        limiter.limit(signup_limit, methods=["POST"], key_func=submitted_email_key, error_message=_signup_message),
        limiter.limit(signup_address_limit, methods=["POST"], key_func=address_key, error_message=_signup_message),
    )


def account_signup_limits(view):
    """Asking for a new confirmation link: per account, and per address."""
    return _stack(
        view,
        limiter.limit(signup_limit, methods=["POST"], key_func=account_key, error_message=_signup_message),
        limiter.limit(signup_address_limit, methods=["POST"], key_func=address_key, error_message=_signup_message),
    )


def contribution_limits(view):
    """Proposals and comments draw on one pool per account, and on a ceiling per address."""
    return _stack(
        view,
        limiter.shared_limit(contribution_limit, scope="contribution", methods=["POST"], key_func=account_key,
                             error_message=_contribution_message),
        limiter.shared_limit(contribution_address_limit, scope="contribution", methods=["POST"],
                             key_func=address_key, error_message=_contribution_message),
    )


def invitation_limits(view):
    """Invitations: per inviting account, and per organisation (whoever of its administrators sends them)."""
    return _stack(
        view,
        limiter.limit(invitation_limit, methods=["POST"], key_func=account_key, error_message=_invitation_message),
        limiter.limit(invitation_organisation_limit, methods=["POST"], key_func=organisation_key,
                      error_message=_invitation_message),
    )


# --- log-in back-off ---------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """The back-off keeps its counters in the same store as the limits, one connection per application."""
    if app.config.get("RATELIMIT_ENABLED", True):
        app.extensions[_STORAGE] = storage_from_string(app.config["RATELIMIT_STORAGE_URI"],
                                                       **app.config.get("RATELIMIT_STORAGE_OPTIONS", {}))


def _storage() -> Storage | None:
    return current_app.extensions.get(_STORAGE)


def _login_keys(email: str) -> tuple[str, str]:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    who = f"{_email_digest(email)}/{address()}"
    return f"{prefix}/login-failures/{who}", f"{prefix}/login-locked/{who}"


def backoff_seconds(failures: int, config) -> int:
    """How long the account is locked from an address after its ``failures``-th failure in a row."""
    free = config["LOGIN_FREE_FAILURES"]
    if failures < free:
        return 0
    return min(config["LOGIN_BACKOFF_SECONDS"] * 2 ** (failures - free), config["LOGIN_BACKOFF_MAX_SECONDS"])


def check_login(email: str) -> None:
    """Refuse (429) while this account is locked from this address, before any password is checked."""
    storage = _storage()
    if storage is None:
        return
    _failures, locked = _login_keys(email)
    if storage.get(locked) <= 0:
        return
    seconds = max(1, math.ceil(storage.get_expiry(locked) - time.time()))
    minutes = max(1, math.ceil(seconds / 60))
    raise TooManyAttempts(
        description=ngettext(
            "Too many failed log-ins to this account from your network. Nothing was checked or changed; "
            "try again in %(num)d minute, or reset your password.",
            "Too many failed log-ins to this account from your network. Nothing was checked or changed; "
            "try again in %(num)d minutes, or reset your password.",
            minutes,
        ),
        retry_after=seconds,
    )


def login_failed(email: str) -> None:
    """Count a failed password check: toward this address's ceiling, and the account + address back-off."""
    g.setdefault(_LOGIN_FAILED, True)
    storage = _storage()
    if storage is None:
        return
    failures_key, locked = _login_keys(email)
    failures = storage.incr(failures_key, current_app.config["LOGIN_FAILURE_MEMORY_SECONDS"])
    seconds = backoff_seconds(failures, current_app.config)
    if seconds:
        storage.clear(locked)  # a fresh expiry: the lock runs from this failure
        storage.incr(locked, seconds)


def login_succeeded(email: str) -> None:
    """The owner got in: forget the failures, so the next mistyped password costs nothing again."""
    storage = _storage()
    if storage is None:
        return
    for key in _login_keys(email):
        storage.clear(key)
