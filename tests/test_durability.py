"""Durability under load: real gunicorn workers, many concurrent clients, and a kill -9 in the middle.

Phase 1: several clients submit proposals at once to three workers. Every submission the server
acknowledged (a 302 to the new proposal) is stored exactly once, with its "submitted" entry in the
participation log, and the log's hash chain verifies.

Phase 2: the load starts again and the whole server (master and workers) is killed with SIGKILL while
requests are in flight. Submissions cut off by the kill were never acknowledged; they may or may not
have been stored (the commit can land just before the response is lost), but whatever was stored is
whole: a proposal and its log entry, or neither. After a restart on the same database nothing that
was acknowledged is missing, the chain still verifies, and (phase 3) the restarted server takes
submissions again, from the same sessions.

Everything runs on 127.0.0.1; every wait has a deadline.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import select, text

from ogpcocreate.core import eventlog
from ogpcocreate.core.eventlog import ParticipationEvent, Verb
from ogpcocreate.extensions import db
from ogpcocreate.proposals.models import Proposal

from .conftest import CSRF_RE, free_port
from .factories import PASSWORD, make_call, make_organisation, make_plan, make_user

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 3
CLIENTS = 8
PHASE1_PER_CLIENT = 15
PHASE2_PER_CLIENT = 60  # an upper bound: the kill cuts phase 2 short
PHASE3_PER_CLIENT = 2
KILL_AFTER_ACKS = 20
KILL_AFTER_SECONDS = 1.5
PHASE_SECONDS = 15.0  # wall-time bound of one phase's submission loop
REQUEST_TIMEOUT = 10.0
BOOT_SECONDS = 20.0
PROPOSAL_PATH = re.compile(r"/proposals/(\d+)")


# --- a small HTTP client: one connection per request, cookies kept, redirects not followed ------------


class Client:
    """One participant's browser: its own cookies and CSRF token, nothing shared with other threads."""

    def __init__(self, port: int, index: int, email: str, organisation_id: int, theme_id: int, call_id: int):
        self.port = port
        self.index = index
        self.email = email
        self.organisation_id = organisation_id
        self.theme_id = theme_id
        self.call_id = call_id
        self.cookies: dict[str, str] = {}
        self.token: str | None = None

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str | None, str]:
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                self._keep_cookie(header)
            return response.status, response.getheader("Location"), data.decode("utf-8", "replace")
        finally:
            conn.close()

    def _keep_cookie(self, header: str) -> None:
        pair, _, attributes = header.partition(";")
        name, _, value = pair.strip().partition("=")
        expired = "max-age=0" in attributes.lower().replace(" ", "") or "1970" in attributes
        if not value or expired:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value

    def _csrf(self, path: str) -> str:
        status, _, body = self.request("GET", path)
        assert status == 200, f"GET {path} answered {status}"
        match = CSRF_RE.search(body)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self) -> None:
        token = self._csrf("/login")
        status, _, body = self.request(
            "POST", "/login", {"csrf_token": token, "email": self.email, "password": PASSWORD}
        )
        assert status == 302, f"login of {self.email} answered {status}: {body[:500]}"
        # The session is renewed at login: take the token of the new one, from the proposal form itself.
        status, _, body = self.request("GET", self.form_path)
        assert status == 200, f"GET {self.form_path} answered {status}"
        assert f'value="{self.organisation_id}"' in body, "the organisation is not offered on the form"
        match = CSRF_RE.search(body)
        assert match, "no CSRF token on the proposal form"
        self.token = match.group(1)

    @property
    def form_path(self) -> str:
        return f"/calls/{self.call_id}/proposals/new"

    def submit(self, title: str) -> tuple[int, str | None, str]:
        return self.request(
            "POST",
            self.form_path,
            {
                "csrf_token": self.token,
                "organisation": str(self.organisation_id),
                "theme": str(self.theme_id),
                "title": title,
                "problem_source": f"Problema de {title}.",
                "action_source": f"Acción de {title}.",
                "expected_result_source": f"Resultado de {title}.",
                "links": "",
            },
        )


# --- one phase of load ---------------------------------------------------------------------------


@dataclass
class Load:
    phase: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    attempted: list[str] = field(default_factory=list)
    acked: dict[str, int] = field(default_factory=dict)  # title -> id of the proposal it redirected to
    refused: list[str] = field(default_factory=list)  # answers that were neither success nor a dropped line
    dropped: list[tuple[float, str, str]] = field(default_factory=list)  # (when, title, error): connection lost
    crashes: list[str] = field(default_factory=list)  # anything else that went wrong in a client thread
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    def run(self, clients: list[Client], per_client: int, *, login: bool = False) -> list[threading.Thread]:
        deadline = time.monotonic() + PHASE_SECONDS
        threads = [
            threading.Thread(target=self._client, args=(client, per_client, deadline, login), daemon=True)
            for client in clients
        ]
        for thread in threads:
            thread.start()
        return threads

    def _client(self, client: Client, per_client: int, deadline: float, login: bool) -> None:
        try:
            if login:
                client.login()
            for n in range(per_client):
                if time.monotonic() > deadline:
                    break
                title = f"durability p{self.phase} c{client.index}-{n}"
                with self.lock:
                    self.attempted.append(title)
                try:
                    status, location, body = client.submit(title)
                except (OSError, http.client.HTTPException) as exc:
                    with self.lock:
                        self.dropped.append((time.monotonic(), title, repr(exc)))
                    return  # the server is gone: this submission was not acknowledged
                match = PROPOSAL_PATH.fullmatch(urlsplit(location or "").path)
                with self.lock:
                    if status == 302 and match:
                        self.acked[title] = int(match.group(1))
                    else:
                        self.refused.append(f"{title!r}: {status} {location} {body[:300]!r}")
        except BaseException as exc:  # reported by the main thread
            with self.lock:
                self.crashes.append(f"client {client.index}: {exc!r}")

    def acked_count(self) -> int:
        with self.lock:
            return len(self.acked)

    def join(self, threads: list[threading.Thread], log: Path) -> None:
        limit = time.monotonic() + PHASE_SECONDS + 2 * REQUEST_TIMEOUT
        for thread in threads:
            thread.join(max(limit - time.monotonic(), 0.1))
        self.finished = time.monotonic()
        assert not any(t.is_alive() for t in threads), f"phase {self.phase}: clients still running{_tail(log)}"
        assert not self.crashes, f"phase {self.phase}: {self.crashes}{_tail(log)}"
        assert not self.refused, f"phase {self.phase}: submissions refused: {self.refused[:5]}{_tail(log)}"

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started


# --- the server ----------------------------------------------------------------------------------


def _tail(log: Path, lines: int = 40) -> str:
    try:
        content = log.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return ""
    return "\n--- gunicorn log (tail) ---\n" + "\n".join(content[-lines:])


def _start(port: int, database_url: str, log: Path, mail_port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "OGPCOCREATE_ENV": "development",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "durability-" + "k" * 29,
        "LOGIN_RATE_LIMIT": "100000 per minute",
        "SIGNUP_RATE_LIMIT": "100000 per minute",
        "PROPOSAL_RATE_LIMIT": "100000 per minute",
        # Every client submits from 127.0.0.1: the per-address limits would count them as one flood.
        "CONTRIBUTION_RATE_LIMIT": "100000 per minute",
        "CONTRIBUTION_ADDRESS_RATE_LIMIT": "100000 per minute",
        "SIGNUP_ADDRESS_RATE_LIMIT": "100000 per minute",
        "RATELIMIT_STORAGE_URI": "memory://",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(mail_port),
    }
    command = [
        sys.executable, "-m", "gunicorn",
        "--workers", str(WORKERS),
        "--bind", f"127.0.0.1:{port}",
        "--graceful-timeout", "1",
        "ogpcocreate:create_app()",
    ]
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _healthz(port: int) -> int | None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def _wait_ready(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + BOOT_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, f"gunicorn exited with {process.returncode}{_tail(log)}"
        if _healthz(port) == 200:
            return
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer /healthz with 200 within {BOOT_SECONDS} s{_tail(log)}")


def _kill(process: subprocess.Popen) -> None:
    """SIGKILL to the whole process group: the master and every worker die at once, mid-request."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
    _kill(process)  # also any worker the master left behind


# --- what the database holds ----------------------------------------------------------------------


@dataclass
class Stored:
    titles: Counter
    id_of: dict[str, int]
    title_of: dict[int, str]
    submitted: Counter  # proposal id -> number of "submitted" log entries about it
    logged_title: dict[int, str]
    events: int
    verified: eventlog.VerifyResult
    integrity: str | None


def _stored(app, call_id: int) -> Stored:
    with app.app_context():
        rows = db.session.execute(select(Proposal.id, Proposal.title).where(Proposal.call_id == call_id)).all()
        entries = db.session.execute(
            select(ParticipationEvent.subject_type, ParticipationEvent.subject_id, ParticipationEvent.data)
            .where(ParticipationEvent.verb == Verb.SUBMITTED.value)
        ).all()
        events = db.session.scalar(select(db.func.count(ParticipationEvent.id)))
        integrity = None
        if db.session.get_bind().dialect.name == "sqlite":
            integrity = db.session.execute(text("PRAGMA integrity_check")).scalar()
        verified = eventlog.verify()
        db.session.rollback()
    assert all(subject_type == "proposal" for subject_type, _, _ in entries)
    return Stored(
        titles=Counter(title for _, title in rows),
        id_of={title: pid for pid, title in rows},
        title_of={pid: title for pid, title in rows},
        submitted=Counter(subject_id for _, subject_id, _ in entries),
        logged_title={subject_id: (data or {}).get("title") for _, subject_id, data in entries},
        events=events,
        verified=verified,
        integrity=integrity,
    )


def _check(stored: Stored, acked: dict[str, int], attempted: set[str]) -> None:
    duplicates = sorted(title for title, n in stored.titles.items() if n > 1)
    assert not duplicates, f"stored more than once: {duplicates[:10]}"
    lost = sorted(set(acked) - set(stored.titles))
    assert not lost, f"acknowledged but not stored: {lost[:10]}"
    misdirected = sorted(title for title, pid in acked.items() if stored.id_of[title] != pid)
    assert not misdirected, f"acknowledged with another proposal's address: {misdirected[:10]}"
    unknown = sorted(set(stored.titles) - attempted)
    assert not unknown, f"stored but never submitted: {unknown[:10]}"
    # Atomic across proposal and log: each proposal has exactly one "submitted" entry, each entry a proposal.
    assert sum(stored.submitted.values()) == len(stored.title_of)
    assert set(stored.submitted) == set(stored.title_of), (
        f"proposals without their log entry: {sorted(set(stored.title_of) - set(stored.submitted))[:10]}; "
        f"log entries without their proposal: {sorted(set(stored.submitted) - set(stored.title_of))[:10]}"
    )
    assert all(n == 1 for n in stored.submitted.values()), "a proposal was logged as submitted twice"
    assert stored.logged_title == stored.title_of, "a log entry names another title than its proposal"
    assert stored.verified.ok, stored.verified.error
    assert stored.verified.checked == stored.events
    if stored.integrity is not None:
        assert stored.integrity == "ok", stored.integrity


def _summary(name: str, load: Load, stored: Stored, detail: str = "") -> None:
    prefix = f"durability p{load.phase} "
    stored_here = {title for title in stored.titles if title.startswith(prefix)}
    lost = len(set(load.acked) - stored_here)
    in_doubt = len(stored_here - set(load.acked))
    print(
        f"[{name}] phase {load.phase}{detail}: attempted {len(load.attempted)}, acknowledged {len(load.acked)}, "
        f"stored {len(stored_here)}, lost {lost}, stored-unacknowledged {in_doubt}, "
        f"chain {stored.verified.checked} entries ok, {load.elapsed:.2f} s"
    )


# --- the test ------------------------------------------------------------------------------------


def test_acknowledged_submissions_survive_concurrency_and_kill_9(app, database_url, tmp_path):
    with app.app_context():
        users = [make_user() for _ in range(CLIENTS)]
        organisations = [make_organisation(user) for user in users]
        call = make_call(make_plan(), phase="open")
        people = [(u.email, o.id) for u, o in zip(users, organisations, strict=True)]
        call_id, theme_id = call.id, call.themes[0].id
        dialect = db.session.get_bind().dialect.name
        db.session.commit()

    port, mail_port = free_port(), free_port()
    log = tmp_path / "gunicorn.log"
    clients = [Client(port, i, email, org_id, theme_id, call_id) for i, (email, org_id) in enumerate(people)]
    attempted: set[str] = set()
    acked: dict[str, int] = {}

    # Phase 1: concurrent submissions to several workers.
    server = _start(port, database_url, log, mail_port)
    try:
        _wait_ready(server, port, log)
        load1 = Load(1)
        load1.join(load1.run(clients, PHASE1_PER_CLIENT, login=True), log)
        assert not load1.dropped, f"phase 1: connections dropped: {load1.dropped[:5]}{_tail(log)}"
        assert len(load1.acked) == len(load1.attempted) == CLIENTS * PHASE1_PER_CLIENT
        attempted |= set(load1.attempted)
        acked |= load1.acked
        stored = _stored(app, call_id)
        _summary(dialect, load1, stored, f" ({WORKERS} workers, {CLIENTS} clients)")
        _check(stored, acked, attempted)
        assert sum(stored.titles.values()) == len(acked)

        # Phase 2: the same load, and SIGKILL to master and workers while it runs.
        load2 = Load(2)
        threads = load2.run(clients, PHASE2_PER_CLIENT)
        kill_at = time.monotonic() + KILL_AFTER_SECONDS
        while load2.acked_count() < KILL_AFTER_ACKS and time.monotonic() < kill_at:
            time.sleep(0.01)
        killed_at = time.monotonic()
        _kill(server)
        acked_before_kill = load2.acked_count()
        load2.join(threads, log)
    finally:
        _stop(server)

    assert acked_before_kill > 0, f"phase 2: nothing was acknowledged before the kill{_tail(log)}"
    early = [d for d in load2.dropped if d[0] < killed_at]
    assert not early, f"phase 2: connections dropped before the kill: {early[:5]}{_tail(log)}"
    assert len(load2.attempted) < CLIENTS * PHASE2_PER_CLIENT, "the kill did not interrupt the load"
    attempted |= set(load2.attempted)
    acked |= load2.acked

    # Restart on the same database: nothing acknowledged is missing, and the server works again.
    server = _start(port, database_url, log, mail_port)
    try:
        _wait_ready(server, port, log)
        stored = _stored(app, call_id)
        _summary(dialect, load2, stored, f" (SIGKILL after {acked_before_kill} acknowledgements, "
                                         f"{len(load2.dropped)} requests cut off)")
        _check(stored, acked, attempted)

        load3 = Load(3)  # the same sessions, after the restart
        load3.join(load3.run(clients, PHASE3_PER_CLIENT), log)
        assert not load3.dropped, f"phase 3: connections dropped: {load3.dropped[:5]}{_tail(log)}"
        assert len(load3.acked) == CLIENTS * PHASE3_PER_CLIENT
        attempted |= set(load3.attempted)
        acked |= load3.acked
        stored = _stored(app, call_id)
        _summary(dialect, load3, stored, " (after restart)")
        _check(stored, acked, attempted)
    finally:
        _stop(server)

    output = log.read_text(errors="replace")
    for sign in ("Traceback", "database is locked", "OperationalError", "IntegrityError"):
        assert sign not in output, f"the server logged {sign!r}{_tail(log, 80)}"
