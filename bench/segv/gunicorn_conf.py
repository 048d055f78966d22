"""bench/gunicorn.conf.py with knobs for the SIGSEGV stress (bench/segv/README.md):
GTHREADS (threads per worker, default 4), SWITCH (sys.setswitchinterval in each worker, e.g. 0.00001),
SQLGUARD=1 (bench/segv/connection_guard.py in each worker)."""
import os
import runpy
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_bench = runpy.run_path(str(_HERE.parent / "gunicorn.conf.py"))
for _k, _v in _bench.items():
    if not _k.startswith("_") and _k not in ("os", "runpy", "Path"):
        globals()[_k] = _v
threads = int(os.environ.get("GTHREADS", "4"))
_bench_post_fork = post_fork  # noqa: F821 (from bench/gunicorn.conf.py)


def post_fork(server, worker):
    _bench_post_fork(server, worker)
    if os.environ.get("SWITCH"):
        sys.setswitchinterval(float(os.environ["SWITCH"]))
    if os.environ.get("SQLGUARD"):
        sys.path.insert(0, str(_HERE))
        import connection_guard

        connection_guard.install()
