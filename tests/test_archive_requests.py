"""The secretariat's continuity archive: asked for on its page, prepared by the worker (never in the web
request), logged, one at a time, downloadable by the seats only."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import bagit
import pytest
from sqlalchemy import select

from ogpcocreate.archive import services
from ogpcocreate.archive.models import ArchiveExport, ExportStatus
from ogpcocreate.core.eventlog import ParticipationEvent
from ogpcocreate.core.sectors import Seat
from ogpcocreate.extensions import db

from .factories import PASSWORD, make_seat, make_user


@pytest.fixture
def people(app, tmp_path):
    app.config["ARCHIVE_FOLDER"] = str(tmp_path / "archives")
    with app.app_context():
        seat = make_user("sitio@example.org")
        make_seat(seat, Seat.GUARANTOR)
        make_user("otra@example.org")
        db.session.commit()
    return {"seat": "sitio@example.org", "other": "otra@example.org"}


def _exports(app):
    with app.app_context():
        return list(db.session.scalars(select(ArchiveExport).order_by(ArchiveExport.id)))


def test_a_seat_queues_an_archive_that_the_worker_prepares_and_the_seat_downloads(app, client, people, tmp_path):
    client.login(people["seat"], PASSWORD)
    response = client.post_form("/secretariat/archive")
    assert response.status_code == 302
    [export] = _exports(app)
    assert export.status is ExportStatus.QUEUED and export.file_name is None  # nothing done in the request
    with app.app_context():
        entry = db.session.scalars(select(ParticipationEvent).where(ParticipationEvent.subject_type == "archive_export")).one()
        assert entry.verb == "created" and entry.sector.value == "guarantor"
    again = client.post_form("/secretariat/archive", follow_redirects=True)
    assert "Ya se está preparando" in again.get_data(as_text=True)
    assert len(_exports(app)) == 1

    result = app.test_cli_runner().invoke(args=["archive", "work"])
    assert result.exit_code == 0, result.output
    [export] = _exports(app)
    assert export.status is ExportStatus.DONE and export.sha256 and export.rows
    page = client.get("/secretariat/archive").get_data(as_text=True)
    assert export.sha256 in page and export.file_name in page
    download = client.get(f"/secretariat/archive/{export.id}/download")
    assert download.status_code == 200 and download.headers["Cache-Control"] == "private, no-store"
    target = tmp_path / "got.tar"
    target.write_bytes(download.get_data())
    download.close()
    with tarfile.open(target) as tar:
        tar.extractall(tmp_path / "got", filter="data")
    bagit.Bag(str(tmp_path / "got" / "archive")).validate()

    client.logout()
    client.login(people["other"], PASSWORD)
    assert client.get(f"/secretariat/archive/{export.id}/download").status_code == 403
    assert client.get("/secretariat/archive").status_code == 403


def test_a_failed_archive_is_recorded_and_another_may_be_asked_for(app, client, people, monkeypatch):
    client.login(people["seat"], PASSWORD)
    client.post_form("/secretariat/archive")

    def broken(path):
        raise OSError("disk full")

    monkeypatch.setattr(services, "export_to", broken)
    with app.app_context():
        services.work_once()
    [export] = _exports(app)
    assert export.status is ExportStatus.FAILED and "disk full" in export.error
    assert client.get(f"/secretariat/archive/{export.id}/download").status_code == 404
    assert client.post_form("/secretariat/archive").status_code == 302
    assert len(_exports(app)) == 2


def test_the_worker_does_nothing_when_nothing_is_queued(app, people):
    result = app.test_cli_runner().invoke(args=["archive", "work"])
    assert result.exit_code == 0 and result.output == ""


# --- retention: only the latest archives stay on disk ----------------------------------------------------


def _prepare_archives(app, client, n: int, monkeypatch) -> list[ArchiveExport]:
    """``n`` archives asked for and prepared one after the other (a small tar stands in for the export)."""

    def small(path):
        with tarfile.open(path, "w"):
            pass
        return {"rows": {"x": 1}}

    monkeypatch.setattr(services, "export_to", small)
    for _ in range(n):
        assert client.post_form("/secretariat/archive").status_code == 302
        with app.app_context():
            services.work_once()
    return _exports(app)


def _file(app, export) -> Path:
    return Path(app.config["ARCHIVE_FOLDER"]) / export.file_name


def test_only_the_latest_archives_are_kept_and_the_page_says_so(app, client, people, monkeypatch):
    app.config["ARCHIVE_KEEP"] = 2
    client.login(people["seat"], PASSWORD)
    exports = _prepare_archives(app, client, 4, monkeypatch)
    assert [e.status for e in exports] == [ExportStatus.REMOVED] * 2 + [ExportStatus.DONE] * 2
    assert [_file(app, e).is_file() for e in exports] == [False, False, True, True]
    assert sorted(p.name for p in Path(app.config["ARCHIVE_FOLDER"]).iterdir()) == sorted(e.file_name for e in exports[2:])
    assert client.get(f"/secretariat/archive/{exports[0].id}/download").status_code == 404
    page = client.get("/secretariat/archive").get_data(as_text=True)
    assert "Solo se conservan en el servidor los 2 archivos listos más recientes" in page
    assert page.count("Eliminado (solo se conservan los más recientes)") == 2
    assert exports[0].sha256 in page  # a removed archive stays listed with its checksum


def test_an_archive_being_downloaded_is_not_removed_until_the_download_ends(app, client, people, monkeypatch):
    app.config["ARCHIVE_KEEP"] = 1
    client.login(people["seat"], PASSWORD)
    [first] = _prepare_archives(app, client, 1, monkeypatch)
    download = client.get(f"/secretariat/archive/{first.id}/download")  # streaming: not read, not closed yet
    assert download.status_code == 200
    exports = _prepare_archives(app, client, 1, monkeypatch)
    assert [e.status for e in exports] == [ExportStatus.DONE, ExportStatus.DONE]  # the first is held
    assert _file(app, first).is_file()
    with tarfile.open(fileobj=io.BytesIO(download.get_data())):
        pass
    download.close()  # the download ends: the next pass removes it
    with app.app_context():
        assert [e.id for e in services.prune()] == [first.id]
        db.session.commit()
    assert not _file(app, first).is_file() and _file(app, exports[1]).is_file()
    assert [e.status for e in _exports(app)] == [ExportStatus.REMOVED, ExportStatus.DONE]
