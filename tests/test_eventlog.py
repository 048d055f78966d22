"""The participation log: hash chain, tamper detection, append-only triggers, concurrent writers."""

from __future__ import annotations

import hashlib
import json
import multiprocessing

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from ogpcocreate import create_app
from ogpcocreate.cli import audit_verify
from ogpcocreate.core import eventlog
from ogpcocreate.core.eventlog import GENESIS_HASH, ParticipationEvent, Verb
from ogpcocreate.core.sectors import Sector
from ogpcocreate.extensions import db

from .factories import make_organisation, make_user


@pytest.fixture
def restores_triggers(app):
    """PostgreSQL keeps one database for the worker's tests: put back the triggers a test dropped or
    disabled, so the next test finds the log append-only again (SQLite gets a fresh file per test)."""
    yield
    with app.app_context():
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(text("DROP TRIGGER IF EXISTS participation_event_no_update ON participation_event"))
            db.session.execute(text("CREATE TRIGGER participation_event_no_update BEFORE UPDATE OR DELETE ON "
                                    "participation_event FOR EACH ROW EXECUTE FUNCTION participation_event_append_only()"))
            db.session.commit()


def _drop_triggers():
    """What a tamperer with the database's owner rights does: the triggers are gone, not just disabled."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("DROP TRIGGER participation_event_no_update ON participation_event"))
    else:
        db.session.execute(text("DROP TRIGGER participation_event_no_update"))
        db.session.execute(text("DROP TRIGGER participation_event_no_delete"))


def _disable_triggers():
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE participation_event DISABLE TRIGGER USER"))
    else:
        db.session.execute(text("DROP TRIGGER participation_event_no_update"))
        db.session.execute(text("DROP TRIGGER participation_event_no_delete"))


def test_entries_form_a_chain(appctx):
    user = make_user()
    org = make_organisation(user)
    first = eventlog.record(user, Verb.CREATED, org, org)
    second = eventlog.record(user, Verb.EDITED, org, org, {"field": "name"})
    db.session.commit()
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert first.hash == first.compute_hash()
    result = eventlog.verify()
    assert result.ok and result.checked == 2


def test_sector_and_territory_are_copied_at_the_moment_of_the_act(appctx):
    user = make_user(territory="MX-CHP")
    org = make_organisation(user, territory="MX-OAX", sector=Sector.CIVIL_SOCIETY)
    on_behalf = eventlog.record(user, Verb.SUBMITTED, org, org)
    alone = eventlog.record(user, Verb.COMMENTED, org)
    org.territory = "MX-YUC"
    db.session.commit()
    db.session.expire_all()
    assert (on_behalf.sector, on_behalf.territory) == (Sector.CIVIL_SOCIETY, "MX-OAX")
    assert (alone.sector, alone.territory) == (Sector.CITIZEN, "MX-CHP")
    assert on_behalf.organisation_name == org.name


def test_the_log_refuses_updates_and_deletes(appctx):
    eventlog.record(None, Verb.PUBLISHED, data={"n": 1})
    db.session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text("UPDATE participation_event SET verb = 'x'"))
    db.session.rollback()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text("DELETE FROM participation_event"))
    db.session.rollback()


def test_a_fork_cannot_be_stored(appctx):
    first = eventlog.record(None, Verb.PUBLISHED)
    db.session.commit()
    fork = ParticipationEvent(seq=2, verb="published", prev_hash=GENESIS_HASH, hash="f" * 64, data={})
    db.session.add(fork)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert first.seq == 1


def test_the_hash_covers_salted_digests_not_the_payload(appctx):
    """core/eventlog.py: each payload part has its own 128-bit salt; the hash covers only the envelope."""
    user = make_user(name="Ana Pérez")
    org = make_organisation(user, name="Colectivo Ñ")
    first = eventlog.record(user, Verb.SUBMITTED, org, org, {"title": "Datos abiertos"})
    second = eventlog.record(user, Verb.SUBMITTED, org, org, {"title": "Datos abiertos"})
    db.session.commit()
    for e in (first, second):
        assert len(e.who_salt) == len(e.what_salt) == 32 and int(e.who_salt, 16) >= 0
        assert e.who_digest == hashlib.sha256((e.who_salt + '"Ana Pérez"').encode()).hexdigest()
        assert e.what_digest == hashlib.sha256(
            (e.what_salt + '{"data":{"title":"Datos abiertos"},"organisation":"Colectivo Ñ"}').encode()).hexdigest()
        fields = eventlog.envelope(e)
        assert set(fields) == set(eventlog.ENVELOPE)
        assert fields["seq"] == str(e.seq) and fields["occurred_at"].endswith("Z") and fields["channel"] == "online"
        assert e.hash == hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(",", ":"),
                                                   ensure_ascii=False).encode()).hexdigest()
        text_hashed = json.dumps(fields, ensure_ascii=False)
        assert "Ana Pérez" not in text_hashed and "Datos abiertos" not in text_hashed and "Colectivo" not in text_hashed
    # Same payload, fresh salts: the digests cannot be matched between entries, nor to a guess.
    assert first.who_salt != second.who_salt and first.who_digest != second.who_digest
    assert first.what_digest != second.what_digest
    assert eventlog.verify().ok


def test_an_empty_name_and_no_name_digest_alike(appctx):
    """A CSV cell cannot tell "" from null, so the digest does not either (the offline check needs it)."""
    assert eventlog.digest("a" * 32, eventlog.who_part("")) == eventlog.digest("a" * 32, eventlog.who_part(None))
    assert eventlog.what_part("", None) == eventlog.what_part(None, {}) == {"data": {}, "organisation": None}


def _edited_log(app, column: str, value: str) -> eventlog.VerifyResult:
    with app.app_context():
        user = make_user()
        org = make_organisation(user)
        for n in range(5):
            eventlog.record(user, Verb.SUBMITTED, org, org, data={"n": n})
        db.session.commit()
        _drop_triggers()
        db.session.execute(text(f"UPDATE participation_event SET {column} = {value} WHERE seq = 3"))
        db.session.commit()
        return eventlog.verify()


@pytest.mark.parametrize("column, value", [
    # payload: each part checked against its digest
    ("actor_name", "'Someone else'"), ("organisation_name", "'Otra organización'"), ("data", "'{\"n\": 99}'"),
    ("who_salt", "'00000000000000000000000000000000'"), ("what_salt", "'11111111111111111111111111111111'"),
    # envelope: covered by the hash
    ("verb", "'withdrawn'"), ("sector", "'government'"), ("territory", "'MX-YUC'"), ("subject_id", "subject_id + 1"),
    ("actor_id", "NULL"), ("organisation_id", "NULL"), ("channel", "'in_person'"), ("who_digest", "'" + "a" * 64 + "'"), ("what_digest", "'" + "b" * 64 + "'"),
])
def test_verify_catches_an_edit_after_the_triggers_are_dropped(app, restores_triggers, column, value):
    result = _edited_log(app, column, value)
    assert not result.ok and result.bad_seq == 3 and "entry 3 was altered" in result.error, result.error
    assert result.checked == 2


def test_verify_catches_a_payload_rewritten_with_its_digest(app, restores_triggers):
    """Recomputing the digest of an edited name changes the envelope, so the hash no longer matches."""
    with app.app_context():
        for n in range(3):
            eventlog.record(make_user(), Verb.COMMENTED, data={"n": n})
        db.session.commit()
        _drop_triggers()
        event = db.session.scalar(select(ParticipationEvent).where(ParticipationEvent.seq == 2))
        forged = eventlog.digest(event.who_salt, "Someone else")
        db.session.execute(text("UPDATE participation_event SET actor_name = 'Someone else', who_digest = :d "
                                "WHERE seq = 2"), {"d": forged})
        db.session.commit()
        result = eventlog.verify()
        assert result.bad_seq == 2 and "hash does not match" in result.error


@pytest.mark.parametrize("column, value", [("verb", "'withdrawn'"), ("actor_name", "'Someone else'"), ("data", "'{\"n\": 99}'")])
def test_verify_names_the_first_altered_entry(app, restores_triggers, column, value):
    with app.app_context():
        for n in range(5):
            eventlog.record(None, Verb.PUBLISHED, data={"n": n})
        db.session.commit()
        _disable_triggers()
        db.session.execute(text(f"UPDATE participation_event SET {column} = {value} WHERE seq = 3"))
        db.session.commit()
        result = eventlog.verify()
        assert not result.ok
        assert result.bad_seq == 3 and "altered" in result.error
    runner = app.test_cli_runner()
    outcome = runner.invoke(audit_verify)
    assert outcome.exit_code == 1
    assert "entry 3" in outcome.output


def test_verify_detects_a_removed_entry_and_a_rewritten_hash(app, restores_triggers):
    with app.app_context():
        for n in range(5):
            eventlog.record(None, Verb.PUBLISHED, data={"n": n})
        db.session.commit()
        _disable_triggers()
        db.session.execute(text("DELETE FROM participation_event WHERE seq = 2"))
        db.session.commit()
        result = eventlog.verify()
        assert result.bad_seq == 2 and "missing" in result.error

    with app.app_context():
        # A forger who rewrites an entry and recomputes its hash still breaks the next link.
        event = db.session.scalar(select(ParticipationEvent).where(ParticipationEvent.seq == 4))
        event.verb = "withdrawn"
        db.session.execute(
            text("UPDATE participation_event SET verb = 'withdrawn', hash = :h WHERE seq = 4"), {"h": event.compute_hash()}
        )
        db.session.commit()
    with app.app_context():
        db.session.execute(text("DELETE FROM participation_event WHERE seq < 4"))  # hide the gap, too
        db.session.execute(text("UPDATE participation_event SET seq = seq - 3"))
        db.session.commit()
        result = eventlog.verify()
        assert not result.ok


def test_verify_passes_on_an_intact_log(app):
    with app.app_context():
        for n in range(3):
            eventlog.record(None, Verb.PUBLISHED, data={"n": n, "text": "ñandú – “quoted”"})
        db.session.commit()
    outcome = app.test_cli_runner().invoke(audit_verify)
    assert outcome.exit_code == 0, outcome.output
    assert "3 entries" in outcome.output


def _append_many(url: str, worker: int, count: int) -> None:
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        for n in range(count):
            eventlog.record(None, Verb.PUBLISHED, data={"worker": worker, "n": n})
            db.session.commit()
        db.engine.dispose()


@pytest.mark.slow
def test_concurrent_writers_do_not_fork_the_chain(app, database_url):
    workers, per_worker = 4, 25
    spawn = multiprocessing.get_context("spawn")
    processes = [spawn.Process(target=_append_many, args=(database_url, w, per_worker)) for w in range(workers)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=120)
    assert all(p.exitcode == 0 for p in processes), [p.exitcode for p in processes]
    with app.app_context():
        result = eventlog.verify()
        assert result.ok, result.error
        assert result.checked == workers * per_worker
        seen = {(e.data["worker"], e.data["n"]) for e in db.session.scalars(select(ParticipationEvent))}
        assert len(seen) == workers * per_worker
