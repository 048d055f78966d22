"""A fingerprint of every row of every table, to prove that a refused request changed nothing."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from ogpcocreate.extensions import db


def database_fingerprint(app) -> dict[str, str]:
    """Per table, a hash of all its rows in primary-key order (fine for the small worlds of tests)."""
    result = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
            result[table.name] = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
    return result


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))
