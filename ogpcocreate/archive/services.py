"""Export of the continuity archive (issue 16): every table as JSON Lines, the stored files if a storage
folder exists, a data dictionary, the database schema's revision and the head of the participation
log's chain, packed as a BagIt bag (the Library of Congress's preservation format, through the
maintained ``bagit`` package) whose manifest holds the SHA-256 of every part, in one .tar file.
Anyone can check it with the standard BagIt tools alone.

Tables are read in primary-key order in batches (``yield_per``), so memory stays flat whatever their size.
"""

from __future__ import annotations

import base64
import enum
import json
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import bagit
from flask import current_app
from sqlalchemy import func, select, text

from ..core.eventlog import ParticipationEvent
from ..extensions import db

FORMAT = "ogpcocreate-archive/1"
BATCH = 2000


def _json_value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def tables() -> list:
    """Every table, parents before children (a restore inserts them in this order)."""
    return list(db.metadata.sorted_tables)


def schema_revision() -> str | None:
    try:
        return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - a database created without migrations (tests) has no version table
        db.session.rollback()
        return None


def chain_head() -> dict | None:
    row = db.session.execute(
        select(ParticipationEvent.seq, ParticipationEvent.hash).order_by(ParticipationEvent.seq.desc()).limit(1)
    ).first()
    return None if row is None else {"seq": row.seq, "hash": row.hash}


def dictionary() -> dict:
    return {t.name: {"columns": [{"name": c.name, "type": str(c.type), "nullable": bool(c.nullable),
                                  "primary_key": bool(c.primary_key),
                                  "references": [f"{fk.column.table.name}.{fk.column.name}" for fk in c.foreign_keys]}
                                 for c in t.columns]} for t in tables()}


def _write_table(table, path: Path, advance: Callable[[int], None]) -> int:
    order = list(table.primary_key.columns) or list(table.columns)
    names = [c.name for c in table.columns]
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        result = db.session.execute(select(*table.columns).order_by(*order).execution_options(yield_per=BATCH))
        for partition in result.partitions(BATCH):
            lines = [json.dumps({n: _json_value(v) for n, v in zip(names, row, strict=True)}, ensure_ascii=False,
                                sort_keys=True, separators=(",", ":")) for row in partition]
            out.write("\n".join(lines) + "\n")
            count += len(lines)
            advance(len(lines))
    return count


def row_counts() -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in tables()}


def export(target: str | Path, advance: Callable[[int], None] = lambda n: None) -> dict:
    """Write the archive to ``target`` (a .tar file); returns its description (bag-info, counts, head)."""
    target = Path(target)
    work = Path(tempfile.mkdtemp(prefix="archive-"))
    try:
        bag_dir = work / "bag"
        (bag_dir / "tables").mkdir(parents=True)
        counts = {t.name: _write_table(t, bag_dir / "tables" / f"{t.name}.jsonl", advance) for t in tables()}
        storage = current_app.config.get("STORAGE_FOLDER")
        if storage and Path(storage).is_dir():
            shutil.copytree(storage, bag_dir / "files")
        head = chain_head()
        description = {"format": FORMAT, "schema_revision": schema_revision(), "chain_head": head,
                       "tables": [t.name for t in tables()], "rows": counts}
        (bag_dir / "archive.json").write_text(json.dumps(description, indent=2, sort_keys=True), encoding="utf-8")
        (bag_dir / "dictionary.json").write_text(json.dumps(dictionary(), indent=2, sort_keys=True), encoding="utf-8")
        bagit.make_bag(str(bag_dir), {
            "Source-Organization": current_app.config.get("SITE_NAME", "ogpcocreate"),
            "External-Description": "Continuity archive of the co-creation platform: every table as JSON Lines.",
            "Archive-Format": FORMAT,
            "Schema-Revision": description["schema_revision"] or "unknown",
            "Chain-Head": "empty" if head is None else f"{head['seq']} {head['hash']}",
        }, checksums=["sha256"])
        with tarfile.open(target, "w") as tar:
            tar.add(bag_dir, arcname="archive")
        return description
    finally:
        shutil.rmtree(work, ignore_errors=True)
