"""The form that picks two plans to compare: a GET form, shareable, without a CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import InputRequired

from ..core.forms import BaseForm


class CompareForm(BaseForm):
    class Meta:
        csrf = False

    first = SelectField(_l("First plan"), coerce=int, validators=[InputRequired(_l("Choose a plan."))])
    second = SelectField(_l("Second plan"), coerce=int, validators=[InputRequired(_l("Choose a plan."))])

    def set_choices(self, plans, selected: tuple[int | None, int | None] | None = None) -> None:
        choices = [(plan.id, f"{plan.name} ({plan.period})") for plan in plans]
        self.first.choices = self.second.choices = choices
        if selected is not None:
            self.first.data, self.second.data = selected
