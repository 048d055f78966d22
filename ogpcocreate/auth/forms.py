"""Forms for accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, ValidationError

from ..core import territories
from ..core.forms import EMAIL_MESSAGE, BaseForm, options
from .passwords import password_problem

LANGUAGE_CHOICES = [("es", "Español"), ("en", "English")]


def normalise_email(value: str | None) -> str | None:
    return value.strip().lower() if isinstance(value, str) else value


def strip(value):
    return value.strip() if isinstance(value, str) else value


class StrongPassword:
    """Validator: the password passes auth.passwords.password_problem, given the form's name and e-mail."""

    def __init__(self, *related_fields: str):
        self.related_fields = related_fields

    def __call__(self, form, field):
        inputs = [getattr(form, name).data for name in self.related_fields if hasattr(form, name)]
        extra = getattr(form, "user_inputs", None) or []
        problem = password_problem(field.data or "", [*inputs, *extra])
        if problem:
            raise ValidationError(problem)


def territory_field(label=None):
    return SelectField(
        label or _l("Where you live (state)"),
        choices=[],
        validators=[Optional()],
        description=_l("Used only in aggregate, to show how far participation reaches across the country."),
    )


class RegisterForm(BaseForm):
    display_name = StringField(
        _l("Name shown publicly"),
        validators=[InputRequired(), Length(min=2, max=120)],
        filters=[strip],
        description=_l("Your contributions are published under this name."),
    )
    email = EmailField(_l("E-mail"), validators=[InputRequired(), Email(message=EMAIL_MESSAGE), Length(max=254)], filters=[normalise_email])
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(), StrongPassword("email", "display_name")],
        description=_l("At least 10 characters; a few unrelated words work well."),
    )
    password_confirm = PasswordField(
        _l("Repeat the password"), validators=[InputRequired(), EqualTo("password", message=_l("The passwords do not match."))]
    )
    # Where to go once the address is confirmed (an invitation, say); carried in the confirmation link.
    next = HiddenField(validators=[Optional(), Length(max=2000)])
    territory = territory_field()
    locale = SelectField(_l("Language for e-mails and pages"), choices=options(LANGUAGE_CHOICES), default="es")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory.choices = options(territories.choices(include_national=False, blank=_l("Prefer not to say")))


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(), Length(max=254)], filters=[normalise_email])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me logged in on this device"))


class ForgotPasswordForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(), Email(message=EMAIL_MESSAGE), Length(max=254)], filters=[normalise_email])


class ResetPasswordForm(BaseForm):
    password = PasswordField(_l("New password"), validators=[InputRequired(), StrongPassword()])
    password_confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class ProfileForm(BaseForm):
    display_name = StringField(
        _l("Name shown publicly"), validators=[InputRequired(), Length(min=2, max=120)], filters=[strip]
    )
    territory = territory_field()
    locale = SelectField(_l("Language for e-mails and pages"), choices=options(LANGUAGE_CHOICES))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory.choices = options(territories.choices(include_national=False, blank=_l("Prefer not to say")))


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired(), Length(max=200)])
    password = PasswordField(_l("New password"), validators=[InputRequired(), StrongPassword()])
    password_confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class CloseAccountForm(BaseForm):
    password = PasswordField(
        _l("Your password, to confirm"), validators=[InputRequired(), Length(max=200)],
        description=_l("Closing cannot be undone."),
    )
