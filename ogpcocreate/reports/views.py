"""The influence report as a page, CSV downloads and JSON."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reports", __name__)
