"""Deterministic bulk data for the benchmarks (issue 6): a co-creation process of any size, in minutes.

    flask --app ogpcocreate demo generate --scale N [--seed S] [--floor]

API (the bench harness uses both):

    generate(scale: float = 1.0, seed: int = 2026, *, progress: bool = False, batch: int = 5000) -> dict
    plain_insert_floor(tables: Iterable[str] | None = None, *, batch: int = 5000,
                       limit: int | None = None) -> dict

``generate`` adds, to whatever the database holds (empty, or after ``demo load``), ``scale`` units of a
co-creation process. A unit is about a real process: 200 organisations (mostly civil society, every
state and ``national``), 400 people, 2,000 proposals, 10,000 comments, 130 meetings and some 51,000
participation events (fewer per unit below scale 1: a meeting cannot have more attendees than there
are people); plus, whatever the scale, the secretariat (two people per seat) and two action plans:
an older one, closed, and the current one with most of the data (its first call and that call's
first draft are the big pages). The people's password is the demo's (``loader.PASSWORD``); their
e-mails are ``gen-<id>@example.org``. Same scale, seed and starting database: the same rows, on
SQLite and PostgreSQL alike (dates come from the seed, not the clock; the log's head hash is the
same on both). It commits once, at the end, and returns a summary:

    scale, seed, password, secretariat {seat: [e-mails]}, older_plan, current_plan, biggest_call,
    biggest_call_proposals, proposal_in_biggest_call, biggest_draft, biggest_draft_comments,
    current_plan_events, current_plan_contributions, rows {table: n}, events, chain {first_seq,
    last_seq, head}, seconds {build, write, total}, rows_total, rows_per_second,
    tables {table: {rows, seconds, rows_per_second}}

(``rows`` and ``tables`` include ``participation_tally``: all its rows, recomputed from the log.)

How it stays fast: ids are assigned in Python (after each table's current maximum), so child rows
name their parents without a round trip; every table goes in with one Core ``insert()`` executemany
per batch; one password hash serves every account; each distinct text is sanitised once. The log is
chained here, in time order, continuing the chain already in the table, with the log's own sealing
(``eventlog.seal_entry``: salted digests, then the hash), so ``flask audit verify`` holds. Its salts
come from the seed and the SECRET_KEY (``World.token``) instead of ``secrets``, so that a run is
repeatable and still no one without the key can test a guessed name against a digest; the participation tally
derived from the log is then recomputed (reports/tally.py). On PostgreSQL the sequences are moved
past the inserted ids, so the application can insert afterwards.

``plain_insert_floor`` is the yardstick: it re-inserts rows already in the database (by default every
table that has rows; ``summary["rows"].keys()`` names those generate wrote) into scratch tables with
the same columns and no index or constraint, with a plain Core executemany in the same batches
(only the inserts are timed, plus one commit), drops them, and returns ``{rows, seconds,
rows_per_second, tables: {table: {rows, seconds, rows_per_second}}}``: the rows per second this
database takes when nothing else is done.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable
from time import perf_counter
from types import SimpleNamespace

import click
from flask import current_app
from sqlalchemy import Column, MetaData, Table, func, inspect, literal, select
from werkzeug.security import generate_password_hash

from ..core import eventlog, territories
from ..core.eventlog import GENESIS_HASH, ParticipationEvent
from ..extensions import db
from ..organisations.models import Organisation
from ..reports import tally
from ..reports.models import ParticipationTally
from . import generate_forums, generate_monitoring, generate_process, generate_world
from .loader import PASSWORD

LOG = ParticipationEvent.__table__


def _password_hash(seed: int) -> str:
    """The demo password, hashed once for every generated account. werkzeug draws a random salt; this
    one comes from the seed, so that the data is the same at every run."""
    salt = hashlib.sha256(f"ogpcocreate-generate:{seed}".encode()).hexdigest()[:16]
    try:
        from werkzeug.security import _hash_internal
    except ImportError:  # a werkzeug without it: one hash still, only not the same at every run
        return generate_password_hash(PASSWORD)
    hashed, method = _hash_internal("scrypt", salt, PASSWORD)
    return f"{method}${salt}${hashed}"


@contextlib.contextmanager
def _bar(show: bool, length: int, label: str):
    if not show:
        yield None
        return
    with click.progressbar(length=length, label=f"{label:>24}", show_pos=True, width=30) as bar:
        yield bar


def _per_second(rows: int, seconds: float) -> float | None:
    return round(rows / seconds) if seconds > 0 and rows else None


def _insert(conn, table: Table, rows: list[dict], batch: int, show: bool) -> float:
    """Insert rows in batches of one executemany each; return the seconds it took."""
    missing = [c.name for c in table.columns if not c.nullable and rows[0].get(c.name) is None]
    if missing:  # a generator bug, caught at the first row rather than at the database
        raise ValueError(f"{table.name}: no value for {', '.join(missing)}")
    started = perf_counter()
    with _bar(show, len(rows), table.name) as bar:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            conn.execute(table.insert(), chunk)
            if bar is not None:
                bar.update(len(chunk))
    return perf_counter() - started


class _Chain:
    """Turns event tuples (generate_world.World.event) into log rows, continuing a chain."""

    def __init__(self, seq: int, prev_hash: str, next_id: int, token):
        self.seq, self.prev_hash, self.next_id, self.token = seq, prev_hash, next_id, token

    def rows(self, events: list[tuple]) -> list[dict]:
        rows = []
        for (when, _, actor_id, actor_name, org_id, org_name, sector, territory, channel, verb, subject_type,
             subject_id, data, plan_id, call_id) in events:
            self.seq += 1
            # Reads like a ParticipationEvent, so the log's own seal_entry digests and hashes it (one
            # copy of the hashing rules); its __dict__ is the row to insert.
            entry = SimpleNamespace(
                id=self.next_id, seq=self.seq, occurred_at=when, actor_id=actor_id, actor_name=actor_name,
                organisation_id=org_id, organisation_name=org_name, sector=sector, territory=territory,
                channel=channel, verb=verb, subject_type=subject_type, subject_id=subject_id, data=data,
                plan_id=plan_id, call_id=call_id, prev_hash=self.prev_hash)
            eventlog.seal_entry(entry, (self.token("who-salt", self.seq)[:32], self.token("what-salt", self.seq)[:32]))
            self.prev_hash = entry.hash
            self.next_id += 1
            rows.append(vars(entry))
        return rows


def _chain(conn, events: list[tuple], batch: int, show: bool, token) -> tuple[dict, float]:
    """Append the events, in the order they happened, to the hash chain (core/eventlog.py)."""
    started = perf_counter()
    last = conn.execute(select(LOG.c.seq, LOG.c.hash).order_by(LOG.c.seq.desc()).limit(1)).first()
    chain = _Chain(*((last.seq, last.hash) if last else (0, GENESIS_HASH)),
                   (conn.scalar(select(func.max(LOG.c.id))) or 0) + 1, token)
    first_seq = chain.seq + 1
    events.sort(key=lambda e: (e[0], e[1]))
    with _bar(show, len(events), LOG.name) as bar:
        for start in range(0, len(events), batch):
            rows = chain.rows(events[start : start + batch])
            conn.execute(LOG.insert(), rows)
            if bar is not None:
                bar.update(len(rows))
    return {"first_seq": first_seq, "last_seq": chain.seq, "head": chain.prev_hash}, perf_counter() - started


def _reset_sequences(conn, tables: Iterable[Table]) -> None:
    """PostgreSQL: explicit ids leave each table's sequence behind; move it past the largest id."""
    if conn.dialect.name != "postgresql":
        return
    quote = conn.dialect.identifier_preparer.quote_identifier
    for table in tables:
        if "id" in table.c:
            sequence = func.pg_get_serial_sequence(literal(quote(table.name)), literal("id"))
            conn.execute(select(func.setval(sequence, select(func.max(table.c.id)).scalar_subquery())))


@contextlib.contextmanager
def _sqlite_cache(conn, kibibytes: int = 400_000):
    """SQLite: a large page cache while the log goes in. Its three UNIQUE indexes on random hashes
    touch pages all over the file; with the default 2 MB cache, inserting becomes reading."""
    if conn.dialect.name != "sqlite":
        yield
        return
    raw = conn.connection.dbapi_connection
    before = raw.execute("PRAGMA cache_size").fetchone()[0]
    raw.execute(f"PRAGMA cache_size = -{int(kibibytes)}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size = {int(before)}")


def _build(scale: float, seed: int, conn) -> generate_world.World:
    def first_id(table: str) -> int:
        return (conn.scalar(select(func.max(db.metadata.tables[table].c.id))) or 0) + 1

    names = dict(territories.subdivisions())
    names[territories.NATIONAL] = "Nacional"
    states = sorted(code for code in names if code != territories.NATIONAL)
    w = generate_world.World(scale, seed, first_id, current_app.config["SECRET_KEY"], states)
    generate_world.people(w, _password_hash(seed), set(conn.scalars(select(Organisation.name_key))), names)
    calls = generate_process.plans_and_calls(w)
    generate_process.proposals(w, calls)
    generate_process.drafts(w, calls)
    generate_process.comments(w, calls)
    generate_forums.meetings(w, calls, names)
    generate_forums.votes(w, calls)
    generate_monitoring.monitoring(w, calls)
    current = w.summary["current_plan"]
    w.summary["current_plan_events"] = sum(1 for e in w.events if e[13] == current)
    w.summary["current_plan_contributions"] = sum(
        c.proposals + sum(d.comments for d in c.drafts) for c in calls if c.plan_id == current)
    return w


def generate(scale: float = 1.0, seed: int = 2026, *, progress: bool = False, batch: int = 5000) -> dict:
    """Add ``scale`` units of a generated co-creation process and commit; return the summary (module doc)."""
    started = perf_counter()
    # The whole load is one transaction that owns the chain: PostgreSQL's advisory lock (held to the
    # commit) or SQLite's IMMEDIATE write transaction keep every other writer out until it is done.
    eventlog._lock_chain()
    conn = db.session.connection()
    if progress:
        click.echo(f"Building scale {scale:g}, seed {seed} ...")
    w = _build(scale, seed, conn)
    built = perf_counter()
    tables, written = {}, []
    with _sqlite_cache(conn):
        for table in db.metadata.sorted_tables:
            rows = w.rows.get(table.name)
            if table is LOG or not rows:
                continue
            seconds = _insert(conn, table, rows, batch, progress)
            tables[table.name] = {"rows": len(rows), "seconds": round(seconds, 3),
                                  "rows_per_second": _per_second(len(rows), seconds)}
            written.append(table)
            w.rows[table.name] = []  # done with them
        chain, seconds = _chain(conn, w.events, batch, progress, w.token)
        tables[LOG.name] = {"rows": len(w.events), "seconds": round(seconds, 3),
                            "rows_per_second": _per_second(len(w.events), seconds)}
        _reset_sequences(conn, [*written, LOG])
        # Derived from the log and kept in step with it by eventlog.record's listeners, which these
        # entries did not pass through: recomputed once, from the whole log.
        tallying = perf_counter()
        tallied = tally.rebuild()
        seconds = perf_counter() - tallying
        tables[ParticipationTally.__tablename__] = {"rows": tallied, "seconds": round(seconds, 3),
                                                    "rows_per_second": _per_second(tallied, seconds)}
        db.session.commit()
    finished = perf_counter()
    rows_total = sum(t["rows"] for t in tables.values())
    return {
        "scale": scale, "seed": seed, **w.summary,
        "rows": {name: t["rows"] for name, t in tables.items()}, "events": len(w.events), "chain": chain,
        "seconds": {"build": round(built - started, 3), "write": round(finished - built, 3),
                    "total": round(finished - started, 3)},
        "rows_total": rows_total, "rows_per_second": _per_second(rows_total, finished - started), "tables": tables,
    }


def plain_insert_floor(tables: Iterable[str] | None = None, *, batch: int = 5000, limit: int | None = None) -> dict:
    """Time a plain Core executemany of the rows already in ``tables`` (default: every table with rows)
    into scratch copies of their columns, dropped afterwards; see the module's docstring."""
    conn = db.session.connection()
    present = set(inspect(conn).get_table_names())
    names = list(tables) if tables is not None else [
        t.name for t in db.metadata.sorted_tables if t.name in present and t.name != "outbox_message"]
    result, total_rows, total_seconds = {}, 0, 0.0
    scratch_meta = MetaData()
    with _sqlite_cache(conn):  # the same settings generate writes with
        for name in names:
            source = db.metadata.tables[name]
            scratch = Table(f"floor_{name}", scratch_meta, *(Column(c.name, c.type) for c in source.columns))
            scratch.drop(conn, checkfirst=True)
            scratch.create(conn)
            # Read a batch, insert it (only the inserts are timed), and so on: memory stays flat.
            rows, seconds = 0, 0.0
            query = select(source).order_by(*source.primary_key.columns).limit(limit)
            with conn.execute(query.execution_options(stream_results=True, yield_per=batch)) as read:
                for partition in read.mappings().partitions():
                    seconds += _insert(conn, scratch, [dict(row) for row in partition], batch, show=False)
                    rows += len(partition)
            scratch.drop(conn)
            if rows:
                result[name] = {"rows": rows, "seconds": round(seconds, 3), "rows_per_second": _per_second(rows, seconds)}
                total_rows, total_seconds = total_rows + rows, total_seconds + seconds
        started = perf_counter()
        db.session.commit()
        total_seconds += perf_counter() - started
    return {"rows": total_rows, "seconds": round(total_seconds, 3),
            "rows_per_second": _per_second(total_rows, total_seconds), "tables": result}


def report(summary: dict, floor: dict | None = None) -> list[str]:
    """The summary as lines for a terminal."""
    lines = [f"{'table':>24} {'rows':>10} {'seconds':>9} {'rows/s':>9}" + (f" {'floor rows/s':>13}" if floor else "")]
    for name, t in summary["tables"].items():
        line = f"{name:>24} {t['rows']:>10,} {t['seconds']:>9.2f} {t['rows_per_second'] or 0:>9,}"
        if floor:
            line += f" {(floor['tables'].get(name) or {}).get('rows_per_second') or 0:>13,}"
        lines.append(line)
    s = summary["seconds"]
    lines.append(f"{summary['rows_total']:,} rows in {s['total']:.1f} s ({s['build']:.1f} s building, "
                 f"{s['write']:.1f} s writing): {summary['rows_per_second']:,} rows/s overall.")
    if floor:
        lines.append(f"Plain bulk insert of these tables' rows (no indexes, no generation): {floor['rows']:,} rows in "
                     f"{floor['seconds']:.1f} s, {floor['rows_per_second']:,} rows/s.")
    lines.append(f"Log: entries {summary['chain']['first_seq']}-{summary['chain']['last_seq']}, "
                 f"head {summary['chain']['head']}.")
    for key in ("older_plan", "current_plan", "biggest_call", "biggest_call_proposals", "proposal_in_biggest_call",
                "biggest_draft", "biggest_draft_comments", "current_plan_events", "current_plan_contributions"):
        lines.append(f"{key}: {summary[key]}")
    lines.append(f"Password of every generated account: {summary['password']} "
                 f"(secretariat: {', '.join(e for es in summary['secretariat'].values() for e in es)})")
    return lines
