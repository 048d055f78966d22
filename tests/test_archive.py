"""The continuity archive (issue 16): one BagIt package valid by the standard tools alone, with every table as
JSON Lines, a data dictionary and the head of the participation log's chain; imported only into an empty
database after every checksum, the schema and the whole chain verify, and refused whole otherwise. A round
trip of the demo through the other database engine gives the same `audit head` and API answers."""

from __future__ import annotations

import json
import os
import re
import shutil
import tarfile
from datetime import datetime
from pathlib import Path

import bagit
import pytest
import time_machine
from sqlalchemy import func, select

from ogpcocreate.archive import services as archive
from ogpcocreate.core.eventlog import ParticipationEvent, verify
from ogpcocreate.extensions import db

from .conftest import PG_URL, _dispose, _ensure_pg_database, _migrate, create_app, rolled_back

ROUNDTRIP_PG_URL = os.environ.get("ARCHIVE_TEST_PG_URL",
                                  "postgresql+psycopg://postgres@127.0.0.1:5432/ogp_opendata_archive")


@pytest.fixture(scope="module")
def demo_archive(demo_app, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("archive") / "archive.tar"
    with rolled_back(demo_app), demo_app.app_context():
        archive.export(target)
    return target


def _app(url: str):
    return create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "PUBLIC_URL": "http://localhost"})


@pytest.fixture
def empty_app(database_url):
    app = _app(database_url)
    yield app
    _dispose(app)


def _unpacked(source: Path, into: Path) -> Path:
    with tarfile.open(source) as tar:
        tar.extractall(into, filter="data")
    return into / "archive"


def _repack(bag_dir: Path, target: Path) -> Path:
    with tarfile.open(target, "w") as tar:
        tar.add(bag_dir, arcname="archive")
    return target


def _import(app, source) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["archive", "import", str(source)])
    return result.exit_code, result.output


def _nothing_imported(app) -> None:
    with app.app_context():
        assert not any(archive.row_counts().values())


def test_the_demo_exports_as_a_valid_bag_with_every_table_and_the_chain_head(demo_app, tmp_path):
    target = tmp_path / "archive.tar"
    with rolled_back(demo_app), demo_app.app_context():
        counts = archive.row_counts()
        head_seq = db.session.scalar(select(func.max(ParticipationEvent.seq)))
        result = demo_app.test_cli_runner().invoke(args=["archive", "export", str(target)])
    assert result.exit_code == 0, result.output
    assert "rows/s" in result.output
    bag_dir = _unpacked(target, tmp_path / "out")
    bag = bagit.Bag(str(bag_dir))
    bag.validate()  # every part against its SHA-256, with the standard tool alone
    assert "sha256" in bag.algorithms
    data = bag_dir / "data"
    description = json.loads((data / "archive.json").read_text())
    assert description["chain_head"]["seq"] == head_seq
    assert bag.info["Chain-Head"].startswith(f"{head_seq} ")
    dictionary = json.loads((data / "dictionary.json").read_text())
    for table, n in counts.items():
        lines = (data / "tables" / f"{table}.jsonl").read_text().splitlines()
        assert len(lines) == n == description["rows"][table], table
        assert table in dictionary
    first = json.loads((data / "tables" / "participation_event.jsonl").read_text().splitlines()[0])
    assert first["seq"] == 1 and first["hash"]


def _truncated(source: Path, tmp: Path) -> Path:
    data = source.read_bytes()
    target = tmp / "truncated.tar"
    target.write_bytes(data[: len(data) // 2])
    return target


def _changed_byte(source: Path, tmp: Path) -> Path:
    bag_dir = _unpacked(source, tmp / "x")
    part = bag_dir / "data" / "tables" / "action_plan.jsonl"
    part.write_bytes(part.read_bytes().replace(b"Plan", b"Plam", 1))
    return _repack(bag_dir, tmp / "changed.tar")


def _missing_part(source: Path, tmp: Path) -> Path:
    bag_dir = _unpacked(source, tmp / "x")
    (bag_dir / "data" / "tables" / "proposal.jsonl").unlink()
    return _repack(bag_dir, tmp / "missing.tar")


def _rebag(bag_dir: Path) -> None:
    """Rewrite the manifests, as someone forging an archive would: the checksums hold, the content does not."""
    bag = bagit.Bag(str(bag_dir))
    bag.save(manifests=True)


def _bad_chain(source: Path, tmp: Path) -> Path:
    bag_dir = _unpacked(source, tmp / "x")
    part = bag_dir / "data" / "tables" / "participation_event.jsonl"
    lines = part.read_text().splitlines()
    entry = json.loads(lines[2])
    entry["verb"] = "voted" if entry["verb"] != "voted" else "commented"
    lines[2] = json.dumps(entry, sort_keys=True, separators=(",", ":"))
    part.write_text("\n".join(lines) + "\n")
    _rebag(bag_dir)
    return _repack(bag_dir, tmp / "chain.tar")


def _newer_schema(source: Path, tmp: Path) -> Path:
    bag_dir = _unpacked(source, tmp / "x")
    path = bag_dir / "data" / "archive.json"
    description = json.loads(path.read_text())
    description["schema_revision"] = "9999_from_the_future"
    path.write_text(json.dumps(description))
    _rebag(bag_dir)
    return _repack(bag_dir, tmp / "newer.tar")


@pytest.mark.parametrize("damage, reason", [
    (_truncated, "truncated"), (_changed_byte, "does not match its manifest"), (_missing_part, "does not match its manifest"),
    (_bad_chain, "does not verify"), (_newer_schema, "newer version"),
])
def test_a_damaged_archive_is_refused_with_a_reason_and_nothing_imported(empty_app, demo_archive, tmp_path, damage, reason):
    code, output = _import(empty_app, damage(demo_archive, tmp_path))
    assert code == 1 and reason in output and "Nothing was imported" in output, output
    _nothing_imported(empty_app)


def test_an_archive_is_imported_into_an_empty_database_only(empty_app, demo_archive):
    code, output = _import(empty_app, demo_archive)
    assert code == 0, output
    code, output = _import(empty_app, demo_archive)
    assert code == 1 and "not empty" in output


def _answers(app) -> dict:
    client = app.test_client()
    from ogpcocreate.api import services

    urls = ["/api/v1/record?limit=200", "/record.csv"]
    urls += [f"/api/v1/{r.name}?limit=200" for r in services.RESOURCES]
    answers = {url: client.get(url).get_data(as_text=True) for url in urls}
    answers["audit head"] = app.test_cli_runner().invoke(args=["audit", "head"]).output
    with app.app_context():
        result = verify()
        answers["chain verifies"] = (result.ok, result.checked)
        db.session.remove()
    return answers


def _fresh_sqlite(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    _migrate(url)
    return url


def _fresh_postgres() -> str:
    try:
        _ensure_pg_database(ROUNDTRIP_PG_URL)
    except Exception as exc:  # no server
        if os.environ.get("OGP_REQUIRE_POSTGRES"):
            raise
        pytest.skip(f"PostgreSQL not reachable for the round trip: {exc}")
    _migrate(ROUNDTRIP_PG_URL)
    return ROUNDTRIP_PG_URL


def test_a_round_trip_through_the_other_engine_gives_the_same_answers(demo_app, demo_archive, tmp_path):
    """The demo on this run's engine -> the other engine -> this engine again: the same `audit head`, the
    same API answers and the same record CSV at each step."""
    original = _answers(demo_app)
    assert original["audit head"].strip() != "empty"
    other_url = _fresh_sqlite(tmp_path) if PG_URL else _fresh_postgres()
    other = _app(other_url)
    try:
        assert _import(other, demo_archive)[0] == 0
        assert _answers(other) == original
        second = tmp_path / "second.tar"
        with other.app_context():
            archive.export(second)
    finally:
        _dispose(other)
    back_dir = tmp_path / "back"
    back_dir.mkdir()
    back_url = _fresh_postgres() if PG_URL else _fresh_sqlite(back_dir)
    back = _app(back_url)
    try:
        code, output = _import(back, second)
        assert code == 0, output
        assert _answers(back) == original
    finally:
        _dispose(back)
    shutil.rmtree(back_dir, ignore_errors=True)


def test_new_rows_after_an_import_take_new_ids(empty_app, demo_archive):
    from ogpcocreate.plans.models import ActionPlan

    from .factories import make_plan

    assert _import(empty_app, demo_archive)[0] == 0
    with empty_app.app_context():
        highest = db.session.scalar(select(func.max(ActionPlan.id)))
        plan = make_plan()
        db.session.commit()
        assert plan.id > highest


# --- the same round trip at scale 1 of the generated data (demo/generate.py) -----------------------------


_CSRF = re.compile(r'name="csrf_token" value="[^"]*"')


def _scale_answers(app, summary: dict, moment: datetime) -> dict:
    """A representative set of public pages (home, plans, calls, the biggest call and draft, the record,
    the influence reports), the API's first page of every list and some items, and `audit head`; read
    at the same ``moment`` each time (the reports say when they were computed). The language form's CSRF
    token is each visitor's own, so it is left out."""
    from ogpcocreate.api import services

    call, draft, plan = summary["biggest_call"], summary["biggest_draft"], summary["current_plan"]
    pages = ["/", "/plans", "/calls", f"/calls/{call}", f"/drafts/{draft}", "/record", f"/plans/{plan}/influence",
             f"/calls/{call}/influence", f"/plans/{summary['older_plan']}/performance"]
    api = [f"/api/v1/{r.name}?limit=200" for r in services.RESOURCES]
    api += [f"/api/v1/calls/{call}", f"/api/v1/drafts/{draft}", f"/api/v1/plans/{plan}/influence",
            f"/api/v1/plans/{summary['older_plan']}/commitments", "/api/v1/record?limit=200",
            f"/api/v1/proposals?call={call}&limit=200", "/api/v1/comments?limit=200&cursor=5000"]
    client = app.test_client()
    answers = {}
    with time_machine.travel(moment, tick=False):
        for url in pages + api:
            response = client.get(url)
            assert response.status_code == 200, url
            answers[url] = _CSRF.sub("", response.get_data(as_text=True))
    answers["audit head"] = app.test_cli_runner().invoke(args=["audit", "head"]).output
    return answers


@pytest.mark.slow
def test_a_round_trip_of_scale_1_generated_data_gives_the_same_pages_and_answers(database_url, tmp_path):
    """Scale 1 of `demo generate` (some 127,000 rows, 52,000 log entries) on this run's engine -> archive ->
    the other engine -> archive -> this engine again: the same public pages, API answers and `audit head`
    at each step. About two minutes (README, "Continuity archive")."""
    from ogpcocreate.core.db import utcnow
    from ogpcocreate.demo.generate import generate

    moment = utcnow()
    start = _app(database_url)
    try:
        with start.app_context():
            summary = generate(1.0, seed=2026)
        original = _scale_answers(start, summary, moment)
        first = tmp_path / "first.tar"
        with start.app_context():
            archive.export(first)
    finally:
        _dispose(start)
    assert original["audit head"].strip().startswith(str(summary["chain"]["last_seq"]))

    other = _app(_fresh_sqlite(tmp_path) if PG_URL else _fresh_postgres())
    try:
        code, output = _import(other, first)
        assert code == 0, output
        assert _scale_answers(other, summary, moment) == original
        second = tmp_path / "second.tar"
        with other.app_context():
            archive.export(second)
    finally:
        _dispose(other)

    back_dir = tmp_path / "back"
    back_dir.mkdir()
    back = _app(_fresh_postgres() if PG_URL else _fresh_sqlite(back_dir))
    try:
        code, output = _import(back, second)
        assert code == 0, output
        assert _scale_answers(back, summary, moment) == original
    finally:
        _dispose(back)
