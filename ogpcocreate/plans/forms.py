"""The action plan form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..core.forms import BaseForm, options, strip
from .models import PlanStatus


class PlanForm(BaseForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(min=3, max=200)], filters=[strip],
                       description=_l("For example: Fifth National Action Plan"))
    period_start = IntegerField(_l("First year"), validators=[InputRequired(), NumberRange(min=2011, max=2100)])
    period_end = IntegerField(_l("Last year"), validators=[InputRequired(), NumberRange(min=2011, max=2100)])
    status = SelectField(_l("Status"), choices=options((s.value, s.label) for s in PlanStatus))
    description_source = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)],
                                       description=_l("Markdown: *italics*, **bold**, lists and links."))
    notice_days = IntegerField(
        _l("Notice period (days between announcing a call and opening it)"), default=14,
        validators=[InputRequired(), NumberRange(min=0, max=365)],
        description=_l("Calls announced with less notice are allowed but flagged publicly, as the OGP standards ask."),
    )
    min_turnout = IntegerField(
        _l("Minimum turnout of a deciding vote"), default=10,
        validators=[Optional(), NumberRange(min=1, max=1_000_000)],
        description=_l("The level of influence reads “empower” only where commitments were adopted by a vote with at "
                       "least this many voters, more of them non-government than government. Left empty: 10."),
    )
