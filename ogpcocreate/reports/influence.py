"""The level of public influence of a call or a plan, from the participation record.

Implements shared/DOMAIN.md, "Level of public influence (IAP2, as the IRM uses it)". Each level needs
all the levels below it; the level of a process is the highest level whose own condition holds and all
whose lower conditions hold too. Every condition returns its evidence (counts, with links to the
records) and, when it fails, what is missing, so the page can say both "212 of 212 contributions have a
reasoned response" and "a second completed round on any draft commitment".

The rules, one function each below:

- ``inform`` - at least one public record of the process: a published call, or a meeting record signed
  by the secretariat (meeting minutes are repository documents, DOMAIN.md "Public record").
- ``consult`` - at least one contribution from a non-government participant (sector as the log
  recorded it; government is Sector.GOVERNMENT only, see core/sectors.py).
- ``involve`` - every contribution due a response has a published reasoned response, and every response
  that does not adopt its contribution has a justification. A contribution is due once its window has
  closed (reports/contributions.py); at least one must be due and answered, because "government gave
  feedback" needs feedback. Coverage is reported at every level.
- ``collaborate`` - at least two *completed rounds* on some draft commitment, and the agenda was shaped
  by non-government participants. Round N of a draft (DOMAIN.md "Round": version published -> comments
  -> responses -> next version) is completed when version N's comment window has closed, every
  contribution on it has a response, and it was followed by version N+1 or by the adoption of the
  commitment. The agenda condition holds when non-government participants voted the themes (a themes
  ballot with published results and at least one non-government voter) or at least one adopted
  commitment comes from a proposal by a non-government participant. (Themes are set by the secretariat
  in the call; the platform has no record of who proposed a theme, so "proposed the themes" is
  evidenced by the vote or by the adopted commitment.)
- ``empower`` - the final selection of commitments was made by a recorded vote in which non-government
  votes could decide the outcome: there is at least one adopted commitment, every adopted commitment in
  scope was adopted by vote, and each was an option of a commitments ballot with published results in
  which non-government voters outnumbered government voters (so whatever government voted, the others
  could carry or defeat every option).

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
from ..proposals.models import Proposal
from ..responses.models import Response
from ..votes.models import Ballot, BallotKind, BallotOption, BallotVoter
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
    met = counts.due > 0 and counts.due_unanswered == 0 and counts.unjustified == 0
    return Check(Level.INVOLVE, met, evidence, missing)


# --- collaborate -------------------------------------------------------------------------------------


@dataclass
class DraftRounds:
    draft_id: int
    title: str
    completed: int
    versions: int


def completed_rounds(scope: Scope, now: datetime) -> list[DraftRounds]:
    """Completed rounds per draft commitment in scope, most first (see the module docstring)."""
    unanswered = case((and_(Comment.id.is_not(None), Response.id.is_(None)), 1), else_=0)
    versions = db.session.execute(
        select(DraftVersion.draft_id, DraftVersion.number, DraftVersion.comments_close_at, func.sum(unanswered))
        .join(DraftCommitment, DraftCommitment.id == DraftVersion.draft_id)
        .join(Call, Call.id == DraftCommitment.call_id)
        .outerjoin(Comment, and_(Comment.version_id == DraftVersion.id, Comment.is_contribution,
                                 Comment.hidden_at.is_(None)))
        .outerjoin(Response, and_(Response.comment_id == Comment.id, Response.is_current))
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
        result.append(DraftRounds(draft_id, draft.title, done, len(numbered)))
    result.sort(key=lambda r: (-r.completed, r.draft_id))
    return result


def _sector_of_submission():
    """The sector the log recorded when a proposal was submitted (else its organisation's, else citizen)."""
    return func.coalesce(
        type_coerce(ParticipationEvent.sector, String),
        case((Proposal.organisation_id.is_(None), Sector.CITIZEN.value), else_=type_coerce(Organisation.sector, String)),
    )


def agenda_evidence(scope: Scope) -> list[Evidence]:
    evidence = []
    ballots = db.session.execute(
        select(Ballot.id, Ballot.question, func.count(BallotVoter.id))
        .join(Call, Call.id == Ballot.call_id)
        .join(BallotVoter, BallotVoter.ballot_id == Ballot.id)
        .where(scope.calls(), visibility.public_ballot(), Ballot.kind == BallotKind.THEMES,
               Ballot.results_published_at.is_not(None),
               BallotVoter.sector != GOVERNMENT)
        .group_by(Ballot.id, Ballot.question).order_by(Ballot.id)
    ).all()
    for ballot_id, question, voters in ballots:
        evidence.append(Evidence(
            ngettext("Themes chosen by a vote with %(num)d non-government voter: “%(question)s”",
                     "Themes chosen by a vote with %(num)d non-government voters: “%(question)s”", voters,
                     question=question), "votes.detail", {"ballot_id": ballot_id}))
    adopted = db.session.execute(
        select(DraftCommitment.id, DraftCommitment.title, func.count(Proposal.id.distinct()))
        .join(Call, Call.id == DraftCommitment.call_id)
        .join(draft_sources, draft_sources.c.draft_id == DraftCommitment.id)
        .join(Proposal, Proposal.id == draft_sources.c.proposal_id)
        .outerjoin(Organisation, Organisation.id == Proposal.organisation_id)
        .outerjoin(ParticipationEvent, and_(ParticipationEvent.subject_type == "proposal",
                                            ParticipationEvent.subject_id == Proposal.id,
                                            ParticipationEvent.verb == Verb.SUBMITTED.value))
        .where(scope.calls(), DraftCommitment.adopted_at.is_not(None), _sector_of_submission() != GOVERNMENT)
        .group_by(DraftCommitment.id, DraftCommitment.title).order_by(DraftCommitment.id)
    ).all()
    for draft_id, title, proposals in adopted:
        evidence.append(Evidence(
            ngettext("Adopted commitment “%(title)s” comes from %(num)d proposal by non-government participants",
                     "Adopted commitment “%(title)s” comes from %(num)d proposals by non-government participants",
                     proposals, title=title), "drafts.detail", {"draft_id": draft_id}))
    return evidence


def collaborate(scope: Scope, now: datetime) -> Check:
    evidence, missing = [], []
    rounds = completed_rounds(scope, now)
    best = rounds[0] if rounds else None
    if best and best.completed >= 2:
        evidence.append(Evidence(_("“%(title)s” completed %(num)d rounds of comments and reasoned responses",
                                   title=best.title, num=best.completed), "drafts.detail", {"draft_id": best.draft_id}))
    elif best:
        missing.append(Evidence(_("A second completed round on any draft commitment (most so far: %(num)d, on "
                                  "“%(title)s”).", num=best.completed, title=best.title),
                                "drafts.detail", {"draft_id": best.draft_id}))
    else:
        missing.append(Evidence(_("Two completed rounds (version, comments, responses, next version) on a draft "
                                  "commitment: no draft commitment has been published yet.")))
    agenda = agenda_evidence(scope)
    evidence.extend(agenda)
    if not agenda:
        missing.append(Evidence(_("The agenda shaped by non-government participants: a published vote on the themes, "
                                  "or an adopted commitment that comes from a non-government proposal.")))
    return Check(Level.COLLABORATE, bool(best and best.completed >= 2 and agenda), evidence, missing)


# --- empower -----------------------------------------------------------------------------------------


def empower(scope: Scope) -> Check:
    adopted = db.session.execute(
        select(DraftCommitment.id, DraftCommitment.title, DraftCommitment.adopted_via)
        .join(Call, Call.id == DraftCommitment.call_id)
        .where(scope.calls(), DraftCommitment.adopted_at.is_not(None)).order_by(DraftCommitment.id)
    ).all()
    is_gov = case((BallotVoter.sector == GOVERNMENT, 1), else_=0)
    ballots = {b.id: b for b in db.session.execute(
        select(Ballot.id, Ballot.question, func.sum(is_gov).label("government"),
               func.sum(1 - is_gov).label("others"))
        .join(Call, Call.id == Ballot.call_id)
        .join(BallotVoter, BallotVoter.ballot_id == Ballot.id)
        .where(scope.calls(), visibility.public_ballot(), Ballot.kind == BallotKind.COMMITMENTS,
               Ballot.results_published_at.is_not(None))
        .group_by(Ballot.id, Ballot.question)
    )}
    options: dict[int, list[int]] = defaultdict(list)
    if ballots:
        for ballot_id, draft_id in db.session.execute(
            select(BallotOption.ballot_id, BallotOption.draft_id).where(BallotOption.ballot_id.in_(list(ballots)),
                                                                        BallotOption.draft_id.is_not(None))
        ):
            options[draft_id].append(ballot_id)

    evidence, missing = [], []
    if not adopted:
        missing.append(Evidence(_("The final selection of commitments made by a recorded vote in which non-government "
                                  "votes could decide: no commitment has been adopted yet.")))
    decisive = set()
    for draft in adopted:
        deciding = [ballots[b] for b in options.get(draft.id, []) if ballots[b].others > ballots[b].government]
        if draft.adopted_via is Adoption.VOTE and deciding:
            decisive.add(draft.id)
            b = deciding[0]
            evidence.append(Evidence(
                _("“%(title)s” adopted by the vote “%(question)s”: %(others)d non-government and %(government)d "
                  "government voters", title=draft.title, question=b.question, others=b.others, government=b.government),
                "votes.detail", {"ballot_id": b.id}))
        elif draft.adopted_via is Adoption.VOTE:
            near = [ballots[b] for b in options.get(draft.id, [])]
            if near:
                b = near[0]
                missing.append(Evidence(
                    _("“%(title)s” was adopted by a vote in which government voters (%(government)d) were at least as "
                      "many as the others (%(others)d), so government votes alone could decide.", title=draft.title,
                      government=b.government, others=b.others), "votes.detail", {"ballot_id": b.id}))
            else:
                missing.append(Evidence(_("“%(title)s” was adopted by a vote whose results are not published.",
                                          title=draft.title), "drafts.detail", {"draft_id": draft.id}))
        else:
            missing.append(Evidence(_("“%(title)s” was adopted by the secretariat's approval, not by a vote.",
                                      title=draft.title), "drafts.detail", {"draft_id": draft.id}))
    met = bool(adopted) and len(decisive) == len(adopted)
    return Check(Level.EMPOWER, met, evidence, missing)


