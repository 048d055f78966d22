"""Everything a worker process initialises on first use, done once before it takes requests.

A gunicorn gthread worker serves its first requests on several threads at once, and each of them would
otherwise be first to configure the SQLAlchemy mappers, load the message catalogs, Babel's locale data
(pickles) and the display time zone (the C zoneinfo module): the riskiest code to run concurrently.
gunicorn.conf.py and bench/gunicorn.conf.py run it in ``post_worker_init``, in the worker's one thread,
before it accepts a connection; it takes well under a second. (Templates are left to compile on first
use: pure Python behind Jinja's own lock, and compiling all of them takes seconds.)
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import force_locale, format_date, format_datetime, get_translations
from sqlalchemy.orm import configure_mappers


def warm_up(app) -> None:
    configure_mappers()
    with app.test_request_context("/"):
        moment = datetime(2026, 1, 1, 12, tzinfo=UTC)  # any moment: formatting it loads the locale data
        for language in app.config["LANGUAGES"]:
            with force_locale(language):
                get_translations()
                for fmt in ("short", "medium", "long"):
                    format_datetime(moment, fmt)
                    format_date(moment, fmt)
