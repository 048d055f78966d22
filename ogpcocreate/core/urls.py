"""The site's URLs: absolute links built from PUBLIC_URL, never from the request's Host header, and
redirect targets taken from the request, of which only paths on this site are followed."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request, url_for


def is_local_path(target: str | None) -> bool:
    """Whether ``target`` is a path of this site, safe to redirect to."""
    # A control character or a space would end up in the Location header (CR/LF: a header injection
    # that Werkzeug refuses with a 500); no path of this site contains one.
    if not target or not target.isprintable() or any(c.isspace() for c in target) or len(target) > 2000:
        return False
    parts = urlsplit(target)
    return (target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc
            and "\\" not in target)


def safe_next(default_endpoint: str = "main.home") -> str:
    target = request.args.get("next") or request.form.get("next") or ""
    return target if is_local_path(target) else url_for(default_endpoint)


def external_url(endpoint: str, **values) -> str:
    """An absolute link for an e-mail, built from PUBLIC_URL so a worker or CLI can build it too.

    PUBLIC_URL includes any path prefix the site is served under, so the path is built from the
    application's own URL map, without the current request's script root.
    """
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PUBLIC_URL"].rstrip("/") + path
