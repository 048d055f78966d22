"""Error pages in the site's style, and the domain error services raise for refused actions."""

from __future__ import annotations

import logging

from flask import Response, make_response, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, SecurityError

from ..extensions import db, login_manager
from .params import BadParameter
from .ratelimit import refusal_message

log = logging.getLogger(__name__)


class ServiceError(Exception):
    """A rule refused the action. ``message`` is already translated and is shown to the user.

    Services raise it before changing anything they cannot undo; the request boundary rolls back.
    ``field`` names the form field the message belongs to, if any.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _wants_json() -> bool:
    # /record.json answers in JSON too, though it is not under /api/ (it sits beside /record.csv).
    return request.path.startswith("/api/") or request.path.endswith(".json") or (
        request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json"
    )


def _titles():
    return {
        400: _("Bad request"),
        401: _("Please log in"),
        403: _("Not allowed"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        413: _("Too large"),
        429: _("Too many requests"),
        500: _("Something went wrong"),
        503: _("Service unavailable"),
    }


def _explanations():
    return {
        400: _("The request could not be understood. If you submitted a form, go back and try again."),
        403: _("Your account does not have permission to do this. If you think it should, contact the secretariat."),
        404: _("There is nothing at this address. It may have been mistyped or moved."),
        405: _("This address does not accept that kind of request."),
        413: _("What you sent is larger than the site accepts."),
        429: _("You have made too many attempts in a short time. Wait a little and try again."),
        500: _("An unexpected error happened and nothing was saved. The team has been told; please try again."),
        503: _("The site cannot reach its database right now. Please try again in a few minutes."),
    }


def render_error(code: int, detail: str | None = None):
    if _wants_json():
        return {"error": _titles().get(code, str(code)), "detail": detail or _explanations().get(code)}, code
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=_titles().get(code, str(code)),
            explanation=detail or _explanations().get(code, ""),
        ),
        code,
    )


def link_problem(title: str, message: str, next_url: str, next_label: str):
    """The page for an e-mailed link that cannot be used (expired, forged, already used): 400."""
    return render_template("errors/link_problem.html", title=title, message=message, next_url=next_url,
                           next_label=next_label), 400


def _too_many_requests(exc: HTTPException):
    """429, saying which limit refused and, where known, when to come back (Retry-After)."""
    response = make_response(render_error(429, refusal_message(exc)))
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None and "Retry-After" not in response.headers:
        response.headers["Retry-After"] = str(retry_after)
    return response


def register(app) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code == 401:
            return login_manager.unauthorized()
        if exc.code == 400 and getattr(exc, "description", "").startswith("The CSRF"):
            return render_error(400, _("The form had expired or was not sent from this site. Go back, reload the page and try again; nothing was saved."))
        if exc.code == 429:
            return _too_many_requests(exc)
        if isinstance(exc, BadParameter):
            return render_error(400, exc.description)
        if isinstance(exc, SecurityError):
            # A Host header this site does not answer to (TRUSTED_HOSTS): no URL can be built for it, so
            # no page in the site's layout either.
            return Response(_("This site does not answer to that address."), 400, mimetype="text/plain")
        if exc.code in _titles():
            return render_error(exc.code)
        return exc

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        if app.testing and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise exc
        return render_error(500)
