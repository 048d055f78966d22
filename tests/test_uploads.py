"""Uploads: hostile files are refused cleanly by the one gate (core/uploads.py), and every upload
route the application grows must plug into the same hostile-file fixture here."""

from __future__ import annotations

import gc
import inspect
import io
import warnings
import zipfile
from dataclasses import dataclass

import pytest
from flask_wtf import FlaskForm
from flask_wtf.file import FileField as WTFFileField
from werkzeug.datastructures import FileStorage
from wtforms import FileField

from ogpcocreate.core.errors import ServiceError
from ogpcocreate.core.uploads import check_upload

ALLOWED = {"pdf", "png", "jpg", "odt", "docx", "xlsx", "csv"}
LIMIT = 2 * 1024 * 1024

# (endpoint, form field, role) of every view that accepts a file. test_every_file_field_is_registered
# keeps this list honest; tests/test_repository.py also sends each hostile file with a complete form.
UPLOAD_ROUTES: list[tuple[str, str, str]] = [
    ("repository.create", "file", "seat_government"),
    ("repository.replace", "file", "seat_government"),
    ("repository.attach", "file", "member"),
]


@dataclass
class HostileFile:
    name: str
    data: bytes
    why: str


def _zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def hostile_files() -> list[HostileFile]:
    """The files every upload route must refuse. Plug a new route in through UPLOAD_ROUTES."""
    return [
        HostileFile("informe.pdf", b"%PDF-1.7\n" + b"0" * (LIMIT + 10), "oversized"),
        HostileFile("informe.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "Windows executable named .pdf"),
        HostileFile("foto.png", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "ELF binary named .png"),
        HostileFile("datos.csv", b"#!/bin/sh\nrm -rf /\n", "shell script named .csv"),
        HostileFile("informe.pdf.exe", b"MZ" + b"\x00" * 100, "executable with a double extension"),
        HostileFile("informe.exe.pdf", b"%PDF-1.4\n", "executable extension hidden in the middle"),
        HostileFile("pagina.html", b"<script>alert(1)</script>", "HTML page"),
        HostileFile("imagen.svg", b"<svg onload=alert(1)>", "SVG with script"),
        HostileFile("../../etc/passwd.pdf", b"%PDF-1.4\n", "path traversal"),
        HostileFile("..\\..\\windows\\win.ini.pdf", b"%PDF-1.4\n", "Windows path traversal"),
        HostileFile("/etc/cron.d/x.pdf", b"%PDF-1.4\n", "absolute path"),
        HostileFile(".htaccess.pdf", b"%PDF-1.4\n", "hidden file"),
        HostileFile("nulo\x00.pdf", b"%PDF-1.4\n", "NUL byte in the name"),
        HostileFile("informe.pdf", b"", "empty file"),
        HostileFile("informe.pdf", b"<html>not a pdf</html>", "content does not match the extension"),
        HostileFile("datos.csv", b"\xff\xfe\x00\x00binary", "binary named .csv"),
        HostileFile("bomba.docx", _zip({"word/document.xml": b"0" * (30 * 1024 * 1024)}), "zip bomb (ratio)"),
        HostileFile("muchos.xlsx", _zip({f"x/{i}.xml": b"" for i in range(2500)}, zipfile.ZIP_STORED), "too many entries"),
        HostileFile("escape.odt", _zip({"../../evil.sh": b"echo owned"}), "zip slip entry"),
        HostileFile("roto.docx", b"PK\x03\x04garbage", "broken archive"),
        HostileFile("programa.exe", b"MZ" + b"\x00" * 100, "plain executable"),
        HostileFile("sin_extension", b"%PDF-1.4\n", "no extension"),
    ]


def _storage(file: HostileFile) -> FileStorage:
    return FileStorage(stream=io.BytesIO(file.data), filename=file.name, content_type="application/octet-stream")


def test_hostile_files_are_refused_with_a_reason(appctx, hostile_files):
    for file in hostile_files:
        with pytest.raises(ServiceError) as refused:
            check_upload(_storage(file), ALLOWED, LIMIT)
        assert refused.value.message and refused.value.field == "file", file.why


@pytest.mark.parametrize("name, data", [
    ("Minuta sesión 3.pdf", b"%PDF-1.7\n%%EOF\n"),
    ("asistencia.csv", "nombre,organización\nAna,Red Oaxaqueña\n".encode()),
    ("informe.docx", _zip({"word/document.xml": b"<w:document>texto normal</w:document>" * 50})),
    ("foto.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
])
def test_ordinary_documents_pass(appctx, name, data):
    checked = check_upload(FileStorage(io.BytesIO(data), filename=name), ALLOWED, LIMIT)
    assert checked.data == data and "/" not in checked.filename and checked.filename.endswith(checked.extension)


def test_every_file_field_is_registered():
    """A form with a file field is an upload route: it must be listed in UPLOAD_ROUTES."""
    import ogpcocreate

    forms_with_files = set()
    for module_name in ("auth", "calls", "main", "organisations", "plans", "proposals", "repository", "responses",
                        "secretariat"):
        module = __import__(f"ogpcocreate.{module_name}.forms", fromlist=["*"])
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, FlaskForm) and any(
                getattr(value, "field_class", None) in (FileField, WTFFileField) for value in vars(cls).values()
            ):
                forms_with_files.add(f"{module_name}.{name}")
    registered = {endpoint for endpoint, _field, _role in UPLOAD_ROUTES}
    assert len(registered) >= len(forms_with_files), (
        f"forms with file fields {sorted(forms_with_files)} need entries in UPLOAD_ROUTES")
    assert ogpcocreate


def test_upload_routes_refuse_hostile_files(app, make_client, hostile_files):
    """Every registered upload route, every hostile file: a clear refusal (4xx), nothing stored."""
    from .snapshots import changed_tables, database_fingerprint
    from .test_permissions import ROUTES, build_world

    world = build_world(app)
    for endpoint, field, role in UPLOAD_ROUTES:
        client = make_client()
        client.login(f"{role}@example.org")
        url = ROUTES[endpoint][1].format(**world.__dict__)
        for file in hostile_files:
            before = database_fingerprint(app)
            with warnings.catch_warnings():
                # Werkzeug's test client spools a body over 500 KB to a temporary file that it never closes
                # when the application refuses the request (413) before reading it: the harness's file.
                warnings.simplefilter("ignore", ResourceWarning)
                response = client.post_form(url, {field: (io.BytesIO(file.data), file.name)},
                                            content_type="multipart/form-data")
                response.close()
                gc.collect()
            assert 400 <= response.status_code < 500, (endpoint, file.why)
            assert changed_tables(before, database_fingerprint(app)) == [], (endpoint, file.why)


def test_any_oversized_request_is_refused_before_it_is_read(client):
    response = client.post_form("/register", {"display_name": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "más grande de lo que el sitio acepta" in response.get_data(as_text=True)
