"""The monitoring of the generated data (demo/generate.py): the older plan's commitments adopted at the
decision of each call whose results were published, with their implementation (institution, contact,
milestones' progress and evidence, an indicator with its baseline and measurements), the IRM's
assessment on the older scale, the plan's reference line, and the current plan's four recommendations.

Generated last, after everything else, so the rest of the data stays the same for a seed. The amount
grows with the number of drafts, so the performance page and the open data of a plan are measured at
every scale (bench/steps.py; tests/test_generate.py checks their statements stay flat).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from ..core.eventlog import Verb
from ..core.sectors import Seat
from ..drafts.models import MilestoneStatus
from ..monitoring.models import Criterion, RecommendationStatus, Scale
from . import generate_text as words
from .generate_process import CallInfo
from .generate_world import DAY, Weighted, World

STATUSES = Weighted.of([MilestoneStatus.COMPLETE, MilestoneStatus.IN_PROGRESS, MilestoneStatus.NOT_STARTED,
                        MilestoneStatus.CANCELLED], [50, 30, 10, 10])
COMPLETION = Weighted.of(["no_evidence", "not_started", "limited", "substantial", "complete"], [5, 10, 35, 35, 15])
IMPACT = Weighted.of(["none", "minor", "moderate", "transformative"], [5, 35, 40, 20])
OPENED = Weighted.of(["worsened", "did_not_change", "marginal", "major", "outstanding"], [2, 30, 45, 20, 3])
RECOMMENDATIONS = [
    ("Estrategia pro gobierno abierto", RecommendationStatus.IN_PROGRESS),
    ("Monitoreo y evaluación", RecommendationStatus.ADDRESSED),
    ("Ampliar el alcance", RecommendationStatus.IN_PROGRESS),
    ("Estrategia de continuidad", RecommendationStatus.NOT_STARTED),
]


def monitoring(w: World, calls: list[CallInfo]) -> None:
    gov = w.member(Seat.GOVERNMENT)
    milestones_of: dict[int, list[dict]] = defaultdict(list)
    for row in w.rows["milestone"]:
        row["status"] = row["status"] or MilestoneStatus.NOT_STARTED  # every milestone is written with one
        milestones_of[row["version_id"]].append(row)
    older = w.summary.get("older_plan")
    if older is not None:
        w.add("plan_monitoring", plan_id=older, scale=Scale.IMPACT_LEGACY, reference_label="Líder en la región",
              reference_completion=70, reference_ambition=25, updated_by_id=gov.id)
    for call in calls:
        if call.results is None:
            continue
        for draft in call.drafts:
            adopted = call.decision
            draft.row["adopted_via"], draft.row["adopted_at"] = "tripartite", adopted
            w.event(adopted, Verb.ADOPTED, "draft_commitment", draft.id, gov, seat=Seat.GOVERNMENT, call=call,
                    data={"adopted_by": "tripartite", "version": len(draft.versions)})
            w.summary.setdefault("monitored_commitment", draft.id)
            _implementation(w, call, draft.id, milestones_of[draft.versions[-1][0]], adopted)
    _recommendations(w, w.summary["current_plan"])


def _implementation(w: World, call: CallInfo, draft: int, milestones: list[dict], adopted: datetime) -> None:
    rng, gov = w.rng, w.member(Seat.GOVERNMENT)
    contact = w.member(Seat.GOVERNMENT, 1)
    institution = rng.choice(words.INSTITUTIONS)
    at = adopted + DAY
    row = w.add("responsible_institution", draft_id=draft, name=institution, named_by_id=gov.id, created_at=at)
    w.event(at, Verb.CREATED, "responsible_institution", row, gov, seat=Seat.GOVERNMENT, call=call,
            data={"commitment": draft, "institution": institution, "previous": None})
    row = w.add("commitment_contact", draft_id=draft, user_id=contact.id, named_by_id=gov.id, created_at=at,
                ended_at=None, ended_by_id=None)
    w.event(at, Verb.CREATED, "commitment_contact", row, gov, seat=Seat.GOVERNMENT, call=call,
            data={"commitment": draft, "contact": contact.name})
    for m in milestones:
        status = STATUSES.pick(rng)
        if status is MilestoneStatus.NOT_STARTED:
            continue
        reported = w.after(adopted, 20 * DAY, 400 * DAY)
        start = (reported - 10 * DAY).date()
        end = reported.date() if status is MilestoneStatus.COMPLETE else None
        m["status"], m["actual_start"], m["actual_end"] = status, start, end
        update = w.add("milestone_update", milestone_id=m["id"], status=status, actual_start=start, actual_end=end,
                       note=f"Avance del hito: {status.value}.", author_id=contact.id, created_at=reported)
        w.event(reported, Verb.PROGRESS_REPORTED, "milestone", m["id"], contact, seat=Seat.GOVERNMENT, call=call,
                data={"commitment": draft, "status": status.value, "actual_start": start.isoformat(),
                      "actual_end": end.isoformat() if end else None, "note": "", "update": update})
        if end is not None:
            url = f"https://datos.example.gob.mx/evidencia/{m['id']}"
            link = w.add("evidence_link", milestone_id=m["id"], url=url, title="Evidencia publicada",
                         added_by_id=contact.id, created_at=reported)
            w.event(reported, Verb.CREATED, "evidence_link", link, contact, seat=Seat.GOVERNMENT, call=call,
                    data={"commitment": draft, "milestone": m["id"], "url": url, "title": "Evidencia publicada"})
    baseline_at = adopted - 60 * DAY
    baseline = float(rng.randint(5, 40))
    target = baseline + rng.randint(20, 60)
    indicator = w.add("indicator", draft_id=draft, name="Avance del compromiso", target_population="Población objetivo",
                      criterion="Porcentaje de la población objetivo alcanzada", unit="%", baseline_value=baseline,
                      baseline_date=baseline_at.date(), target_value=target,
                      target_date=(adopted + 700 * DAY).date(), created_by_id=contact.id, created_at=at)
    w.event(at, Verb.CREATED, "indicator", indicator, contact, seat=Seat.GOVERNMENT, call=call,
            data={"commitment": draft, "baseline_value": baseline, "target_value": target})
    value = baseline
    for k in range(3):
        measured = adopted + (90 + 120 * k) * DAY
        value = min(target, value + rng.randint(0, 15))
        row = w.add("measurement", indicator_id=indicator, value=value, measured_on=measured.date(),
                    source="Informe trimestral de la dependencia", recorded_by_id=contact.id,
                    created_at=measured + 2 * DAY)
        w.event(measured + 2 * DAY, Verb.MEASURED, "measurement", row, contact, seat=Seat.GOVERNMENT, call=call,
                data={"commitment": draft, "indicator": indicator, "value": value,
                      "measured_on": measured.date().isoformat()})
    on = adopted + 450 * DAY
    for criterion, value in ((Criterion.VERIFIABILITY, "verifiable"), (Criterion.LENS, "yes"),
                             (Criterion.POTENTIAL_IMPACT, IMPACT.pick(rng)),
                             (Criterion.COMPLETION, COMPLETION.pick(rng)),
                             (Criterion.OPENED_GOVERNMENT, OPENED.pick(rng))):
        entry = w.add("assessment_entry", draft_id=draft, scale=Scale.IMPACT_LEGACY, criterion=criterion, value=value,
                      justification="Según el informe de fin de término del MRI.", assessed_on=on.date(),
                      recorded_by_id=gov.id, created_at=on + DAY)
        w.event(on + DAY, Verb.ASSESSED, "assessment_entry", entry, gov, seat=Seat.GOVERNMENT, call=call,
                data={"commitment": draft, "scale": Scale.IMPACT_LEGACY.value, "criterion": criterion.value,
                      "value": value})


def _recommendations(w: World, plan: int) -> None:
    gov = w.member(Seat.GOVERNMENT)
    at = w.t0 - 30 * DAY
    for position, (title, status) in enumerate(RECOMMENDATIONS):
        rec = w.add("recommendation", plan_id=plan, position=position, title=title,
                    body="Recomendación del Mecanismo de Revisión Independiente.", status=status,
                    what_was_done="" if status is RecommendationStatus.NOT_STARTED else "Avances documentados.",
                    created_by_id=gov.id, created_at=at)
        w.event(at, Verb.CREATED, "recommendation", rec, gov, seat=Seat.GOVERNMENT, plan=plan, data={"title": title})
        if status is not RecommendationStatus.NOT_STARTED:
            w.add("recommendation_update", recommendation_id=rec, status=status, what_was_done="Avances documentados.",
                  author_id=gov.id, created_at=at + DAY)
            w.event(at + DAY, Verb.EDITED, "recommendation", rec, gov, seat=Seat.GOVERNMENT, plan=plan,
                    data={"status": status.value})
