"""Rich text turns bare addresses into links only for the allowed schemes (http, https, mailto)."""

from __future__ import annotations

import pytest

from ogpcocreate.core.richtext import sanitize


@pytest.mark.parametrize(
    "text",
    [
        "ftp://x",
        "ftp://x.org/archivo",
        "FTP://x.org",
        "ssh://x",
        "ssh://servidor.example.org",
        "ssh:servidor.example.org",
        "sftp://host.com/x",
        "data:text/html,<script>alert(1)</script>",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.domain)//x.org",
        "feed:https://a.org/x",
        "irc://irc.example.org/canal",
        "Ver ftp://x.org/a y ssh://b.org en el texto.",
    ],
)
def test_other_schemes_never_become_links(text):
    html = sanitize(text)
    assert "<a" not in html, html
    assert "href" not in html


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("Consulta https://ogp.org.mx/plan", "https://ogp.org.mx/plan"),
        ("Consulta http://example.org/a", "http://example.org/a"),
        ("Consulta www.example.org.", "http://www.example.org"),
        ("(https://example.org/a)", "https://example.org/a"),
        ("Escribe a mailto:contacto@example.org", "mailto:contacto@example.org"),
    ],
)
def test_allowed_schemes_become_links(text, href):
    html = sanitize(text)
    assert f'href="{href}"' in html
    assert 'rel="nofollow noopener ugc"' in html


def test_links_written_with_a_refused_scheme_lose_their_address():
    assert "href" not in sanitize("[archivo](ftp://x.org/a) [x](data:text/html,hola) [y](javascript:alert(1))")
