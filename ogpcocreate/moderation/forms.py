"""Forms for reporting a comment and deciding on it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from ..core.forms import BaseForm, strip


class ReportForm(BaseForm):
    reason = TextAreaField(_l("Why should the secretariat review this comment?"),
                           validators=[InputRequired(), Length(max=2000)], filters=[strip])


class DecisionForm(BaseForm):
    reason = TextAreaField(_l("Reason (published)"), validators=[InputRequired(), Length(max=2000)], filters=[strip])
