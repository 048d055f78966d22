"""The continuity archive's export: one BagIt package, valid by the standard tools alone, with every table
as JSON Lines, a data dictionary and the head of the participation log's chain."""

from __future__ import annotations

import json
import tarfile

import bagit
from sqlalchemy import func, select

from ogpcocreate.archive import services as archive
from ogpcocreate.core.eventlog import ParticipationEvent
from ogpcocreate.extensions import db

from .conftest import rolled_back


def test_the_demo_exports_as_a_valid_bag_with_every_table_and_the_chain_head(demo_app, tmp_path):
    target = tmp_path / "archive.tar"
    with rolled_back(demo_app), demo_app.app_context():
        counts = archive.row_counts()
        head_seq = db.session.scalar(select(func.max(ParticipationEvent.seq)))
        runner = demo_app.test_cli_runner()
        result = runner.invoke(args=["archive", "export", str(target)])
    assert result.exit_code == 0, result.output
    assert "rows/s" in result.output
    with tarfile.open(target) as tar:
        tar.extractall(tmp_path / "out", filter="data")
    bag = bagit.Bag(str(tmp_path / "out" / "archive"))
    bag.validate()  # every part against its SHA-256
    assert "sha256" in bag.algorithms
    data = tmp_path / "out" / "archive" / "data"
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


def test_a_changed_byte_fails_the_standard_validation(demo_app, tmp_path):
    target = tmp_path / "archive.tar"
    with rolled_back(demo_app), demo_app.app_context():
        archive.export(target)
    with tarfile.open(target) as tar:
        tar.extractall(tmp_path / "out", filter="data")
    part = tmp_path / "out" / "archive" / "data" / "tables" / "action_plan.jsonl"
    part.write_bytes(part.read_bytes().replace(b"Plan", b"Plam", 1))
    try:
        bagit.Bag(str(tmp_path / "out" / "archive")).validate()
    except bagit.BagValidationError:
        return
    raise AssertionError("an altered part validated")
