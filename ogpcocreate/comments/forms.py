"""The comment form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..core.forms import BaseForm


class CommentForm(BaseForm):
    section = SelectField(_l("About"), choices=[], validators=[Optional()])
    organisation = SelectField(_l("Comment as"), choices=[], coerce=int, validators=[Optional()])
    body_source = TextAreaField(_l("Your comment"), validators=[InputRequired(), Length(max=10000)],
                                description=_l("Markdown allowed. Be concrete: what should change, and why?"))
    parent = HiddenField(validators=[Optional()])
