"""The ballot form (secretariat) and the vote form (participants)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import BaseForm, options, strip
from .models import BallotKind, Electorate


class CheckboxList(SelectMultipleField):
    """A list of checkboxes; templates put it in a fieldset whose legend is the field's label."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _date_field(label):
    return DateTimeLocalField(label, format="%Y-%m-%dT%H:%M", validators=[InputRequired()],
                              description=_l("Mexico City time."))


class BallotForm(BaseForm):
    kind = RadioField(_l("What participants vote on"), default=BallotKind.THEMES.value,
                      choices=options((k.value, k.label) for k in BallotKind),
                      validators=[InputRequired(message=_l("Choose what participants vote on."))])
    electorate = RadioField(_l("Who votes"), default=Electorate.ORGANISATIONS.value,
                            choices=options((e.value, e.label) for e in Electorate),
                            validators=[InputRequired(message=_l("Choose who votes."))])
    question = StringField(_l("Question"), validators=[InputRequired(), Length(min=5, max=300)], filters=[strip],
                           description=_l("As voters will read it, for instance: Which themes should the plan give priority to?"))
    drafts = CheckboxList(_l("Draft commitments put to the vote"), choices=[], coerce=int, validators=[Optional()],
                          description=_l("Only for a ballot on the adoption of commitments; a ballot on priority themes "
                                         "offers all the call's themes. Commitments already adopted are not listed."))
    opens_at = _date_field(_l("Voting opens"))
    closes_at = _date_field(_l("Voting closes"))

    DATE_FIELDS = ("opens_at", "closes_at")


class VoteForm(BaseForm):
    organisation = SelectField(_l("Vote for"), choices=[], coerce=int,
                               validators=[InputRequired(message=_l("Choose the organisation you vote for."))],
                               description=_l("Each verified organisation has one vote, cast by one of its members."))
    approve = CheckboxList(_l("The options you approve"), choices=[], coerce=int,
                           validators=[InputRequired(message=_l("Choose at least one option you approve."))],
                           description=_l("Tick every option you approve; you may tick more than one."))
