"""The co-creation process of the generated data (demo/generate.py): two action plans and their calls,
proposals with reasoned responses, and drafts in rounds with comments, responses and moderation.

The older plan is closed for co-creation (every call's results published); the current one holds most
of the data. The first call of the current plan is the big one (about a third of all proposals) and its
first draft is the big one (6% of all comments, nearly all on its current version): the heavy pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from ..approvals.models import Action, Stance
from ..calls.models import Submitters
from ..core.eventlog import Verb
from ..core.sectors import Seat, Sector
from ..drafts.models import Section
from ..moderation.models import Decision
from ..plans.models import PlanStatus
from ..responses.models import Outcome
from . import generate_text as words
from .generate_world import DAY, HOUR, Weighted, World

IND, ORGS = Submitters.ORGANISATIONS_AND_INDIVIDUALS, Submitters.ORGANISATIONS
# (title, number of themes, who may submit, share of the plan's proposals, results published)
PLANS = [
    ("Plan de Acción Nacional 2023–2025 (datos generados)", 2023, 2025, PlanStatus.IMPLEMENTATION, -730, 0.2, [
        ("Convocatoria nacional de propuestas 2023", 6, IND, 0.5, True),
        ("Convocatoria de gobierno abierto local 2023", 4, ORGS, 0.3, True),
        ("Convocatoria de justicia abierta 2023", 4, IND, 0.2, True),
    ]),
    ("Plan de Acción Nacional 2025–2027 (datos generados)", 2025, 2027, PlanStatus.CO_CREATION, 0, 0.8, [
        ("Convocatoria nacional de propuestas 2025", 6, IND, 0.42, True),
        ("Convocatoria de gobierno abierto local 2025", 4, ORGS, 0.18, True),
        ("Convocatoria de datos abiertos y contrataciones 2025", 4, ORGS, 0.16, True),
        ("Convocatoria de justicia abierta 2025", 4, IND, 0.14, False),
        ("Convocatoria de juventudes y gobierno abierto 2025", 3, IND, 0.10, False),
    ]),
]  # fmt: skip
PROPOSAL_OUTCOMES = Weighted.of(list(Outcome), [15, 20, 15, 35, 15])
COMMENT_OUTCOMES = Weighted.of(list(Outcome), [15, 20, 10, 40, 15])
TAKEN_IN = {Outcome.ADOPTED, Outcome.PARTIALLY_ADOPTED}
SOURCES = TAKEN_IN | {Outcome.MERGED}
EDITS = Weighted.of([0, 1, 2, 3, 4], [25, 30, 20, 15, 10])
ROUND = 16 * DAY
SEATS, SECTIONS = list(Seat), list(Section)  # a version is open for comments 14 days; the next one comes two days later


@dataclass
class CallInfo:
    id: int
    plan_id: int
    plan_index: int
    title: str
    themes: list[tuple[int, str]]
    announce: datetime
    opens: datetime
    closes: datetime
    deliberation: datetime
    decision: datetime
    results: datetime | None
    allows_individuals: bool
    period_start: int
    share: float
    proposals: int = 0
    sources: dict[int, list[int]] = field(default_factory=dict)  # theme id -> answered proposals to draw on
    drafts: list[DraftInfo] = field(default_factory=list)

    @property
    def response_rate(self) -> float:
        return 0.97 if self.results else 0.85


def split(total: int, calls: list[CallInfo]) -> list[int]:
    """``total`` shared among the calls by their plan's and their own share, summing exactly to it."""
    weights = [PLANS[c.plan_index][5] * c.share for c in calls]
    exact = [total * weight / sum(weights) for weight in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(calls)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


@dataclass
class DraftInfo:
    id: int
    call: CallInfo
    title: str
    row: dict
    sources: list[int]
    versions: list[tuple[int, datetime, datetime]] = field(default_factory=list)  # id, published, closes
    comments: int = 0


def approve(w: World, when: datetime, action: Action, call: CallInfo, *, meeting: int | None = None,
            draft: int | None = None) -> list[str]:
    """One approval from each seat, an hour apart, logged as the approvals service logs them."""
    on, target = ("meeting", meeting) if meeting else ("draft_commitment", draft) if draft else ("call", call.id)
    for n, seat in enumerate(Seat):
        member, moment, comment = w.member(seat, n), when + n * HOUR, w.rng.choice(words.APPROVAL_COMMENTS)
        approval = w.add("approval", action=action, call_id=call.id if on == "call" else None, meeting_id=meeting,
                         draft_id=draft, seat=seat, user_id=member.id, stance=Stance.APPROVE, comment=comment,
                         created_at=moment, withdrawn_at=None)
        w.event(moment, Verb.APPROVED, "approval", approval, member, seat=seat, call=call,
                data={"action": action.value, "seat": seat.value, "comment": comment, "on": on, "id": target})
    return [seat.value for seat in Seat]


def plans_and_calls(w: World) -> list[CallInfo]:
    gov, calls, names = w.member(Seat.GOVERNMENT), [], iter(w.rng.sample(words.THEMES, len(words.THEMES)) * 9)
    for p, (name, start, end, status, offset, _share, specs) in enumerate(PLANS):
        created = w.t0 + offset * DAY
        about = f"Plan cocreado por el Secretariado Técnico Tripartito con la sociedad civil ({start}–{end})."
        plan = w.add("action_plan", name=name, period_start=start, period_end=end, status=status,
                     **words.pair("description", about), requires_tripartite=True, notice_days=14, min_turnout=10,
                     created_by_id=gov.id, updated_at=created, created_at=created)
        w.event(created, Verb.CREATED, "action_plan", plan, gov, seat=Seat.GOVERNMENT, plan=plan, data={"name": name})
        w.summary["current_plan" if status is PlanStatus.CO_CREATION else "older_plan"] = plan
        for k, (title, n_themes, submitters, share, results) in enumerate(specs):
            announce = created + (20 + 12 * k) * DAY
            opens, closes = announce + 15 * DAY, announce + 45 * DAY
            deliberation, decision = closes + 5 * DAY, closes + 55 * DAY
            description = (f"Invitamos a organizaciones, academia y ciudadanía a proponer acciones para el **{name}**. "
                           "Cada propuesta recibirá una respuesta razonada.")
            call_id = w.add("call", plan_id=plan, title=title, **words.pair("description", description),
                            submitters=submitters, announce_at=announce, opens_at=opens, closes_at=closes,
                            deliberation_at=deliberation, decision_at=decision, results_at=decision + 15 * DAY,
                            published_at=announce, results_published_at=decision + 15 * DAY if results else None,
                            created_by_id=gov.id, updated_at=announce, created_at=announce - 10 * DAY)
            themes = [(w.add("theme", call_id=call_id, name=theme, position=i), theme)
                      for i, theme in enumerate(next(names) for _ in range(n_themes))]
            call = CallInfo(call_id, plan, p, title, themes, announce, opens, closes, deliberation, decision,
                            decision + 15 * DAY if results else None, submitters is IND, start, share)
            calls.append(call)
            w.event(announce - 10 * DAY, Verb.CREATED, "call", call_id, gov, seat=Seat.GOVERNMENT, call=call,
                    data={"title": title, "short_notice": False})
            seats = approve(w, announce - 3 * DAY, Action.PUBLISH_CALL, call)
            w.event(announce, Verb.PUBLISHED, "call", call_id, gov, seat=Seat.GOVERNMENT, call=call,
                    data={"action": Action.PUBLISH_CALL.value, "approved_by": seats, "short_notice": False,
                          "notice_days": 15})
            if results:
                seats = approve(w, call.results - 2 * DAY, Action.PUBLISH_RESULTS, call)
                w.event(call.results, Verb.RESULTS_PUBLISHED, "call", call_id, gov, seat=Seat.GOVERNMENT, call=call,
                        data={"action": Action.PUBLISH_RESULTS.value, "approved_by": seats, "short_notice": False,
                              "notice_days": 15})
    return calls


def _respond(w: World, when: datetime, kind: str, contribution: int, contributor_sector: str, call: CallInfo,
             outcomes: Weighted) -> Outcome:
    """A reasoned response (and now and then a revision of it); returns the outcome that stands."""
    revisions = 2 if w.rng.random() < 0.04 else 1
    for revision in range(1, revisions + 1):
        outcome = outcomes.pick(w.rng)
        seat = w.rng.choice(SEATS)
        member = w.member(seat, contribution)
        justification = w.rng.choice(words.JUSTIFICATIONS[outcome.value])
        response = w.add("response", proposal_id=contribution if kind == "proposal" else None,
                         comment_id=contribution if kind == "comment" else None, revision=revision,
                         is_current=revision == revisions, outcome=outcome,
                         **words.pair("justification", justification), responder_id=member.id, seat=seat,
                         created_at=when)
        w.event(when, Verb.RESPONDED, "response", response, member, seat=seat, call=call,
                data={kind: contribution, "outcome": outcome.value, "revision": revision,
                      "contributor_sector": contributor_sector})
        when += w.rng.randint(1, 4) * DAY
    return outcome


def _pools(w: World) -> tuple[Weighted, Weighted, Weighted]:
    """Who submits (everyone; organisations only) and who comments, each with how active they are."""
    staff = {p.id for members in w.secretariat.values() for p in members}
    people = [p for p in w.people.values() if p.confirmed and p.id not in staff]
    activity = [min(40.0, w.rng.paretovariate(1.3)) for _ in people]
    public = {Sector.GOVERNMENT, Sector.GUARANTOR}
    can_submit = [(p, a) for p, a in zip(people, activity, strict=True)
                  if p.org is None or w.orgs[p.org].sector not in public]
    for_orgs = [(p, a) for p, a in can_submit if p.org is not None] or can_submit
    return (Weighted.of([p for p, _ in can_submit], [a for _, a in can_submit]),
            Weighted.of([p for p, _ in for_orgs], [a for _, a in for_orgs]),
            Weighted.of(people, activity))


def proposals(w: World, calls: list[CallInfo]) -> None:
    rng, total = w.rng, w.count("proposals")
    anyone, organisations, _ = _pools(w)
    for call, n in zip(calls, split(total, calls), strict=True):
        pool = anyone if call.allows_individuals else organisations
        for _ in range(n):
            person = pool.pick(rng)
            org = w.orgs[person.org] if person.org and (not call.allows_individuals or rng.random() < 0.9) else None
            theme_id, theme = rng.choice(call.themes)
            title = " ".join(rng.choice(part) for part in (words.PROPOSAL_ACTIONS, words.PROPOSAL_OBJECTS,
                                                            words.PROPOSAL_SCOPES)).strip()
            created = w.between(call.opens, call.closes - HOUR)
            edits = sorted(w.between(created, call.closes) for _ in range(EDITS.pick(rng)))
            withdrawn = w.between(edits[-1] if edits else created, call.closes) if rng.random() < 0.02 else None
            proposal = w.add(
                "proposal", call_id=call.id, theme_id=theme_id, author_id=person.id, organisation_id=org.id if org else None,
                title=title,
                **words.pair("problem", rng.choice(words.PROBLEMS) + rng.choice(words.PROBLEM_DETAILS)),
                **words.pair("action", rng.choice(words.ACTIONS)),
                **words.pair("expected_result", rng.choice(words.EXPECTED)),
                links="" if rng.random() < 0.8 else f"https://evidencia.example.org/{theme_id}/{rng.randrange(10**6)}",
                updated_at=withdrawn or (edits[-1] if edits else created), withdrawn_at=withdrawn, created_at=created)
            data = {"title": title}
            w.event(created, Verb.SUBMITTED, "proposal", proposal, person, org, call=call, data=data)
            for moment in edits:
                w.event(moment, Verb.EDITED, "proposal", proposal, person, org, call=call, data=data)
            if withdrawn:
                w.event(withdrawn, Verb.WITHDRAWN, "proposal", proposal, person, org, call=call)
                continue
            if rng.random() < call.response_rate:
                outcome = _respond(w, w.between(call.closes + DAY, call.deliberation), "proposal", proposal,
                                   org.sector.value if org else Sector.CITIZEN.value, call, PROPOSAL_OUTCOMES)
                if outcome in SOURCES:
                    call.sources.setdefault(theme_id, []).append(proposal)
        call.proposals = n
    big = max((c for c in calls if c.plan_index == 1), key=lambda c: c.proposals)
    w.summary["biggest_call"] = big.id
    w.summary["biggest_call_proposals"] = big.proposals
    w.summary["proposal_in_biggest_call"] = next(r["id"] for r in w.rows["proposal"] if r["call_id"] == big.id)


def _version_text(theme: str, number: int) -> dict:
    obj = theme.lower()
    values = {}
    for section, template in words.DRAFT_SECTIONS.items():
        text = template.format(obj=obj)
        if section == "description" and number > 1:
            text += f" Versión {number}: incorpora las aportaciones de la ronda anterior."
        values.update(words.pair(section, text))
    return values


def drafts(w: World, calls: list[CallInfo]) -> None:
    """Drafts from the answered proposals, published in two or three versions (rounds)."""
    rng, gov = w.rng, w.member(Seat.GOVERNMENT)
    for call in calls:
        names = dict(call.themes)
        for d in range(max(1, round(call.proposals / 20))):
            theme_id = call.themes[d % len(call.themes)][0]
            pool = call.sources.get(theme_id, [])
            sources = [pool.pop() for _ in range(min(len(pool), rng.randint(1, 4)))]
            title = f"{names[theme_id]}: compromiso {d + 1}"
            created = call.deliberation
            draft = w.add("draft_commitment", call_id=call.id, theme_id=theme_id, title=title, created_by_id=gov.id,
                          adopted_via=None, adopted_at=None, created_at=created)
            for proposal in sources:
                w.add("draft_source", draft_id=draft, proposal_id=proposal)
            w.event(created, Verb.CREATED, "draft_commitment", draft, gov, seat=Seat.GOVERNMENT, call=call,
                    data={"title": title, "sources": sources})
            info = DraftInfo(draft, call, title, w.rows["draft_commitment"][-1], sources)
            rounds = 3 if call.results or rng.random() < 0.5 else 2
            for number in range(1, rounds + 1):
                published = created + DAY + (number - 1) * ROUND
                version = w.add("draft_version", draft_id=draft, number=number, published_at=published,
                                published_by_id=gov.id, comments_close_at=published + 14 * DAY,
                                change_note="" if number == 1 else "Se incorporan aportaciones de la ronda anterior.",
                                **_version_text(names[theme_id], number))
                info.versions.append((version, published, published + 14 * DAY))
                for position in range(rng.randint(2, 4)):
                    due = date(call.period_start + (position + 1) // 2, 1 + (3 + 4 * position) % 12, 15)
                    w.add("milestone", version_id=version, position=position, description=rng.choice(words.MILESTONES),
                          due=due, responsible=rng.choice(words.INSTITUTIONS))
            for proposal in sources:
                w.add("incorporation", version_id=info.versions[0][0], proposal_id=proposal, comment_id=None)
            call.drafts.append(info)
    _share_comments(w, calls)


def _share_comments(w: World, calls: list[CallInfo]) -> None:
    total = w.count("comments")
    current = [d for c in calls if c.plan_index == 1 for d in c.drafts]
    big, rest = current[0], current[1:]
    older = [d for c in calls if c.plan_index == 0 for d in c.drafts]
    big.comments = max(1, round(0.06 * total))
    left = total - big.comments
    for group, share in ((rest, 0.85 if rest else 0.0), (older, 1.0)):
        budget = round(left * share) if group is rest else left
        left -= budget
        weights = [w.rng.paretovariate(1.5) for _ in group]
        for draft, weight in zip(group, weights, strict=True):
            draft.comments = int(budget * weight / sum(weights))
        if group:
            group[0].comments += budget - sum(d.comments for d in group)
    w.summary["biggest_draft"] = big.id


def comments(w: World, calls: list[CallInfo]) -> None:
    """Comments on every round, replies, responses, the versions' incorporations and moderation."""
    _, _, commenters = _pools(w)
    gov = w.member(Seat.GOVERNMENT)
    for call in calls:
        for draft in call.drafts:
            n_versions = len(draft.versions)
            split = ([0.04, 0.06, 0.90] if draft.id == w.summary["biggest_draft"]
                     else [0.45, 0.35, 0.20] if n_versions == 3 else [0.6, 0.4])
            taken_in: list[int] = []
            for index, (version, published, closes) in enumerate(draft.versions):
                number = index + 1
                w.event(published, Verb.PUBLISHED, "draft_version", version, gov, seat=Seat.GOVERNMENT, call=call,
                        data={"draft": draft.id, "version": number,
                              "incorporates": {"proposals": [] if index else draft.sources,
                                               "comments": taken_in}})
                for comment in taken_in:
                    w.add("incorporation", version_id=version, proposal_id=None, comment_id=comment)
                n = round(draft.comments * split[index]) if index < n_versions - 1 else \
                    draft.comments - sum(round(draft.comments * s) for s in split[:index])
                taken_in = _round(w, call, draft, version, number, published, closes, max(0, n), commenters)
                if index == n_versions - 1:
                    taken_in = []
            if draft.id == w.summary["biggest_draft"]:
                w.summary["biggest_draft_comments"] = draft.comments


def _round(w: World, call: CallInfo, draft: DraftInfo, version: int, number: int, published: datetime,
           closes: datetime, n: int, commenters: Weighted) -> list[int]:
    rng, taken_in, tops = w.rng, [], []
    for moment in sorted(w.between(published, closes) for _ in range(n)):
        parent = rng.choice(tops) if tops and rng.random() < 0.25 else None
        staff_seat = rng.choice(SEATS) if parent and rng.random() < 0.06 else None
        if staff_seat:
            person, org = w.member(staff_seat, len(tops)), None
            body = rng.choice(words.SECRETARIAT_REPLIES)
        else:
            person = commenters.pick(rng)
            org = w.orgs[person.org] if person.org and rng.random() < 0.8 else None
            body = rng.choice(words.REPLIES) if parent else \
                f"{rng.choice(words.COMMENT_OPENINGS)} {rng.choice(words.COMMENT_BODIES)}"
        section = parent[1] if parent else (None if rng.random() < 0.5 else rng.choice(SECTIONS))
        hidden = not staff_seat and rng.random() < 0.003
        moderator = w.member(Seat.GUARANTOR, version)
        hidden_at = w.after(moment, HOUR, 2 * DAY) if hidden else None
        reason = rng.choice(words.HIDE_REASONS) if hidden else None
        comment = w.add("comment", version_id=version, section=section, parent_id=parent[0] if parent else None,
                        author_id=person.id, organisation_id=org.id if org else None,
                        is_contribution=staff_seat is None,
                        **words.pair("body", body), hidden_at=hidden_at, hidden_reason=reason,
                        hidden_by_id=moderator.id if hidden else None, created_at=moment)
        # The secretariat comments for its seat, like its other acts.
        w.event(moment, Verb.COMMENTED, "comment", comment, person, org, seat=staff_seat, call=call,
                data={"draft": draft.id, "version": number, "section": section.value if section else None,
                      "reply_to": parent[0] if parent else None})
        if parent is None:
            tops.append((comment, section))
        if hidden or (not staff_seat and rng.random() < 0.002):
            _moderate(w, call, comment, moment, hidden_at or w.after(moment, HOUR, 3 * DAY), reason, moderator)
        if staff_seat or hidden or rng.random() >= call.response_rate:
            continue
        outcome = _respond(w, w.between(closes, closes + DAY), "comment", comment,
                           org.sector.value if org else Sector.CITIZEN.value, call, COMMENT_OUTCOMES)
        if outcome in TAKEN_IN:
            taken_in.append(comment)
    return taken_in


def _moderate(w: World, call: CallInfo, comment: int, reported: datetime, decided: datetime,
              reason: str | None, moderator) -> None:
    """Reports on a comment and the secretariat's decision: hidden (with its public reason) or dismissed."""
    decision = Decision.HIDDEN if reason else Decision.DISMISSED
    reason = reason or "El comentario no incumple el código de conducta."
    for _ in range(w.rng.randint(1, 2)):
        reporter = w.rng.choice(list(w.people))
        report = w.add("report", comment_id=comment, reporter_id=reporter, reason=w.rng.choice(words.REPORT_REASONS),
                       created_at=w.between(reported, decided), decision=decision, decided_at=decided,
                       decided_by_id=moderator.id)
        w.event(w.rows["report"][-1]["created_at"], Verb.REPORTED, "report", report, call=call,
                data={"comment": comment, "action": "reported"})
    action = w.add("moderation_action", comment_id=comment, decision=decision, reason=reason, moderator_id=moderator.id,
                   moderator_name=moderator.name, created_at=decided)
    w.event(decided, Verb.MODERATED, "moderation_action", action, moderator, seat=Seat.GUARANTOR, call=call,
            data={"comment": comment, "decision": decision.value, "reason": reason})
