"""The level of public influence, one scenario per level boundary (shared/DOMAIN.md, "Level of public
influence"; rules in ogpcocreate/reports/influence.py). Runs on SQLite and on PostgreSQL like the rest."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ogpcocreate.calls.models import Call
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.sectors import Seat, Sector
from ogpcocreate.drafts.models import Adoption, DraftVersion, Incorporation, Milestone
from ogpcocreate.extensions import db
from ogpcocreate.reports import services
from ogpcocreate.reports.influence import assess
from ogpcocreate.reports.levels import Level
from ogpcocreate.reports.scope import Scope
from ogpcocreate.responses.models import Outcome, Response
from ogpcocreate.votes.models import Ballot, BallotKind, BallotOption, BallotVoter, Electorate, Vote

from .factories import (
    make_call,
    make_comment,
    make_draft,
    make_meeting,
    make_organisation,
    make_plan,
    make_proposal,
    make_response,
    make_user,
)

DAY = timedelta(days=1)


class Process:
    """A small language for building a co-creation process one fact at a time."""

    def __init__(self):
        self.secretariat = make_user()
        self.plan = make_plan(self.secretariat)
        self.cso = make_organisation(make_user(), sector=Sector.CIVIL_SOCIETY)
        self.ministry = make_organisation(make_user(), sector=Sector.GOVERNMENT, territory="national")

    def call(self, phase="deliberation"):
        return make_call(self.plan, phase=phase)

    def proposal(self, call, *, sector=Sector.CIVIL_SOCIETY, answer: str | None = "not_adopted", justified=True):
        org = self.ministry if sector is Sector.GOVERNMENT else self.cso
        proposal = make_proposal(call, make_user(), org)
        if answer:
            response = make_response(proposal, self.secretariat, answer)
            if not justified:
                response.justification_source = response.justification = ""
        return proposal

    def answer(self, comment, outcome="adopted"):
        db.session.add(Response(comment_id=comment.id, outcome=Outcome(outcome), justification_source="Razones",
                                justification="<p>Razones</p>", responder_id=self.secretariat.id, seat=Seat.GOVERNMENT))
        db.session.flush()

    def draft(self, call, *, rounds: int, answered=True, sources=()):
        """A draft whose first ``rounds`` rounds are complete (each version closed, its comments answered,
        followed by the next version), plus the current version, closed for comments."""
        draft = make_draft(call, self.secretariat, open_for_comments=False, sources=sources)
        now = utcnow()
        for number in range(1, rounds + 2):
            version = draft.versions[0] if number == 1 else self._version(draft, number, now)
            version.published_at = now - (40 - 10 * number) * DAY
            version.comments_close_at = now - (35 - 10 * number) * DAY
            if number <= rounds:
                comment = make_comment(version, make_user(), organisation=self.cso)
                if answered:
                    self.answer(comment)
                    db.session.add(Incorporation(version_id=version.id, comment_id=comment.id))
        db.session.flush()
        db.session.refresh(draft)
        return draft

    def _version(self, draft, number, now):
        version = DraftVersion(draft_id=draft.id, number=number, published_at=now, published_by_id=self.secretariat.id,
                               comments_close_at=now, **{f"{s}{x}": f"Texto {s} v{number}" for s in (
                                   "problem", "status_quo", "description", "how", "relevance", "other_actors")
                                   for x in ("", "_source")})
        version.milestones = [Milestone(position=0, description="Hito", due=date(2027, 6, 30), responsible="SFP")]
        db.session.add(version)
        db.session.flush()
        return version

    def ballot(self, call, kind, *, government: int, others: int, drafts=(), published=True):
        ballot = Ballot(call_id=call.id, kind=kind, electorate=Electorate.PARTICIPANTS, question=f"¿{kind.value}?",
                        opens_at=utcnow() - 10 * DAY, closes_at=utcnow() - 5 * DAY, created_by_id=self.secretariat.id,
                        published_at=utcnow() - 11 * DAY, results_published_at=utcnow() - 4 * DAY if published else None)
        if kind is BallotKind.THEMES:
            ballot.options = [BallotOption(theme_id=t.id) for t in call.themes]
        else:
            ballot.options = [BallotOption(draft_id=d.id) for d in drafts]
        db.session.add(ballot)
        db.session.flush()
        for n in range(government + others):
            sector = Sector.GOVERNMENT if n < government else Sector.CIVIL_SOCIETY
            voter = BallotVoter(ballot_id=ballot.id, user_id=make_user().id, sector=sector, territory="MX-OAX")
            db.session.add(voter)
            db.session.flush()
            db.session.add(Vote(voter_id=voter.id, option_id=ballot.options[0].id))
        for draft in drafts:
            self.adopt(draft, Adoption.VOTE)
        db.session.flush()
        return ballot

    @staticmethod
    def adopt(draft, via=Adoption.TRIPARTITE):
        draft.adopted_via, draft.adopted_at = via, utcnow() - DAY
        db.session.flush()


# --- the scenarios -----------------------------------------------------------------------------------


def nothing_published(p):
    call = p.call("draft")
    p.proposal(call, answer=None)


def call_published_no_input(p):
    p.call("open")


def only_government_input(p):
    call = p.call("deliberation")
    p.proposal(call, sector=Sector.GOVERNMENT, answer="adopted")


def government_input_answered_public_input_in_its_window(p):
    """Government's own proposals, answered, are not feedback on public input: the CSO proposal is still
    inside its window, so nothing from the public is due yet."""
    call = p.call("deliberation")
    p.proposal(call, sector=Sector.GOVERNMENT, answer="adopted")
    late = p.call("open")
    p.proposal(late, answer=None)


def signed_meeting_of_a_call_not_public(p):
    # A meeting is public only with its call (ogpcocreate/visibility.py): its record is no evidence yet.
    call = p.call("draft")
    make_meeting(call).signed_at = utcnow()


def input_still_inside_its_window(p):
    call = p.call("open")
    p.proposal(call, answer=None)


def one_contribution_without_response(p):
    call = p.call("deliberation")
    p.proposal(call)
    p.proposal(call, answer=None)


def response_without_justification(p):
    call = p.call("deliberation")
    p.proposal(call, answer="not_adopted", justified=False)


def every_contribution_answered(p):
    call = p.call("deliberation")
    p.proposal(call, answer="adopted")
    p.proposal(call, answer="out_of_scope")


def hidden_comment_needs_no_response(p):
    call = p.call("deliberation")
    p.proposal(call)
    draft = make_draft(call, p.secretariat, open_for_comments=False)
    make_comment(draft.versions[0], make_user(), organisation=p.cso).hidden_at = utcnow()


def comment_due_without_response(p):
    call = p.call("deliberation")
    p.proposal(call)
    draft = make_draft(call, p.secretariat, open_for_comments=False)
    make_comment(draft.versions[0], make_user(), organisation=p.cso)


def secretariat_comment_is_not_a_contribution(p):
    call = p.call("deliberation")
    p.proposal(call)
    draft = make_draft(call, p.secretariat, open_for_comments=False)
    make_comment(draft.versions[0], p.secretariat, is_contribution=False)


def one_round_and_a_themes_vote(p):
    call = p.call("deliberation")
    p.proposal(call)
    p.draft(call, rounds=1)
    p.ballot(call, BallotKind.THEMES, government=0, others=5)


def two_rounds_without_agenda_setting(p):
    call = p.call("deliberation")
    p.proposal(call)
    p.draft(call, rounds=2)


def two_rounds_and_themes_voted_by_government_only(p):
    call = p.call("deliberation")
    p.proposal(call)
    p.draft(call, rounds=2)
    p.ballot(call, BallotKind.THEMES, government=4, others=0)


def two_rounds_and_unpublished_themes_vote(p):
    call = p.call("deliberation")
    p.proposal(call)
    p.draft(call, rounds=2)
    p.ballot(call, BallotKind.THEMES, government=0, others=4, published=False)


def two_rounds_and_themes_vote(p):
    call = p.call("decision")
    p.proposal(call)
    p.adopt(p.draft(call, rounds=2))  # in the first theme, the one every voter chose
    p.ballot(call, BallotKind.THEMES, government=1, others=6)


def themes_vote_with_nothing_adopted_yet(p):
    call = p.call("deliberation")
    p.proposal(call)
    p.draft(call, rounds=2)
    p.ballot(call, BallotKind.THEMES, government=1, others=6)


def themes_vote_not_followed(p):
    """The vote chose the first theme; the commitment adopted belongs to the second."""
    call = p.call("decision")
    p.proposal(call)
    draft = p.draft(call, rounds=2)
    draft.theme_id = call.themes[1].id
    p.adopt(draft)
    p.ballot(call, BallotKind.THEMES, government=1, others=6)


def themes_vote_tied_between_government_and_others(p):
    call = p.call("decision")
    p.proposal(call)
    p.adopt(p.draft(call, rounds=2))
    p.ballot(call, BallotKind.THEMES, government=3, others=3)


def themes_vote_one_more_non_government_voter(p):
    call = p.call("decision")
    p.proposal(call)
    p.adopt(p.draft(call, rounds=2))
    p.ballot(call, BallotKind.THEMES, government=3, others=4)


def adopted_without_a_completed_round(p):
    """Two completed rounds on one draft, and a CSO proposal taken up by another draft adopted while its
    only round was still open: every adopted commitment needs a completed round."""
    call = p.call("decision")
    p.draft(call, rounds=2)
    source = p.proposal(call, answer="adopted")
    p.adopt(make_draft(call, p.secretariat, open_for_comments=True, sources=[source]))


def two_rounds_and_adopted_from_cso_proposal(p):
    call = p.call("decision")
    source = p.proposal(call, answer="adopted")
    p.adopt(p.draft(call, rounds=2, sources=[source]))


def two_rounds_and_adopted_from_cso_proposal_not_taken_up(p):
    """The draft lists a CSO proposal as its source, but the proposal's response did not adopt it."""
    call = p.call("decision")
    source = p.proposal(call, answer="not_adopted")
    p.adopt(p.draft(call, rounds=2, sources=[source]))


def two_rounds_and_adopted_from_cso_proposal_merged(p):
    call = p.call("decision")
    source = p.proposal(call, answer="merged")
    p.adopt(p.draft(call, rounds=2, sources=[source]))


def two_rounds_and_adopted_from_government_proposal(p):
    call = p.call("decision")
    source = p.proposal(call, sector=Sector.GOVERNMENT, answer="adopted")
    p.proposal(call)  # the public did give input, so the plan reaches consult and involve
    p.adopt(p.draft(call, rounds=2, sources=[source]))


def rounds_with_a_comment_unanswered(p):
    call = p.call("deliberation")
    p.proposal(call)
    p.draft(call, rounds=2, answered=False)
    p.ballot(call, BallotKind.THEMES, government=0, others=3)


def vote_where_government_alone_decides(p):
    call = p.call("decision")
    p.proposal(call)
    draft = p.draft(call, rounds=2)
    p.ballot(call, BallotKind.THEMES, government=0, others=3)
    p.ballot(call, BallotKind.COMMITMENTS, government=5, others=5, drafts=[draft])


def adopted_by_approval_after_a_vote(p):
    call = p.call("decision")
    p.proposal(call)
    draft = p.draft(call, rounds=2)
    p.ballot(call, BallotKind.THEMES, government=0, others=3)
    ballot = p.ballot(call, BallotKind.COMMITMENTS, government=1, others=9, drafts=[draft])
    assert ballot.id
    p.adopt(draft, Adoption.TRIPARTITE)


def vote_where_the_public_decides(p):
    call = p.call("decision")
    p.proposal(call)
    draft = p.draft(call, rounds=2)
    p.ballot(call, BallotKind.THEMES, government=0, others=3)
    p.ballot(call, BallotKind.COMMITMENTS, government=2, others=9, drafts=[draft])


def vote_one_voter_short_of_the_minimum_turnout(p):
    call = p.call("decision")
    p.proposal(call)
    draft = p.draft(call, rounds=2)
    p.ballot(call, BallotKind.THEMES, government=0, others=3)
    p.ballot(call, BallotKind.COMMITMENTS, government=0, others=9, drafts=[draft])


def vote_at_the_minimum_turnout(p):
    call = p.call("decision")
    p.proposal(call)
    draft = p.draft(call, rounds=2)
    p.ballot(call, BallotKind.THEMES, government=0, others=3)
    p.ballot(call, BallotKind.COMMITMENTS, government=0, others=10, drafts=[draft])


def vote_where_others_outnumber_government_by_one(p):
    call = p.call("decision")
    p.proposal(call)
    draft = p.draft(call, rounds=2)
    p.ballot(call, BallotKind.THEMES, government=0, others=3)
    p.ballot(call, BallotKind.COMMITMENTS, government=5, others=6, drafts=[draft])


def one_decided_by_vote_one_by_approval(p):
    call = p.call("decision")
    p.proposal(call)
    voted = p.draft(call, rounds=2)
    p.ballot(call, BallotKind.THEMES, government=0, others=3)
    p.ballot(call, BallotKind.COMMITMENTS, government=2, others=9, drafts=[voted])
    p.adopt(make_draft(call, p.secretariat, open_for_comments=False))


def evidence_spread_over_two_calls(p):
    """A plan uses the evidence of all its calls: two rounds in one call; in the other, one round and a
    themes vote its adopted commitment followed."""
    first, second = p.call("deliberation"), p.call("decision")
    p.proposal(first)
    p.draft(first, rounds=2)
    p.proposal(second)
    p.adopt(make_draft(second, p.secretariat, open_for_comments=False))
    p.ballot(second, BallotKind.THEMES, government=0, others=4)


SCENARIOS = [
    (nothing_published, Level.NO_CONSULTATION),
    (call_published_no_input, Level.INFORM),
    (signed_meeting_of_a_call_not_public, Level.NO_CONSULTATION),
    (only_government_input, Level.INFORM),
    (input_still_inside_its_window, Level.CONSULT),
    (government_input_answered_public_input_in_its_window, Level.CONSULT),
    (one_contribution_without_response, Level.CONSULT),
    (response_without_justification, Level.CONSULT),
    (comment_due_without_response, Level.CONSULT),
    (rounds_with_a_comment_unanswered, Level.CONSULT),
    (every_contribution_answered, Level.INVOLVE),
    (hidden_comment_needs_no_response, Level.INVOLVE),
    (secretariat_comment_is_not_a_contribution, Level.INVOLVE),
    (one_round_and_a_themes_vote, Level.INVOLVE),
    (two_rounds_without_agenda_setting, Level.INVOLVE),
    (two_rounds_and_themes_voted_by_government_only, Level.INVOLVE),
    (two_rounds_and_unpublished_themes_vote, Level.INVOLVE),
    (two_rounds_and_adopted_from_government_proposal, Level.INVOLVE),
    (two_rounds_and_adopted_from_cso_proposal_not_taken_up, Level.INVOLVE),
    (themes_vote_with_nothing_adopted_yet, Level.INVOLVE),
    (themes_vote_not_followed, Level.INVOLVE),
    (themes_vote_tied_between_government_and_others, Level.INVOLVE),
    (adopted_without_a_completed_round, Level.INVOLVE),
    (two_rounds_and_themes_vote, Level.COLLABORATE),
    (themes_vote_one_more_non_government_voter, Level.COLLABORATE),
    (two_rounds_and_adopted_from_cso_proposal_merged, Level.COLLABORATE),
    (vote_one_voter_short_of_the_minimum_turnout, Level.COLLABORATE),
    (two_rounds_and_adopted_from_cso_proposal, Level.COLLABORATE),
    (evidence_spread_over_two_calls, Level.COLLABORATE),
    (vote_where_government_alone_decides, Level.COLLABORATE),
    (adopted_by_approval_after_a_vote, Level.COLLABORATE),
    (one_decided_by_vote_one_by_approval, Level.COLLABORATE),
    (vote_where_the_public_decides, Level.EMPOWER),
    (vote_at_the_minimum_turnout, Level.EMPOWER),
    (vote_where_others_outnumber_government_by_one, Level.EMPOWER),
]


@pytest.mark.parametrize(("build", "expected"), SCENARIOS, ids=[s[0].__name__ for s in SCENARIOS])
def test_level_boundaries(app, build, expected):
    with app.test_request_context():
        process = Process()
        build(process)
        db.session.commit()
        assessment = assess(Scope.of_plan(process.plan))
        assert assessment.level is expected, [(c.level.value, c.met, [e.text for e in c.missing]) for c in assessment.checks]
        # What is missing names the next level's unmet condition (none at the top).
        assert bool(assessment.missing_for_next) == (expected is not Level.EMPOWER)


def test_each_call_has_its_own_level_and_the_plan_takes_all_evidence(app):
    with app.test_request_context():
        process = Process()
        evidence_spread_over_two_calls(process)
        db.session.commit()
        calls = db.session.scalars(select(Call).order_by(Call.id)).all()
        assert [assess(Scope.of_call(c)).level for c in calls] == [Level.INVOLVE, Level.INVOLVE]
        assert assess(Scope.of_plan(process.plan)).level is Level.COLLABORATE
        assert services.plan_level(process.plan) is Level.COLLABORATE


def test_evidence_counts_and_what_is_missing(app):
    with app.test_request_context():
        process = Process()
        call = process.call("deliberation")
        answered = [process.proposal(call) for _ in range(3)]
        missing = process.proposal(call, answer=None)
        db.session.commit()
        a = assess(Scope.of_plan(process.plan))
        assert a.level is Level.CONSULT
        assert a.counts.due == 4 and a.counts.due_answered == 3 and a.counts.coverage == 0.75
        texts = [e.text for e in a.missing_for_next]
        assert "3 de 4 contribuciones que debían recibir respuesta tienen una respuesta razonada" in texts
        links = [e for e in a.missing_for_next if e.endpoint == "proposals.detail"]
        assert [e.values["proposal_id"] for e in links] == [missing.id]
        assert len(answered) == 3


def test_the_sector_the_log_recorded_wins_over_a_later_change(app):
    """A CSO that later becomes 'government' does not erase the input it gave as civil society."""
    from ogpcocreate.core import eventlog
    from ogpcocreate.core.eventlog import Verb

    with app.test_request_context():
        process = Process()
        call = process.call("open")
        author = make_user()
        proposal = make_proposal(call, author, process.cso)
        eventlog.record(author, Verb.SUBMITTED, proposal, process.cso, call=call)
        process.cso.sector = Sector.GOVERNMENT
        db.session.commit()
        assert assess(Scope.of_plan(process.plan)).level is Level.CONSULT


def test_a_level_whose_conditions_hold_above_an_unmet_one_is_not_reached(app):
    """The evidence table says, per level, whether its own conditions hold and whether it is reached."""
    with app.test_request_context():
        process = Process()
        call = process.call("decision")
        source = process.proposal(call, answer="adopted")
        process.adopt(process.draft(call, rounds=2, sources=[source]))
        process.proposal(call, answer=None)  # one unanswered: involve fails
        db.session.commit()
        a = assess(Scope.of_plan(process.plan))
        assert a.level is Level.CONSULT
        assert a.check(Level.COLLABORATE).met and not a.reached(Level.COLLABORATE)
        plan_id = process.plan.id
    client = app.test_client()
    page = client.get(f"/plans/{plan_id}/influence", headers={"Accept-Language": "en"}).get_data(as_text=True)
    table = page.split('class="evidence-table"')[1].split("</table>")[0]
    row = table.split('data-level="collaborate"')[1].split("</tr>")[0]
    assert "Conditions met, not reached" in row and "Met: level reached" not in row
    assert "Met: level reached" in table.split('data-level="consult"')[1].split("</tr>")[0]
    data = client.get(f"/api/v1/plans/{plan_id}/influence").get_json()
    collaborate = next(e for e in data["evidence"] if e["level"] == "collaborate")
    assert collaborate["met"] is True and collaborate["reached"] is False


def test_government_only_input_does_not_meet_involve(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        process = Process()
        only_government_input(process)
        db.session.commit()
        a = assess(Scope.of_plan(process.plan))
        assert not a.check(Level.INVOLVE).met
        assert any("comes from government participants" in e.text for e in a.check(Level.INVOLVE).missing)


@pytest.mark.parametrize(("counted", "reached"), [(0, 0), (1, 1)], ids=["nobody counted", "one person counted"])
def test_people_counted_at_a_meeting_take_its_territory(app, counted, reached):
    from ogpcocreate.meetings.models import UnregisteredAttendance
    from ogpcocreate.reports.participation import who_participated

    with app.test_request_context():
        process = Process()
        meeting = make_meeting(process.call("deliberation"), territory="MX-YUC")
        if counted:
            db.session.add(UnregisteredAttendance(meeting_id=meeting.id, sector=Sector.CITIZEN, count=counted))
        db.session.commit()
        p = who_participated(Scope.of_plan(process.plan))
        yucatan = next(r for r in p.by_territory if r.key == "MX-YUC")
        assert (yucatan.unregistered, yucatan.total_people, p.territories_reached) == (counted, counted, reached)
