"""The meeting form, the attendance forms and the form a seat signs (or objects to) the minutes with."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..core.forms import BaseForm, options, strip
from ..core.sectors import Sector
from .models import Modality
from .services import MAX_UNREGISTERED

# Dates outside these years are typing mistakes, and the far end would overflow on conversion to UTC.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class MeetingForm(BaseForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(min=3, max=200)], filters=[strip])
    theme = SelectField(_l("Theme"), choices=[], coerce=int, validators=[Optional()],
                        description=_l("The thematic table [mesa temática] the meeting belongs to, if any."))
    starts_at = DateTimeLocalField(_l("Date and time"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()],
                                   description=_l("Mexico City time."))
    modality = RadioField(_l("Modality"), default=Modality.IN_PERSON.value,
                          choices=options((m.value, m.label) for m in Modality),
                          validators=[InputRequired(message=_l("Choose how the meeting is held."))])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)], filters=[strip],
                        description=_l("Address or venue; for online meetings, the platform. Required unless the "
                                       "meeting is online only."))
    territory = SelectField(_l("Territory"), choices=[], validators=[InputRequired()])
    minutes_source = TextAreaField(
        _l("Minutes"), validators=[Optional(), Length(max=50000)],
        description=_l("What was discussed. Public as a draft until the three seats sign it. Markdown allowed."),
    )
    agreements_source = TextAreaField(
        _l("Agreements"), validators=[Optional(), Length(max=50000)],
        description=_l("What was agreed, who does what and by when. Markdown allowed."),
    )

    def validate_starts_at(self, field):
        value: datetime | None = field.data
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValidationError(_l("Give a date between the years %(first)d and %(last)d.",
                                     first=FIRST_YEAR, last=LAST_YEAR))


class AttendeesForm(BaseForm):
    emails = TextAreaField(
        _l("E-mail addresses of registered attendees (one per line)"),
        validators=[InputRequired(), Length(max=30000)],
        description=_l("Each must be the address of an account on this site. A person who belongs to exactly one "
                       "organisation is recorded for it; anyone else as an individual citizen."),
    )


class UnregisteredForm(BaseForm):
    """One count per sector; the fields are added below, one for each member of Sector."""

    FIELD_PREFIX = "count_"

    def sector_fields(self):
        return [(sector, self[self.FIELD_PREFIX + sector.value]) for sector in Sector]

    def counts(self) -> dict[str, int]:
        return {sector.value: f.data or 0 for sector, f in self.sector_fields()}


for _sector in Sector:
    setattr(UnregisteredForm, UnregisteredForm.FIELD_PREFIX + _sector.value, IntegerField(
        _sector.label, default=0,
        validators=[Optional(), NumberRange(min=0, max=MAX_UNREGISTERED,
                                            message=_l("Give a whole number from 0 to %(max)d."))],
    ))
del _sector
