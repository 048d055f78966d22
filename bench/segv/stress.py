"""Hammer signed-in pages under gunicorn until a worker dies; print crashes."""
import sys, time, json
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import READER, base_url, cached_database
from run import build_generated
from http_load import serve, app_environment, wrk
import steps, http_load
http_load.GUNICORN_CONF = Path(__file__).resolve().parent / 'gunicorn_conf.py'

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
paths = sys.argv[2].split(",") if len(sys.argv) > 2 else ["/drafts/201", "/calls/4"]
conns = int(sys.argv[3]) if len(sys.argv) > 3 else 32
url, summary, _ = cached_database(base_url(), "scale10", 2026, build_generated(10, 2026, {}))
env = app_environment(url)
log = Path(__import__("os").environ.get("GLOG", "/tmp/segv-stress-gunicorn.log"))
with serve(steps.APP_SPEC, env, log, ready_path="/healthz") as server:
    cookie = server.log_in(READER, summary["password"])
    for i in range(rounds):
        for p in paths:
            r = wrk(server.base + p, conns, float(__import__("os").environ.get("SECS","10")), cookie=cookie)
            print(i, p, r.get("rps"), r.get("p95_ms"), "crashes:", len(server.crashes()), flush=True)
