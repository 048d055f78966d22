"""In-process: N threads run the /drafts/201 view (signed in) through Flask's test client, no HTTP server."""
import faulthandler, os, sys, threading, time, secrets
faulthandler.enable(all_threads=True)
os.environ.update(OGPCOCREATE_ENV="production", SECRET_KEY=secrets.token_hex(32), PUBLIC_URL="http://127.0.0.1",
                  WEB_CONCURRENCY="2", RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379",
                  DATABASE_URL="sqlite:///" + str(__import__("pathlib").Path(__file__).resolve().parents[1] / ".cache" / "scale10_seed2026_0018searchre_7e5e8e45.db"))
_ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
sys.path.insert(0, str(_ROOT)); sys.path.insert(0, str(_ROOT / "bench"))
if os.environ.get("SQLGUARD"):
    sys.path.insert(0, str(_ROOT / "bench" / "segv")); import connection_guard; connection_guard.install()
from ogpcocreate import create_app
from ogpcocreate.core.warmup import warm_up
import json
summary = json.load(open(_ROOT / "bench" / ".cache" / "sqlite-scale10_seed2026_0018searchre_7e5e8e45.json"))
from common import READER
app = create_app(); app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False); warm_up(app)
paths = sys.argv[3].split(",") if len(sys.argv) > 3 else ["/drafts/201"]
def client():
    c = app.test_client()
    B = "http://127.0.0.1"
    r = c.get("/login", base_url=B); import re
    tok = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', r.get_data(as_text=True))
    pw = summary["password"]
    r = c.post("/login", base_url=B, data={"email": READER, "password": pw, **({"csrf_token": tok.group(1)} if tok else {})})
    assert r.status_code == 302, r.status_code
    return c
n = int(sys.argv[1]); secs = float(sys.argv[2])
if os.environ.get("SWITCH"): sys.setswitchinterval(float(os.environ["SWITCH"]))
count = [0]
ANON = os.environ.get("ANON", "").split(",") if os.environ.get("ANON") else []
def work(i=0):
    anon = ANON and i % 2 == 1
    c = app.test_client() if anon else client(); end = time.time() + secs
    my = ANON if anon else paths
    while time.time() < end:
        for p in my:
            r = c.get(p, base_url="http://127.0.0.1", headers={"Accept-Language": "es"}); assert r.status_code in (200, 404), (p, r.status_code)
            count[0] += 1
ts = [threading.Thread(target=work, args=(i,)) for i in range(n)]
t0 = time.time(); [t.start() for t in ts]; [t.join() for t in ts]
print("done", count[0], "requests in", round(time.time() - t0, 1), "s")
