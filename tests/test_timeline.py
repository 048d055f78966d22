"""The overridable clock (core/db.py ``clock_at``) and the demo's timeline (demo/timeline.py) that replays
past acts through the real services, each at its moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ogpcocreate.core import eventlog
from ogpcocreate.core.db import clock_at, utcnow
from ogpcocreate.core.errors import ServiceError
from ogpcocreate.core.eventlog import ParticipationEvent, Verb
from ogpcocreate.demo.timeline import Timeline, TimelineError
from ogpcocreate.extensions import db

from .factories import make_call, make_user

MOMENT = datetime(2019, 3, 4, 17, tzinfo=UTC)


def _real(moment: datetime) -> bool:
    return abs(moment - datetime.now(UTC)) < timedelta(seconds=30)


def test_the_held_clock_is_read_by_services_column_defaults_and_the_log(app):
    with app.app_context():
        with clock_at(MOMENT) as held:
            assert held == MOMENT and utcnow() == MOMENT
            user = make_user()  # created_at: a column default
            event = eventlog.record(user, Verb.REGISTERED, user)
            assert user.created_at == MOMENT and event.occurred_at == MOMENT
            with clock_at(MOMENT + timedelta(days=1)):  # holds nest
                assert utcnow() == MOMENT + timedelta(days=1)
            assert utcnow() == MOMENT
        assert _real(utcnow())
        db.session.rollback()


def test_the_clock_is_given_back_even_when_the_block_fails(app):
    with app.app_context():
        with pytest.raises(ZeroDivisionError), clock_at(MOMENT):
            1 / 0  # noqa: B018
        assert _real(utcnow())


def test_the_clock_is_never_held_in_a_request_nor_at_a_naive_moment(app):
    with app.test_request_context(), pytest.raises(RuntimeError), clock_at(MOMENT):
        pass
    with app.app_context(), pytest.raises(ValueError), clock_at(MOMENT.replace(tzinfo=None)):
        pass


def test_a_service_accepts_an_act_at_the_moment_it_happened_and_refuses_it_now(app):
    """A call that was open in 2019 takes a proposal with the clock held then, never today."""
    from ogpcocreate.proposals import services as proposals

    with app.app_context():
        with clock_at(MOMENT):
            call = make_call(phase="open")
            author = make_user()
        data = {"theme": call.themes[0].id, "title": "Padrón abierto", "problem_source": "p", "action_source": "a"}
        with pytest.raises(ServiceError):
            proposals.submit(author, call, data)
        with clock_at(MOMENT + timedelta(hours=1)):
            proposal = proposals.submit(author, call, data)
        assert proposal.created_at == MOMENT + timedelta(hours=1)
        logged = db.session.scalar(select(ParticipationEvent.occurred_at).where(
            ParticipationEvent.subject_type == "proposal", ParticipationEvent.subject_id == proposal.id))
        assert logged == MOMENT + timedelta(hours=1)
        db.session.rollback()


def test_the_timeline_runs_steps_in_time_order_each_at_its_moment(app):
    seen = []
    timeline = Timeline()

    def step(name: str) -> None:
        seen.append((name, utcnow()))

    def schedules_later(name: str) -> None:
        step(name)
        timeline.at(utcnow(), step, "same moment, scheduled by a step")  # the present moment is allowed
        timeline.at(utcnow() + timedelta(days=2), step, "two days later, scheduled by a step")

    with app.app_context():
        timeline.at(MOMENT + timedelta(days=3), step, "third")
        timeline.at(MOMENT, step, "first")
        timeline.at(MOMENT + timedelta(days=1), schedules_later, "second")
        timeline.at(MOMENT, step, "first, registered later")
        timeline.run()
        assert seen == [
            ("first", MOMENT), ("first, registered later", MOMENT), ("second", MOMENT + timedelta(days=1)),
            ("same moment, scheduled by a step", MOMENT + timedelta(days=1)),
            ("third", MOMENT + timedelta(days=3)),  # ties run in the order they were registered
            ("two days later, scheduled by a step", MOMENT + timedelta(days=3)),
        ]
        assert len(timeline) == 0 and _real(utcnow())


def test_the_timeline_never_goes_back_nor_into_the_future(app):
    timeline = Timeline()

    def goes_back() -> None:
        timeline.at(utcnow() - timedelta(minutes=1), lambda: None)

    with app.app_context():
        timeline.at(MOMENT, goes_back)
        with pytest.raises(TimelineError, match="never goes back"):
            timeline.run()
        assert _real(utcnow())
        with pytest.raises(TimelineError, match="after the present"):
            timeline.at(datetime.now(UTC) + timedelta(days=1), lambda: None)
        with pytest.raises(TimelineError):
            timeline.at(MOMENT.replace(tzinfo=None), lambda: None)


def test_the_one_clock_is_the_only_reader_of_the_time():
    """Holding utcnow moves everything only if nothing else reads the time: no datetime.now, date.today,
    time.time or SQL now() outside core/db.py. Rate limiting counts real seconds in its storage's windows,
    which only requests use."""
    import re
    from pathlib import Path

    import ogpcocreate

    root = Path(ogpcocreate.__file__).parent
    reader = re.compile(r"datetime\.(now|utcnow|today)\(|date\.today\(|time\.time\(|func\.(now|current_timestamp)\(|"
                        r"CURRENT_TIMESTAMP|server_default=.*now")
    allowed = {root / "core" / "db.py": 1, root / "core" / "ratelimit.py": 1}
    found = {}
    for path in sorted(root.rglob("*.py")):
        hits = len(reader.findall(path.read_text(encoding="utf-8")))
        if hits:
            found[path] = hits
    assert found == allowed, {str(p.relative_to(root)): n for p, n in found.items()}
