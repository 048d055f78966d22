"""The benchmark's pages in-process, on generated databases (cached under bench/.cache/ like `make bench`'s):
SQL statements and median milliseconds per page at scale 1 and scale 10, or a profile of one page.

    .venv/bin/python bench/pages_at_scale.py                      # statements and ms at both scales
    .venv/bin/python bench/pages_at_scale.py --profile /calls/3   # pyinstrument, scale 10, 20 requests
    .venv/bin/python bench/pages_at_scale.py --profile /drafts/201 --logged-in   # as a signed-in participant
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/ogp_bench .venv/bin/python bench/pages_at_scale.py

A quick look while working on a page; `make bench` (bench/run.py) is the benchmark.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import steps  # noqa: E402
from common import READER, base_url, cached_database, dispose, log_in, make_app  # noqa: E402
from run import build_generated  # noqa: E402

SEED = int(os.environ.get("BENCH_SEED", "2026"))


def database(scale: float) -> tuple[str, dict]:
    url, summary, _built = cached_database(base_url(), f"scale{scale:g}", SEED, build_generated(scale, SEED, {}))
    return url, summary


def profile(path: str, requests: int, logged_in: bool = False) -> None:
    from pyinstrument import Profiler

    url, summary = database(10)
    app = make_app(url)
    client = app.test_client()
    if logged_in:
        log_in(client, READER, summary["password"])
    client.get(path).close()
    profiler = Profiler()
    with profiler:
        for _ in range(requests):
            response = client.get(path)
            response.close()
    print(f"GET {path}: HTTP {response.status_code}, {requests} requests")
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    dispose(app)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", metavar="PATH", help="profile GET PATH on the scale-10 database")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--logged-in", action="store_true", help=f"profile as a signed-in participant ({READER})")
    args = parser.parse_args()
    if args.profile:
        profile(args.profile, args.requests, args.logged_in)
        return
    result = steps.statements({"scale1": database(1), "scale10": database(10)})
    print(f"{'page':18} {'path':28} {'stmts s1':>8} {'stmts s10':>9} {'ms s1':>7} {'ms s10':>7}")
    for name, e in result.items():
        print(f"{name:18} {e['path']:28} {e['scale1']['statements']:>8} {e['scale10']['statements']:>9} "
              f"{e['scale1']['median_ms']:>7} {e['scale10']['median_ms']:>7}{'' if e['equal'] else '  DIFFERENT'}")


if __name__ == "__main__":
    main()
