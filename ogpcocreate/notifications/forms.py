"""Forms of notifications: the choice of frequency per kind of event."""

from __future__ import annotations

from wtforms import SelectField
from wtforms.validators import InputRequired

from ..core.forms import BaseForm, options
from .models import Frequency, Kind


def preferences_form(kinds: list[Kind], current: dict[Kind, Frequency], formdata=None):
    """A form with one select per kind offered to this person (a class made per request)."""

    class PreferencesForm(BaseForm):
        pass

    for kind in kinds:
        setattr(PreferencesForm, kind.value, SelectField(
            kind.label, choices=options((f.value, f.label) for f in Frequency), default=current[kind].value,
            validators=[InputRequired()]))
    form = PreferencesForm(formdata=formdata) if formdata is not None else PreferencesForm()
    form.kinds = kinds
    return form
