"""The participation tally is derived from the log and always agrees with it (reports/tally.py)."""

from __future__ import annotations

import runpy
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, literal, select, text

from ogpcocreate.calls.models import Call
from ogpcocreate.core import eventlog
from ogpcocreate.core.eventlog import Channel, Verb
from ogpcocreate.demo import loader
from ogpcocreate.extensions import db
from ogpcocreate.reports import tally
from ogpcocreate.reports.models import ParticipationTally

from .factories import make_call, make_organisation, make_plan, make_proposal, make_user

MIGRATION = Path(__file__).resolve().parent.parent / "migrations" / "versions" / "0004_tally.py"
COLUMNS = ("plan_id", "call_id", "actor_id", "organisation_id", "sector", "territory", "channel", "phase", "acts")


def _rows() -> set[tuple]:
    return {tuple(r) for r in db.session.execute(select(*(getattr(ParticipationTally, c) for c in COLUMNS)))}


def test_the_tally_kept_by_the_log_equals_the_one_rebuilt_from_it(app):
    with app.app_context():  # the demo holds the clock, which is never done inside a request
        loader.load()
        db.session.commit()
        kept = _rows()
        assert sum(r[-1] for r in kept) > 100
        tally.rebuild()
        assert _rows() == kept
        db.session.execute(delete(ParticipationTally))
        db.session.execute(text(runpy.run_path(str(MIGRATION))["FILL"]))
        assert _rows() == kept  # the migration fills existing databases by the same rule


def test_only_participation_acts_are_counted(app):
    with app.test_request_context():
        person = make_user(territory="MX-YUC")
        org = make_organisation(person, territory="MX-OAX")
        call = make_call(make_plan(), phase="open")
        proposal = make_proposal(call, person, org)
        eventlog.record(person, Verb.SUBMITTED, proposal, org, call=call)
        eventlog.record(person, Verb.EDITED, proposal, org, call=call)
        eventlog.record(person, Verb.SUBMITTED, proposal, org, call=call)
        eventlog.record(person, Verb.ATTENDED, proposal, channel=Channel.IN_PERSON, call=call)
        db.session.commit()
        assert _rows() == {
            (call.plan_id, call.id, person.id, org.id, "civil_society", "MX-OAX", "online", "open", 2),
            (call.plan_id, call.id, person.id, 0, "citizen", "MX-YUC", "in_person", "open", 1),
        }


@pytest.mark.parametrize("offset_days", [-30, -10.0001, -10, -5, 10, 10.5, 11, 20, 30, 39.9, 40, 100])
def test_phase_in_python_and_in_sql_agree(app, offset_days):
    with app.app_context():
        call = make_call(make_plan(), phase="open")  # announce -30, open -10, close 10, delib 11, decision 30, results 40
        when = call.announce_at + timedelta(days=30 + offset_days)
        in_sql = db.session.scalar(select(tally.phase_sql(literal(when, type_=Call.opens_at.type))).where(Call.id == call.id))
        assert in_sql == tally.phase_at(call, when).value


def test_rebuild_command(app):
    with app.test_request_context():
        person = make_user()
        call = make_call(make_plan(), phase="open")
        eventlog.record(person, Verb.SUBMITTED, make_proposal(call, person), call=call)
        db.session.execute(delete(ParticipationTally))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "rebuild-tally"])
    assert result.exit_code == 0 and "1 rows" in result.output
    with app.app_context():
        assert len(_rows()) == 1
