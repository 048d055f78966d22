"""Gunicorn settings for `make bench`: the application and the floor app (bench/floor_app.py) are served
with exactly these, so the ratio between them measures the application, not the server.

- workers = 2: the reference machine has 2 cores; more processes than cores only queue for the CPU.
- worker_class = gthread, 4 threads each: the pages are CPU-bound Python, so threads add no throughput
  under the GIL, but (1) they overlap the waits on PostgreSQL, (2) they keep HTTP connections alive as a
  proxy in front would, and (3) the main thread keeps telling the arbiter the worker is alive while a
  thread streams a long download. A sync worker does not: it is killed after `timeout` seconds in the
  middle of a long /record.csv (the Procfile's default sync worker and 30 s timeout do exactly that).
- no access log (writing it would be part of what is measured); errors go to stderr at warning level.
- The environment (OGPCOCREATE_ENV=production, SECRET_KEY, PUBLIC_URL, DATABASE_URL, and WEB_CONCURRENCY=2
  with a Redis RATELIMIT_STORAGE_URI, which production requires with several workers) is set by
  bench/http_load.py. No rate limit applies to GET requests (core/ratelimit.py limits only form posts).
- faulthandler in every worker: a worker killed by SIGSEGV (or another fatal signal) writes the Python
  traceback of all its threads to the error log; bench/http_load.py reports any such death.
"""

import os
import runpy
from pathlib import Path

bind = os.environ.get("BENCH_BIND", "127.0.0.1:8765")
workers = 2
worker_class = "gthread"
threads = 4
keepalive = 5
timeout = 120
backlog = 2048
accesslog = None
errorlog = "-"
loglevel = "warning"
preload_app = False


# The same hooks as production (faulthandler in every worker, the one-thread warm-up): gunicorn.conf.py.
_production = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
post_fork = _production["post_fork"]
post_worker_init = _production["post_worker_init"]
