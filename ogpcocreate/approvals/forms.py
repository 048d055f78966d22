"""A seat's position on an approvable act: approve or object, with a public comment."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from ..core.forms import BaseForm, options, strip
from .models import Action, Stance


class PositionForm(BaseForm):
    # Which act, where the object has more than one (a call: publishing it, publishing its results).
    action = HiddenField(validators=[Optional(), AnyOf([a.value for a in Action])])
    stance = RadioField(_l("Your seat's position"),
                        choices=options([(Stance.APPROVE.value, _l("Approve")), (Stance.OBJECT.value, _l("Object"))]),
                        validators=[InputRequired(message=_l("Choose whether to approve or object."))])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=5000)], filters=[strip],
                            description=_l("Public. Required when objecting."))
