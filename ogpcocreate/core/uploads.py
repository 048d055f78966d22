"""The one gate every uploaded file passes: name, size, real type and, for archives, expansion.

No route accepts files yet; the public repository (minutes, reports) will. Any upload view calls
``check_upload`` before storing anything, and registers itself in tests/test_uploads.py, whose hostile
files (oversized, disguised executables, path-traversal names, zip bombs) must all be refused cleanly.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from .errors import ServiceError

# Extension -> the bytes the file must start with. Office formats are zip archives.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "zip": (b"PK\x03\x04",),
    "csv": (),
    "txt": (),
}
ARCHIVES = {"odt", "ods", "docx", "xlsx", "zip"}
TEXT = {"csv", "txt"}
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa")
EXECUTABLE_EXTENSIONS = {"exe", "dll", "bat", "cmd", "com", "scr", "msi", "sh", "js", "vbs", "ps1", "jar", "apk",
                         "app", "bin", "php", "py", "pl", "html", "htm", "svg"}
MAX_EXPANDED = 100 * 1024 * 1024  # what an archive may expand to
MAX_RATIO = 100  # expanded / compressed: ordinary documents stay far below
MAX_ENTRIES = 2000


@dataclass
class CheckedUpload:
    filename: str
    extension: str
    data: bytes


def _refuse(message: str):
    raise ServiceError(message, field="file")


def _check_name(raw: str) -> tuple[str, str]:
    if not raw or "\x00" in raw or "/" in raw or "\\" in raw or raw.startswith(".") or ".." in raw:
        _refuse(_("The file name is not acceptable. Rename the file (letters, digits, dashes) and try again."))
    parts = raw.lower().split(".")
    if len(parts) < 2 or any(part in EXECUTABLE_EXTENSIONS for part in parts[1:]):
        _refuse(_("This kind of file is not accepted."))
    safe = secure_filename(raw)
    if not safe or safe.startswith("."):
        _refuse(_("The file name is not acceptable. Rename the file (letters, digits, dashes) and try again."))
    return safe, parts[-1]


def _check_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            expanded = sum(entry.file_size for entry in entries)
            if len(entries) > MAX_ENTRIES or expanded > MAX_EXPANDED or expanded > MAX_RATIO * max(len(data), 1):
                _refuse(_("This archive expands to far more than its size and was refused."))
            for entry in entries:
                name = entry.filename
                if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
                    _refuse(_("This archive contains files with unsafe paths and was refused."))
                if entry.file_size and entry.compress_size and entry.file_size > MAX_RATIO * entry.compress_size:
                    _refuse(_("This archive expands to far more than its size and was refused."))
    except zipfile.BadZipFile:
        _refuse(_("The file is damaged or is not what its name says."))


def check_upload(file: FileStorage | None, allowed: set[str], max_bytes: int) -> CheckedUpload:
    """Return the file's safe name, extension and bytes, or raise ServiceError with a clear reason."""
    if file is None or not file.filename:
        _refuse(_("Choose a file to upload."))
    filename, extension = _check_name(file.filename)
    if extension not in allowed or extension not in SIGNATURES:
        _refuse(_("Files of type .%(ext)s are not accepted here. Accepted: %(allowed)s.",
                  ext=extension, allowed=", ".join(sorted(allowed))))
    data = file.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        _refuse(_("The file is larger than %(mb)d MB.", mb=max(max_bytes // (1024 * 1024), 1)))
    if not data:
        _refuse(_("The file is empty."))
    if data.startswith(EXECUTABLE_MAGIC):
        _refuse(_("The file is a program disguised as a document and was refused."))
    signatures = SIGNATURES[extension]
    if signatures and not data.startswith(signatures):
        _refuse(_("The file is damaged or is not what its name says."))
    if extension in TEXT:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            _refuse(_("The file is damaged or is not what its name says."))
    if extension in ARCHIVES:
        _check_archive(data)
    return CheckedUpload(filename, extension, data)
