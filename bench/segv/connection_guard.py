"""Diagnostic for the worker SIGSEGV investigation: report any sqlite3 connection that is used by two
threads at once (CONCURRENT), by a thread other than the one that checked it out of SQLAlchemy's pool
(FOREIGN), or checked out twice (DOUBLE CHECKOUT). Each report carries the stacks of both threads.

Installed in each gunicorn worker by bench/segv/gunicorn_conf.py when SQLGUARD=1 (before the application
creates its engine): it replaces sqlite3.connect / sqlite3.dbapi2.connect with one that returns a
sqlite3.Connection subclass whose execute/cursor/commit/rollback/close (and its cursors' execute/fetch*/close)
record which threads are inside them. Reports go to SQLGUARD_OUT (default bench/.cache/logs/sqlguard.log)."""
import os
import sqlite3
import sqlite3.dbapi2
import sys
import threading
import traceback
from pathlib import Path

_real_connect = sqlite3.dbapi2.connect
_lock = threading.Lock()
_reported = set()
OUT = os.environ.get("SQLGUARD_OUT", str(Path(__file__).resolve().parent.parent / ".cache" / "logs" / "sqlguard.log"))


def _report(kind, conn, other):
    frames = sys._current_frames()
    me = threading.get_ident()
    key = (kind, "".join(traceback.format_stack(limit=12)[-6:]))
    with _lock:
        if key in _reported or len(_reported) > 300:
            return
        _reported.add(key)
        with open(OUT, "a") as f:
            f.write(f"\n===== {kind} pid={os.getpid()} conn={id(conn):#x} me={me} other={other}\n")
            f.write("--- this thread:\n" + "".join(traceback.format_stack()[:-2]))
            if other in frames:
                f.write(f"--- other thread {other}:\n" + "".join(traceback.format_stack(frames[other])))


def _enter(conn, what):
    me = threading.get_ident()
    owner = getattr(conn, "_guard_owner", None)
    if owner is not None and owner != me:
        _report(f"FOREIGN {what}", conn, owner)
    users = conn._guard_users
    for t in list(users):
        if t != me:
            _report(f"CONCURRENT {what}", conn, t)
    users[me] = users.get(me, 0) + 1


def _exit(conn):
    me = threading.get_ident()
    users = conn._guard_users
    n = users.get(me, 0) - 1
    if n <= 0:
        users.pop(me, None)
    else:
        users[me] = n


def _guarded(name, getconn):
    def method(self, *a, **k):
        conn = getconn(self)
        _enter(conn, name)
        try:
            return getattr(super(type(self), self), name)(*a, **k)
        finally:
            _exit(conn)
    method.__name__ = name
    return method


class GuardCursor(sqlite3.Cursor):
    pass


for _n in ("execute", "executemany", "executescript", "fetchone", "fetchmany", "fetchall", "close"):
    setattr(GuardCursor, _n, _guarded(_n, lambda self: self.connection))


class GuardConnection(sqlite3.Connection):
    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self._guard_users = {}

    def cursor(self, factory=GuardCursor):
        _enter(self, "cursor")
        try:
            return super().cursor(factory)
        finally:
            _exit(self)


for _n in ("execute", "commit", "rollback", "close"):
    setattr(GuardConnection, _n, _guarded(_n, lambda self: self))


_connects = [0]
def connect(*a, **k):
    k.setdefault("factory", GuardConnection)
    c = _real_connect(*a, **k)
    _connects[0] += 1
    if _connects[0] <= 2:
        with open(OUT, "a") as f:
            f.write(f"connect #{_connects[0]} pid {os.getpid()} {type(c).__name__}\n")
    return c


def _checkout(dbapi_con, rec, proxy):
    if isinstance(dbapi_con, GuardConnection):
        if getattr(dbapi_con, "_guard_owner", None) not in (None, threading.get_ident()):
            _report("DOUBLE CHECKOUT", dbapi_con, dbapi_con._guard_owner)
        dbapi_con._guard_owner = threading.get_ident()


def _checkin(dbapi_con, rec):
    if isinstance(dbapi_con, GuardConnection):
        dbapi_con._guard_owner = None


def install():
    from sqlalchemy import event
    from sqlalchemy.pool import Pool
    event.listen(Pool, "checkout", _checkout)
    event.listen(Pool, "checkin", _checkin)
    sqlite3.connect = connect
    sqlite3.dbapi2.connect = connect
    with open(OUT, "a") as f:
        f.write(f"installed in pid {os.getpid()}\n")
