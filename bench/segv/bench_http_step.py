"""The bench's own HTTP step (bench/steps.py http), as in the run that crashed: floor app, every page
anonymous at c=1,8,32 for 5 s, then the signed-in pages; prints the crashes."""
import os, sys, json
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import base_url, cached_database
from run import build_generated
import http_load, steps
if os.environ.get("GCONF"):
    http_load.GUNICORN_CONF = Path(os.environ["GCONF"])
url, summary, _ = cached_database(base_url(), "scale10", 2026, build_generated(10, 2026, {}))
logs = Path(os.environ.get("LOGS", "/tmp/segv-bench-logs")); logs.mkdir(parents=True, exist_ok=True)
r = steps.http(url, summary, [1, 8, 32], float(os.environ.get("SECS", "5")), logs)
print("CRASHES", json.dumps(r["crashes"]))
for grp in ("pages", "logged_in"):
    for name, p in r[grp].items():
        print(grp, name, {c: m.get("rps") for c, m in p.get("levels", {}).items()})
