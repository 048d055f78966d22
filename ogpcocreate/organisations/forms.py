"""Forms for organisations."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import URL, Email, InputRequired, Length, Optional, ValidationError

from ..core import territories
from ..core.forms import EMAIL_MESSAGE, BaseForm, options, strip
from ..core.sectors import ORGANISATION_SECTORS, Sector, sector_choices
from .models import Verification

CLUNI_PATTERN = re.compile(r"^[A-Z0-9]{10,20}$")
# Moral persons: 3 letters, 6-digit date, 3-character homoclave (individuals: 4 letters).
RFC_PATTERN = re.compile(r"^[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}$")


def _key(value):
    """Upper-case and drop spaces and dashes, as people type registration keys."""
    return re.sub(r"[\s-]", "", value).upper() if isinstance(value, str) else value


def _blank_to_none(value):
    return value or None


class OrganisationForm(BaseForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(min=3, max=200)], filters=[strip])
    acronym = StringField(_l("Acronym"), validators=[Optional(), Length(max=30)], filters=[strip, _blank_to_none])
    sector = SelectField(_l("Sector"), choices=[], validators=[InputRequired()])
    territory = SelectField(
        _l("Territory"),
        choices=[],
        validators=[InputRequired()],
        description=_l("The state where the organisation is based, or national if it works nationwide."),
    )
    cluni = StringField(
        _l("CLUNI registration key"),
        validators=[Optional(), Length(max=24)],
        filters=[_key, _blank_to_none],
        description=_l("Required for civil society organisations: the key of the Federal Registry of CSOs."),
    )
    rfc = StringField(
        _l("RFC (optional)"), validators=[Optional(), Length(max=16)], filters=[_key, _blank_to_none]
    )
    website = URLField(
        _l("Website"),
        validators=[Optional(), URL(require_tld=True, message=_l("Enter a full address, starting with https://")), Length(max=300)],
        filters=[strip, _blank_to_none],
    )
    description_source = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=20000)],
        description=_l("What the organisation does. You can use Markdown: *italics*, **bold**, lists and links."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sector.choices = options(sector_choices(ORGANISATION_SECTORS))
        self.territory.choices = options(territories.choices(include_national=True))

    def validate_territory(self, field):
        if not territories.is_valid(field.data):
            raise ValidationError(_l("Choose a territory from the list."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Checked here, not in validate_cluni: Optional() stops a field's chain when it is empty.
        if self.sector.data == Sector.CIVIL_SOCIETY.value and not self.cluni.data:
            self.cluni.errors = [*self.cluni.errors, _l("Civil society organisations must give their CLUNI key.")]
            valid = False
        return valid

    def validate_cluni(self, field):
        if field.data and not CLUNI_PATTERN.match(field.data):
            raise ValidationError(_l("A CLUNI key has 10 to 20 letters and digits, for example SAC0512150901A."))

    def validate_rfc(self, field):
        if field.data and not RFC_PATTERN.match(field.data):
            raise ValidationError(_l("An RFC has 12 or 13 characters, for example ABC050101XY1."))


class InviteForm(BaseForm):
    email = EmailField(
        _l("E-mail of the person to invite"),
        validators=[InputRequired(), Email(message=EMAIL_MESSAGE), Length(max=254)],
        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
    )


class TransferForm(BaseForm):
    member = SelectField(_l("New administrator"), coerce=int, choices=[], validators=[InputRequired()])
    keep_admin = BooleanField(_l("I remain an administrator too"))


class VerificationForm(BaseForm):
    decision = RadioField(
        _l("Decision"),
        choices=options([(Verification.VERIFIED.value, _l("Verify")), (Verification.REJECTED.value, _l("Reject"))]),
        validators=[InputRequired(message=_l("Choose whether to verify or reject."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(), Length(max=2000)],
        filters=[strip],
        description=_l("Required when rejecting. The organisation's administrators receive it and it is shown publicly."),
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.decision.data == Verification.REJECTED.value and not self.reason.data:
            self.reason.errors = [*self.reason.errors, _l("Give the reason for rejecting the organisation.")]
            valid = False
        return valid


class DirectoryFilterForm(BaseForm):
    """The directory's filters: a GET form, so no CSRF token and shareable addresses."""

    class Meta:
        csrf = False

    q = StringField(_l("Search by name or acronym"), validators=[Optional(), Length(max=100)], filters=[strip])
    sector = SelectField(_l("Sector"), choices=[], validators=[Optional()], filters=[strip])
    territory = SelectField(_l("Territory"), choices=[], validators=[Optional()], filters=[strip])
    verification = SelectField(_l("Verification"), choices=[], validators=[Optional()], filters=[strip])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sector.choices = options([("", _l("All sectors")), *sector_choices(ORGANISATION_SECTORS)])
        self.territory.choices = options(territories.choices(include_national=True, blank=_l("All territories")))
        self.verification.choices = options([
            ("", _l("Any")),
            (Verification.VERIFIED.value, _l("Verified")),
            (Verification.PENDING.value, _l("Pending")),
            (Verification.REJECTED.value, _l("Rejected")),
        ])
