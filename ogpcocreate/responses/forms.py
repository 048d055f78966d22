"""The reasoned-response form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..core.forms import BaseForm, options
from .models import Outcome


class ResponseForm(BaseForm):
    outcome = RadioField(_l("Outcome"), choices=options((o.value, o.label) for o in Outcome),
                         validators=[InputRequired(message=_l("Choose an outcome."))])
    justification_source = TextAreaField(
        _l("Justification"), validators=[Optional(), Length(max=20000)],
        description=_l("Required unless adopted. Public, and sent to the author. Markdown allowed."),
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.outcome.data and self.outcome.data != Outcome.ADOPTED.value and not (self.justification_source.data or "").strip():
            self.justification_source.errors = [
                *self.justification_source.errors,
                _l("Explain the decision: a justification is required unless the contribution is adopted."),
            ]
            valid = False
        return valid
