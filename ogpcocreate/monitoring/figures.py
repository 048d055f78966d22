"""The performance page's figures as geometry (templates draw the SVG), and its data as CSV rows and
JSON. Each figure is drawn beside a table with the same numbers, so the figure is decorative to screen
readers; nothing here needs a request or JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from ..drafts.models import MilestoneStatus
from .models import Criterion, value_label
from .services import Performance, PlanSummary, plan_summaries

WIDTH = 560
LABEL_WIDTH = 200
PLOT = WIDTH - LABEL_WIDTH - 60
BAR = 20
GAP = 8


@dataclass
class Bar:
    plan_id: int
    label: str
    value: int | None
    y: int
    width: float
    current: bool = False


@dataclass
class Panel:
    metric: str
    title: str
    bars: list[Bar]
    height: int
    reference: float | None  # x of the reference line
    reference_value: int | None


def _x(percent: float) -> float:
    return LABEL_WIDTH + PLOT * percent / 100


def _panel(metric: str, title: str, summaries: list[PlanSummary], attribute: str, current_id: int, reference: int | None) -> Panel:
    bars = []
    for i, s in enumerate(summaries):
        value = getattr(s, attribute)
        bars.append(Bar(s.plan.id, s.plan.name, value, GAP + i * (BAR + GAP), PLOT * (value or 0) / 100, s.plan.id == current_id))
    height = GAP + len(bars) * (BAR + GAP) + 14
    return Panel(metric, title, bars, height, _x(reference) if reference is not None else None, reference)


@dataclass
class IndicatorBar:
    id: int
    label: str
    share: float | None
    y: int
    width: float


@dataclass
class TimelineMark:
    id: int
    label: str
    y: int
    planned_x: float
    actual_x: float | None
    start_x: float | None
    overdue: bool
    status: MilestoneStatus


@dataclass
class Timeline:
    marks: list[TimelineMark]
    height: int
    today_x: float | None
    ticks: list[tuple[float, int]]  # (x, year)


def _timeline(perf: Performance) -> Timeline | None:
    pairs = perf.milestones
    if not pairs:
        return None
    dates = [d for _r, m in pairs for d in (m.due, m.planned_start, m.actual_start, m.actual_end) if d is not None]
    first, last = min(dates), max([*dates, perf.today])
    first = date(first.year, 1, 1)
    last = date(last.year + 1, 1, 1)
    span = (last - first).days or 1

    def x(d: date) -> float:
        return LABEL_WIDTH + PLOT * (d - first).days / span

    marks = []
    for i, (_row, m) in enumerate(pairs):
        label = m.description if len(m.description) <= 30 else m.description[:29] + "…"
        marks.append(TimelineMark(m.id, label, 28 + i * (BAR + GAP), x(m.due), x(m.actual_end) if m.actual_end else None,
                                  x(m.actual_start or m.planned_start) if (m.actual_start or m.planned_start) else None,
                                  m.is_overdue(perf.today), m.status))
    ticks = [(x(date(year, 1, 1)), year) for year in range(first.year, last.year + 1)]
    return Timeline(marks, 28 + len(marks) * (BAR + GAP) + 10, x(perf.today), ticks)


def performance_figures(perf: Performance) -> dict:
    summaries = plan_summaries()
    if not any(s.plan.id == perf.plan.id for s in summaries):  # the secretariat's view of a plan not public yet
        summaries.append(PlanSummary(perf.plan, perf.settings.scale, perf.total, perf.completion, perf.ambition,
                                     perf.starred))
    settings = perf.settings
    indicators = []
    for i, (_row, indicator) in enumerate(perf.indicators):
        latest = indicator.latest
        share = indicator.progress(latest.value if latest else None)
        indicators.append(IndicatorBar(indicator.id, indicator.name, share, GAP + i * (BAR + GAP), PLOT * (share or 0)))
    return {
        "summaries": summaries,
        "completion": _panel("completion", _("Completion"), summaries, "completion", perf.plan.id, settings.reference_completion),
        "ambition": _panel("ambition", _("Ambition"), summaries, "ambition", perf.plan.id, settings.reference_ambition),
        "indicators": indicators,
        "indicators_height": GAP + len(indicators) * (BAR + GAP) + 14,
        "timeline": _timeline(perf),
        "width": WIDTH, "label_width": LABEL_WIDTH, "plot": PLOT, "bar": BAR,
    }


# --- CSV and JSON ----------------------------------------------------------------------------------

# A cell a spreadsheet would evaluate (CSV injection), as opendata/record.py guards it.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell):
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def csv_rows(perf: Performance) -> list[list]:
    """One row per fact, in long form: what it is, of which commitment, and its values."""
    rows: list[list] = [["kind", "commitment_id", "commitment", "item_id", "item", "status_or_value",
                         "planned_or_baseline", "actual_or_target", "date", "source_or_justification"]]
    for r in perf.rows:
        d = r.draft
        rows.append(["commitment", d.id, d.title, "", r.institution or "",
                     "starred" if r.starred else "", "", "", "", ""])
        for m in r.milestones:
            rows.append(["milestone", d.id, d.title, m.id, m.description, m.status.value, _iso(m.due),
                         _iso(m.actual_end), _iso(m.actual_start), "overdue" if m in r.overdue else ""])
        for i in r.indicators:
            rows.append(["indicator", d.id, d.title, i.id, i.name, i.unit, f"{i.baseline_value:g}",
                         f"{i.target_value:g}", _iso(i.baseline_date), i.criterion])
            for ms in i.measurements:
                rows.append(["measurement", d.id, d.title, i.id, i.name, f"{ms.value:g}", "", "",
                             _iso(ms.measured_on), ms.source])
        for criterion, entry in r.current.items():
            rows.append(["assessment", d.id, d.title, entry.id, criterion.value, entry.value, entry.scale.value, "",
                         _iso(entry.assessed_on), entry.justification])
    return rows


def as_json(perf: Performance, link: Callable[..., str]) -> dict:
    return {
        "plan": {"id": perf.plan.id, "name": perf.plan.name, "url": link("plans.detail", plan_id=perf.plan.id),
                 "scale": perf.settings.scale.value, "completion_percent": perf.completion,
                 "ambition_percent": perf.ambition, "starred": perf.starred,
                 "reference": {"label": perf.settings.reference_label or None,
                               "completion_percent": perf.settings.reference_completion,
                               "ambition_percent": perf.settings.reference_ambition}},
        "commitments": [{
            "id": r.draft.id, "title": r.draft.title,
            "url": link("monitoring.commitment", draft_id=r.draft.id),
            "adopted_at": r.draft.adopted_at.isoformat() if r.draft.adopted_at else None,
            "adopted_via": r.draft.adopted_via.value if r.draft.adopted_via else None,
            "responsible_institution": r.institution, "starred": r.starred,
            "milestones": [{"id": m.id, "description": m.description, "status": m.status.value,
                            "planned_start": _iso(m.planned_start) or None, "planned_end": _iso(m.due),
                            "actual_start": _iso(m.actual_start) or None, "actual_end": _iso(m.actual_end) or None,
                            "overdue": m in r.overdue} for m in r.milestones],
            "indicators": [{"id": i.id, "name": i.name, "target_population": i.target_population,
                            "criterion": i.criterion, "unit": i.unit,
                            "baseline": {"value": i.baseline_value, "date": _iso(i.baseline_date)},
                            "target": {"value": i.target_value, "date": _iso(i.target_date)},
                            "measurements": [{"value": ms.value, "date": _iso(ms.measured_on), "source": ms.source}
                                             for ms in i.measurements]} for i in r.indicators],
            "assessment": {c.value: {"value": e.value, "label": value_label(c, e.value), "scale": e.scale.value,
                                     "justification": e.justification, "date": _iso(e.assessed_on)}
                           for c, e in r.current.items()},
        } for r in perf.rows],
    }


CRITERIA = list(Criterion)
