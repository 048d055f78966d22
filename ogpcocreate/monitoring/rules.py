"""The rules of monitoring an adopted commitment: one function per act, returning the translated refusal
or None (services raise it, views and templates ask the same function), and the computed verdicts:
starred, overdue.

DOMAIN.md, "The IRM's assessment of commitments": not verifiable commitments are not assessed further;
starred (older scale only, computed, never typed) needs specific (verifiable), relevant to an OGP value
(the open-government lens), transformative potential impact, and substantial or complete completion.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _

from ..core.sectors import Sector
from ..drafts.models import DraftCommitment
from .models import CRITERION_VALUES, SCALE_CRITERIA, Criterion, Indicator, Scale

# The IRM's "completion" figure counts commitments substantially or fully complete; its "ambition"
# figure, those with substantial potential for results (or transformative potential impact).
COMPLETED = frozenset({"substantial", "complete"})
AMBITIOUS = {Scale.RESULTS_2020: (Criterion.POTENTIAL_RESULTS, frozenset({"substantial"})),
             Scale.IMPACT_LEGACY: (Criterion.POTENTIAL_IMPACT, frozenset({"transformative"}))}


def is_starred(scale: Scale, values: Mapping[Criterion, str]) -> bool | None:
    """Starred, from the standing value of each criterion; None where the scale has no stars (2020)."""
    if scale is not Scale.IMPACT_LEGACY:
        return None
    return (values.get(Criterion.VERIFIABILITY) == "verifiable"
            and values.get(Criterion.LENS) == "yes"
            and values.get(Criterion.POTENTIAL_IMPACT) == "transformative"
            and values.get(Criterion.COMPLETION) in COMPLETED)


def is_completed(values: Mapping[Criterion, str]) -> bool:
    return values.get(Criterion.COMPLETION) in COMPLETED


def is_ambitious(scale: Scale, values: Mapping[Criterion, str]) -> bool:
    criterion, high = AMBITIOUS[scale]
    return values.get(criterion) in high


def monitoring_refusal(draft: DraftCommitment) -> str | None:
    """Implementation is recorded only for an adopted commitment."""
    if not draft.is_adopted:
        return _("This commitment has not been adopted yet: its implementation is recorded once it is. "
                 "Nothing was saved.")
    return None


def contact_refusal(sector: Sector) -> str | None:
    """A contact speaks for the government that implements the commitment (DOMAIN.md, "Who counts as
    government"): ``sector`` is the one the person would act in on their own."""
    if sector is not Sector.GOVERNMENT:
        return _("A contact must be a government account: a member of a verified government organisation or "
                 "the government seat. Nothing was saved.")
    return None


def assessment_refusal(scale: Scale, criterion: Criterion, value: str,
                       standing: Mapping[Criterion, str]) -> str | None:
    """Why this assessment cannot be recorded, or None. ``standing``: the commitment's current values."""
    if criterion not in SCALE_CRITERIA[scale]:
        return _("The plan's IRM method does not assess this criterion. Nothing was saved.")
    if value not in CRITERION_VALUES[criterion]:
        return _("Choose one of the values of this criterion. Nothing was saved.")
    if criterion is not Criterion.VERIFIABILITY and standing.get(Criterion.VERIFIABILITY) == "not_verifiable":
        return _("The commitment was assessed as not verifiable, so it is not assessed further. Nothing was saved.")
    return None


def measurement_refusal(indicator: Indicator, measured_on: date, today: date) -> str | None:
    if measured_on > today:
        return _("A measurement cannot be dated in the future. Nothing was saved.")
    if measured_on < indicator.baseline_date:
        return _("A measurement cannot come before the baseline, taken on %(date)s. Nothing was saved.",
                 date=format_date(indicator.baseline_date, "medium"))
    return None


def indicator_refusal(baseline_date: date, target_date: date) -> str | None:
    if target_date <= baseline_date:
        return _("The target date must come after the baseline's. Nothing was saved.")
    return None


def progress_refusal(actual_start: date | None, actual_end: date | None, today: date) -> str | None:
    if actual_start and actual_end and actual_end < actual_start:
        return _("The actual end cannot come before the actual start. Nothing was saved.")
    if (actual_start and actual_start > today) or (actual_end and actual_end > today):
        return _("Actual dates are dates that have passed: a date in the future is a plan, not progress. "
                 "Nothing was saved.")
    return None
