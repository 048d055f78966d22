"""The proposal form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..core.forms import BaseForm, strip

MAX_LINKS = 10


def _links(value):
    if not isinstance(value, str):
        return value
    return [line.strip() for line in value.splitlines() if line.strip()]


class WithdrawForm(BaseForm):
    reason = TextAreaField(_l("Why do you withdraw it? (optional, published with the withdrawal)"),
                           validators=[Optional(), Length(max=1000)], filters=[strip])


class ProposalForm(BaseForm):
    organisation = SelectField(_l("Submit as"), choices=[], coerce=int, validators=[Optional()])
    theme = SelectField(_l("Theme"), choices=[], coerce=int, validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[InputRequired(), Length(min=5, max=200)], filters=[strip])
    problem_source = TextAreaField(_l("Problem"), validators=[InputRequired(), Length(max=20000)],
                                   description=_l("What public problem should the plan address? Markdown allowed."))
    action_source = TextAreaField(_l("Proposed action"), validators=[InputRequired(), Length(max=20000)],
                                  description=_l("What should be done, and by whom?"))
    expected_result_source = TextAreaField(_l("Expected result"), validators=[InputRequired(), Length(max=20000)],
                                           description=_l("What would change if it were done? How could it be measured?"))
    links = TextAreaField(_l("Links (optional, one per line)"), validators=[Optional(), Length(max=3000)],
                          filters=[_links], description=_l("Studies, data or documents that support the proposal."))

    def validate_links(self, field):
        links = field.data or []
        if len(links) > MAX_LINKS:
            raise ValidationError(_l("Give at most %(n)d links.", n=MAX_LINKS))
        for link in links:
            if not link.startswith(("https://", "http://")) or " " in link or len(link) > 500:
                raise ValidationError(_l("Each link must be a full web address starting with https:// (%(link)s).",
                                         link=link[:80]))
