"""The language switcher shown on every page."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField
from wtforms.validators import AnyOf, InputRequired

from ..auth.forms import LANGUAGE_CHOICES
from ..core.forms import BaseForm, options


class LanguageForm(BaseForm):
    language = SelectField(_l("Language"), choices=options(LANGUAGE_CHOICES), validators=[InputRequired(), AnyOf(["es", "en"])])
    next = HiddenField()
