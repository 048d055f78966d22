"""Time the heaviest public pages at the sizes the issues name: a call with 5,000 proposals and a draft
with 2,000 comments (SQLite in a temporary file, or DATABASE_URL). Prints median milliseconds of 5 runs
and the SQL statements per page.

    .venv/bin/python bench/pages_at_scale.py            # SQLite
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/ogp_bench .venv/bin/python bench/pages_at_scale.py

This is a quick check, not the benchmark suite (issue 6): absolute times depend on the machine.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ogpcocreate import create_app  # noqa: E402
from ogpcocreate.extensions import db  # noqa: E402
from tests.conftest import _ensure_pg_database, _migrate  # noqa: E402
from tests.factories import (  # noqa: E402
    make_call,
    make_comment,
    make_draft,
    make_organisation,
    make_plan,
    make_proposal,
    make_response,
    make_user,
)


def main() -> None:
    url = os.environ.get("DATABASE_URL")
    if url:
        url = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
        _ensure_pg_database(url)
    else:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    _migrate(url)
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.test_request_context():
        gov = make_user()
        plan = make_plan(gov)
        call = make_call(plan, phase="deliberation")
        orgs = [make_organisation(make_user()) for _ in range(50)]
        people = [make_user() for _ in range(200)]
        for i in range(5000):
            proposal = make_proposal(call, people[i % 200], orgs[i % 50] if i % 3 else None, theme=call.themes[i % 2])
            if i % 4:
                make_response(proposal, gov)
        draft = make_draft(call, gov)
        version = draft.versions[0]
        for i in range(1000):
            top = make_comment(version, people[i % 200], organisation=orgs[i % 50] if i % 2 else None)
            make_comment(version, people[(i + 1) % 200], parent=top)
        db.session.commit()
        call_id, draft_id = call.id, draft.id
    client = app.test_client()
    statements: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    print(f"{'page':45} {'median ms':>10} {'statements':>11}")
    for url_ in (f"/calls/{call_id}", f"/calls/{call_id}?page=150", f"/calls/{call_id}?status=awaiting&sector=civil_society",
                 f"/drafts/{draft_id}", f"/drafts/{draft_id}?page=40", f"/calls/{call_id}/record"):
        client.get(url_)
        times = []
        for _ in range(5):
            statements.clear()
            start = time.perf_counter()
            assert client.get(url_).status_code == 200
            times.append((time.perf_counter() - start) * 1000)
        print(f"{url_:45} {statistics.median(times):10.0f} {len(statements):11d}")


if __name__ == "__main__":
    main()
