"""The suite's own isolation holds: what a rolled-back test commits is gone afterwards (tests/conftest.py)."""

from __future__ import annotations

from sqlalchemy import func, select

from ogpcocreate.auth.models import User
from ogpcocreate.core import eventlog
from ogpcocreate.extensions import db

from .conftest import rolled_back
from .factories import make_user


def _users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def test_commits_inside_rolled_back_are_undone(shared_world):
    app = shared_world.app
    before = _users(app)
    with rolled_back(app):
        with app.test_request_context():
            make_user("kept-for-a-moment@example.org")
            db.session.commit()
        # a later session (a later request) sees the commit...
        assert _users(app) == before + 1
        with app.app_context():
            make_user("undone@example.org")
            db.session.rollback()  # ...and a rollback undoes only its own work
        assert _users(app) == before + 1
        response = shared_world.client("seat_government").post_form("/logout")
        assert response.status_code == 302
        with app.app_context():
            assert eventlog.verify().ok
    assert _users(app) == before
    # the logout above was undone too: the role's session still works
    assert shared_world.client("seat_government").get("/account").status_code == 200


def test_each_case_starts_from_the_same_world(world_case):
    """Runs after the test above (same module, in order): nothing it committed is left."""
    with world_case.app.app_context():
        assert not db.session.scalar(select(func.count(User.id)).where(User.email == "kept-for-a-moment@example.org"))
