"""Hammer signed-in pages under gunicorn until a worker dies; print crashes."""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import http_load
import steps
from common import BENCH, READER, base_url, cached_database
from http_load import app_environment, serve, wrk
from run import build_generated

http_load.GUNICORN_CONF = Path(__file__).resolve().parent / "gunicorn_conf.py"

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
paths = sys.argv[2].split(",") if len(sys.argv) > 2 else ["/drafts/201", "/calls/4"]
conns = int(sys.argv[3]) if len(sys.argv) > 3 else 32
url, summary, _ = cached_database(base_url(), "scale10", 2026, build_generated(10, 2026, {}))
env = app_environment(url)
log = Path(os.environ.get("GLOG", str(BENCH / ".cache" / "logs" / "segv-stress-gunicorn.log")))
log.parent.mkdir(parents=True, exist_ok=True)
with serve(steps.APP_SPEC, env, log, ready_path="/healthz") as server:
    cookie = server.log_in(READER, summary["password"])
    for i in range(rounds):
        for p in paths:
            r = wrk(server.base + p, conns, float(os.environ.get("SECS", "10")), cookie=cookie)
            print(i, p, r.get("rps"), r.get("p95_ms"), "crashes:", len(server.crashes()), flush=True)
