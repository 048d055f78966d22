"""What every benchmark step shares: databases (fresh or cached), the application, timing helpers."""

from __future__ import annotations

import hashlib
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CACHE = BENCH / ".cache"
RESULTS = BENCH / "results"
# A page slower than this per request is measured once, not repeated or put under load.
SLOW_S = float(os.environ.get("BENCH_SLOW_SECONDS", "5"))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- databases ---------------------------------------------------------------------------------------


def base_url() -> str:
    """DATABASE_URL (PostgreSQL: its database name is the prefix of the bench databases) or SQLite."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite://"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def kind(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def database_for(base: str, name: str) -> str:
    """The URL of the bench database called ``name``: a file under bench/.cache, or a PostgreSQL database
    named after DATABASE_URL's (``ogp_bench`` -> ``ogp_bench_<name>``)."""
    name = re.sub(r"[^a-z0-9_]", "_", name.lower())
    if kind(base) == "sqlite":
        CACHE.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{CACHE / name}.db"
    parsed = make_url(base)
    return parsed.set(database=f"{parsed.database}_{name}"[:63]).render_as_string(hide_password=False)


def _pg_admin(url: str):
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def database_exists(url: str) -> bool:
    if kind(url) == "sqlite":
        return Path(make_url(url).database).exists()
    admin = _pg_admin(url)
    try:
        with admin.connect() as conn:
            return bool(conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": make_url(url).database}))
    finally:
        admin.dispose()


def drop_database(url: str) -> None:
    if kind(url) == "sqlite":
        path = Path(make_url(url).database)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    admin = _pg_admin(url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def fresh_database(url: str) -> None:
    """An empty database at ``url``, migrated to the head."""
    drop_database(url)
    if kind(url) == "postgresql":
        admin = _pg_admin(url)
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{make_url(url).database}"'))
        finally:
            admin.dispose()
    from flask_migrate import upgrade

    app = make_app(url)
    with app.app_context():
        upgrade()
        from ogpcocreate.extensions import db

        db.engine.dispose()


def migration_head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return "+".join(sorted(ScriptDirectory.from_config(config).get_heads()))


def generator_fingerprint() -> str:
    """Part of the cache key: a database made by an older generator is not reused."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "ogpcocreate" / "demo").glob("generate*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:8]


def cache_key(label: str, seed: int) -> str:
    head = re.sub(r"[^a-z0-9]", "", migration_head().lower())[:12]
    return f"{label}_seed{seed}_{head}_{generator_fingerprint()}"


def cached_database(base: str, label: str, seed: int, build: Callable[[str], dict]) -> tuple[str, dict, bool]:
    """A database built by ``build(url) -> summary`` once per (label, seed, migration head, generator),
    reused by later runs. Returns (url, summary, built_now)."""
    key = cache_key(label, seed)
    url = database_for(base, key)
    marker = CACHE / f"{kind(base)}-{key}.json"
    if marker.exists() and database_exists(url):
        log(f"reusing cached database {key} ({kind(base)})")
        return url, json.loads(marker.read_text()), False
    marker.unlink(missing_ok=True)
    for stale in CACHE.glob(f"{kind(base)}-{label}_seed*.json"):  # an older migration head or generator
        drop_database(database_for(base, stale.stem.split("-", 1)[1]))
        stale.unlink()
    log(f"building database {key} ({kind(base)}) ...")
    fresh_database(url)
    summary = build(url)
    CACHE.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(summary, indent=2, default=str))
    return url, summary, True


# --- the application ---------------------------------------------------------------------------------


def make_app(url: str, **config):
    from ogpcocreate import create_app

    return create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "PROPAGATE_TEST_ERRORS": False,
                       "PUBLIC_URL": "http://127.0.0.1", **config})


# The signed-in reader of the logged-in measurements: a participant of the generated data (accounts 1-6
# hold the secretariat's seats), so the pages show what a person who may comment and submit sees.
READER = "gen-000007@example.org"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def log_in(client, email: str, password: str) -> None:
    """Log ``email`` in through the application's own login form (GET /login for its CSRF token, then POST),
    as a browser would; ``client`` is a Flask test client or anything with the same get/post."""
    page = client.get("/login", headers={"Accept-Language": "es"})
    token = _CSRF.search(page.get_data(as_text=True))
    response = client.post("/login", data={"email": email, "password": password,
                                           **({"csrf_token": token.group(1)} if token else {})})
    if response.status_code != 302:
        raise RuntimeError(f"logging {email} in failed: HTTP {response.status_code}")


def dispose(app) -> None:
    from ogpcocreate.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def counting_statements(app):
    """Collect every SQL statement the app's engine runs inside the block: the suite's own counter, so the
    benchmark and the tests count alike."""
    from tests.test_proposals import count_statements

    return count_statements(app)


def median_ms(fn: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)
