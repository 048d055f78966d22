"""The request boundary (core/boundary.py): one service act per request, committed once, or rolled back
with its refusal shown beside the field it names or as a flash message."""

from __future__ import annotations

from flask import get_flashed_messages
from sqlalchemy import func, select
from wtforms import StringField

from ogpcocreate.auth.models import User
from ogpcocreate.core.boundary import carry_out
from ogpcocreate.core.errors import ServiceError
from ogpcocreate.core.forms import BaseForm
from ogpcocreate.extensions import db

from .factories import make_user


class NameForm(BaseForm):
    class Meta:
        csrf = False

    name = StringField()


def _users() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_a_successful_act_is_committed_and_returns_its_result(app):
    with app.test_request_context():
        outcome = carry_out(lambda: make_user("uno@example.org"))
        assert outcome and outcome.result.email == "uno@example.org"
        db.session.remove()  # a new session sees it: it was committed
        assert _users() == 1


def _refuse(field=None):
    make_user("dos@example.org")  # work done before the refusal must not survive it
    raise ServiceError("No se puede.", field=field)


def test_a_refusal_rolls_back_and_flashes_its_reason(app):
    with app.test_request_context():
        outcome = carry_out(_refuse)
        assert not outcome and outcome.result is None
        assert _users() == 0
        assert get_flashed_messages(with_categories=True) == [("error", "No se puede.")]


def test_a_refusal_naming_a_field_goes_beside_it_and_keeps_what_was_typed(app):
    with app.test_request_context(method="POST", data={"name": "Lo que escribí"}):
        form = NameForm()
        assert not carry_out(_refuse, field="name", form=form)
        assert form.name.errors == ["No se puede."] and form.name.data == "Lo que escribí"
        assert get_flashed_messages() == [] and _users() == 0
    with app.test_request_context(method="POST", data={"name": "Otra cosa"}):
        assert not carry_out(_refuse, form=NameForm())  # no field named: the reason goes to the top
        assert get_flashed_messages() == ["No se puede."]


# Views that catch a refusal themselves, each for a reason carry_out cannot express: a bad or expired
# link in an e-mail is answered with a page explaining it (not a form error or a flash on another page),
# and closing an account counts a wrong password toward the log-in limits before showing it.
OWN_HANDLING = {
    ("auth", "confirm_email"),
    ("auth", "reset_password"),
    ("auth", "close_account"),
    ("organisations", "invitation"),
    ("organisations", "accept_invitation"),
    ("notifications", "unsubscribe"),
}


def test_views_leave_refusals_to_the_boundary():
    """Every other view carries out its act through carry_out: no view catches a ServiceError itself."""
    import ast
    from pathlib import Path

    import ogpcocreate

    found = set()
    for path in Path(ogpcocreate.__file__).parent.glob("*/views.py"):
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ExceptHandler) and "ServiceError" in ast.unparse(node.type or ast.Name("")):
                    found.add((path.parent.name, function.name))
    assert found == OWN_HANDLING
