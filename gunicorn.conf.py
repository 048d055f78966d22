"""Gunicorn settings the Procfile's web process reads (`gunicorn -c gunicorn.conf.py ...`); its command line
keeps the rest (bind, workers, worker class, threads, access log).

A worker that dies of a signal in C code (SIGSEGV, SIGBUS, SIGFPE, SIGABRT, SIGILL) leaves only
"Worker was sent SIGSEGV!" in the arbiter's log. faulthandler, enabled in each worker after the fork,
writes the Python traceback of every thread to stderr (gunicorn's error log) before the process dies,
so a crash says where it happened.
"""

import faulthandler
import sys


def post_fork(server, worker):
    faulthandler.enable(file=sys.stderr, all_threads=True)


def post_worker_init(worker):
    """First-use initialisation (templates, mappers, catalogs, locale data) in this one thread, before
    the worker's threads take requests concurrently (ogpcocreate/core/warmup.py)."""
    from ogpcocreate.core.warmup import warm_up

    if "babel" in getattr(worker.wsgi, "extensions", {}):  # this application (not the floor app, nor a wrapper)
        warm_up(worker.wsgi)
