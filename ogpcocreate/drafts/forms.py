"""Forms for draft commitments and their versions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import BaseForm, Subform, strip
from .models import SECTION_LABELS, Section


class CheckboxList(SelectMultipleField):
    """A list of checkboxes (inside a fieldset, labelled by its legend)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DraftForm(BaseForm):
    title = StringField(_l("Title of the commitment"), validators=[InputRequired(), Length(min=5, max=200)], filters=[strip])
    theme = SelectField(_l("Theme"), choices=[], coerce=int, validators=[InputRequired()])
    sources = CheckboxList(_l("Proposals it comes from"), choices=[], coerce=int, validators=[Optional()],
                           description=_l("The proposals this commitment grows from; they are listed on its page."))


class MilestoneForm(Subform):
    description = StringField(_l("Milestone"), validators=[Optional(), Length(max=500)], filters=[strip])
    due = DateField(_l("Due date"), validators=[Optional()])
    responsible = StringField(_l("Responsible institution"), validators=[Optional(), Length(max=200)], filters=[strip])


def _section_field(section: Section, required: bool = True):
    return TextAreaField(SECTION_LABELS[section], validators=[InputRequired() if required else Optional(), Length(max=20000)])


class VersionForm(BaseForm):
    problem_source = _section_field(Section.PROBLEM)
    status_quo_source = _section_field(Section.STATUS_QUO)
    description_source = _section_field(Section.DESCRIPTION)
    how_source = _section_field(Section.HOW)
    relevance_source = _section_field(Section.RELEVANCE)
    other_actors_source = _section_field(Section.OTHER_ACTORS, required=False)
    milestones = FieldList(FormField(MilestoneForm), min_entries=5, max_entries=20)
    incorporate_proposals = CheckboxList(_l("Proposals this version incorporates"), choices=[], coerce=int,
                                         validators=[Optional()])
    incorporate_comments = CheckboxList(_l("Comments this version incorporates"), choices=[], coerce=int,
                                        validators=[Optional()],
                                        description=_l("Their responses will link to this version: the trace of influence."))
    change_note = TextAreaField(_l("What changed and why"), validators=[Optional(), Length(max=5000)], filters=[strip])
    comment_days = IntegerField(_l("Days open for comments"), default=14,
                                validators=[InputRequired(), NumberRange(min=1, max=90)])
