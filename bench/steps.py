"""The measurements of `make bench`, one function per step; bench/run.py runs them and prints the table.

Each step measures the application against a floor measured in the same run on the same machine, so the
ratio means something on any machine even when the absolute numbers do not.
"""

from __future__ import annotations

import contextlib
import http.client as httpclient
import statistics
import sys
import time
from pathlib import Path

from common import READER, SLOW_S, counting_statements, dispose, log, log_in, make_app, median_ms
from http_load import app_environment, load_levels, peak_rss_kb, serve, warn_if_busy
from sqlalchemy import create_engine, text

APP_SPEC = "ogpcocreate:create_app()"
FLOOR_SPEC = "floor_app:app"


def _first_id(url: str, sql: str) -> int | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(text(sql))
    finally:
        engine.dispose()


def pages(summary: dict, url: str | None = None) -> dict[str, str]:
    """The pages measured, by name, for the ids a generated database reports (ogpcocreate/demo/generate.py),
    and, in the database at ``url``, a published document and a commission report: the generator makes
    neither yet, so those two are reported as missing (HTTP 404) rather than left out."""
    document = report = None
    if url:
        document = _first_id(url, "SELECT min(id) FROM document WHERE published_at IS NOT NULL")
        report = _first_id(url, "SELECT min(id) FROM commission_report")
    return {
        "home": "/",
        "calls list": "/calls",
        "big call": f"/calls/{summary['biggest_call']}",
        "proposal": f"/proposals/{summary['proposal_in_biggest_call']}",
        "big draft": f"/drafts/{summary['biggest_draft']}",
        "influence report": f"/plans/{summary['current_plan']}/influence",
        "plan performance": f"/plans/{summary['older_plan']}/performance",
        "commitment implementation": f"/commitments/{summary['monitored_commitment']}/implementation",
        "public record": "/record",
        "search": "/search?q=participacion+ciudadana",
        "repository": "/repository",
        "document": f"/repository/{document or 0}",
        "commission reports": "/commission-reports",
        "commission report": f"/commission-reports/{report or 0}",
        "API calls": "/api/v1/calls",
        "API proposals": "/api/v1/proposals",
        "API record": "/api/v1/record",
        # The application's own floor: its middleware (session, locale, security headers) and one SELECT 1.
        "health check": "/healthz",
    }


# The pages measured a second time for a signed-in participant (bench/common.py READER): what they read
# is never served from a cache for anonymous readers.
LOGGED_IN = ("home", "calls list", "big call", "big draft")


# --- 1. data generation ------------------------------------------------------------------------------


def generate(url: str, scale: float, seed: int) -> dict:
    """ogpcocreate.demo.generate into the database at ``url`` (it commits); its summary."""
    from ogpcocreate.demo import generate as generator

    app = make_app(url)
    with app.app_context(), contextlib.redirect_stdout(sys.stderr):  # its progress bars; stdout is the table
        summary = generator.generate(scale=scale, seed=seed, progress=True)
    dispose(app)
    analyze(url)
    return summary


def analyze(url: str) -> None:
    """Planner statistics, as a database in service has them (PostgreSQL's autovacuum gathers them some
    time after a bulk load; SQLite only when told). Without them SQLite joins the log through its verb
    index and the influence report's contributions query turns quadratic (see README, "Benchmarks")."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
    finally:
        engine.dispose()


def generation(url: str, scale: float, seed: int) -> dict:
    """Generate ``scale`` into the empty database at ``url``, then the floor: a plain executemany of the same
    rows into scratch tables without indexes (generate.plain_insert_floor), in the same database."""
    from ogpcocreate.demo import generate as generator

    summary = generate(url, scale, seed)
    app = make_app(url)
    with app.app_context():
        floor = generator.plain_insert_floor(summary["rows"].keys())
    dispose(app)
    return {"summary": summary, "measure": generation_measure(summary, floor)}


def generation_measure(summary: dict, floor: dict | None) -> dict:
    measure = {
        "scale": summary["scale"],
        "rows": summary["rows_total"],
        "events": summary["events"],
        "seconds": summary["seconds"]["total"],
        "seconds_build": summary["seconds"]["build"],
        "seconds_write": summary["seconds"]["write"],
        "rows_per_s": summary["rows_per_second"],
        "tables": summary["tables"],
    }
    if floor:
        measure.update(floor_rows=floor["rows"], floor_seconds=floor["seconds"], floor_rows_per_s=floor["rows_per_second"],
                       floor_tables=floor["tables"], ratio=round(summary["rows_per_second"] / floor["rows_per_second"], 3))
    return measure


# --- 2. HTTP load --------------------------------------------------------------------------------------


def _load_pages(server, targets: dict[str, str], floor: dict, levels: list[int], seconds: float, into: dict,
                cookie: str = "") -> None:
    for name, path in targets.items():
        # The best of a few requests: a page the application caches per process is fast from its second
        # request in each worker on. A page that takes minutes is tried once.
        probe_s = None
        for _ in range(4):
            start = time.perf_counter()
            status, _body = server.get(path, timeout=600, headers={"Cookie": cookie} if cookie else None)
            took = time.perf_counter() - start
            probe_s = took if probe_s is None else min(probe_s, took)
            if status != 200 or probe_s < SLOW_S or took > 60:
                break
        if status != 200 or probe_s >= SLOW_S:
            why = f"HTTP {status}" if status != 200 else f"{probe_s:.1f} s for one request"
            log(f"  {path}: {why}, not put under load")
            into[name] = {"path": path, "status": status, "missing": status == 404, "probe_s": round(probe_s, 2),
                          "levels": {}}
            continue
        measured = load_levels(server, path, levels, seconds, cookie=cookie)
        for c, r in measured.items():
            r["ratio"] = round(r["rps"] / floor[c]["rps"], 3) if floor[c]["rps"] else None
        into[name] = {"path": path, "status": status, "missing": False, "levels": measured}


def http(url: str, summary: dict, levels: list[int], seconds: float, logs: Path) -> dict:
    """The floor app, then every page, each at every concurrency level, under the same gunicorn settings:
    first as an anonymous reader, then the LOGGED_IN pages for a participant signed in through the login
    form (wrk sends the session cookie).

    The influence report keeps a per-process cache while the log's head does not move
    (REPORT_CACHE_SECONDS, 60 in production); on a busy process the head moves all the time, so the report
    is measured a second time with the cache off. Every worker death (SIGSEGV...) is reported."""
    log(f"HTTP floor: bench/floor_app.py under gunicorn, {levels} connections, {seconds:g} s each")
    warn_if_busy("before the HTTP step")
    with serve(FLOOR_SPEC, {}, logs / "gunicorn-floor.log") as server:
        floor = load_levels(server, "/", levels, seconds)
    results: dict = {"floor": floor, "pages": {}, "logged_in": {}, "crashes": []}
    targets = pages(summary, url)
    with serve(APP_SPEC, app_environment(url), logs / "gunicorn-app.log", ready_path="/healthz") as server:
        _load_pages(server, targets, floor, levels, seconds, results["pages"])
        cookie = server.log_in(READER, summary["password"])
        log(f"HTTP as {READER}, signed in through /login")
        _load_pages(server, {name: targets[name] for name in LOGGED_IN}, floor, levels, seconds,
                    results["logged_in"], cookie=cookie)
        results["crashes"] += server.crashes()
    uncached = {"influence report, cache off": targets["influence report"]}
    with serve(APP_SPEC, {**app_environment(url), "REPORT_CACHE_SECONDS": "0"}, logs / "gunicorn-app-nocache.log",
               ready_path="/healthz") as server:
        _load_pages(server, uncached, floor, levels, seconds, results["pages"])
        results["crashes"] += server.crashes()
    for line in results["crashes"]:
        log(f"WORKER CRASH: {line}")
    return results


# --- 3. statements per page at two scales --------------------------------------------------------------


def _get(client, path: str) -> tuple[int, float]:
    """One request through the test client: status and milliseconds."""
    start = time.perf_counter()
    response = client.get(path)
    response.close()
    return response.status_code, (time.perf_counter() - start) * 1000


def statements(databases: dict[str, tuple[str, dict]], logged_in: bool = False) -> dict:
    """For each page, SQL statements and median in-process time, in each database (scale label -> db);
    with ``logged_in``, the LOGGED_IN pages for the signed-in participant.

    A page slower than BENCH_SLOW_SECONDS is measured once (its first request), so one pathological
    page cannot take the run's time budget."""
    out: dict[str, dict] = {}
    for label, (url, summary) in databases.items():
        app = make_app(url)
        client = app.test_client()
        targets = pages(summary, url)
        if logged_in:
            log_in(client, READER, summary["password"])
            targets = {name: targets[name] for name in LOGGED_IN}
        for name, path in targets.items():
            with counting_statements(app) as seen:
                status, first_ms = _get(client, path)
            count, runs, ms = len(seen), 1, first_ms
            if first_ms < SLOW_S * 1000:  # again, warm: the count without first-request effects, and a median
                with counting_statements(app) as seen:
                    status, _ms = _get(client, path)
                count, runs = len(seen), 3
                ms = statistics.median(_get(client, path)[1] for _ in range(runs))
            out.setdefault(name, {"path": path})[label] = {"status": status, "statements": count,
                                                            "median_ms": round(ms, 1), "runs": runs}
            log(f"  {label} {path}: HTTP {status}, {count} statements, {ms:.0f} ms")
        dispose(app)
    labels = list(databases)
    for entry in out.values():
        counts = {entry[label]["statements"] for label in labels if entry[label]["status"] == 200}
        entry["equal"] = len(counts) == 1 and all(entry[label]["status"] == 200 for label in labels)
        # Not in the generated data (a document, a commission report): shown, not held to the target.
        entry["missing"] = all(entry[label]["status"] == 404 for label in labels)
    return out


# --- 4. the influence report against one plain SQL aggregate ----------------------------------------------

PLAIN_AGGREGATE = text(
    "SELECT sector, count(DISTINCT actor_id), count(*) FROM participation_event "
    "WHERE plan_id = :plan AND verb IN ('submitted', 'commented', 'attended', 'voted') GROUP BY sector"
)


def _median_capped(fn, runs: int) -> tuple[float, int]:
    """Median milliseconds of ``runs`` calls after a first one; just the first if it is slow."""
    start = time.perf_counter()
    fn()
    first = (time.perf_counter() - start) * 1000
    if first >= SLOW_S * 1000:
        return first, 1
    return median_ms(fn, runs), runs


def influence(url: str, summary: dict, runs: int = 5) -> dict:
    """The report service (reports.services.plan_report) and its page, against one plain SQL aggregate over
    the same log, on the current plan; median of ``runs``."""
    from ogpcocreate.core.db import utcnow
    from ogpcocreate.extensions import db
    from ogpcocreate.plans.models import ActionPlan

    plan_id = summary["current_plan"]
    app = make_app(url)
    result: dict = {"plan_id": plan_id}
    with app.test_request_context():
        try:
            from ogpcocreate.reports.services import plan_report
        except ImportError:
            plan_report = None

        def plain():
            return db.session.execute(PLAIN_AGGREGATE, {"plan": plan_id}).all()

        ms, result["plain_runs"] = _median_capped(plain, runs)
        result["plain_sql_ms"] = round(ms, 2)
        if plan_report is not None:
            def service():
                db.session.expunge_all()  # nothing carried over from the previous run
                return plan_report(db.session.get(ActionPlan, plan_id), now=utcnow())  # now: not from the cache

            ms, result["report_runs"] = _median_capped(service, runs)
            result["measured"] = "reports.services.plan_report"
            result["report_ms"] = round(ms, 2)
            log(f"  plan_report: {ms:.0f} ms; plain aggregate {result['plain_sql_ms']} ms")
        db.session.rollback()
    client = app.test_client()
    path = f"/plans/{plan_id}/influence"
    status, first = _get(client, path)
    result["page_status"] = status
    if status == 200:
        ms, result["page_runs"] = (first, 1) if first >= SLOW_S * 1000 else (
            statistics.median(_get(client, path)[1] for _ in range(runs)), runs)
        result["page_ms"] = round(ms, 2)
        if "report_ms" not in result:
            result["measured"] = f"GET {path} (test client)"
            result["report_ms"] = result["page_ms"]
    dispose(app)
    if "report_ms" in result:
        result["ratio"] = round(result["report_ms"] / result["plain_sql_ms"], 2)
    return result


# --- 5. the streamed CSV export -----------------------------------------------------------------------


def _download(port: int, path: str) -> tuple[int, int, int, float, float]:
    """Read the whole response, keeping nothing; returns status, bytes, rows, first byte s, total s."""
    conn = httpclient.HTTPConnection("127.0.0.1", port, timeout=300)
    start = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    first = None
    size = rows = 0
    last = b""
    while chunk := response.read(256 * 1024):
        if first is None:
            first = time.perf_counter() - start
        size += len(chunk)
        rows += (last + chunk[:1]).count(b"\r\n") + chunk.count(b"\r\n")
        last = chunk[-1:]
    total = time.perf_counter() - start
    conn.close()
    return response.status, size, rows, first or total, total


def export(url: str, events: int, logs: Path, label: str) -> dict:
    """GET /record.csv through gunicorn; peak resident memory (VmHWM) of the worker that served it."""
    with serve(APP_SPEC, app_environment(url), logs / f"gunicorn-export-{label}.log", ready_path="/healthz") as server:
        for _ in range(20):  # both workers up and past their first request
            server.get("/healthz")
        workers = server.workers()
        before = {pid: peak_rss_kb(pid) for pid in workers}
        status, size, rows, first, total = _download(server.port, "/record.csv")
        after = {pid: peak_rss_kb(pid) for pid in workers}
    served_by = max(workers, key=lambda pid: after[pid] - before[pid])
    return {
        "events": events,
        "status": status,
        "rows": rows - 1,  # the header
        "megabytes": round(size / 1e6, 1),
        "seconds": round(total, 1),
        "first_byte_s": round(first, 3),
        "rows_per_s": round((rows - 1) / total) if total else None,
        "worker_peak_rss_mb_before": round(before[served_by] / 1024, 1),
        "peak_rss_mb": round(after[served_by] / 1024, 1),
        "all_workers_peak_rss_mb": round(max(after.values()) / 1024, 1),
    }


# --- 6. search against the bare full-text lookup -----------------------------------------------------------

SEARCH_QUERIES = ["participacion ciudadana", "propuestas", '"datos abiertos"', "transparencia presupuestaria"]


def search(url: str, runs: int = 5) -> dict:
    """The search service (visibility rules, filters, highlighted passages, the page of 20 by relevance)
    for a few Spanish queries, against the floor: the bare full-text lookup of the same stems, as the page
    needs it (the count, capped as the page caps it, and the 20 most relevant index rows by the same
    ranking), with no visibility rule and no passage. The index is rebuilt first (the generator
    bulk-inserts rows without the ORM, so nothing indexed them); its time is reported too."""
    from sqlalchemy import func, select

    from ogpcocreate.extensions import db
    from ogpcocreate.search import services
    from ogpcocreate.search import text as fts
    from ogpcocreate.search.index import rebuild
    from ogpcocreate.search.models import SearchEntry

    app = make_app(url)
    out: dict = {"queries": {}}
    with app.test_request_context():
        start = time.perf_counter()
        out["indexed"] = rebuild()
        db.session.commit()
        out["rebuild_s"] = round(time.perf_counter() - start, 1)
        log(f"  search index rebuilt: {out['indexed']:,} rows in {out['rebuild_s']} s")
        dialect = db.session.get_bind().dialect.name
        found = services.matching(dialect)
        count = select(func.count()).select_from(found.with_only_columns(SearchEntry.id)
                                                 .limit(services.COUNT_CAP + 1).subquery())
        top = found.order_by(*services.rank(dialect)).limit(20)
        ratios = []
        for raw in SEARCH_QUERIES:
            params = {"fts": services.match_text(fts.parse(raw), dialect)}

            def floor(params=params):
                db.session.scalar(count, params)
                return db.session.scalars(top, params).all()

            def service(raw=raw):
                return services.search(raw, services.Filters(), 1)

            floor_ms, _ = _median_capped(floor, runs)
            service_ms, _ = _median_capped(service, runs)
            total = service().total
            matches = db.session.scalar(select(func.count()).select_from(
                found.with_only_columns(SearchEntry.id).subquery()), params)  # uncounted past the cap, told here
            ratio = round(service_ms / max(floor_ms, 0.01), 2)
            ratios.append(ratio)
            out["queries"][raw] = {"results": total, "matches": matches, "service_ms": round(service_ms, 2),
                                   "floor_ms": round(floor_ms, 2), "ratio": ratio}
            log(f"  search {raw!r}: {total} results, {service_ms:.1f} ms against {floor_ms:.1f} ms ({ratio}x)")
        db.session.rollback()
        out["worst_ratio"] = max(ratios)
    client = app.test_client()
    status, first = _get(client, "/search?q=participacion+ciudadana")
    out["page_status"] = status
    out["page_ms"] = round(statistics.median(_get(client, "/search?q=participacion+ciudadana")[1] for _ in range(runs)), 1)
    dispose(app)
    return out
