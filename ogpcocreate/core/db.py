"""The declarative base, the one clock, and the SQLite settings that make it safe for several writers."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import has_request_context, request
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The moment the clock is held at, if any (``clock_at``); None means real time.
_held_at: ContextVar[datetime | None] = ContextVar("ogpcocreate_clock", default=None)


def utcnow() -> datetime:
    """The one clock of the application: an aware datetime in UTC.

    Everything that reads the time goes through here: services, rules, column defaults (``default=utcnow``,
    ``onupdate=utcnow``) and the participation log. So holding this clock (``clock_at``) moves all of
    them at once.
    """
    held = _held_at.get()
    return held if held is not None else datetime.now(UTC)


@contextmanager
def clock_at(moment: datetime) -> Iterator[datetime]:
    """Hold the clock at ``moment`` for the code inside the block, then give real time back.

    For replaying a process at the moments its acts happened (the demo, ogpcocreate/demo/timeline.py):
    the real services then accept and refuse exactly as they did at that moment, and write that moment
    into every row and log entry. Never used while handling a request: it refuses to run inside one.
    The hold is a context variable, so it is local to the thread (or task) that set it.
    """
    if moment.tzinfo is None:
        raise ValueError("clock_at needs an aware datetime")
    if has_request_context():
        raise RuntimeError("the clock is never held while handling a request")
    token = _held_at.set(moment.astimezone(UTC))
    try:
        yield moment
    finally:
        _held_at.reset(token)


class UTCDateTime(TypeDecorator):
    """Timezone-aware timestamps on every database.

    PostgreSQL keeps the zone; SQLite stores naive text, so values are normalised to UTC on the way
    in and marked as UTC on the way out. Code never sees a naive datetime.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- SQLite: WAL, foreign keys, and write transactions that take the lock up front -------------------
#
# pysqlite opens transactions lazily and lets a transaction that has read upgrade to a writer later;
# in WAL mode that upgrade fails at once (SQLITE_BUSY_SNAPSHOT) if another writer committed in between,
# and the busy timeout does not help. So we drive transactions ourselves (SQLAlchemy's documented
# recipe): reads (GET/HEAD requests) begin DEFERRED and run concurrently; everything else (POSTs, CLI
# commands, workers) begins IMMEDIATE and queues on the write lock for up to the busy timeout.


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _is_read_only_request() -> bool:
    return has_request_context() and request.method in {"GET", "HEAD", "OPTIONS"}


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql("BEGIN" if _is_read_only_request() else "BEGIN IMMEDIATE")


def enum_column(enum_cls, **kwargs):
    """A portable enum column storing the member's value as a short string (no native type to migrate)."""
    from sqlalchemy import Enum

    return mapped_column(
        Enum(
            enum_cls,
            native_enum=False,
            length=32,
            values_callable=lambda members: [m.value for m in members],
            validate_strings=True,
        ),
        **kwargs,
    )
