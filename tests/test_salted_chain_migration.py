"""Migration 0010: a log written under the older design (hash over the payload) is re-chained with salted
digests, verifies after the upgrade, and comes back to its very hashes after the downgrade."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from ogpcocreate.core import eventlog
from ogpcocreate.extensions import db

from .conftest import PG_URL, _dispose, _ensure_pg_database, _named, create_app

START = datetime(2026, 1, 5, 15, 30, 0, 123456, tzinfo=UTC)


def _old_hash(row: dict) -> str:
    """The hash of revisions 0001/0002 (eventlog._payload before 0010), written out independently."""
    fields = [row["seq"], row["occurred_at"].strftime("%Y-%m-%dT%H:%M:%S.%fZ"), row["actor_id"], row["actor_name"],
              row["organisation_id"], row["organisation_name"], row["sector"], row["territory"], row["channel"],
              row["verb"], row["subject_type"], row["subject_id"], row["data"], row["prev_hash"]]
    if row["plan_id"] is not None or row["call_id"] is not None:
        fields.append({"plan": row["plan_id"], "call": row["call_id"]})
    return hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                          .encode()).hexdigest()


def _old_rows(n: int) -> list[dict]:
    rows, prev = [], eventlog.GENESIS_HASH
    for i in range(1, n + 1):
        row = {"id": i, "seq": i, "occurred_at": START + timedelta(hours=i), "actor_id": None,
               "actor_name": f"Persona «{i}»" if i % 3 else None, "organisation_id": None,
               "organisation_name": "Colectivo \"A\"" if i % 2 else None, "sector": "civil_society" if i % 3 else None,
               "territory": "MX-OAX" if i % 3 else None, "channel": "online", "verb": "submitted",
               "subject_type": "proposal", "subject_id": i, "data": {"title": f"Propuesta ñ {i}", "n": [i, 2.5]},
               "plan_id": None, "call_id": None, "prev_hash": prev}
        row["hash"] = prev = _old_hash(row)
        rows.append(row)
    return rows


@pytest.fixture
def url_at_0006(tmp_path):
    if PG_URL:
        url = _named(PG_URL, "_mig")
        _ensure_pg_database(url)
        return url
    return f"sqlite:///{tmp_path / 'at-0006.db'}"


def test_the_migration_re_chains_a_log_written_at_0006_and_the_downgrade_restores_it(url_at_0006):
    from flask_migrate import downgrade, upgrade

    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url_at_0006})
    rows = _old_rows(7)
    try:
        with app.app_context():
            upgrade(revision="0006_publication")
            engine = create_engine(url_at_0006)
            with engine.begin() as conn:
                for row in rows:
                    values = dict(row, data=json.dumps(row["data"], ensure_ascii=False),
                                  occurred_at=row["occurred_at"] if PG_URL else row["occurred_at"].replace(tzinfo=None))
                    conn.execute(text(
                        "INSERT INTO participation_event (id, seq, occurred_at, actor_id, actor_name, organisation_id, "
                        "organisation_name, sector, territory, channel, verb, subject_type, subject_id, data, plan_id, "
                        "call_id, prev_hash, hash) VALUES (:id, :seq, :occurred_at, :actor_id, :actor_name, "
                        ":organisation_id, :organisation_name, :sector, :territory, :channel, :verb, :subject_type, "
                        ":subject_id, :data, :plan_id, :call_id, :prev_hash, :hash)"), values)
            engine.dispose()

            upgrade()
            result = eventlog.verify()
            assert result.ok and result.checked == 7, result.error
            events = db.session.scalars(db.select(eventlog.ParticipationEvent).order_by(eventlog.ParticipationEvent.seq)).all()
            assert [e.hash for e in events] != [r["hash"] for r in rows]
            assert len({e.who_salt for e in events}) == 7 and all(len(e.what_salt) == 32 for e in events)
            assert [e.data for e in events] == [r["data"] for r in rows]  # the payload itself is untouched
            with pytest.raises(Exception, match="append-only"):  # the triggers are back
                db.session.execute(text("UPDATE participation_event SET verb = 'x'"))
            db.session.rollback()
            db.session.remove()

            downgrade(revision="0006_publication")
            engine = create_engine(url_at_0006)
            with engine.connect() as conn:
                hashes = conn.scalars(text("SELECT hash FROM participation_event ORDER BY seq")).all()
                with pytest.raises(Exception, match="append-only"):
                    conn.execute(text("DELETE FROM participation_event"))
            engine.dispose()
            assert hashes == [r["hash"] for r in rows]
            upgrade()  # and up again, for whoever uses this database next
    finally:
        _dispose(app)
