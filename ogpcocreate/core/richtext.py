"""The one place user-written rich text is cleaned: Markdown in, an allow-listed subset of HTML out.

Every model with rich text keeps two columns: the Markdown as typed (``*_source``, only ever shown
back inside an auto-escaped textarea for editing) and ``sanitize(source)``, the HTML that pages show.
Sanitising on the way in (DOMAIN.md, "Comment") means a stored HTML value is always safe to render.
"""

from __future__ import annotations

import bleach
import markdown
from bleach.linkifier import DEFAULT_CALLBACKS

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


def sanitize(text: str | None) -> str:
    """Render Markdown (raw HTML allowed in, but only the allow-list survives) and clean it."""
    if not text:
        return ""
    text = text[:MAX_LENGTH]
    html = markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    cleaned = bleach.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=ALLOWED_PROTOCOLS, strip=True)
    return bleach.linkify(cleaned, callbacks=[*DEFAULT_CALLBACKS, _nofollow], skip_tags={"pre", "code"})


def to_plain(html: str | None) -> str:
    """Strip every tag: for e-mails, titles and CSV exports."""
    return bleach.clean(html or "", tags=set(), strip=True).strip()
