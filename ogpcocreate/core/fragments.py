"""Parts of a page rendered once for everyone who would see the same thing (issue 18, the signed-in path).

The page cache (core/pagecache.py) serves anonymous readers whole pages. A signed-in reader's page has
parts that are theirs (the header, the follow button, the form with their organisations) and, on the
heavy pages, a large part that is the same for every reader of the same kind: a draft's text and its
page of comments, a call's proposals. Such a part is a fragment: the view renders it through
``shared()``, which keeps the HTML in the page cache's store and renders it again only when what it
shows may have changed.

The key
    The fragment's name, the head, the clock window, the language, the host, the path and query, and
    the audience the view names. The head is read in the request's own transaction (one indexed query
    per request, ``pagecache.session_head``), not the in-memory head of anonymous pages: a person who
    has just commented sees their comment on the next page, whichever machine serves it. The head and
    the clock window mean what they mean for whole pages (see pagecache's docstring, "Freshness" and
    "The clock"): every act that changes a public page moves the head in the same transaction.

The audience
    What in a fragment depends on the reader: the forms they may use and the texts they may read
    (permissions.audience, the one rule). Readers with no special role share one rendering per kind
    (anonymous, registered, participant); a secretariat member, an administrator, or the author of
    something the fragment shows gets their own, so nothing one person may see reaches another.

CSRF tokens
    A token belongs to a session. While a fragment renders, every token it asks for (the template's
    ``csrf_token()`` and a form's ``csrf_token`` field) is a placeholder derived from SECRET_KEY, which
    no reader ever receives; each request puts its own token in its place.

On a miss one thread renders while the others wait (``pagecache.memo``), as for whole pages; each process
keeps a copy of the fragments it served last (the key never changes meaning, so the copy is never stale).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from flask import current_app, g, render_template, request
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from . import pagecache


def _mark() -> str:
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else str(key).encode()
    return "csrf-" + hmac.new(key, b"ogpcocreate fragment csrf", hashlib.sha256).hexdigest()[:32]


def rendering() -> bool:
    """Whether a shared fragment is being rendered in this request (tokens are placeholders then)."""
    return g.get("fragment_depth", 0) > 0


def csrf_token() -> str:
    """The template global ``csrf_token()``: this session's token, or the placeholder in a fragment."""
    return _mark() if rendering() else generate_csrf()


def _key(name: str, audience: str, head: str, window) -> str:
    raw = "|".join((name, audience, head, f"{window.timestamp():.0f}", str(get_locale()), request.host,
                    request.path, request.query_string.decode("latin-1")))
    return "fragment:" + hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()


def _render(template: str, context: Callable[[], dict]) -> str:
    g.fragment_depth = g.get("fragment_depth", 0) + 1
    try:
        return str(render_template(template, **context()))
    finally:
        g.fragment_depth -= 1


def shared(name: str, template: str, context: Callable[[], dict], audience: str) -> Markup:
    """``template`` rendered with ``context()`` (called only on a miss), for ``audience``, as Markup to
    place in the page. With FRAGMENT_CACHE off it is rendered every time, the same way."""
    if not current_app.config["FRAGMENT_CACHE"]:
        html = _render(template, context)
    else:
        head = pagecache.session_head()
        window = pagecache.window_for(head)
        html = pagecache.memo(_key(name, audience, head, window), lambda: _render(template, context), window,
                             near=True)
    mark = _mark()
    if mark in html:
        html = html.replace(mark, generate_csrf())
    return Markup(html)  # noqa: S704 - rendered by an autoescaping template
