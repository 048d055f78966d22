"""The participation log: hash chain, tamper detection, append-only triggers, concurrent writers."""

from __future__ import annotations

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


@pytest.mark.parametrize("column, value", [("verb", "'withdrawn'"), ("actor_name", "'Someone else'"), ("data", "'{\"n\": 99}'")])
def test_verify_names_the_first_altered_entry(app, column, value):
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


def test_verify_detects_a_removed_entry_and_a_rewritten_hash(app):
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
