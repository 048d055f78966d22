"""Who counts as government (DOMAIN.md): the sector a person acts in when acting for no organisation,
as the log records it and as a ballot counts it; seat holders never vote in participants' ballots.
Table-driven, with a boundary case on each side of each exception."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ogpcocreate.core import eventlog
from ogpcocreate.core.errors import ServiceError
from ogpcocreate.core.eventlog import ParticipationEvent, Verb
from ogpcocreate.core.sectors import Seat, Sector
from ogpcocreate.extensions import db
from ogpcocreate.organisations.acting import individual_sector
from ogpcocreate.organisations.models import Membership
from ogpcocreate.votes import services as votes
from ogpcocreate.votes.models import BallotKind, BallotVoter, Electorate

from .factories import make_call, make_organisation, make_plan, make_seat, make_user
from .test_votes import make_ballot

G, A, CS = Sector.GOVERNMENT, Sector.GUARANTOR, Sector.CIVIL_SOCIETY

# (name, seat held, memberships as (sector, verified, left), expected sector)
CASES = [
    ("nobody in particular is a citizen", None, [], Sector.CITIZEN),
    ("a CSO member acting alone is a citizen", None, [(CS, True, False)], Sector.CITIZEN),
    ("a member of a verified government body is government", None, [(G, True, False)], G),
    ("a member of an unverified government body is a citizen", None, [(G, False, False)], Sector.CITIZEN),
    ("a former member of a government body is a citizen", None, [(G, True, True)], Sector.CITIZEN),
    ("a member of a verified guarantor is guarantor", None, [(A, True, False)], A),
    ("government comes before guarantor", None, [(A, True, False), (G, True, False)], G),
    ("the government seat holder is government", Seat.GOVERNMENT, [], G),
    ("the civil-society seat holder is civil society", Seat.CIVIL_SOCIETY, [(G, True, False)], CS),
]


def _person(name, seat, memberships):
    person = make_user()
    if seat:
        make_seat(person, seat)
    for sector, verified, left in memberships:
        org = make_organisation(make_user(), sector=sector, verified=verified)
        membership = Membership(organisation_id=org.id, user_id=person.id)
        db.session.add(membership)
        db.session.flush()
        if left:
            membership.left_at = membership.joined_at
    db.session.flush()
    return person


@pytest.mark.parametrize(("name", "seat", "memberships", "expected"), CASES, ids=[c[0] for c in CASES])
def test_the_sector_of_a_person_acting_alone(app, name, seat, memberships, expected):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        person = _person(name, seat, memberships)
        assert individual_sector(person) is expected
        # The log records it at the time of the act, and keeps it when memberships change later.
        event = eventlog.record(person, Verb.COMMENTED)
        db.session.execute(Membership.__table__.delete().where(Membership.user_id == person.id))
        db.session.flush()
        stored = db.session.scalar(select(ParticipationEvent.sector).where(ParticipationEvent.id == event.id))
        assert stored is expected


def _open_ballot(electorate=Electorate.PARTICIPANTS):
    creator = make_user()
    make_seat(creator, Seat.GUARANTOR)
    call = make_call(make_plan(creator), phase="deliberation")
    return make_ballot(call, creator, kind=BallotKind.THEMES, electorate=electorate)


def test_a_government_member_voting_in_their_own_name_counts_as_government(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        ballot = _open_ballot()
        official = _person("official", None, [(G, True, False)])
        citizen = make_user()
        for person in (official, citizen):
            votes.cast_vote(person, ballot, {"approve": [ballot.options[0].id]})
        sectors = dict(db.session.execute(select(BallotVoter.user_id, BallotVoter.sector)).all())
        assert sectors == {official.id: G, citizen.id: Sector.CITIZEN}
        logged = db.session.scalars(select(ParticipationEvent.sector).where(ParticipationEvent.verb == "voted")).all()
        assert sorted(logged) == sorted([G, Sector.CITIZEN])


@pytest.mark.parametrize("seat", list(Seat))
@pytest.mark.parametrize("electorate", list(Electorate))
def test_seat_holders_never_vote(app, make_client, seat, electorate):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        ballot = _open_ballot(electorate)
        holder = make_user("asiento@example.org", locale="en")
        make_seat(holder, seat)
        org = make_organisation(holder)
        db.session.commit()
        ballot_id, option, org_id = ballot.id, ballot.options[0].id, org.id
        with pytest.raises(ServiceError, match="do not vote in participants' ballots"):
            votes.cast_vote(holder, ballot, {"approve": [option], "organisation": org_id})
        db.session.rollback()
    client = make_client()
    client.login("asiento@example.org")
    page = client.get(f"/ballots/{ballot_id}").get_data(as_text=True)
    assert "do not vote in participants" in page and "Cast my vote" not in page
    refused = client.post_form(f"/ballots/{ballot_id}/vote", data={"approve": [option], "organisation": org_id})
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(BallotVoter.id)) is None


def test_a_former_seat_holder_votes_again(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        ballot = _open_ballot()
        former = make_user()
        make_seat(former, Seat.GOVERNMENT).ended_at = ballot.opens_at
        db.session.flush()
        votes.cast_vote(former, ballot, {"approve": [ballot.options[0].id]})
        assert db.session.scalar(select(BallotVoter.sector)) is Sector.CITIZEN
