"""Form pieces every feature uses: the one-button CSRF form and select options."""

from __future__ import annotations

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

EMAIL_MESSAGE = _l("Enter a valid e-mail address, such as nombre@ejemplo.org.")


class EmptyForm(FlaskForm):
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
