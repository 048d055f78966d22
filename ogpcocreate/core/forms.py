"""Form pieces every feature uses: the base forms, the one-button CSRF form and select options.

Every form derives from BaseForm (or Subform, inside a FormField), which guards each text field
without the form having to ask: a single-line field (a StringField that is not a TextAreaField:
names, titles, places, e-mail, search) refuses line breaks, every other control character and the
invisible format characters (zero-width spaces, bidirectional overrides, soft hyphens); a multi-line
field keeps line breaks and tabs but refuses the other control characters and the bidirectional
controls. Such characters hide text, make one name look like another, and break e-mail headers.
"""

from __future__ import annotations

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _FlaskFormCSRF
from wtforms import Form, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from . import fragments
from .text import multi_line_problem, single_line_problem

EMAIL_MESSAGE = _l("Enter a valid e-mail address, such as nombre@ejemplo.org.")
SINGLE_LINE_MESSAGE = _l(
    "Write this on one line, without line breaks, tabs, control characters or invisible formatting characters."
)
MULTI_LINE_MESSAGE = _l("Remove the control characters or the invisible text direction marks from this text.")


class PlainText:
    """Validator: refuse the characters above, looking at what was submitted (before any filter)."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline
        self.problem = multi_line_problem if multiline else single_line_problem
        self.message = MULTI_LINE_MESSAGE if multiline else SINGLE_LINE_MESSAGE

    def __call__(self, form, field):
        values = field.raw_data if field.raw_data else [field.data]
        if any(isinstance(v, str) and self.problem(v) for v in values):
            raise StopValidation(self.message)


def text_guard(field) -> PlainText | None:
    """The guard a bound field gets: multi-line for text areas, single-line for other text fields."""
    if isinstance(field, TextAreaField):
        return PlainText(multiline=True)
    if isinstance(field, StringField):
        return PlainText()
    return None


class _GuardedMeta:
    """Form Meta mixin: every text field's validators start with its guard (so a new form has it)."""

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        guard = text_guard(field)
        if guard is not None:
            field.validators = [guard, *field.validators]  # a new list: the class's is shared
        return field


class _LazyToken:
    """A CSRF token made only when a page renders it. Flask-WTF makes one (and stores its secret in the
    session) as soon as a form exists; views build forms whether or not the reader may use them, and an
    anonymous reader must get no session, so that their pages can be cached (core/pagecache.py)."""

    __slots__ = ("_make", "_value")

    def __init__(self, make):
        self._make = make
        self._value = None

    def __str__(self) -> str:
        if fragments.rendering():
            return fragments.csrf_token()  # inside a shared fragment: the placeholder (core/fragments.py)
        if self._value is None:
            self._value = self._make()
        return self._value

    def __html__(self) -> str:
        return str(self)

    def __eq__(self, other) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


class _LazyCSRF(_FlaskFormCSRF):
    def generate_csrf_token(self, csrf_token_field):
        return _LazyToken(lambda: super(_LazyCSRF, self).generate_csrf_token(csrf_token_field))


class BaseForm(FlaskForm):
    """The base of every form: CSRF (Flask-WTF, its token made when rendered) and the text guards."""

    class Meta(_GuardedMeta):
        csrf_class = _LazyCSRF


class Subform(Form):
    """The base of forms nested in a FormField: the text guards, and no CSRF token of their own."""

    class Meta(_GuardedMeta):
        pass


class EmptyForm(BaseForm):
    """A form with only its CSRF token, for one-button actions (every POST carries a token)."""


def strip(value):
    """Filter: trim surrounding white space from text input."""
    return value.strip() if isinstance(value, str) else value


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def refuse(form, exc) -> None:
    """Show a service's refusal (core.errors.ServiceError) on the form, after rolling back its work.

    The message goes beside the field it names, or to the top of the page; what the person typed
    stays in the form, so nothing they wrote is lost.
    """
    from ..extensions import db

    db.session.rollback()
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        flash(exc.message, "error")


def flash_errors(form) -> None:
    """For one-button forms that redirect: every validation error becomes a message on the next page."""
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")
