"""The search form: a GET form (no CSRF token, shareable addresses)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SearchField, SelectField
from wtforms.validators import Length, NumberRange, Optional

from ..core.forms import BaseForm, options, strip
from .services import KINDS, SORTS


class SearchForm(BaseForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)], filters=[strip],
                    description=_l('Accents and capitals do not matter; put a phrase in "quotes" to find it as written.'))
    kind = SelectField(_l("Type"), choices=[], validators=[Optional()], filters=[strip])
    plan = SelectField(_l("Action plan"), choices=[], validators=[Optional()], filters=[strip])
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=1990, max=2100)])
    sort = SelectField(_l("Order"), choices=[], validators=[Optional()], filters=[strip])

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = options([("", _l("Everything")), *KINDS.items()])
        self.plan.choices = options([("", _l("All plans")), *((str(p.id), p.name) for p in plans)])
        self.sort.choices = options(SORTS.items())
