"""The one place user-written rich text is cleaned: Markdown in, an allow-listed subset of HTML out.

Every model with rich text keeps two columns: the Markdown as typed (``*_source``, only ever shown
back inside an auto-escaped textarea for editing) and ``sanitize(source)``, the HTML that pages show.
Sanitising on the way in (DOMAIN.md, "Comment") means a stored HTML value is always safe to render.
"""

from __future__ import annotations

import re

import bleach
import markdown
from bleach.linkifier import DEFAULT_CALLBACKS, Linker, build_url_re

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "strong", "b", "em", "i", "u", "s", "blockquote", "code", "pre", "hr",
        "ul", "ol", "li", "a", "h3", "h4", "h5", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "th": ["scope"], "td": [], "ol": ["start"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
MAX_LENGTH = 50_000


def _nofollow(attrs, new=False):
    href_key = (None, "href")
    if href_key in attrs:
        attrs[(None, "rel")] = "nofollow noopener ugc"
    return attrs


def _url_re():
    """bleach's URL pattern for the allowed schemes only, that also never starts inside another URL.

    linkify knows about twenty schemes by default (ftp:, ssh:, data:...) while clean() lets only the
    allowed ones through, so linkify must not add links clean() would have refused. With the schemes
    narrowed, the host after a refused scheme (``ftp://host.org``) would still become an http link;
    the pattern's own look-behind (not after ``@`` or ``.``) is widened to ``:`` and ``/`` for that.
    """
    pattern = build_url_re(protocols=ALLOWED_PROTOCOLS)
    guard = "(?<![@.])"
    if guard not in pattern.pattern:  # a bleach upgrade changed the pattern: fail loudly, not open
        raise RuntimeError("bleach's URL pattern changed; review richtext._url_re")
    return re.compile(pattern.pattern.replace(guard, "(?<![@.:/])", 1), pattern.flags)


_URL_RE = _url_re()


def sanitize(text: str | None) -> str:
    """Render Markdown (raw HTML allowed in, but only the allow-list survives) and clean it."""
    if not text:
        return ""
    text = text[:MAX_LENGTH]
    html = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    cleaned = bleach.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=ALLOWED_PROTOCOLS, strip=True)
    # A Linker per call, as bleach.linkify does: its parser is not safe to share between threads.
    linker = Linker(url_re=_URL_RE, callbacks=[*DEFAULT_CALLBACKS, _nofollow], skip_tags={"pre", "code"})
    return linker.linkify(cleaned)


def to_plain(html: str | None) -> str:
    """Strip every tag: for e-mails, titles and CSV exports."""
    return bleach.clean(html or "", tags=set(), strip=True).strip()
