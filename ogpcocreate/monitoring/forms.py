"""The forms of monitoring: the secretariat's (institution, contacts, assessors, plan settings,
recommendations), the contacts' (progress, evidence, indicators, measurements) and the assessor's."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from ..core.forms import EMAIL_MESSAGE, BaseForm, options, strip
from ..drafts.models import MilestoneStatus
from .models import Criterion, RecommendationStatus, Scale

FIRST_YEAR, LAST_YEAR = 2000, 2100
# Larger figures are typing mistakes, and every database keeps these exactly as a double.
MAX_FIGURE = 10**12


class _Dates:
    """Dates outside these years are typing mistakes."""

    def __call__(self, form, field):
        if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
            raise ValidationError(_l("Give a date between the years %(first)d and %(last)d.",
                                     first=FIRST_YEAR, last=LAST_YEAR))


class _Finite:
    """A figure is a finite number: "NaN" and "Infinity" parse as decimals but compare as nothing."""

    def __call__(self, form, field):
        if field.data is not None and not field.data.is_finite():
            raise StopValidation(_l("Give a number between -10¹² and 10¹²."))


def _figure(label, **kwargs):
    return DecimalField(label, places=None, validators=[InputRequired(), _Finite(), NumberRange(
        min=-MAX_FIGURE, max=MAX_FIGURE, message=_l("Give a number between -10¹² and 10¹²."))], **kwargs)


class InstitutionForm(BaseForm):
    name = StringField(_l("Responsible institution"), validators=[InputRequired(), Length(max=300)], filters=[strip])


class ContactForm(BaseForm):
    email = StringField(_l("E-mail address of the contact"), validators=[InputRequired(message=EMAIL_MESSAGE),
                                                                          Length(max=254)], filters=[strip],
                        description=_l("A government account: a member of a verified government organisation."))


class AssessorForm(BaseForm):
    email = StringField(_l("E-mail address of the assessor"), validators=[InputRequired(message=EMAIL_MESSAGE),
                                                                           Length(max=254)], filters=[strip])


class ProgressForm(BaseForm):
    status = SelectField(_l("Status"), choices=options((s.value, s.label) for s in MilestoneStatus),
                         validators=[InputRequired()])
    actual_start = DateField(_l("Actual start"), validators=[Optional(), _Dates()])
    actual_end = DateField(_l("Actual end"), validators=[Optional(), _Dates()],
                           description=_l("Required once the milestone is complete."))
    note = TextAreaField(_l("What changed"), validators=[Optional(), Length(max=5000)], filters=[strip])


class EvidenceForm(BaseForm):
    title = StringField(_l("What the link shows"), validators=[InputRequired(), Length(max=300)], filters=[strip])
    url = StringField(_l("Web address"), validators=[InputRequired(), Length(max=2000)], filters=[strip])


class IndicatorForm(BaseForm):
    name = StringField(_l("Indicator"), validators=[InputRequired(), Length(max=300)], filters=[strip])
    target_population = StringField(_l("Target population"), validators=[InputRequired(), Length(max=300)],
                                    filters=[strip])
    criterion = TextAreaField(_l("Criterion"), validators=[InputRequired(), Length(max=5000)], filters=[strip],
                              description=_l("How it is measured, so anyone can repeat the measurement."))
    unit = StringField(_l("Unit"), validators=[InputRequired(), Length(max=100)], filters=[strip])
    baseline_value = _figure(_l("Baseline value"))
    baseline_date = DateField(_l("Baseline date"), validators=[InputRequired(), _Dates()])
    target_value = _figure(_l("Target value"))
    target_date = DateField(_l("Target date"), validators=[InputRequired(), _Dates()])


class MeasurementForm(BaseForm):
    value = _figure(_l("Value"))
    measured_on = DateField(_l("Date of the measurement"), validators=[InputRequired(), _Dates()])
    source = StringField(_l("Source"), validators=[InputRequired(), Length(max=500)], filters=[strip])


class AssessmentForm(BaseForm):
    """One criterion at a time: the page shows one of these per criterion of the plan's scale."""

    criterion = HiddenField(validators=[InputRequired(), AnyOf([c.value for c in Criterion])])
    value = RadioField(_l("Assessment"), choices=[], validators=[InputRequired(message=_l("Choose a value."))])
    justification = TextAreaField(_l("Justification"), validators=[InputRequired(), Length(max=10000)],
                                  filters=[strip])
    assessed_on = DateField(_l("Date of the assessment"), validators=[InputRequired(), _Dates()])


class SettingsForm(BaseForm):
    scale = SelectField(_l("IRM method"), choices=options((s.value, s.label) for s in Scale),
                        validators=[InputRequired()])
    reference_label = StringField(_l("Reference line"), validators=[Optional(), Length(max=200)], filters=[strip],
                                  description=_l("What the line stands for, such as the region's leader or average."))
    reference_completion = IntegerField(_l("Reference completion (%)"),
                                        validators=[Optional(), NumberRange(min=0, max=100)])
    reference_ambition = IntegerField(_l("Reference ambition (%)"), validators=[Optional(), NumberRange(min=0, max=100)])


class RecommendationForm(BaseForm):
    title = StringField(_l("Recommendation"), validators=[InputRequired(), Length(max=200)], filters=[strip])
    body = TextAreaField(_l("What the IRM recommends"), validators=[InputRequired(), Length(max=5000)],
                         filters=[strip])


class RecommendationStatusForm(BaseForm):
    status = SelectField(_l("Status"), choices=options((s.value, s.label) for s in RecommendationStatus),
                         validators=[InputRequired()])
    what_was_done = TextAreaField(_l("What was done"), validators=[Optional(), Length(max=10000)], filters=[strip])
    drafts = SelectMultipleField(_l("Commitments that answer it"), choices=[], coerce=int, validators=[Optional()])
    meetings = SelectMultipleField(_l("Meetings that answer it"), choices=[], coerce=int, validators=[Optional()])


class ImplementationCommentForm(BaseForm):
    body_source = TextAreaField(_l("Your comment"), validators=[InputRequired(), Length(max=10000)],
                                description=_l("Public. The responsible institution answers it with a reasoned "
                                               "response. Markdown allowed."))
    milestone = SelectField(_l("Milestone"), choices=[], coerce=int, validators=[Optional()])
    at_risk = BooleanField(_l("I think this milestone is at risk (say why in your comment)"))
    organisation = SelectField(_l("On behalf of"), choices=[], coerce=int, validators=[Optional()])
