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
import fcntl
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import bagit
from flask import current_app
from sqlalchemy import Integer, func, select, text

from ..core.eventlog import ParticipationEvent
from ..core.storage import storage as stored_files
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
        storage = stored_files().root  # the repository's files (core/storage.py)
        if storage.is_dir():
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


# --- import ------------------------------------------------------------------------------------------------


class ArchiveError(Exception):
    """The archive cannot be imported; ``message`` says why in words a person can act on. Nothing was imported."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _unpack(source: Path, into: Path) -> Path:
    try:
        with tarfile.open(source) as tar:
            tar.extractall(into, filter="data")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ArchiveError(f"The file is not a complete archive (it may be truncated or not an archive at all): {exc}") from exc
    bag_dir = into / "archive"
    if not (bag_dir / "bagit.txt").is_file():
        raise ArchiveError("The file is not a continuity archive: it holds no BagIt package named 'archive'.")
    return bag_dir


def _validate_bag(bag_dir: Path) -> dict:
    try:
        bag = bagit.Bag(str(bag_dir))
        bag.validate(processes=1)
    except bagit.BagValidationError as exc:
        details = "; ".join(str(d) for d in (exc.details or [])[:5])
        raise ArchiveError(f"The archive does not match its manifest (a part is altered, missing or extra): "
                           f"{exc.message}{': ' + details if details else ''}") from exc
    except bagit.BagError as exc:
        raise ArchiveError(f"The archive's BagIt package is damaged: {exc}") from exc
    if "sha256" not in bag.algorithms:
        raise ArchiveError("The archive's manifest has no SHA-256 checksums.")
    try:
        description = json.loads((bag_dir / "data" / "archive.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ArchiveError(f"The archive's description (archive.json) cannot be read: {exc}") from exc
    if description.get("format") != FORMAT:
        raise ArchiveError(f"The archive is in format {description.get('format')!r}; this version reads {FORMAT!r}.")
    return description


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory
    config = current_app.extensions["migrate"].migrate.get_config()
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def _check_schema(description: dict) -> None:
    archived, here = description.get("schema_revision"), schema_revision()
    if archived is not None and archived not in known_revisions():
        raise ArchiveError(f"The archive was made by a newer version of the platform (database schema {archived!r}, "
                           f"unknown here). Upgrade this installation, then import it.")
    if archived != here:
        raise ArchiveError(f"The archive's database schema ({archived!r}) is not this database's ({here!r}): "
                           f"migrate this database to the same revision first.")


def _check_empty() -> None:
    filled = [name for name, n in row_counts().items() if n]
    if filled:
        raise ArchiveError(f"The database is not empty ({', '.join(filled[:5])}…): an archive is imported into an "
                           f"empty database only, so that nothing is mixed or overwritten.")


def _converters(table) -> dict:
    from sqlalchemy import Date, LargeBinary, Numeric

    from ..core.db import UTCDateTime

    out = {}
    for column in table.columns:
        kind = column.type
        if isinstance(kind, UTCDateTime):
            out[column.name] = datetime.fromisoformat
        elif isinstance(kind, Date) and not isinstance(kind, UTCDateTime):
            out[column.name] = date.fromisoformat
        elif isinstance(kind, LargeBinary):
            out[column.name] = base64.b64decode
        elif isinstance(kind, Numeric) and kind.asdecimal:
            out[column.name] = Decimal
    return out


def _load_table(table, path: Path, advance: Callable[[int], None]) -> int:
    convert = _converters(table)
    names = {c.name for c in table.columns}
    count, batch = 0, []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            row = json.loads(line)
            if set(row) != names:
                raise ArchiveError(f"Table {table.name}: a row's columns do not match this database's.")
            for name, fn in convert.items():
                if row[name] is not None:
                    row[name] = fn(row[name])
            batch.append(row)
            if len(batch) >= BATCH:
                db.session.execute(table.insert(), batch)
                count += len(batch)
                advance(len(batch))
                batch = []
    if batch:
        db.session.execute(table.insert(), batch)
        count += len(batch)
        advance(len(batch))
    return count


def _restart_sequences() -> None:
    """PostgreSQL: identity sequences continue after the imported ids (SQLite needs nothing)."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in tables():
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and isinstance(pk[0].type, Integer):
            sequence = func.pg_get_serial_sequence(table.name, pk[0].name)
            highest = func.coalesce(select(func.max(pk[0])).scalar_subquery(), 0)
            db.session.execute(select(func.setval(sequence, highest + 1, False)))


def inspect_archive(source: str | Path, work: Path) -> tuple[Path, dict]:
    """Unpack and check everything that can be checked before touching the database."""
    bag_dir = _unpack(Path(source), work)
    description = _validate_bag(bag_dir)
    _check_schema(description)
    missing = [t.name for t in tables() if not (bag_dir / "data" / "tables" / f"{t.name}.jsonl").is_file()]
    if missing:
        raise ArchiveError(f"The archive has no part for the tables {', '.join(missing)}.")
    return bag_dir, description


def import_archive(source: str | Path, advance: Callable[[int], None] = lambda n: None,
                   on_checked: Callable[[dict], None] = lambda d: None) -> dict:
    """Restore an archive into this (empty) database, in one transaction: the manifest's checksums, the
    schema revision and the emptiness of the database are checked first; then the rows are loaded and the
    participation log's whole chain is verified with the same verifier as ``audit verify`` and compared
    with the head the archive declares, before anything is committed. Any failure rolls everything back
    and raises ArchiveError. The caller commits."""
    from ..core.eventlog import verify

    work = Path(tempfile.mkdtemp(prefix="archive-import-"))
    try:
        bag_dir, description = inspect_archive(source, work)
        _check_empty()
        on_checked(description)
        try:
            counts = {t.name: _load_table(t, bag_dir / "data" / "tables" / f"{t.name}.jsonl", advance) for t in tables()}
            if counts != description.get("rows"):
                raise ArchiveError("The archive's tables do not hold the number of rows its description declares.")
            result = verify()
            if not result.ok:
                raise ArchiveError(f"The participation log in the archive does not verify: {result.error}.")
            if chain_head() != description.get("chain_head"):
                raise ArchiveError("The participation log's last entry is not the chain head the archive declares.")
            _restart_sequences()
            db.session.flush()
        except ArchiveError:
            db.session.rollback()
            raise
        except Exception as exc:
            db.session.rollback()
            raise ArchiveError(f"The archive's rows cannot be loaded into this database: {exc}") from exc
        files = bag_dir / "data" / "files"
        if files.is_dir():
            shutil.copytree(files, stored_files().root, dirs_exist_ok=True)
        return description
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- the secretariat's downloads: queued by a request, prepared by the worker --------------------------------


def archive_folder() -> Path:
    folder = current_app.config.get("ARCHIVE_FOLDER") or str(Path(current_app.instance_path) / "archives")
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def request_export(actor, seat):
    """Queue an archive for the worker (``flask archive work``), logged as the seat's act."""
    from ..core import eventlog
    from ..core.errors import ServiceError
    from .models import ArchiveExport
    from .rules import request_refusal

    refusal = request_refusal(actor)
    if refusal:
        raise ServiceError(refusal)
    export = ArchiveExport(requested_by_id=actor.id)
    db.session.add(export)
    db.session.flush()
    eventlog.record(actor, eventlog.Verb.CREATED, subject=export, sector=seat.sector)
    return export


def recent_exports(limit: int = 20) -> list:
    from .models import ArchiveExport

    return list(db.session.scalars(select(ArchiveExport).order_by(ArchiveExport.id.desc()).limit(limit)))


def work_once() -> object | None:
    """Prepare the oldest queued archive, if any, committing its state before and after (the worker's
    own transactions, as the mail outbox does). Returns the export handled, or None."""
    import hashlib

    from ..core.db import utcnow
    from .models import ArchiveExport, ExportStatus

    export = db.session.scalars(select(ArchiveExport).where(ArchiveExport.status == ExportStatus.QUEUED)
                                .order_by(ArchiveExport.id).limit(1)).first()
    if export is None:
        return None
    export.status, export.started_at = ExportStatus.RUNNING, utcnow()
    db.session.commit()
    name = f"archive-{export.id}-{export.started_at:%Y%m%dT%H%M%SZ}.tar"
    path = archive_folder() / name
    try:
        description = export_to(path)
    except Exception as exc:  # noqa: BLE001 - recorded on the request for the secretariat to see
        db.session.rollback()
        export.status, export.finished_at, export.error = ExportStatus.FAILED, utcnow(), str(exc)[:2000]
        db.session.commit()
        path.unlink(missing_ok=True)
        return export
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    export.status, export.finished_at = ExportStatus.DONE, utcnow()
    export.file_name, export.size, export.sha256 = name, path.stat().st_size, sha.hexdigest()
    export.rows = sum(description["rows"].values())
    db.session.commit()
    prune()
    db.session.commit()
    return export


# --- retention: the latest archives stay, the older files go ---------------------------------------------


def keep_count() -> int:
    return max(1, int(current_app.config.get("ARCHIVE_KEEP", 5)))


def hold_for_download(path: Path):
    """The file opened with a shared lock (flock) that ``prune`` will not remove it under, until the
    handle is closed; None when the file was removed meanwhile (the caller answers 404)."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    fcntl.flock(handle, fcntl.LOCK_SH)
    try:
        if os.fstat(handle.fileno()).st_ino == path.stat().st_ino:  # not removed before the lock was taken
            return handle
    except FileNotFoundError:
        pass
    handle.close()
    return None


def _remove_unless_held(path: Path) -> bool:
    """Remove the file unless a download holds it; True if it is gone."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return True
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        path.unlink(missing_ok=True)
        return True


def prune() -> list:
    """Remove the files of ready archives older than the latest ``ARCHIVE_KEEP``, except one being
    downloaded (it goes at a later pass). Each removed archive stays listed, with its checksum, as
    removed. Only files named by those archives are touched, never anything else in the folder. The
    caller commits."""
    from .models import ArchiveExport, ExportStatus

    ready = list(db.session.scalars(select(ArchiveExport).where(ArchiveExport.status == ExportStatus.DONE)
                                    .order_by(ArchiveExport.id.desc())))
    removed = []
    for export in ready[keep_count():]:
        if export.file_name and not _remove_unless_held(archive_folder() / Path(export.file_name).name):
            continue
        export.status = ExportStatus.REMOVED
        removed.append(export)
    db.session.flush()
    return removed


def export_to(path: Path) -> dict:
    return export(path)
