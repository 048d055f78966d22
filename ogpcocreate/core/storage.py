"""Where uploaded files live: one interface, content-addressed (a file's name is the SHA-256 of its bytes,
so the same file uploaded twice is stored once), with the local disk as the default implementation.

``STORAGE_ROOT`` names the directory (default: ``<instance>/files``). Several web machines share files by
pointing it at the same shared directory (an NFS or SMB mount, say): the store writes each file to a
temporary name and renames it into place, so a reader never sees half a file, and two machines writing
the same file at once write the same bytes under the same name.

A file is written before the database transaction that names it commits. If that transaction rolls
back, the file stays as an unreferenced blob: harmless (nothing links to it, nobody can list the store)
and reused if the same file is uploaded again.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from flask import current_app

_KEY = re.compile(r"^[0-9a-f]{64}$")


class Storage(Protocol):
    def put(self, data: bytes) -> str:
        """Store the bytes and return their key (the SHA-256, hex)."""

    def get(self, key: str) -> bytes:
        """The bytes stored under ``key``; FileNotFoundError if there are none."""

    def exists(self, key: str) -> bool: ...


def key_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class LocalStorage:
    """Files under ``root/ab/cd/<sha256>``: two levels of folders keep each folder small."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise FileNotFoundError(key)
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes) -> str:
        key = key_of(data)
        path = self._path(key)
        if path.exists():
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return key

    def get(self, key: str) -> bytes:
        data = self._path(key).read_bytes()
        if key_of(data) != key:  # a file altered on disk is not served as the one on the record
            raise FileNotFoundError(key)
        return data

    def exists(self, key: str) -> bool:
        try:
            return self._path(key).exists()
        except FileNotFoundError:
            return False


def storage() -> Storage:
    """The application's store, from its settings."""
    root = current_app.config.get("STORAGE_ROOT") or os.path.join(current_app.instance_path, "files")
    return LocalStorage(root)
