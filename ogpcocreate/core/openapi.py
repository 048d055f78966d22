"""The OpenAPI 3 document of the open-data API, generated from the code (flask-smorest, apispec).

The site keeps its own error pages (core/errors.py answers in JSON under /api/), so the library's
catch-all error handler is not installed: it would turn every HTML error page of the site into JSON.
"""

from __future__ import annotations

from flask_smorest import Api


class OpenDataApi(Api):
    def _register_error_handlers(self):
        """Left to core/errors.py, which answers JSON under /api/ and HTML elsewhere."""


API_CONFIG = {
    "API_TITLE": "ogpcocreate open data",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}

SPEC_OPTIONS = {
    "info": {
        "description": (
            "Read-only open data of the co-creation of the national action plan: everything public on the "
            "site, as JSON. Lists are paginated with an opaque cursor (`cursor`, `next_cursor`); every "
            "answer carries an ETag and a Last-Modified date (send them back for a 304), and may be read "
            "from any origin (CORS). Nothing that is not public yet appears here."
        ),
        "license": {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
    },
}
