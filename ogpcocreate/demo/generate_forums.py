"""Working meetings with attendance, votes, and the adoption of commitments, for the generated data
(demo/generate.py). Attendance and votes are participation (DOMAIN.md, "Meeting", "Vote"): each is
logged, in person for meetings in a room, and the log says who voted, never what they chose.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from flask import current_app

from ..approvals.models import Action
from ..core.eventlog import Channel, Verb
from ..core.sectors import Seat, Sector
from ..core.territories import NATIONAL
from ..drafts.models import Adoption
from ..meetings.models import Modality
from ..organisations.models import Verification
from ..votes import secrecy
from ..votes.models import BallotKind, Electorate
from . import generate_text as words
from .generate_process import CallInfo, approve, split
from .generate_world import DAY, HOUR, Weighted, World

MODALITIES = Weighted.of([Modality.IN_PERSON, Modality.ONLINE, Modality.HYBRID], [40, 40, 20])
SECOND = timedelta(seconds=1)
UNREGISTERED = [Sector.CITIZEN, Sector.ACADEMIA, Sector.CIVIL_SOCIETY, Sector.PRIVATE_SECTOR, Sector.GOVERNMENT]


def _participants(w: World) -> list:
    staff = {p.id for members in w.secretariat.values() for p in members}
    return [p for p in w.people.values() if p.confirmed and p.id not in staff]


def meetings(w: World, calls: list[CallInfo], territory_names: dict[str, str]) -> None:
    rng, gov, total = w.rng, w.member(Seat.GOVERNMENT), w.count("meetings")
    pool = _participants(w)
    for call, n in zip(calls, split(total, calls), strict=True):
        for _ in range(n):
            modality = MODALITIES.pick(rng)
            theme_id, theme = rng.choice(call.themes) if rng.random() < 0.8 else (None, "Plenaria")
            starts = w.between(call.opens, call.decision).replace(minute=0, second=0)
            online = modality is Modality.ONLINE
            territory = NATIONAL if online else rng.choice(w.territories)
            place = "" if online else f"{rng.choice(words.PLACES)}, {territory_names[territory]}"
            signed = w.after(starts, 2 * DAY, 6 * DAY) if rng.random() < 0.85 else None
            title = f"Mesa de trabajo: {theme}" if theme_id else "Sesión plenaria de la convocatoria"
            meeting = w.add("meeting", call_id=call.id, theme_id=theme_id, title=title, starts_at=starts,
                            modality=modality, place=place, territory=territory,
                            **words.pair("minutes", rng.choice(words.MINUTES)),
                            **words.pair("agreements", rng.choice(words.AGREEMENTS)),
                            signed_at=signed, created_by_id=gov.id, created_at=starts - 7 * DAY,
                            published_at=starts - 7 * DAY + HOUR)
            summary = {"title": title, "starts_at": str(starts), "modality": modality.value, "territory": territory,
                       "theme": theme_id}
            w.event(starts - 7 * DAY, Verb.CREATED, "meeting", meeting, gov, seat=Seat.GOVERNMENT, call=call,
                    data=summary)
            # Published by the secretariat an hour later, as meetings/services.py records it.
            w.event(starts - 7 * DAY + HOUR, Verb.PUBLISHED, "meeting", meeting, gov, seat=Seat.GOVERNMENT, call=call,
                    data={"action": "publish_meeting", **summary})
            # Someone who may have been in the room counts as in person (meetings.services.channel_of).
            channel = Channel.ONLINE if online else Channel.IN_PERSON
            size = rng.randint(150, 350) if online else rng.randint(30, 150)
            recorded = starts + 3 * HOUR
            for n, person in enumerate(rng.sample(pool, min(size, len(pool)))):
                org = w.orgs[person.org] if person.org else None
                w.add("attendance", meeting_id=meeting, user_id=person.id, organisation_id=org.id if org else None)
                w.event(recorded + n * SECOND, Verb.ATTENDED, "meeting", meeting, person, org, channel=channel,
                        call=call, data={"meeting": meeting})
            if not online:
                counts = {s: rng.randint(1, 30) for s in sorted(rng.sample(UNREGISTERED, rng.randint(1, 3)))}
                for sector, count in counts.items():
                    w.add("unregistered_attendance", meeting_id=meeting, sector=sector, count=count)
                w.event(recorded + DAY, Verb.EDITED, "meeting", meeting, gov, seat=Seat.GOVERNMENT, territory=territory,
                        channel=channel, call=call,
                        data={"meeting": meeting, "unregistered": {s.value: n for s, n in counts.items()}})
            if signed:
                seats = approve(w, signed - DAY, Action.SIGN_MINUTES, call, meeting=meeting)
                w.event(signed, Verb.SIGNED, "meeting", meeting, gov, seat=Seat.GOVERNMENT, call=call,
                        data={"action": Action.SIGN_MINUTES.value, "meeting": meeting, "approved_by": seats})


def votes(w: World, calls: list[CallInfo]) -> None:
    """A vote on priority themes before each call opens; where results were published, a vote on
    adopting commitments, and the secretariat adopts the rest of the drafts it takes forward."""
    gov = w.member(Seat.GOVERNMENT)
    for call in calls:
        electorate = Electorate.PARTICIPANTS if call.allows_individuals else Electorate.ORGANISATIONS
        _ballot(w, call, BallotKind.THEMES, electorate, "¿Qué mesas temáticas deben tener prioridad?",
                [("theme_id", theme_id, name) for theme_id, name in call.themes], call.announce + DAY, call.opens - DAY)
        if not call.results:
            continue
        candidates = call.drafts[:12]
        ballot, voters, tally = _ballot(w, call, BallotKind.COMMITMENTS, electorate,
                                        "¿Qué borradores deben adoptarse como compromisos?",
                                        [("draft_id", d.id, d.title) for d in candidates], call.decision,
                                        call.decision + 10 * DAY)
        voted = call.decision + 11 * DAY
        for draft in candidates:
            yes = tally[draft.id]
            if yes * 2 > voters:
                draft.row.update(adopted_via=Adoption.VOTE, adopted_at=voted)
                w.event(voted, Verb.ADOPTED, "draft_commitment", draft.id, gov, seat=Seat.GOVERNMENT, call=call,
                        data={"adopted_by": "vote", "ballot": ballot, "yes": yes, "voters": voters})
        for draft in call.drafts:
            if draft.row["adopted_via"] is None and w.rng.random() < 0.85:
                moment = call.decision + 12 * DAY
                seats = approve(w, moment, Action.ADOPT_COMMITMENT, call, draft=draft.id)
                draft.row.update(adopted_via=Adoption.TRIPARTITE, adopted_at=moment + 3 * HOUR)
                w.event(moment + 3 * HOUR, Verb.ADOPTED, "draft_commitment", draft.id, gov, seat=Seat.GOVERNMENT,
                        call=call, data={"adopted_by": "tripartite", "version": len(draft.versions), "approved_by": seats})


def _ballot(w: World, call: CallInfo, kind: BallotKind, electorate: Electorate, question: str, options: list,
            opens: datetime, closes: datetime) -> tuple[int, int, dict[int, int]]:
    """A ballot with its voters and approvals, results published the day after it closes.
    Returns the ballot's id, its number of voters and the approvals per subject (theme or draft id)."""
    rng, gov = w.rng, w.member(Seat.GOVERNMENT)
    published = closes + DAY
    ballot = w.add("ballot", call_id=call.id, kind=kind, electorate=electorate, question=question, opens_at=opens,
                   closes_at=closes, published_at=opens - DAY + HOUR, results_published_at=published,
                   created_by_id=gov.id, created_at=opens - DAY)
    ids = [w.add("ballot_option", ballot_id=ballot, **{column: subject})
           for column, subject, _ in options]
    w.event(opens - DAY, Verb.CREATED, "ballot", ballot, gov, seat=Seat.GOVERNMENT, call=call,
            data={"question": question, "kind": kind.value, "electorate": electorate.value,
                  "options": [subject for _, subject, _ in options]})
    w.event(opens - DAY + HOUR, Verb.PUBLISHED, "ballot", ballot, gov, seat=Seat.GOVERNMENT, call=call,
            data={"action": "publish_ballot", "question": question, "opens_at": str(opens), "closes_at": str(closes)})
    if electorate is Electorate.PARTICIPANTS:
        people = _participants(w)
        voters = [(p, None) for p in rng.sample(people, round(len(people) * rng.uniform(0.5, 0.8)))]
    else:
        orgs = [o for o in w.orgs.values() if o.verification is Verification.VERIFIED]
        voters = [(w.people[o.admin], o) for o in rng.sample(orgs, round(len(orgs) * rng.uniform(0.5, 0.8)))]
    appeal = [rng.uniform(0.15, 0.8) for _ in ids]
    approvals, by_sector, voter_sectors = Counter(), Counter(), Counter()
    for person, org in voters:
        sector = org.sector if org else w.individual_sector(person)
        moment = w.between(opens, closes)
        voter = w.add("ballot_voter", ballot_id=ballot, user_id=person.id, organisation_id=org.id if org else None,
                      sector=sector, territory=org.territory if org else person.territory, created_at=moment)
        chosen = [option for option, p in zip(ids, appeal, strict=True) if rng.random() < p] or [ids[0]]
        for option in chosen:
            w.add("vote", voter_id=voter, option_id=option)
            approvals[option] += 1
            by_sector[option, sector] += 1
        voter_sectors[sector] += 1
        w.event(moment, Verb.VOTED, "ballot", ballot, person, org, call=call, data={"ballot": ballot})
    # The published form of the tally, by the same secrecy rule as the service (votes/secrecy.py).
    cells = {option: {s: by_sector[option, s] for s in Sector if by_sector[option, s]} for option in ids}
    tally = secrecy.publishable(voter_sectors, cells, current_app.config["BALLOT_MIN_GROUP"]).as_data(
        {option: label for option, (_, _, label) in zip(ids, options, strict=True)})
    w.event(published, Verb.RESULTS_PUBLISHED, "ballot", ballot, gov, seat=Seat.GOVERNMENT, call=call,
            data={"ballot": ballot, "tally": tally})
    return ballot, len(voters), {subject: approvals[option] for option, (_, subject, _) in zip(ids, options, strict=True)}

