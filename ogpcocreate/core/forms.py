"""Form pieces every feature uses: the one-button CSRF form and select options."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

EMAIL_MESSAGE = _l("Enter a valid e-mail address, such as nombre@ejemplo.org.")


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for one-button actions (every POST carries a token)."""


def strip(value):
    """Filter: trim surrounding white space from text input."""
    return value.strip() if isinstance(value, str) else value


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]
