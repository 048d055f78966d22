"""Open-data endpoints: JSON lists under /api/v1 and streamed CSV exports."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("opendata", __name__)
