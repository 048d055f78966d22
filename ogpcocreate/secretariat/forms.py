"""Forms for managing the secretariat's seats."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField
from wtforms.validators import Email, InputRequired, Length

from ..core.forms import EMAIL_MESSAGE, BaseForm, options
from ..core.sectors import seat_choices


class AssignSeatForm(BaseForm):
    email = EmailField(
        _l("E-mail of a registered person"),
        validators=[InputRequired(), Email(message=EMAIL_MESSAGE), Length(max=254)],
        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
    )
    seat = SelectField(_l("Seat"), choices=[], validators=[InputRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seat.choices = options(seat_choices())
