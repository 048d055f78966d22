"""Redirect targets taken from the request: only paths on this site are followed."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request, url_for


def safe_next(default_endpoint: str = "main.home") -> str:
    target = request.args.get("next") or request.form.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc and "\\" not in target:
        return target
    return url_for(default_endpoint)
