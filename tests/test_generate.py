"""The benchmark data generator (demo/generate.py): counts, shape, determinism, a valid chain, the
command, and the public pages on generated data. Small fractions of a unit keep it quick."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest
from sqlalchemy import func, inspect, select
from werkzeug.security import check_password_hash

from ogpcocreate.auth.models import User
from ogpcocreate.calls.models import Call
from ogpcocreate.comments.models import Comment
from ogpcocreate.core import eventlog
from ogpcocreate.core.eventlog import ParticipationEvent, Verb
from ogpcocreate.core.territories import subdivisions
from ogpcocreate.demo.generate import generate, plain_insert_floor
from ogpcocreate.demo.loader import PASSWORD
from ogpcocreate.drafts.models import DraftCommitment, DraftVersion
from ogpcocreate.extensions import db
from ogpcocreate.organisations.models import Organisation
from ogpcocreate.plans.models import ActionPlan
from ogpcocreate.proposals.models import Proposal
from ogpcocreate.responses.models import Outcome, Response

from .conftest import PG_URL, _truncate_all
from .factories import make_user
from .snapshots import database_fingerprint
from .test_record import offline_problem

SMALL = 0.02


def _count(table: str) -> int:
    return db.session.scalar(select(func.count()).select_from(db.metadata.tables[table]))


def test_counts_match_the_summary_and_the_chain_holds(app):
    with app.app_context():
        summary = generate(SMALL, seed=7)
        assert {table: _count(table) for table in summary["rows"]} == summary["rows"]
        assert summary["rows"]["organisation"] == 4 and summary["rows"]["proposal"] == 40
        assert summary["rows"]["comment"] == 200 and summary["rows"]["users"] == 8 + 6  # people + secretariat
        result = eventlog.verify()
        assert result.ok and result.checked == summary["events"] == summary["chain"]["last_seq"]
        user = db.session.scalar(select(User).where(User.email.like("gen-%")).limit(1))
        assert check_password_hash(user.password_hash, PASSWORD)
        assert summary["password"] == PASSWORD
        assert set(summary["tables"]) == set(summary["rows"])
        assert summary["rows"]["participation_tally"] > 0  # derived from the log, recomputed (reports/tally.py)


def test_a_fifth_of_a_unit_has_the_shape_of_scale_ten(app):
    """Organisations, people, proposals and comments scale linearly, so a fifth of a unit shows that
    scale 10 reaches 2,000 organisations, 20,000 proposals and 100,000 comments. The log does not quite:
    a meeting cannot have more attendees than there are people, so below scale 1 attendance falls
    behind (from scale 1 up, about 51,000 entries per unit: 514,770 at scale 10)."""
    scale = 0.2
    with app.app_context():
        s = generate(scale, seed=2026)
        rows = s["rows"]
        assert rows["organisation"] >= 200 * scale and rows["proposal"] >= 2000 * scale
        assert rows["comment"] >= 10_000 * scale and s["events"] >= 35_000 * scale
        assert s["current_plan_events"] >= 0.4 * s["events"] and s["current_plan_contributions"] >= 0.5 * (
            rows["proposal"] + rows["comment"])
        assert s["biggest_call_proposals"] >= 0.25 * rows["proposal"]
        assert s["biggest_draft_comments"] >= 0.05 * rows["comment"]

        orgs = db.session.scalars(select(Organisation)).all()
        territories = {o.territory for o in orgs}
        assert territories == {"national", *(code for code, _ in subdivisions())}
        sectors = Counter(o.sector.value for o in orgs)
        assert sectors.most_common(1)[0][0] == "civil_society" and len(sectors) >= 5

        plans = db.session.scalars(select(ActionPlan).order_by(ActionPlan.id)).all()
        assert [p.id for p in plans] == [s["older_plan"], s["current_plan"]]
        calls = db.session.scalars(select(Call)).all()
        assert all(c.published_at is not None and c.themes for c in calls)
        sizes = dict(db.session.execute(select(Proposal.call_id, func.count()).group_by(Proposal.call_id)).all())
        assert max(sizes, key=sizes.get) == s["biggest_call"]
        assert db.session.get(Proposal, s["proposal_in_biggest_call"]).call_id == s["biggest_call"]

        # Reasoned responses: most contributions answered; a justification wherever it is not adopted.
        answered = db.session.scalar(select(func.count()).where(Response.is_current, Response.proposal_id.is_not(None)))
        assert answered > 0.8 * rows["proposal"]
        unjustified = select(func.count()).where(Response.outcome != Outcome.ADOPTED, Response.justification_source == "")
        assert db.session.scalar(unjustified) == 0

        # The big draft: several versions, nearly all its comments on the current one, some replies.
        draft = db.session.get(DraftCommitment, s["biggest_draft"])
        assert len(draft.versions) == 3
        on_current = db.session.scalar(select(func.count()).where(Comment.version_id == draft.versions[-1].id))
        assert on_current >= 0.85 * s["biggest_draft_comments"]
        assert db.session.scalar(select(func.count()).where(Comment.parent_id.is_not(None))) > 0
        assert db.session.scalar(select(func.count()).where(Comment.hidden_at.is_not(None))) >= 0

        # The log: participation acts in their process; attendance at a meeting in a room is in person.
        verbs = Counter(dict(db.session.execute(
            select(ParticipationEvent.verb, func.count()).group_by(ParticipationEvent.verb)).all()))
        for verb in (Verb.SUBMITTED, Verb.COMMENTED, Verb.RESPONDED, Verb.ATTENDED, Verb.VOTED, Verb.PUBLISHED,
                     Verb.APPROVED, Verb.MODERATED, Verb.ADOPTED, Verb.SIGNED, Verb.RESULTS_PUBLISHED, Verb.REPORTED):
            assert verbs[verb.value] > 0, verb
        unplaced = select(func.count()).where(ParticipationEvent.verb.in_(["submitted", "commented", "attended", "voted"]),
                                              ParticipationEvent.call_id.is_(None) | ParticipationEvent.plan_id.is_(None))
        assert db.session.scalar(unplaced) == 0
        channels = {c.value for c in db.session.scalars(
            select(ParticipationEvent.channel).where(ParticipationEvent.verb == "attended").distinct())}
        assert channels == {"online", "in_person"}
        assert eventlog.verify().ok
        with app.test_request_context():
            assert offline_problem() is None  # the public CSV of the generated log verifies offline


def _fresh_app(make_app, app_config, database_template, tmp_path, name: str):
    """Another empty, migrated database (PostgreSQL: the same one, emptied)."""
    if PG_URL:
        _truncate_all(PG_URL)
        url = PG_URL
    else:
        path = tmp_path / f"{name}.db"
        shutil.copy(database_template, path)
        url = f"sqlite:///{path}"
    return make_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})


def test_same_scale_and_seed_give_the_same_database(make_app, app_config, database_template, tmp_path):
    fingerprints, summaries = [], []
    for name in ("first", "second"):
        app = _fresh_app(make_app, app_config, database_template, tmp_path, name)
        with app.app_context():
            summaries.append(generate(SMALL, seed=11))
        fingerprints.append(database_fingerprint(app))
    assert fingerprints[0] == fingerprints[1]
    assert summaries[0]["chain"] == summaries[1]["chain"]
    app = _fresh_app(make_app, app_config, database_template, tmp_path, "third")
    with app.app_context():
        assert generate(SMALL, seed=12)["chain"]["head"] != summaries[0]["chain"]["head"]


def test_generate_adds_to_the_demo_and_the_app_inserts_afterwards(app):
    from ogpcocreate.demo import loader

    with app.app_context():
        loader.load()
        db.session.commit()
        before = _count("participation_event")
        first = generate(SMALL, seed=1)
        second = generate(SMALL, seed=1)  # twice on the same data: new ids, new e-mails, no collision
        assert first["chain"]["first_seq"] == before + 1 and second["chain"]["first_seq"] == first["chain"]["last_seq"] + 1
        assert eventlog.verify().ok
        assert db.session.scalar(select(func.count()).where(User.email.like("%@demo.example.org"))) > 0
        # PostgreSQL's sequences were moved past the explicit ids: the application can insert again.
        user = make_user()
        assert user.id > db.session.scalar(select(func.max(User.id)).where(User.email.like("gen-%")))
        version = db.session.scalar(select(func.max(DraftVersion.id)))
        db.session.commit()
        assert version is not None


def test_the_command_and_the_floor(app):
    from ogpcocreate.cli import demo_generate

    runner = app.test_cli_runner()
    outcome = runner.invoke(demo_generate, ["--scale", str(SMALL), "--seed", "5", "--floor"])
    assert outcome.exit_code == 0, outcome.output
    assert "rows/s overall" in outcome.output and "Plain bulk insert" in outcome.output
    assert "biggest_call:" in outcome.output and PASSWORD in outcome.output
    assert runner.invoke(demo_generate, ["--scale", "0"]).exit_code != 0
    with app.app_context():
        assert not [t for t in inspect(db.engine).get_table_names() if t.startswith("floor_")]
        floor = plain_insert_floor(["comment", "participation_event"], limit=100)
        assert floor["rows"] == 200 and floor["rows_per_second"] > 0
        assert set(floor["tables"]) == {"comment", "participation_event"}
        assert eventlog.verify().ok


@pytest.fixture
def generated(app):
    with app.app_context():
        return generate(SMALL, seed=3)


def test_public_pages_render_on_generated_data(client, generated):
    s = generated
    for url in ("/", "/calls", f"/calls/{s['biggest_call']}", f"/calls/{s['biggest_call']}?page=2",
                f"/calls/{s['biggest_call']}/record", f"/drafts/{s['biggest_draft']}",
                f"/drafts/{s['biggest_draft']}/compare", f"/proposals/{s['proposal_in_biggest_call']}",
                f"/plans/{s['current_plan']}", f"/plans/{s['older_plan']}", "/record", "/organisations",
                "/secretariat", "/moderation"):
        assert client.get(url).status_code == 200, url


def test_generated_people_can_sign_in(client, generated, app):
    with app.app_context():
        author = db.session.scalar(select(User).join(Proposal, Proposal.author_id == User.id).limit(1))
        email = author.email
    client.login(email, PASSWORD)
    assert client.get("/my/activity").status_code == 200


def test_generated_individuals_count_in_the_sector_the_rules_give_them(app):
    """A person acting for no organisation counts by organisations/acting.py's rule (DOMAIN.md, "Who
    counts as government"), in the generator as in the services: members of a verified government or
    guarantor body are not citizens, in the ballots' voters and in the log alike."""
    from ogpcocreate.organisations.acting import individual_sector
    from ogpcocreate.votes.models import BallotVoter

    with app.app_context(), app.test_request_context():
        generate(0.2, seed=11)
        voters = db.session.scalars(select(BallotVoter).where(BallotVoter.organisation_id.is_(None))).all()
        assert voters
        users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({v.user_id for v in voters})))}
        assert all(v.sector is individual_sector(users[v.user_id]) for v in voters)
        assert any(v.sector.value != "citizen" for v in voters)  # members of public bodies, voting alone
        logged = dict(db.session.execute(
            select(ParticipationEvent.actor_id, ParticipationEvent.sector)
            .where(ParticipationEvent.verb == Verb.VOTED, ParticipationEvent.organisation_id.is_(None))).all())
        assert all(logged[v.user_id] == v.sector.value for v in voters if v.user_id in logged)
