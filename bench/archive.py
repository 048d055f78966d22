"""The continuity archive at scale (issue 16): `archive export` of the large database and `archive import`
of that file into a fresh one, each in a process of its own, with rows/s and the process's peak memory.

    .venv/bin/python bench/run.py --steps archive
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from common import CACHE, database_for, fresh_database, log

ROOT = Path(__file__).resolve().parent.parent

# One child process per direction, so its peak resident memory is the work's alone (baseline: the app loaded).
_CHILD = """
import json, sys, time
from ogpcocreate import create_app
from ogpcocreate.extensions import db
from ogpcocreate.archive import services as archive
def peak_kb():
    # VmHWM starts afresh at exec (ru_maxrss would carry the parent's peak over).
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
direction, url, path = sys.argv[1:4]
app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "PUBLIC_URL": "http://127.0.0.1"})
baseline = peak_kb()
with app.app_context():
    start = time.perf_counter()
    if direction == "export":
        description = archive.export(path)
    else:
        description = archive.import_archive(path)
        db.session.commit()
    seconds = time.perf_counter() - start
rows = sum(description["rows"].values())
print(json.dumps({"rows": rows, "seconds": round(seconds, 1), "rows_per_s": round(rows / seconds),
                  "peak_rss_mb": round(peak_kb() / 1024, 1), "baseline_rss_mb": round(baseline / 1024, 1),
                  "chain_head": description["chain_head"]}))
"""


def _child(direction: str, url: str, path: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _CHILD, direction, url, str(path)], capture_output=True, text=True,
                          env=env, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"archive {direction} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def archive(url: str, base: str) -> dict:
    path = CACHE / "archive.tar"
    path.unlink(missing_ok=True)
    log("archive export of the large database")
    started = time.perf_counter()
    exported = _child("export", url, path)
    exported["megabytes"] = round(path.stat().st_size / 1e6, 1)
    target = database_for(base, "archive_import")
    fresh_database(target)
    log("archive import into a fresh database")
    imported = _child("import", target, path)
    path.unlink(missing_ok=True)
    return {"export": exported, "import": imported, "same_chain_head": exported["chain_head"] == imported["chain_head"],
            "total_s": round(time.perf_counter() - started, 1)}
