"""Every text field of every form refuses control and invisible characters, without the form asking.

The walk finds each form class in each feature's forms.py, so a form added later is checked too.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import FieldList, Form, FormField, StringField, TextAreaField

import ogpcocreate
from ogpcocreate.core.forms import MULTI_LINE_MESSAGE, SINGLE_LINE_MESSAGE, BaseForm, Subform

from .factories import make_organisation, make_user

SINGLE_LINE_REFUSED = ["\r\n", "\u202e", "\u200b", "\x07", "\t", "\x00", "\x1b", "\u2028", "\u00ad", "\u200f", "\ufeff"]
MULTI_LINE_REFUSED = ["\x07", "\x00", "\x1b", "\u202e", "\u2066", "\x0b"]
ACCEPTED = "Fundación Ñandú — «Sí», ¿qué? 3½ ✓"


def _form_classes():
    found = []
    for module_info in pkgutil.iter_modules(ogpcocreate.__path__):
        try:
            module = importlib.import_module(f"ogpcocreate.{module_info.name}.forms")
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Form) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


FORMS = _form_classes()


def _text_fields(form):
    for field in form:
        if isinstance(field, FormField):
            yield from _text_fields(field.form)
        elif isinstance(field, FieldList):
            for entry in field:
                yield from (_text_fields(entry.form) if isinstance(entry, FormField) else [entry])
        elif isinstance(field, StringField):
            yield field


def _check(form, field, value) -> list:
    field.process(MultiDict({field.name: value}))
    field.errors = []
    field.validate(form)
    return list(field.errors)


def test_the_walk_finds_the_forms():
    names = {cls.__name__ for cls in FORMS}
    assert {"OrganisationForm", "RegisterForm", "ProposalForm", "MeetingForm", "MilestoneForm", "EmptyForm"} <= names
    assert len(FORMS) > 25


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: f"{c.__module__.split('.')[1]}.{c.__name__}")
def test_every_form_derives_from_the_guarded_bases(form_class):
    assert issubclass(form_class, BaseForm | Subform), f"{form_class.__name__} must derive from core.forms.BaseForm"


@pytest.mark.parametrize("form_class", FORMS, ids=lambda c: f"{c.__module__.split('.')[1]}.{c.__name__}")
def test_every_text_field_refuses_control_and_invisible_characters(appctx, form_class):
    form = form_class(formdata=MultiDict(), meta={"csrf": False}) if issubclass(form_class, BaseForm) else form_class()
    for field in _text_fields(form):
        if isinstance(field, TextAreaField):
            for char in MULTI_LINE_REFUSED:
                assert _check(form, field, f"Uno{char}dos") == [MULTI_LINE_MESSAGE], (field.name, char)
            assert MULTI_LINE_MESSAGE not in _check(form, field, f"{ACCEPTED}\r\nSegunda línea\tcon tabulador\n")
        else:
            for char in SINGLE_LINE_REFUSED:
                assert _check(form, field, char) == [SINGLE_LINE_MESSAGE], (field.name, repr(char))
                assert _check(form, field, f"Uno{char}dos") == [SINGLE_LINE_MESSAGE], (field.name, repr(char))
            assert SINGLE_LINE_MESSAGE not in _check(form, field, ACCEPTED), field.name


def test_the_refusal_is_shown_translated_beside_the_field(app, client):
    with app.app_context():
        from ogpcocreate.extensions import db

        make_user("ana@example.org")
        db.session.commit()
    client.login("ana@example.org")
    response = client.post_form("/organisations/new", {"name": "Fundación\r\nBcc: x@example.org", "sector": "academia",
                                                       "territory": "MX-OAX"})
    assert response.status_code == 400
    assert "Escribe esto en una sola línea" in response.get_data(as_text=True)


def test_a_multi_line_field_keeps_line_breaks(app, client):
    with app.app_context():
        from ogpcocreate.extensions import db

        user = make_user("ana@example.org")
        make_organisation(user, name="Colectivo Sur")
        db.session.commit()
    client.login("ana@example.org")
    form = {"name": "Colectivo Norte", "sector": "academia", "territory": "MX-OAX",
            "description_source": "Primera línea.\r\n\r\n- uno\r\n- dos\tcon tabulador"}
    response = client.post_form("/organisations/new", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
