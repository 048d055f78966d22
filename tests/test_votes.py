"""Votes: setting a ballot up, one vote per verified organisation or per participant, the voting window
(with frozen time, at its boundaries too), results hidden until published, the tally by sector,
adoption of commitments by vote, who may do what, and a page cost that does not grow with the voters.

People here read the site in English, so the assertions hold before and after the Spanish catalog.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from ogpcocreate.auth.models import User
from ogpcocreate.calls.models import Call
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.errors import ServiceError
from ogpcocreate.core.eventlog import ParticipationEvent
from ogpcocreate.core.i18n import to_local
from ogpcocreate.core.sectors import Seat, Sector
from ogpcocreate.drafts.models import Adoption, DraftCommitment
from ogpcocreate.extensions import db
from ogpcocreate.organisations.models import Organisation
from ogpcocreate.votes import services
from ogpcocreate.votes.models import Ballot, BallotKind, BallotOption, BallotVoter, Electorate, Vote

from . import factories
from .factories import make_call, make_organisation, make_plan, make_seat, make_user
from .test_proposals import count_statements

FMT = "%Y-%m-%dT%H:%M"
DAY = timedelta(days=1)


# --- the world and its helpers ---------------------------------------------------------------------


def make_draft(call, creator, title, *, adopted: Adoption | None = None) -> DraftCommitment:
    """A draft with one version whose comment round has closed: ready to be adopted."""
    draft = factories.make_draft(call, creator, title=title, open_for_comments=False)
    draft.adopted_via, draft.adopted_at = adopted, utcnow() if adopted else None
    db.session.flush()
    return draft


def make_ballot(call, creator, *, kind=BallotKind.THEMES, electorate=Electorate.ORGANISATIONS, drafts=(),
                opens=-DAY, closes=DAY, published=False, public=True) -> Ballot:
    """A ballot opening and closing at these offsets from now (open now by default), published by the
    secretariat (``public``) unless told otherwise; ``published``: its results too."""
    now = utcnow()
    if kind is BallotKind.THEMES:
        options = [BallotOption(theme_id=t.id) for t in call.themes]
    else:
        options = [BallotOption(draft_id=d.id) for d in drafts]
    ballot = Ballot(call_id=call.id, kind=kind, electorate=electorate, question="Which themes first?",
                    opens_at=now + opens, closes_at=now + closes, created_by_id=creator.id, options=options,
                    published_at=now - 2 * DAY if public else None, results_published_at=now if published else None)
    db.session.add(ballot)
    db.session.flush()
    return ballot



@pytest.fixture
def appctx(app):
    """Service-level tests here read messages in English, like the test users of this module."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield app

@pytest.fixture
def world(app):
    with app.app_context():
        gov = make_user("gobierno@example.org", locale="en")
        make_seat(gov, Seat.GOVERNMENT)
        ana = make_user("ana@example.org", name="Ana Pérez", territory="MX-CHP", locale="en")
        beto = make_user("beto@example.org", name="Beto López", locale="en")
        red = make_organisation(ana, name="Red Oaxaqueña", territory="MX-OAX", members=[beto])
        carla = make_user("carla@example.org", locale="en")
        uni = make_organisation(carla, name="Universidad de Guadalajara", sector=Sector.ACADEMIA, territory="MX-JAL")
        dora = make_user("dora@example.org", locale="en")
        pending = make_organisation(dora, name="Colectivo Pendiente", verified=False)
        make_user("eva@example.org", territory="MX-YUC", locale="en")  # belongs to no organisation
        make_user("nueva@example.org", confirmed=False, locale="en")
        plan = make_plan(gov)
        call = make_call(plan, phase="deliberation", themes=("Transparencia", "Participación", "Datos abiertos"))
        one_theme = make_call(plan, phase="open", themes=("Solo una",))
        draft_call = make_call(plan, phase="draft")
        db.session.commit()
        return {"call": call.id, "one_theme": one_theme.id, "draft_call": draft_call.id, "red": red.id, "uni": uni.id,
                "pending": pending.id, "gov": gov.id, "themes": [t.id for t in call.themes]}


def logged(make_client, email):
    c = make_client()
    c.login(email)
    return c


def count(app, model=BallotVoter):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def user(email) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def new_ballot(app, world, **kw) -> int:
    with app.app_context():
        call = db.session.get(Call, world["call"])
        if kw.get("kind") is BallotKind.COMMITMENTS and "drafts" not in kw:
            gov = db.session.get(User, world["gov"])
            kw["drafts"] = [make_draft(call, gov, "Publicar contratos"), make_draft(call, gov, "Datos de obra pública")]
        ballot = make_ballot(call, db.session.get(User, world["gov"]), **kw)
        db.session.commit()
        return ballot.id


def option_ids(app, ballot_id) -> list[int]:
    with app.app_context():
        return [o.id for o in db.session.get(Ballot, ballot_id).options]


@contextmanager
def frozen_at(moment):
    with time_machine.travel(moment, tick=False):
        yield


def ballot_form(app, **overrides):
    with app.app_context():
        now = utcnow()
        data = {"kind": "themes", "electorate": "organisations", "question": "Which themes should the plan put first?",
                "opens_at": to_local(now + DAY).strftime(FMT), "closes_at": to_local(now + 8 * DAY).strftime(FMT)}
    data.update(overrides)
    return data


# --- setting a ballot up ---------------------------------------------------------------------------


def test_secretariat_sets_up_a_ballot_on_the_themes(app, make_client, world):
    c = logged(make_client, "gobierno@example.org")
    assert c.get(f"/calls/{world['call']}/ballots/new").status_code == 200
    response = c.post_form(f"/calls/{world['call']}/ballots/new", ballot_form(app))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        ballot = db.session.scalar(select(Ballot))
        assert (ballot.kind, ballot.electorate) == (BallotKind.THEMES, Electorate.ORGANISATIONS)
        assert [o.theme_id for o in ballot.options] == world["themes"]
        assert ballot.closes_at - ballot.opens_at == 7 * DAY and ballot.results_published_at is None
        event = db.session.scalar(select(ParticipationEvent).where(ParticipationEvent.subject_type == "ballot"))
        assert (event.verb, event.sector, event.call_id) == ("created", Sector.GOVERNMENT, world["call"])
    listing = c.get(f"/calls/{world['call']}/ballots").get_data(as_text=True)
    assert "Which themes should the plan put first?" in listing and "Not open yet" in listing


def test_a_commitments_ballot_offers_only_drafts_not_yet_adopted(app, make_client, world):
    with app.app_context():
        call = db.session.get(Call, world["call"])
        gov = db.session.get(User, world["gov"])
        open_draft = make_draft(call, gov, "Publicar contratos").id
        second = make_draft(call, gov, "Padrón de beneficiarios").id
        make_draft(call, gov, "Ya adoptado", adopted=Adoption.TRIPARTITE)
        db.session.commit()
    c = logged(make_client, "gobierno@example.org")
    page = c.get(f"/calls/{world['call']}/ballots/new").get_data(as_text=True)
    assert "Publicar contratos" in page and "Padrón de beneficiarios" in page and "Ya adoptado" not in page
    assert '<legend>Draft commitments put to the vote' in page  # a checkbox group, labelled by its legend
    response = c.post_form(f"/calls/{world['call']}/ballots/new",
                           ballot_form(app, kind="commitments", electorate="participants", drafts=[str(open_draft)]))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        ballot = db.session.scalar(select(Ballot))
        assert ballot.kind is BallotKind.COMMITMENTS and [o.draft_id for o in ballot.options] == [open_draft]
    assert second


@pytest.mark.parametrize(
    "call_key, overrides, field, message",
    [
        ("call", {"opens_at": "past"}, "opens_at", "cannot open in the past"),
        ("call", {"closes_at": "before"}, "closes_at", "close after it opens"),
        ("call", {"closes_at": "same"}, "closes_at", "close after it opens"),
        ("call", {"question": "  "}, "question", "between 5 and 300"),
        ("call", {"closes_at": "9999-12-31T23:59"}, "closes_at", "before the year 9999"),
        ("call", {"kind": "commitments"}, "drafts", "at least one draft commitment"),
        ("call", {"kind": "commitments", "drafts": ["adopted"]}, "drafts", "not a valid choice"),
        ("call", {"kind": "referendum"}, "kind", "not a valid choice"),
        ("call", {"electorate": ""}, "electorate", "choose who votes"),
        ("one_theme", {}, "kind", "at least two themes"),
    ],
)
def test_bad_ballots_are_refused_and_change_nothing(app, make_client, world, call_key, overrides, field, message):
    with app.app_context():
        adopted = make_draft(db.session.get(Call, world["call"]), db.session.get(User, world["gov"]), "Adoptado",
                             adopted=Adoption.TRIPARTITE).id
        db.session.commit()
        now = utcnow()
        past, present = to_local(now - DAY).strftime(FMT), to_local(now).strftime(FMT)
    data = ballot_form(app)
    replacements = {"past": past, "before": present, "same": data["opens_at"], "adopted": str(adopted)}
    for name, value in overrides.items():
        data[name] = [replacements.get(v, v) for v in value] if isinstance(value, list) else replacements.get(value, value)
    c = logged(make_client, "gobierno@example.org")
    response = c.post_form(f"/calls/{world[call_key]}/ballots/new", data)
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(rf'id="{field}-error">(.*?)</p>', text, re.S)
    assert error and message.lower() in error.group(1).lower(), error and error.group(1)
    assert count(app, Ballot) == 0 and count(app, BallotOption) == 0


def test_the_service_checks_drafts_belong_to_the_call(appctx, world):
    call = db.session.get(Call, world["call"])
    other = make_call(make_plan(), phase="deliberation")
    gov = db.session.get(User, world["gov"])
    foreign = make_draft(other, gov, "De otra convocatoria")
    data = {"kind": "commitments", "electorate": "organisations", "question": "¿Adoptamos?",
            "opens_at": utcnow() + DAY, "closes_at": utcnow() + 2 * DAY, "drafts": [foreign.id]}
    with pytest.raises(ServiceError, match="this call"):
        services.create_ballot(gov, Seat.GOVERNMENT, call, data)


# --- voting ----------------------------------------------------------------------------------------


def test_one_vote_per_verified_organisation(app, make_client, world):
    ballot_id = new_ballot(app, world)
    first, second, third = option_ids(app, ballot_id)
    url = f"/ballots/{ballot_id}/vote"
    ana = logged(make_client, "ana@example.org")
    page = ana.get(f"/ballots/{ballot_id}").get_data(as_text=True)
    assert "once cast, a vote cannot be changed" in page and 'name="approve"' in page
    response = ana.post_form(url, {"organisation": str(world["red"]), "approve": [str(first), str(third)]})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        voter = db.session.scalar(select(BallotVoter))
        # The organisation's sector and territory, not the member's own (Ana lives in Chiapas).
        assert (voter.organisation_id, voter.sector, voter.territory) == (world["red"], Sector.CIVIL_SOCIETY, "MX-OAX")
        assert sorted(db.session.scalars(select(Vote.option_id))) == [first, third]
        event = db.session.scalar(select(ParticipationEvent).where(ParticipationEvent.verb == "voted"))
        assert (event.organisation_id, event.sector, event.territory, event.call_id) == (
            world["red"], Sector.CIVIL_SOCIETY, "MX-OAX", world["call"])
        assert event.data == {"ballot": ballot_id}  # what a voter chose is never in the public log
    page = ana.get(f"/ballots/{ballot_id}").get_data(as_text=True)
    assert "You voted for Red Oaxaqueña" in page and "A vote cannot be changed." in page and 'name="approve"' not in page

    # Another member of the same organisation: refused, told which organisation, not who voted for it.
    beto = logged(make_client, "beto@example.org")
    page = beto.get(f"/ballots/{ballot_id}").get_data(as_text=True)
    assert "Red Oaxaqueña has already voted on this ballot" in page and 'name="approve"' not in page
    refused = beto.post_form(url, {"organisation": str(world["red"]), "approve": [str(second)]})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Red Oaxaqueña has already voted" in text and 'id="organisation-error"' in text
    assert "Ana" not in text and "ana@example.org" not in text
    # And the first voter cannot vote again, or change the vote.
    again = ana.post_form(url, {"organisation": str(world["red"]), "approve": [str(second)]})
    assert again.status_code == 400 and "already voted" in again.get_data(as_text=True)
    assert count(app) == 1 and count(app, Vote) == 2
    # Another verified organisation votes in its own sector and territory.
    carla = logged(make_client, "carla@example.org")
    assert carla.post_form(url, {"organisation": str(world["uni"]), "approve": [str(second)]}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(BallotVoter.sector).where(BallotVoter.organisation_id == world["uni"])) is Sector.ACADEMIA


def test_unverified_organisations_and_people_without_one_cannot_vote(app, make_client, world):
    ballot_id = new_ballot(app, world)
    first = option_ids(app, ballot_id)[0]
    dora = logged(make_client, "dora@example.org")
    page = dora.get(f"/ballots/{ballot_id}").get_data(as_text=True)
    assert "Not verified: Colectivo Pendiente" in page and 'name="approve"' not in page
    refused = dora.post_form(f"/ballots/{ballot_id}/vote", {"organisation": str(world["pending"]), "approve": [str(first)]})
    assert refused.status_code == 400
    eva = logged(make_client, "eva@example.org")
    assert "not a member of an organisation verified" in eva.get(f"/ballots/{ballot_id}").get_data(as_text=True)
    assert eva.post_form(f"/ballots/{ballot_id}/vote", {"approve": [str(first)]}).status_code == 400
    # Someone else's organisation, even a verified one, is no better.
    assert eva.post_form(f"/ballots/{ballot_id}/vote", {"organisation": str(world["red"]),
                                                        "approve": [str(first)]}).status_code == 400
    assert count(app) == 0 and count(app, ParticipationEvent) == 0


def test_the_service_names_the_reason_for_refusing_an_organisation(appctx, world):
    call = db.session.get(Call, world["call"])
    ballot = make_ballot(call, db.session.get(User, world["gov"]))
    first = ballot.options[0].id
    with pytest.raises(ServiceError, match="Colectivo Pendiente has not been verified"):
        services.cast_vote(user("dora@example.org"), ballot, {"organisation": world["pending"], "approve": [first]})
    with pytest.raises(ServiceError, match="organisation you belong to"):
        services.cast_vote(user("eva@example.org"), ballot, {"organisation": world["red"], "approve": [first]})
    with pytest.raises(ServiceError, match="Choose the organisation"):
        services.cast_vote(user("ana@example.org"), ballot, {"approve": [first]})
    with pytest.raises(ServiceError, match="this ballot's options"):
        services.cast_vote(user("ana@example.org"), ballot, {"organisation": world["red"], "approve": [first, 999999]})
    with pytest.raises(ServiceError, match="at least one option"):
        services.cast_vote(user("ana@example.org"), ballot, {"organisation": world["red"], "approve": []})
    assert db.session.scalar(select(func.count(BallotVoter.id))) == 0


def test_a_concurrent_second_vote_for_the_organisation_loses_cleanly(appctx, world, monkeypatch):
    """Two members voting at the same moment both pass the check; the unique index stops the second."""
    call = db.session.get(Call, world["call"])
    ballot = make_ballot(call, db.session.get(User, world["gov"]))
    first = ballot.options[0].id
    services.cast_vote(user("ana@example.org"), ballot, {"organisation": world["red"], "approve": [first]})
    real_check, calls = services._check_not_voted, []

    def check_that_misses_the_other_vote_once(*args):
        calls.append(args)
        if len(calls) > 1:
            real_check(*args)

    monkeypatch.setattr(services, "_check_not_voted", check_that_misses_the_other_vote_once)
    with pytest.raises(ServiceError, match="Red Oaxaqueña has already voted"):
        services.cast_vote(user("beto@example.org"), ballot, {"organisation": world["red"], "approve": [first]})
    # The savepoint took only the failed vote with it: the first one and its log entry stand.
    assert db.session.scalar(select(func.count(BallotVoter.id))) == 1
    assert db.session.scalar(select(func.count(ParticipationEvent.id)).where(ParticipationEvent.verb == "voted")) == 1


def test_one_vote_per_participant_in_their_own_name(app, make_client, world):
    ballot_id = new_ballot(app, world, electorate=Electorate.PARTICIPANTS)
    first, second, _third = option_ids(app, ballot_id)
    eva = logged(make_client, "eva@example.org")
    page = eva.get(f"/ballots/{ballot_id}").get_data(as_text=True)
    assert "You vote in your own name" in page and 'name="organisation"' not in page
    assert eva.post_form(f"/ballots/{ballot_id}/vote", {"approve": [str(first)]}).status_code == 302
    # A member of an organisation votes in their own name too, and so does a second member of it.
    ana = logged(make_client, "ana@example.org")
    assert ana.post_form(f"/ballots/{ballot_id}/vote", {"approve": [str(first), str(second)]}).status_code == 302
    beto = logged(make_client, "beto@example.org")
    assert beto.post_form(f"/ballots/{ballot_id}/vote", {"approve": [str(second)]}).status_code == 302
    again = eva.post_form(f"/ballots/{ballot_id}/vote", {"approve": [str(second)]})
    assert again.status_code == 400 and "already voted" in again.get_data(as_text=True)
    with app.app_context():
        voters = {(v.user_id, v.organisation_id, v.sector, v.territory) for v in db.session.scalars(select(BallotVoter))}
        assert voters == {(user("eva@example.org").id, None, Sector.CITIZEN, "MX-YUC"),
                          (user("ana@example.org").id, None, Sector.CITIZEN, "MX-CHP"),
                          (user("beto@example.org").id, None, Sector.CITIZEN, "MX-OAX")}
        events = db.session.scalars(select(ParticipationEvent).where(ParticipationEvent.verb == "voted")).all()
        assert {(e.organisation_id, e.sector) for e in events} == {(None, Sector.CITIZEN)}


def _window(app, ballot_id):
    with app.app_context():
        ballot = db.session.get(Ballot, ballot_id)
        return ballot.opens_at, ballot.closes_at


@pytest.mark.parametrize(
    "when, accepted, message",
    [
        (lambda o, c: o - timedelta(seconds=1), False, "opens on"),
        (lambda o, c: o, True, None),
        (lambda o, c: c - timedelta(microseconds=1), True, None),
        (lambda o, c: c, False, "closed on"),
        (lambda o, c: c + timedelta(days=3), False, "closed on"),
    ],
    ids=["before-opening", "at-opening", "last-microsecond", "at-closing", "after-closing"],
)
def test_the_voting_window_at_its_boundaries(app, make_client, world, when, accepted, message):
    ballot_id = new_ballot(app, world, opens=DAY, closes=3 * DAY)
    first = option_ids(app, ballot_id)[0]
    opens, closes = _window(app, ballot_id)
    with frozen_at(when(opens, closes)):
        c = logged(make_client, "ana@example.org")
        response = c.post_form(f"/ballots/{ballot_id}/vote", {"organisation": str(world["red"]), "approve": [str(first)]})
        page = c.get(f"/ballots/{ballot_id}").get_data(as_text=True)
    assert (response.status_code == 302) is accepted
    assert count(app) == (1 if accepted else 0) and count(app, Vote) == (1 if accepted else 0)
    if not accepted:
        text = response.get_data(as_text=True)
        assert message in text and "Your vote was not recorded" in text
        assert 'name="approve"' not in page  # no form outside the window
        with app.app_context():
            assert db.session.scalar(select(func.count(ParticipationEvent.id)).where(ParticipationEvent.verb == "voted")) == 0


def test_bad_vote_input_is_refused_without_an_error_page(app, make_client, world):
    ballot_id = new_ballot(app, world)
    c = logged(make_client, "ana@example.org")
    for data in ({}, {"organisation": "x", "approve": ["y"]}, {"organisation": str(world["red"])},
                 {"organisation": str(world["red"]), "approve": ["999999"]}):
        assert c.post_form(f"/ballots/{ballot_id}/vote", data).status_code == 400
    assert count(app) == 0


# --- results ---------------------------------------------------------------------------------------


def _vote(app, ballot_id, email, organisation_key, options, world):
    with app.test_request_context():
        ballot = db.session.get(Ballot, ballot_id)
        data = {"approve": options}
        if organisation_key:
            data["organisation"] = world[organisation_key]
        services.cast_vote(user(email), ballot, data)
        db.session.commit()


def test_results_are_hidden_until_the_secretariat_publishes_them(app, make_client, world):
    ballot_id = new_ballot(app, world, opens=-DAY, closes=DAY)
    first, second, _third = option_ids(app, ballot_id)
    _vote(app, ballot_id, "ana@example.org", "red", [first, second], world)
    _vote(app, ballot_id, "carla@example.org", "uni", [first], world)
    _opens, closes = _window(app, ballot_id)
    anonymous = make_client()
    with frozen_at(closes - timedelta(minutes=1)):
        page = anonymous.get(f"/ballots/{ballot_id}").get_data(as_text=True)
        assert 'id="tally"' not in page and 'id="tally-by-sector"' not in page
        gov = logged(make_client, "gobierno@example.org")
        early = gov.post_form(f"/ballots/{ballot_id}/publish", follow_redirects=True)
        assert "once voting closes" in early.get_data(as_text=True)
    with frozen_at(closes):
        page = anonymous.get(f"/ballots/{ballot_id}").get_data(as_text=True)
        assert 'id="tally"' not in page  # closed, but not published yet
        carla = logged(make_client, "carla@example.org")
        assert carla.post_form(f"/ballots/{ballot_id}/publish").status_code == 403
        assert 'id="tally"' not in carla.get(f"/ballots/{ballot_id}").get_data(as_text=True)
        with app.app_context():
            assert db.session.get(Ballot, ballot_id).results_published_at is None
        gov = logged(make_client, "gobierno@example.org")
        assert gov.post_form(f"/ballots/{ballot_id}/publish").status_code == 302
        twice = gov.post_form(f"/ballots/{ballot_id}/publish", follow_redirects=True)
        assert "were published on" in twice.get_data(as_text=True)
        page = anonymous.get(f"/ballots/{ballot_id}").get_data(as_text=True)
    assert 'id="tally"' in page and 'id="tally-by-sector"' in page and '<svg class="chart"' in page
    assert 'aria-hidden="true"' in page
    with app.app_context():
        ballot = db.session.get(Ballot, ballot_id)
        assert ballot.results_published_at == closes
        events = db.session.scalars(select(ParticipationEvent).where(ParticipationEvent.verb == "results_published",
                                                                     ParticipationEvent.subject_type == "ballot")).all()
        assert len(events) == 1
        tally = events[0].data["tally"]
        assert events[0].data["ballot"] == ballot_id and tally["voters"] == 2
        assert tally["options"][str(first)]["approvals"] == 2
        # Two sectors of one voter each: merged into "other sectors" of 2, smaller than 5, so only totals.
        assert tally["options"][str(first)]["by_group"] is None
        assert tally["groups"] == {} and tally["threshold"] == 5


def test_the_tally_by_sector(app, make_client, world):
    ballot_id = new_ballot(app, world, opens=-2 * DAY, closes=DAY)
    first, second, third = option_ids(app, ballot_id)
    with app.app_context():
        make_organisation(make_user("otra@example.org", locale="en"), name="Otra OSC", territory="MX-YUC")
        gob = make_organisation(make_user("dependencia@example.org", locale="en"), name="Secretaría Estatal",
                                sector=Sector.GOVERNMENT, territory="MX-OAX")
        db.session.commit()
        world = {**world, "otra": db.session.scalar(select(Organisation.id).where(Organisation.name == "Otra OSC")),
                 "gob": gob.id}
    _vote(app, ballot_id, "ana@example.org", "red", [first, second], world)
    _vote(app, ballot_id, "carla@example.org", "uni", [first], world)
    _vote(app, ballot_id, "otra@example.org", "otra", [first, third], world)
    _vote(app, ballot_id, "dependencia@example.org", "gob", [third], world)
    _opens, closes = _window(app, ballot_id)
    with frozen_at(closes + timedelta(hours=1)):
        gov = logged(make_client, "gobierno@example.org")
        assert gov.post_form(f"/ballots/{ballot_id}/publish").status_code == 302
        page = gov.get(f"/ballots/{ballot_id}").get_data(as_text=True)
    with app.app_context():
        tally = services.tally(db.session.get(Ballot, ballot_id))
        assert tally.voters == 4
        assert {r.option.id: r.approvals for r in tally.options} == {first: 3, second: 1, third: 2}
        # Four voters in three sectors: every sector is under the threshold of 5 and so is their sum,
        # so only totals are published (DOMAIN.md, "Ballot secrecy"; tests/test_ballot_secrecy.py).
        assert tally.totals_only and not tally.groups
        assert all(r.by_group is None for r in tally.options)
    assert "No breakdown by sector is published for this ballot" in page
    assert "<table id=\"tally-by-sector\"" not in page
    app.config["BALLOT_MIN_GROUP"] = 2
    with app.app_context():
        tally = services.tally(db.session.get(Ballot, ballot_id))
        # Civil society (2) stands alone; government and academia (1 each) merge into "other sectors" (2).
        assert [(g.key, g.voters) for g in tally.groups] == [("civil_society", 2), ("other_sectors", 2)]
        by_option = {r.option.id: (r.approvals, r.by_group) for r in tally.options}
        # First: both civil society voters approved it (unanimous), so its row is not broken down.
        assert by_option == {first: (3, None), second: (1, None), third: (2, {"civil_society": 1, "other_sectors": 1})}
    with frozen_at(closes + timedelta(hours=1)):
        page = gov.get(f"/ballots/{ballot_id}").get_data(as_text=True)
    table = page.split('id="tally-by-sector"')[1].split("</table>")[0]
    cells = lambda row: re.findall(r'<td class="num">(\d+)</td>', row)  # noqa: E731
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    # Columns: civil society, other sectors, all sectors; unanimous rows show only their total.
    assert [cells(r) for r in rows[1:]] == [["3"], ["1"], ["1", "1", "2"], ["2", "2", "4"]]
    assert "Not broken down: a group was unanimous" in table


# --- adoption by vote ------------------------------------------------------------------------------


def test_adopt_by_vote_adopts_what_more_than_half_approved(app, make_client, world):
    with app.app_context():
        call = db.session.get(Call, world["call"])
        gov = db.session.get(User, world["gov"])
        drafts = [make_draft(call, gov, title) for title in ("Mayoría", "Exactamente la mitad", "Adoptado antes")]
        ballot = make_ballot(call, gov, kind=BallotKind.COMMITMENTS, electorate=Electorate.PARTICIPANTS, drafts=drafts)
        db.session.commit()
        ids = dict(zip(("majority", "half", "already"), (d.id for d in drafts), strict=True))
        ballot_id = ballot.id
    o_majority, o_half, o_already = option_ids(app, ballot_id)
    for email, approve in [("ana@example.org", [o_majority, o_half, o_already]), ("beto@example.org", [o_majority, o_already]),
                           ("carla@example.org", [o_majority, o_half, o_already]), ("eva@example.org", [o_already])]:
        _vote(app, ballot_id, email, None, approve, world)
    with app.app_context():  # adopted by the secretariat's tripartite approval while the vote ran
        draft = db.session.get(DraftCommitment, ids["already"])
        draft.adopted_via, draft.adopted_at = Adoption.TRIPARTITE, utcnow()
        db.session.commit()
    _opens, closes = _window(app, ballot_id)
    with frozen_at(closes + timedelta(hours=2)):
        gov = logged(make_client, "gobierno@example.org")
        early = gov.post_form(f"/ballots/{ballot_id}/adopt", follow_redirects=True)
        assert "Publish the results first" in early.get_data(as_text=True)
        assert gov.post_form(f"/ballots/{ballot_id}/publish").status_code == 302
        done = gov.post_form(f"/ballots/{ballot_id}/adopt", follow_redirects=True)
        text = done.get_data(as_text=True)
        assert "1 commitment was adopted by vote: Mayoría." in text
        again = gov.post_form(f"/ballots/{ballot_id}/adopt", follow_redirects=True)
        assert "No commitment was adopted" in again.get_data(as_text=True)
    with app.app_context():
        drafts = {k: db.session.get(DraftCommitment, i) for k, i in ids.items()}
        assert drafts["majority"].adopted_via is Adoption.VOTE and drafts["majority"].adopted_at == closes + timedelta(hours=2)
        assert drafts["half"].adopted_via is None  # 2 of 4 is not more than half
        assert drafts["already"].adopted_via is Adoption.TRIPARTITE
        events = db.session.scalars(select(ParticipationEvent).where(ParticipationEvent.verb == "adopted")).all()
        assert len(events) == 1
        assert (events[0].subject_type, events[0].subject_id, events[0].call_id, events[0].sector) == (
            "draft_commitment", ids["majority"], world["call"], Sector.GOVERNMENT)
        assert events[0].data == {"adopted_by": "vote", "ballot": ballot_id, "yes": 3, "voters": 4, "closed_comments": False}


def test_adopt_by_vote_needs_a_commitments_ballot_and_voters(appctx, world):
    call = db.session.get(Call, world["call"])
    gov = db.session.get(User, world["gov"])
    themes = make_ballot(call, gov, opens=-3 * DAY, closes=-DAY, published=True)
    with pytest.raises(ServiceError, match="adoption of commitments"):
        services.adopt_by_vote(gov, Seat.GOVERNMENT, themes)
    empty = make_ballot(call, gov, kind=BallotKind.COMMITMENTS, drafts=[make_draft(call, gov, "Nadie votó")],
                        opens=-3 * DAY, closes=-DAY, published=True)
    assert services.adopt_by_vote(gov, Seat.GOVERNMENT, empty) == []  # no voters, no majority


# --- who may do what ---------------------------------------------------------------------------------


def test_permissions(app, make_client, world):
    ballot_id = new_ballot(app, world, kind=BallotKind.COMMITMENTS, opens=-3 * DAY, closes=-DAY)
    participant = logged(make_client, "ana@example.org")
    assert participant.get(f"/calls/{world['call']}/ballots/new").status_code == 403
    assert participant.post_form(f"/calls/{world['call']}/ballots/new", ballot_form(app)).status_code == 403
    assert participant.post_form(f"/ballots/{ballot_id}/publish").status_code == 403
    assert participant.post_form(f"/ballots/{ballot_id}/adopt").status_code == 403
    anonymous = make_client()
    assert anonymous.get(f"/ballots/{ballot_id}").status_code == 200
    assert anonymous.get(f"/calls/{world['call']}/ballots").status_code == 200
    login = anonymous.post_form(f"/ballots/{ballot_id}/vote", {"approve": ["1"]})
    assert login.status_code == 302 and login.headers["Location"].startswith("/login")
    assert anonymous.get(f"/calls/{world['call']}/ballots/new").headers["Location"].startswith("/login")
    unconfirmed = logged(make_client, "nueva@example.org")
    assert unconfirmed.post_form(f"/ballots/{ballot_id}/vote").headers["Location"].startswith("/confirm")
    # A ballot on a call that is still a draft is the secretariat's alone.
    draft_ballot = new_ballot(app, {**world, "call": world["draft_call"]})
    assert anonymous.get(f"/ballots/{draft_ballot}").status_code == 404
    assert participant.get(f"/calls/{world['draft_call']}/ballots").status_code == 404
    assert logged(make_client, "gobierno@example.org").get(f"/ballots/{draft_ballot}").status_code == 200
    assert count(app) == 0 and count(app, Ballot) == 2


# --- cost ------------------------------------------------------------------------------------------


def _statements_for(app, client, url):
    client.get(url)  # warm caches (e.g. translations) so both measurements are alike
    with count_statements(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_ballot_page_cost_does_not_grow_with_the_voters(app, make_client, world):
    ballot_id = new_ballot(app, world, electorate=Electorate.PARTICIPANTS, opens=-2 * DAY, closes=DAY)
    options = option_ids(app, ballot_id)
    emails = []

    def add_voters(n):
        with app.app_context():
            for _ in range(n):
                emails.append(make_user(territory="MX-OAX", locale="en").email)
            db.session.commit()
        for i, email in enumerate(emails[-n:]):
            _vote(app, ballot_id, email, None, options[: 1 + i % 3], world)

    add_voters(3)
    _opens, closes = _window(app, ballot_id)
    with frozen_at(closes + timedelta(minutes=1)):
        gov = logged(make_client, "gobierno@example.org")
        assert gov.post_form(f"/ballots/{ballot_id}/publish").status_code == 302
        anonymous, voter = make_client(), logged(make_client, emails[0])
        small = [_statements_for(app, c, f"/ballots/{ballot_id}") for c in (anonymous, voter, gov)]
        small_list = _statements_for(app, anonymous, f"/calls/{world['call']}/ballots")
    with app.app_context():  # 27 more voters, votes written directly (the ballot has closed)
        for i in range(27):
            voter_row = BallotVoter(ballot_id=ballot_id, user_id=make_user(locale="en").id,
                                    sector=[Sector.CITIZEN, Sector.ACADEMIA][i % 2], territory="MX-YUC")
            db.session.add(voter_row)
            db.session.flush()
            db.session.add_all([Vote(voter_id=voter_row.id, option_id=o) for o in options[: 1 + i % 3]])
        db.session.commit()
    with frozen_at(closes + timedelta(minutes=2)):
        assert [_statements_for(app, c, f"/ballots/{ballot_id}") for c in (anonymous, voter, gov)] == small
        assert _statements_for(app, anonymous, f"/calls/{world['call']}/ballots") == small_list
        assert "30 voters" in voter.get(f"/ballots/{ballot_id}").get_data(as_text=True)
