"""HTTP load: gunicorn (bench/gunicorn.conf.py) serving the application or the floor app, driven by wrk."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from common import BENCH, ROOT, log

# The machine is busy when other work takes more than this share of all its cores in the second before a
# measurement (sampled from /proc/stat while the server under test is idle): the figures measured then
# are the application's share of a shared machine, not its speed. The 1-minute load average is recorded
# too, but it cannot say this: it decays over a minute, so the bench's own previous run (gunicorn's
# threads and wrk) keeps it high for the next one. Where /proc/stat is missing, the load average decides,
# above BUSY_PER_CORE runnable processes per core.
BUSY_CPU = 0.25
BUSY_PER_CORE = 0.5
# What gunicorn's arbiter and faulthandler write when a worker dies of a signal (bench/gunicorn.conf.py).
# How long gunicorn may take to answer its first request: importing the application takes seconds on a
# quiet machine and a minute or more on a machine loaded several times over.
BOOT_SECONDS = float(os.environ.get("BENCH_BOOT_SECONDS", "240"))
CRASH = re.compile(r"was sent SIG\w+|Fatal Python error|Segmentation fault")


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def _cpu_times() -> tuple[int, int] | None:
    try:
        with open("/proc/stat") as stat:
            values = [int(x) for x in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    return values[3] + values[4], sum(values)  # idle + iowait, all


def cpu_busy(seconds: float = 1.0) -> float | None:
    """The share (0 to 1) of all cores that were busy during the next ``seconds``, or None."""
    before = _cpu_times()
    time.sleep(seconds)
    after = _cpu_times()
    if before is None or after is None or after[1] == before[1]:
        return None
    return round(1 - (after[0] - before[0]) / (after[1] - before[1]), 3)


def cpu_seconds(pids: list[int]) -> float:
    """The CPU time (user and system) the processes have used so far, in seconds (0 where /proc is missing)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def busy(measure: dict) -> bool:
    """Whether a measurement (or the run) started on a busy machine (see BUSY_CPU)."""
    cpu = measure.get("cpu_before")
    if cpu is not None:
        return cpu > BUSY_CPU
    return measure.get("load_before", 0) > BUSY_PER_CORE * (os.cpu_count() or 1)


def warn_if_busy(when: str) -> dict:
    """The machine now: the share of its CPU other work takes (one second's sample) and the 1-minute load
    average, as ``cpu_before`` and ``load_before``; a warning on stderr when it is busy."""
    state = {"cpu_before": cpu_busy(), "load_before": load_average()}
    if busy(state):
        log(f"WARNING: the machine is busy {when}: other work used {state['cpu_before']:.0%} of its "
            f"{os.cpu_count()} cores (load average {state['load_before']}); the figures will be low")
    return state


WRK = os.environ.get("WRK", "/usr/bin/wrk")
GUNICORN_CONF = BENCH / "gunicorn.conf.py"
LUA = BENCH / "wrk_report.lua"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def peak_rss_kb(pid: int) -> int:
    """VmHWM: the most resident memory the process ever had, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


class Server:
    def __init__(self, process: subprocess.Popen, port: int, log_path: Path):
        self.process, self.port, self.log_path = process, port, log_path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        return _children(self.process.pid)

    def get(self, path: str, timeout: float = 60, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path, headers={"Accept-Language": "es", **(headers or {})})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def _request(self, method: str, path: str, cookie: str, body: str | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Accept-Language": "es", **({"Cookie": cookie} if cookie else {})}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read().decode("utf-8", "replace"), response.getheader("Set-Cookie") or ""
        finally:
            conn.close()

    def log_in(self, email: str, password: str) -> str:
        """Log ``email`` in through the application's login form, as a browser does (GET /login for the
        session and its CSRF token, then POST); returns the Cookie header of the signed-in session."""
        from urllib.parse import urlencode

        status, page, set_cookie = self._request("GET", "/login", "")
        cookie = set_cookie.split(";", 1)[0]
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        form = {"email": email, "password": password, **({"csrf_token": token.group(1)} if token else {})}
        status, _page, set_cookie = self._request("POST", "/login", cookie, urlencode(form))
        if status != 302 or not set_cookie:
            raise RuntimeError(f"logging {email} in through HTTP failed: HTTP {status}")
        return set_cookie.split(";", 1)[0]

    def crashes(self) -> list[str]:
        """Lines of the server's log that tell a worker died of a signal (none, on a healthy run)."""
        return [line for line in self.log_path.read_text(errors="replace").splitlines() if CRASH.search(line)]

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def serve(app_spec: str, env: dict[str, str], log_path: Path, ready_path: str = "/"):
    """gunicorn serving ``app_spec`` on a free loopback port until the block ends."""
    port = free_port()
    environment = {**os.environ, **env, "BENCH_BIND": f"127.0.0.1:{port}", "PYTHONPATH": f"{ROOT}:{BENCH}"}
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), app_spec],
            cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT,
        )
    server = Server(process, port, log_path)
    try:
        deadline = time.monotonic() + BOOT_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{server.tail()}")
            try:
                status, _body = server.get(ready_path, timeout=10)
                if status < 500:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within {BOOT_SECONDS:g} s:\n{server.tail()}")
            time.sleep(0.2)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def app_environment(database_url: str) -> dict[str, str]:
    return {
        "OGPCOCREATE_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "PUBLIC_URL": "http://127.0.0.1",
        "DATABASE_URL": database_url,
        # Production refuses per-process rate-limit counters with several workers: say how many
        # gunicorn.conf.py starts (a config file's `workers` is not visible to the application) and
        # share the counters as production does. The benchmark only GETs, which no limit counts.
        "WEB_CONCURRENCY": "2",
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379"),
    }


def wrk(url: str, connections: int, seconds: float, cookie: str = "") -> dict:
    """One wrk run (with ``cookie`` as every request's Cookie header: a signed-in reader); returns rps,
    latency percentiles in ms, the error counts and the 1-minute load average just before it."""
    threads = min(2, connections)
    machine = warn_if_busy(f"before wrk -c{connections} {url}")
    command = [WRK, "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", "10s",
               "-H", "Accept-Language: es", *(["-H", f"Cookie: {cookie}"] if cookie else []), "-s", str(LUA), url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    raw = json.loads(line[len("BENCH_JSON "):])
    seconds_run = raw["duration_us"] / 1e6
    errors = sum(raw["errors"].values())
    lat = raw["latency_us"]
    return {
        "connections": connections,
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds_run, 1) if seconds_run else 0.0,
        "p50_ms": round(lat["p50"] / 1000, 2),
        "p95_ms": round(lat["p95"] / 1000, 2),
        "p99_ms": round(lat["p99"] / 1000, 2),
        "max_ms": round(lat["max"] / 1000, 2),
        "errors": errors,
        "error_detail": raw["errors"],
        **machine,
    }


_BUSY_STATES = {"01", "02", "03", "08"}  # ESTABLISHED, SYN_SENT, SYN_RECV, CLOSE_WAIT (see include/net/tcp_states.h)


def _open_connections(port: int) -> int:
    """Server-side TCP connections on ``port`` that gunicorn has not finished with: accepted or queued
    (ESTABLISHED), or closed by the client while still being served (CLOSE_WAIT)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] in _BUSY_STATES:
                count += 1
    return count


def drain(server: Server, limit: float = 30.0) -> float:
    """Wait until the requests wrk left behind have been served, so they do not slow the next measurement
    down (a cheap probe cannot tell: a gthread worker answers it from a free thread while its other
    threads are still busy), at most ``limit`` seconds: a page slower than that shows in its own figures.
    Returns the seconds waited."""
    start = time.monotonic()
    while _open_connections(server.port) and time.monotonic() - start < limit:
        time.sleep(0.2)
    return round(time.monotonic() - start, 1)


def load_levels(server: Server, path: str, levels: list[int], seconds: float, warmup: float = 2.0,
                cookie: str = "") -> dict[int, dict]:
    """Warm every worker up, then one wrk run per concurrency level."""
    url = server.base + path
    wrk(url, 4, warmup, cookie)
    drain(server)
    results = {}
    for connections in levels:
        workers = server.workers()
        used = cpu_seconds(workers)
        results[connections] = r = wrk(url, connections, seconds, cookie)
        r["drain_s"] = drain(server)
        # The workers' own CPU time per request: what the page costs, whatever else the machine is doing
        # (requests per second are the machine's share; this is the application's cost).
        r["server_cpu_ms"] = round((cpu_seconds(workers) - used) * 1000 / r["requests"], 2) if r["requests"] else None
        log(f"  {path}{' (signed in)' if cookie else ''} c={connections}: {r['rps']} rps, p50 {r['p50_ms']} ms, "
            f"p95 {r['p95_ms']} ms, p99 {r['p99_ms']} ms, errors {r['errors']}, server CPU {r['server_cpu_ms']} ms "
            f"per request, other work {r['cpu_before']}, load before {r['load_before']}")
    return results
