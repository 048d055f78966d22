"""How fast `demo generate` writes, against the floor: a plain bulk insert of the same rows on the same
database (issue 6). Migrates a fresh database, generates, then re-inserts every generated row into
scratch tables with the same columns and no index or constraint; prints both, per table and overall.

    .venv/bin/python bench/generate_floor.py --scale 10            # SQLite in a temporary file
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/ogp_bench .venv/bin/python bench/generate_floor.py

The PostgreSQL database named is emptied first (its public schema is dropped). Absolute numbers depend
on the machine; the ratio to the floor is what to compare.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ogpcocreate import create_app  # noqa: E402
from ogpcocreate.demo.generate import generate, plain_insert_floor, report  # noqa: E402
from tests.conftest import _ensure_pg_database, _migrate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if url:
        url = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
        _ensure_pg_database(url)
    else:
        url = f"sqlite:///{tempfile.mkdtemp()}/generate.db"
    _migrate(url)
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        summary = generate(args.scale, args.seed, progress=True, batch=args.batch)
        floor = plain_insert_floor(summary["rows"].keys(), batch=args.batch)
    for line in report(summary, floor):
        print(line)
    print(f"generate / floor: {summary['rows_per_second'] / floor['rows_per_second']:.0%} of the plain insert rate "
          f"({url.split('://')[0]})")


if __name__ == "__main__":
    main()
