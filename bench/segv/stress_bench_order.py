"""The bench's HTTP order: every page anonymous (page cache), then signed-in pages; repeated."""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import http_load
import steps
from common import BENCH, READER, base_url, cached_database
from http_load import app_environment, drain, serve, wrk
from run import build_generated

http_load.GUNICORN_CONF = Path(__file__).resolve().parent / "gunicorn_conf.py"

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
conns = int(sys.argv[2]) if len(sys.argv) > 2 else 32
secs = float(os.environ.get("SECS", "3"))
skip = set(os.environ.get("SKIP", "influence report,plan performance,search").split(","))
url, summary, _ = cached_database(base_url(), "scale10", 2026, build_generated(10, 2026, {}))
targets = steps.pages(summary, url)
env = app_environment(url)
log = Path(os.environ.get("GLOG", str(BENCH / ".cache" / "logs" / "segv-stress-gunicorn.log")))
log.parent.mkdir(parents=True, exist_ok=True)
with serve(steps.APP_SPEC, env, log, ready_path="/healthz") as server:
    for i in range(rounds):
        for name, path in targets.items():
            if name in skip:
                continue
            r = wrk(server.base + path, conns, secs)
            print(i, "anon", path, r.get("rps"), "crashes:", len(server.crashes()), flush=True)
        cookie = server.log_in(READER, summary["password"])
        for name in steps.LOGGED_IN:
            r = wrk(server.base + targets[name], conns, secs, cookie=cookie)
            print(i, "signed", targets[name], r.get("rps"), "crashes:", len(server.crashes()), flush=True)
        drain(server)
