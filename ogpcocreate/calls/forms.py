"""The call form (with its timeline) and the approval form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..core.forms import BaseForm, options, strip
from .models import Submitters
from .phases import SCHEDULE


def _realistic_year(form, field):
    """Years far outside a plan's horizon are typing mistakes (and 9999 cannot even be moved to UTC)."""
    if field.data is not None and not 2000 <= field.data.year <= 2100:
        raise ValidationError(_l("Give a date between the years 2000 and 2100."))


def _date_field(label):
    return DateTimeLocalField(label, format="%Y-%m-%dT%H:%M", validators=[InputRequired(), _realistic_year],
                              description=_l("Mexico City time."))


class CallForm(BaseForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(min=5, max=200)], filters=[strip])
    description_source = TextAreaField(
        _l("Description"), validators=[InputRequired(), Length(max=50000)],
        description=_l("What the call asks for, who can take part and how proposals will be assessed. Markdown allowed."),
    )
    themes = TextAreaField(_l("Themes (one per line)"), validators=[InputRequired(), Length(max=5000)],
                           description=_l("The thematic tables [mesas temáticas] proposals are grouped by."))
    submitters = RadioField(_l("Who may submit proposals"), default=Submitters.ORGANISATIONS.value,
                            choices=options((s.value, s.label) for s in Submitters))
    announce_at = _date_field(dict(SCHEDULE)["announce_at"])
    opens_at = _date_field(dict(SCHEDULE)["opens_at"])
    closes_at = _date_field(dict(SCHEDULE)["closes_at"])
    deliberation_at = _date_field(dict(SCHEDULE)["deliberation_at"])
    decision_at = _date_field(dict(SCHEDULE)["decision_at"])
    results_at = _date_field(dict(SCHEDULE)["results_at"])

    DATE_FIELDS = [name for name, _label in SCHEDULE]



class CallFilterForm(BaseForm):
    """Filters of the proposals on a call's page: a GET form, shareable, without a CSRF token."""

    class Meta:
        csrf = False

    theme = SelectField(_l("Theme"), choices=[], validators=[Optional()], coerce=str, filters=[strip])
    status = SelectField(_l("Status"), choices=[], validators=[Optional()], filters=[strip])
    sector = SelectField(_l("Sector"), choices=[], validators=[Optional()], filters=[strip])
    territory = SelectField(_l("Territory"), choices=[], validators=[Optional()], filters=[strip])
