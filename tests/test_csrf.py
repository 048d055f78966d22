"""Every POST route of the URL map refuses a request without a valid CSRF token, and changes nothing.

The cases share one world per module and each is rolled back (``world_case``, tests/conftest.py).
"""

from __future__ import annotations

import pytest

from ogpcocreate import create_app

from .snapshots import changed_tables, database_fingerprint
from .test_permissions import ROUTES

# POST routes that take no form token, each with the reason. Anything else exempted fails
# test_only_the_declared_routes_are_exempt. The exempt routes are still walked below: with the URL's
# forged signed token they refuse (400) and change nothing.
CSRF_EXEMPT = {
    # RFC 8058 one-click unsubscribe: a mail client POSTs "List-Unsubscribe=One-Click" without a session
    # or a form token; the signed token in the URL authenticates the request, and all it can do is turn
    # the e-mails it names off for the one account it names.
    "notifications.unsubscribe": "ogpcocreate.notifications.views.unsubscribe",
}


def test_only_the_declared_routes_are_exempt(app):
    from ogpcocreate.extensions import csrf

    assert set(csrf._exempt_views) == set(CSRF_EXEMPT.values())
    assert set(CSRF_EXEMPT) <= set(ROUTES)


def _post_endpoints() -> list[str]:
    """Every endpoint that accepts POST, read from the URL map itself."""
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods})


POST_ROUTES = _post_endpoints()


def _role_for(endpoint: str) -> str:
    allowed = ROUTES[endpoint][2]
    for role in ("org_admin", "member", "seat_government", "site_admin", "participant"):
        if role in allowed:
            return role
    return "participant"


def test_every_post_route_has_a_url_to_try(app):
    assert set(POST_ROUTES) <= set(ROUTES)
    assert len(POST_ROUTES) >= 20


@pytest.mark.parametrize("endpoint", POST_ROUTES)
@pytest.mark.parametrize("token", ["missing", "forged"])
def test_post_without_a_valid_token_is_refused(world_case, endpoint, token):
    app = world_case.app
    client = world_case.client(_role_for(endpoint))
    url = ROUTES[endpoint][1].format(**world_case.world.__dict__)
    before = database_fingerprint(app)
    data = {"email": "x@example.org", "decision": "verified", "stance": "approve", "action": "publish_call",
            "outcome": "adopted", "language": "en", "member": "1"}
    if token == "forged":
        data["csrf_token"] = "IjA5ZmY0YjYzNWE5ZmM0ZTE3OGRlN2YxZjA5NzMwZjk2NTIwOWY3Yjci.forged.signature"
    response = client.client.post(url, data=data)
    assert response.status_code == 400, (endpoint, response.status_code)
    assert changed_tables(before, database_fingerprint(app)) == []
