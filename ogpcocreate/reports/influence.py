"""The level of public influence of a call or a plan, from the participation record.

Implements shared/DOMAIN.md, "Level of public influence (IAP2, as the IRM uses it)". Each level needs
all the levels below it; the level of a process is the highest level whose own condition holds and all
whose lower conditions hold too. Every condition returns its evidence (counts, with links to the
records) and, when it fails, what is missing, so the page can say both "212 of 212 contributions have a
reasoned response" and "a second completed round on any draft commitment".

The rules, one function each below, with DOMAIN.md's "Refinements of the influence rules" (they win over
the first list where they differ) and "Who counts as government" (the sector of each act is the one the
log recorded, organisations/acting.py):

- ``inform`` - at least one public record of the process: a published call, or a meeting record signed
  by the secretariat (meeting minutes are repository documents, DOMAIN.md "Public record").
- ``consult`` - at least one contribution from a non-government participant (public input; government
  is Sector.GOVERNMENT only, see core/sectors.py).
- ``involve`` - every contribution due a response has a published reasoned response, every response
  that does not adopt its contribution has a justification, and at least one due *public* input was
  answered: government answering its own contributions is not feedback on public input. A contribution
  is due once its window has closed (reports/contributions.py). Coverage is reported for all
  contributions and for public input, at every level.
- ``collaborate`` - iteration and agenda. Iteration: at least two *completed rounds* on some draft
  commitment, and at least one on every adopted commitment. Round N of a draft (DOMAIN.md "Round":
  version published -> comments -> responses -> next version) is completed when version N's comment
  window has closed, every contribution on it has a response, and it was followed by version N+1 or by
  the adoption of the commitment. Agenda: (a) an adopted commitment takes up a non-government proposal
  whose response was adopted, partially adopted or merged (a source answered "not adopted" shaped
  nothing), or (b) a published themes vote decided the agenda: non-government voters outnumbered
  government voters and every adopted commitment of its call belongs to a theme the vote chose (one more
  than half of the voters approved). A vote whose result was not followed shapes nothing.
- ``empower`` - every adopted commitment in scope was adopted by a published vote in which
  non-government voters outnumbered government voters, with at least the plan's minimum turnout
  (``ActionPlan.min_turnout``, default 10).

The evidence table says, per level, whether its own conditions hold (``Check.met``) and whether the
level is reached (``Assessment.reached``): conditions can hold above an unmet level.

The IRM assigns its level by a researcher's judgement; this level is evidence-based, and the page says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import String, and_, case, func, select, type_coerce

from .. import visibility
from ..calls.models import Call
from ..comments.models import Comment
from ..core.db import utcnow
from ..core.eventlog import ParticipationEvent, Verb
from ..core.sectors import Sector
from ..drafts.models import Adoption, DraftCommitment, DraftVersion, draft_sources
from ..extensions import db
from ..meetings.models import Meeting
from ..organisations.models import Organisation
from ..plans.models import ActionPlan
from ..proposals.models import Proposal
from ..responses import contributions as contribution
from ..responses.models import Outcome, Response
from ..votes.models import Ballot, BallotKind, BallotOption, BallotVoter, Vote
from . import contributions
from .contributions import ContributionCounts
from .levels import Level
from .scope import Scope

GOVERNMENT = Sector.GOVERNMENT.value


@dataclass
class Evidence:
    """One line of evidence or of what is missing, with the record it points at (endpoint + values,
    resolved to a URL by the view so this module never needs a request)."""

    text: str
    endpoint: str | None = None
    values: dict = field(default_factory=dict)


@dataclass
class Check:
    """One level's own condition: whether it holds, what supports it, what it still lacks."""

    level: Level
    met: bool
    evidence: list[Evidence]
    missing: list[Evidence]


@dataclass
class Assessment:
    scope: Scope
    level: Level
    checks: list[Check]  # inform ... empower, in order
    counts: ContributionCounts

    @property
    def missing_for_next(self) -> list[Evidence]:
        nxt = self.level.next
        return next((c.missing for c in self.checks if c.level is nxt), []) if nxt else []

    def check(self, level: Level) -> Check:
        return next(c for c in self.checks if c.level is level)

    def reached(self, level: Level) -> bool:
        """Whether the process reached ``level``: its own conditions *and* all those below it hold. A level
        whose conditions hold above an unmet one reads "conditions met, not reached" (DOMAIN.md)."""
        return level.rank <= self.level.rank


def assess(scope: Scope, now: datetime | None = None) -> Assessment:
    now = now or utcnow()
    counts = contributions.count(scope, now)
    checks = [
        inform(scope),
        consult(scope, counts),
        involve(scope, counts, now),
        collaborate(scope, now),
        empower(scope),
    ]
    level = Level.NO_CONSULTATION
    for c in checks:
        if not c.met:
            break
        level = c.level
    return Assessment(scope, level, checks, counts)


def _scope_link(scope: Scope) -> tuple[str, dict]:
    return ("plans.detail", {"plan_id": scope.id}) if scope.is_plan else ("calls.detail", {"call_id": scope.id})


# --- inform ------------------------------------------------------------------------------------------


def inform(scope: Scope) -> Check:
    calls = db.session.execute(
        select(Call.id, Call.title).where(scope.calls()).order_by(Call.published_at)
    ).all()
    meetings = db.session.execute(
        select(func.count(Meeting.id), func.min(Meeting.id))
        .join(Call, Call.id == Meeting.call_id).where(scope.calls(), visibility.public_meeting(), Meeting.signed_at.is_not(None))
    ).one()
    evidence = []
    if calls:
        text = ngettext("%(num)d call for proposals published: “%(title)s”",
                        "%(num)d calls for proposals published, the first “%(title)s”", len(calls), title=calls[0].title)
        evidence.append(Evidence(text, "calls.detail", {"call_id": calls[0].id}))
    if meetings[0]:
        evidence.append(Evidence(ngettext("%(num)d meeting record signed by the secretariat",
                                          "%(num)d meeting records signed by the secretariat", meetings[0]),
                                 "meetings.detail", {"meeting_id": meetings[1]}))
    missing = [] if evidence else [Evidence(_("A public record of the process: a published call for proposals or a "
                                              "signed meeting record."))]
    return Check(Level.INFORM, bool(evidence), evidence, missing)


# --- consult -----------------------------------------------------------------------------------------


def consult(scope: Scope, counts: ContributionCounts) -> Check:
    endpoint, values = _scope_link(scope)
    evidence, missing = [], []
    if counts.non_government:
        evidence.append(Evidence(
            ngettext("%(num)d contribution from non-government participants (of %(total)d)",
                     "%(num)d contributions from non-government participants (of %(total)d)",
                     counts.non_government, total=counts.total), endpoint, values))
    else:
        missing.append(Evidence(_("At least one contribution (a proposal or a comment) from a non-government "
                                  "participant.")))
    return Check(Level.CONSULT, bool(counts.non_government), evidence, missing)


# --- involve -----------------------------------------------------------------------------------------


def _contribution_link(row) -> tuple[str, dict]:
    if row.kind == "proposal":
        return "proposals.detail", {"proposal_id": row.id}
    if row.kind == "implementation_comment":
        return "monitoring.commitment", {"draft_id": row.draft_id, "_anchor": f"dialogue-{row.id}"}
    return "drafts.version", {"draft_id": row.draft_id, "number": row.version, "_anchor": f"comment-{row.id}"}


def involve(scope: Scope, counts: ContributionCounts, now: datetime) -> Check:
    endpoint, values = _scope_link(scope)
    evidence, missing = [], []
    if counts.due:
        line = ngettext("%(answered)d of %(num)d contribution due a response has a reasoned response",
                        "%(answered)d of %(num)d contributions due a response have a reasoned response",
                        counts.due, answered=counts.due_answered)
        (evidence if counts.due_unanswered == 0 else missing).append(Evidence(line, endpoint, values))
    else:
        missing.append(Evidence(_("Reasoned responses to contributions: no contribution is due a response yet.")))
    if counts.public_due:
        line = ngettext("%(answered)d of %(num)d contribution from non-government participants due a response has one",
                        "%(answered)d of %(num)d contributions from non-government participants due a response have one",
                        counts.public_due, answered=counts.public_due_answered)
        (evidence if counts.public_due == counts.public_due_answered else missing).append(Evidence(line, endpoint, values))
    elif counts.due:
        # Government answering itself is not feedback on public input (DOMAIN.md, "Refinements").
        missing.append(Evidence(_("Feedback on public input: every contribution due a response so far comes from "
                                  "government participants.")))
    if counts.awaiting_window:
        evidence.append(Evidence(ngettext(
            "%(num)d more contribution is still inside its window and not yet due a response",
            "%(num)d more contributions are still inside their window and not yet due a response",
            counts.awaiting_window)))
    if counts.unjustified:
        missing.append(Evidence(ngettext("%(num)d response that does not adopt its contribution gives no reasons",
                                         "%(num)d responses that do not adopt their contribution give no reasons",
                                         counts.unjustified)))
    elif counts.answered:
        evidence.append(Evidence(_("Every response that does not adopt its contribution gives its reasons.")))
    if counts.due_unanswered:
        for row in contributions.due_unanswered(scope, now):
            label = _("Proposal #%(id)d has no response", id=row.id) if row.kind == "proposal" else \
                _("Comment #%(id)d has no response", id=row.id)
            missing.append(Evidence(label, *_contribution_link(row)))
    met = counts.public_due_answered > 0 and counts.due_unanswered == 0 and counts.unjustified == 0
    return Check(Level.INVOLVE, met, evidence, missing)


# --- collaborate -------------------------------------------------------------------------------------


@dataclass
class DraftRounds:
    draft_id: int
    title: str
    completed: int
    versions: int
    adopted: bool = False


def completed_rounds(scope: Scope, now: datetime) -> list[DraftRounds]:
    """Completed rounds per draft commitment in scope, most first (see the module docstring)."""
    unanswered = case((and_(Comment.id.is_not(None), Response.id.is_(None)), 1), else_=0)
    versions = db.session.execute(
        select(DraftVersion.draft_id, DraftVersion.number, DraftVersion.comments_close_at, func.sum(unanswered))
        .join(DraftCommitment, DraftCommitment.id == DraftVersion.draft_id)
        .join(Call, Call.id == DraftCommitment.call_id)
        .outerjoin(Comment, and_(Comment.version_id == DraftVersion.id, contribution.comment_counts()))
        .outerjoin(Response, contribution.current_response_to_comment())
        .where(scope.calls())
        .group_by(DraftVersion.id, DraftVersion.draft_id, DraftVersion.number, DraftVersion.comments_close_at)
    ).all()
    drafts = {d.id: d for d in db.session.execute(
        select(DraftCommitment.id, DraftCommitment.title, DraftCommitment.adopted_at)
        .join(Call, Call.id == DraftCommitment.call_id).where(scope.calls())
    )}
    by_draft: dict[int, dict[int, tuple]] = defaultdict(dict)
    for draft_id, number, closes_at, open_count in versions:
        by_draft[draft_id][number] = (closes_at, int(open_count or 0))
    result = []
    for draft_id, numbered in by_draft.items():
        draft = drafts[draft_id]
        done = sum(
            1 for number, (closes_at, open_count) in numbered.items()
            if closes_at <= now and open_count == 0 and (number + 1 in numbered or draft.adopted_at is not None)
        )
        result.append(DraftRounds(draft_id, draft.title, done, len(numbered), draft.adopted_at is not None))
    result.sort(key=lambda r: (-r.completed, r.draft_id))
    return result


def _sector_of_submission():
    """The sector the log recorded when a proposal was submitted (else its organisation's, else citizen)."""
    return func.coalesce(
        type_coerce(ParticipationEvent.sector, String),
        case((Proposal.organisation_id.is_(None), Sector.CITIZEN.value), else_=type_coerce(Organisation.sector, String)),
    )


# Responses that took a proposal into the text: only these let a commitment "come from" it.
TAKEN_UP = (Outcome.ADOPTED, Outcome.PARTIALLY_ADOPTED, Outcome.MERGED)


def _voters_by_side(ballot_ids):
    """{ballot id: (government voters, other voters)}: one GROUP BY."""
    is_gov = case((BallotVoter.sector == GOVERNMENT, 1), else_=0)
    return {row[0]: (int(row[1] or 0), int(row[2] or 0)) for row in db.session.execute(
        select(BallotVoter.ballot_id, func.sum(is_gov), func.sum(1 - is_gov))
        .where(BallotVoter.ballot_id.in_(ballot_ids)).group_by(BallotVoter.ballot_id)
    )} if ballot_ids else {}


def themes_votes(scope: Scope) -> tuple[list[Evidence], list[Evidence]]:
    """Published themes ballots that decided the agenda, and those that did not (with why).

    A vote decided the agenda when non-government voters outnumbered government voters and every adopted
    commitment of its call belongs to a theme the vote chose: a theme more than half of the voters
    approved (the same majority that adopts a commitment by vote). A vote whose result was not followed,
    or whose call has adopted nothing yet, shapes nothing.
    """
    ballots = db.session.execute(
        select(Ballot.id, Ballot.question, Ballot.call_id).join(Call, Call.id == Ballot.call_id)
        .where(scope.calls(), visibility.public_ballot(), Ballot.kind == BallotKind.THEMES, Ballot.results_published_at.is_not(None))
        .order_by(Ballot.id)
    ).all()
    if not ballots:
        return [], []
    ids = [b.id for b in ballots]
    sides = _voters_by_side(ids)
    approvals: dict[int, dict[int, int]] = defaultdict(dict)
    for ballot_id, theme_id, n in db.session.execute(
        select(BallotOption.ballot_id, BallotOption.theme_id, func.count(Vote.id))
        .outerjoin(Vote, Vote.option_id == BallotOption.id)
        .where(BallotOption.ballot_id.in_(ids)).group_by(BallotOption.ballot_id, BallotOption.theme_id)
    ):
        approvals[ballot_id][theme_id] = n
    adopted: dict[int, list] = defaultdict(list)
    for row in db.session.execute(
        select(DraftCommitment.call_id, DraftCommitment.title, DraftCommitment.theme_id)
        .where(DraftCommitment.call_id.in_({b.call_id for b in ballots}), DraftCommitment.adopted_at.is_not(None))
        .order_by(DraftCommitment.id)
    ):
        adopted[row.call_id].append(row)
    decided, not_decided = [], []
    for ballot in ballots:
        government, others = sides.get(ballot.id, (0, 0))
        voters = government + others
        chosen = {theme for theme, n in approvals[ballot.id].items() if voters and 2 * n > voters}
        link = ("votes.detail", {"ballot_id": ballot.id})
        outside = [d.title for d in adopted[ballot.call_id] if d.theme_id not in chosen]
        if others <= government:
            not_decided.append(Evidence(_("The themes vote “%(question)s” had %(government)d government and %(others)d "
                                          "non-government voters, so government votes alone could decide it.",
                                          question=ballot.question, government=government, others=others), *link))
        elif not adopted[ballot.call_id]:
            not_decided.append(Evidence(_("The themes vote “%(question)s” decides the agenda once commitments of its "
                                          "call are adopted within the themes it chose.", question=ballot.question), *link))
        elif outside:
            not_decided.append(Evidence(_("The themes vote “%(question)s” was not followed: “%(title)s” was adopted "
                                          "under a theme the vote did not choose.", question=ballot.question,
                                          title=outside[0]), *link))
        else:
            decided.append(Evidence(
                ngettext("Themes chosen by a vote with %(num)d non-government voter, and every adopted commitment of "
                         "the call belongs to a chosen theme: “%(question)s”",
                         "Themes chosen by a vote with %(num)d non-government voters, and every adopted commitment of "
                         "the call belongs to a chosen theme: “%(question)s”", others, question=ballot.question), *link))
    return decided, not_decided


def agenda_evidence(scope: Scope) -> tuple[list[Evidence], list[Evidence]]:
    """What shows non-government participants shaped the agenda, and the near misses (DOMAIN.md,
    "Refinements of the influence rules")."""
    evidence, near = themes_votes(scope)
    adopted = db.session.execute(
        select(DraftCommitment.id, DraftCommitment.title, func.count(Proposal.id.distinct()))
        .join(Call, Call.id == DraftCommitment.call_id)
        .join(draft_sources, draft_sources.c.draft_id == DraftCommitment.id)
        .join(Proposal, Proposal.id == draft_sources.c.proposal_id)
        .join(Response, and_(Response.proposal_id == Proposal.id, Response.is_current))
        .outerjoin(Organisation, Organisation.id == Proposal.organisation_id)
        .outerjoin(ParticipationEvent, and_(ParticipationEvent.subject_type == "proposal",
                                            ParticipationEvent.subject_id == Proposal.id,
                                            ParticipationEvent.verb == Verb.SUBMITTED.value))
        .where(scope.calls(), DraftCommitment.adopted_at.is_not(None), _sector_of_submission() != GOVERNMENT,
               Response.outcome.in_(TAKEN_UP))
        .group_by(DraftCommitment.id, DraftCommitment.title).order_by(DraftCommitment.id)
    ).all()
    for draft_id, title, proposals in adopted:
        evidence.append(Evidence(
            ngettext("Adopted commitment “%(title)s” takes up %(num)d proposal by non-government participants",
                     "Adopted commitment “%(title)s” takes up %(num)d proposals by non-government participants",
                     proposals, title=title), "drafts.detail", {"draft_id": draft_id}))
    return evidence, near


def collaborate(scope: Scope, now: datetime) -> Check:
    """Iteration (two completed rounds on some draft, and at least one on every adopted commitment) and
    the agenda shaped by non-government participants (DOMAIN.md, "Refinements of the influence rules")."""
    evidence, missing = [], []
    rounds = completed_rounds(scope, now)
    best = rounds[0] if rounds else None
    iterated = bool(best and best.completed >= 2)
    if iterated:
        evidence.append(Evidence(_("“%(title)s” completed %(num)d rounds of comments and reasoned responses",
                                   title=best.title, num=best.completed), "drafts.detail", {"draft_id": best.draft_id}))
    elif best:
        missing.append(Evidence(_("A second completed round on any draft commitment (most so far: %(num)d, on "
                                  "“%(title)s”).", num=best.completed, title=best.title),
                                "drafts.detail", {"draft_id": best.draft_id}))
    else:
        missing.append(Evidence(_("Two completed rounds (version, comments, responses, next version) on a draft "
                                  "commitment: no draft commitment has been published yet.")))
    skipped = [r for r in rounds if r.adopted and r.completed == 0]
    for r in skipped:
        missing.append(Evidence(_("Adopted commitment “%(title)s” went through no completed round of comments and "
                                  "responses.", title=r.title), "drafts.detail", {"draft_id": r.draft_id}))
    agenda, near = agenda_evidence(scope)
    evidence.extend(agenda)
    if not agenda:
        missing.append(Evidence(_("The agenda shaped by non-government participants: a published vote on the themes "
                                  "that the adopted commitments followed, or an adopted commitment that takes up a "
                                  "non-government proposal (adopted, partially adopted or merged).")))
        missing.extend(near)
    return Check(Level.COLLABORATE, iterated and not skipped and bool(agenda), evidence, missing)


# --- empower -----------------------------------------------------------------------------------------


def min_turnout(scope: Scope) -> int:
    """The plan's minimum turnout of a deciding vote (a call takes its plan's)."""
    query = select(ActionPlan.min_turnout)
    query = query.where(ActionPlan.id == scope.id) if scope.is_plan else \
        query.join(Call, Call.plan_id == ActionPlan.id).where(Call.id == scope.id)
    return db.session.scalar(query) or 10


def empower(scope: Scope) -> Check:
    """Every adopted commitment adopted by a published vote in which non-government voters outnumbered
    government voters, with at least the plan's minimum turnout."""
    adopted = db.session.execute(
        select(DraftCommitment.id, DraftCommitment.title, DraftCommitment.adopted_via)
        .join(Call, Call.id == DraftCommitment.call_id)
        .where(scope.calls(), DraftCommitment.adopted_at.is_not(None)).order_by(DraftCommitment.id)
    ).all()
    questions = dict(db.session.execute(
        select(Ballot.id, Ballot.question).join(Call, Call.id == Ballot.call_id)
        .where(scope.calls(), visibility.public_ballot(), Ballot.kind == BallotKind.COMMITMENTS, Ballot.results_published_at.is_not(None))
    ).all())
    sides = _voters_by_side(list(questions))
    options: dict[int, list[int]] = defaultdict(list)
    if questions:
        for ballot_id, draft_id in db.session.execute(
            select(BallotOption.ballot_id, BallotOption.draft_id).where(BallotOption.ballot_id.in_(list(questions)),
                                                                        BallotOption.draft_id.is_not(None))
        ):
            options[draft_id].append(ballot_id)
    turnout = min_turnout(scope)

    evidence, missing = [], []
    if not adopted:
        missing.append(Evidence(_("The final selection of commitments made by a recorded vote in which non-government "
                                  "votes could decide: no commitment has been adopted yet.")))
    decisive = set()
    for draft in adopted:
        near = options.get(draft.id, [])
        deciding = [b for b in near if sides.get(b, (0, 0))[1] > sides.get(b, (0, 0))[0]
                    and sum(sides.get(b, (0, 0))) >= turnout]
        if draft.adopted_via is Adoption.VOTE and deciding:
            decisive.add(draft.id)
            b = deciding[0]
            government, others = sides[b]
            evidence.append(Evidence(
                _("“%(title)s” adopted by the vote “%(question)s”: %(others)d non-government and %(government)d "
                  "government voters", title=draft.title, question=questions[b], others=others, government=government),
                "votes.detail", {"ballot_id": b}))
        elif draft.adopted_via is Adoption.VOTE and near:
            b = near[0]
            government, others = sides.get(b, (0, 0))
            if others <= government:
                text = _("“%(title)s” was adopted by a vote in which government voters (%(government)d) were at least as "
                         "many as the others (%(others)d), so government votes alone could decide.", title=draft.title,
                         government=government, others=others)
            else:
                text = _("“%(title)s” was adopted by a vote of %(voters)d voters, fewer than the plan's minimum turnout "
                         "of %(turnout)d.", title=draft.title, voters=government + others, turnout=turnout)
            missing.append(Evidence(text, "votes.detail", {"ballot_id": b}))
        elif draft.adopted_via is Adoption.VOTE:
            missing.append(Evidence(_("“%(title)s” was adopted by a vote whose results are not published.",
                                      title=draft.title), "drafts.detail", {"draft_id": draft.id}))
        else:
            missing.append(Evidence(_("“%(title)s” was adopted by the secretariat's approval, not by a vote.",
                                      title=draft.title), "drafts.detail", {"draft_id": draft.id}))
    met = bool(adopted) and len(decisive) == len(adopted)
    return Check(Level.EMPOWER, met, evidence, missing)
