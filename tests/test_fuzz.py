"""Property-based fuzzing: random and malformed data to every form and every query string, and
hostile raw query strings (invalid UTF-8, CR/LF, huge numbers) to every page.

Never a 500; a submission the app refuses changes nothing; whatever it accepts leaves the
participation log's chain intact. Examples are derandomised so CI is repeatable; raise
FUZZ_EXAMPLES locally to search harder. Each test shares its module's world and is rolled back
(``world_case``, tests/conftest.py); the examples of one test see each other's changes, as before.
"""

from __future__ import annotations

import inspect
import os

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ogpcocreate.core import eventlog

from .snapshots import changed_tables, database_fingerprint
from .test_csrf import POST_ROUTES, _role_for
from .test_permissions import ROUTES

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))


def _form_field_names() -> list[str]:
    """Every field name of every form class the application defines."""
    import ogpcocreate.auth.forms
    import ogpcocreate.calls.forms
    import ogpcocreate.main.forms
    import ogpcocreate.meetings.forms
    import ogpcocreate.organisations.forms
    import ogpcocreate.plans.forms
    import ogpcocreate.proposals.forms
    import ogpcocreate.reports.forms
    import ogpcocreate.responses.forms
    import ogpcocreate.secretariat.forms
    import ogpcocreate.votes.forms

    names = set()
    for module in (ogpcocreate.auth.forms, ogpcocreate.calls.forms, ogpcocreate.main.forms, ogpcocreate.meetings.forms,
                   ogpcocreate.organisations.forms,
                   ogpcocreate.plans.forms, ogpcocreate.proposals.forms, ogpcocreate.reports.forms, ogpcocreate.responses.forms,
                   ogpcocreate.secretariat.forms, ogpcocreate.votes.forms):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, FlaskForm) and cls is not FlaskForm:
                names.update(name for name, value in vars(cls).items()
                             if hasattr(value, "field_class") and name != "csrf_token")
    return sorted(names)


FIELDS = _form_field_names()
PLAUSIBLE = st.sampled_from([
    "", "0", "1", "2", "-1", "999999999999999999999", "civil_society", "citizen", "MX-OAX", "national", "es", "en",
    "adopted", "not_adopted", "approve", "object", "publish_call", "publish_results", "verified", "rejected",
    "organisations", "organisations_and_individuals", "co_creation", "2027-01-15T10:00", "2020-01-01T00:00",
    "9999-12-31T23:59", "ana@example.org", "not an email", "https://ejemplo.org", "javascript:alert(1)",
    "y", "on", "true", "\x00", "%00", "../../etc/passwd", "' OR 1=1 --", "<script>alert(1)</script>",
    str(2**31), str(2**63), str(10**30), "-0", " 1", "١٢", "1\r\nX-Injected: 1", "/\r\nLocation: //evil",
    "\u202eevil", "a\u200bb", "\x07\x1b[31m", "\ud7ff\ufffd", " ",
])
# Texts past every length limit: a short random run repeated to a random length from 2,000 to 6,000
# characters. Drawing each of those characters one by one took half the fuzzing's time.
LONG_TEXT = st.tuples(st.text(alphabet="ab\n ", min_size=1, max_size=16), st.integers(2000, 6000)).map(
    lambda run_and_size: (run_and_size[0] * run_and_size[1])[:run_and_size[1]])
VALUES = st.one_of(PLAUSIBLE, st.text(max_size=300), LONG_TEXT)
FORM_DATA = st.dictionaries(st.sampled_from(FIELDS + ["next", "page", "unexpected"]), VALUES, max_size=12)
QUERY = st.dictionaries(st.sampled_from(["page", "q", "sector", "territory", "verification", "theme", "status",
                                         "before", "next", "first", "second", "plan", "call", "x"]), VALUES, max_size=5)
# Sent as raw query strings, as a client may: bytes that are not UTF-8, CR/LF, control and format
# characters, numbers far beyond any column, signs where a count belongs, digits that are not ASCII.
HOSTILE_VALUES = ["%ff%fe", "%0d%0aX-Injected:%201", "%00", "%e2%80%ae", "9" * 40, "-1", "%20", "١٢"]
NUMBER_NAMES = ["page", "before", "from", "to", "plan", "call"]
TEXT_NAMES = ["q", "sector", "territory", "verification", "theme", "status", "section", "next", "first", "second"]
# Every text parameter at once with each value, then each number alone (the first bad number would end
# the page before the next is read) with a number too large and bytes that are not UTF-8.
HOSTILE_QUERIES = ["&".join(f"{name}={value}" for name in TEXT_NAMES) for value in HOSTILE_VALUES] + [
    f"{name}={value}" for name in NUMBER_NAMES for value in ("9" * 40, "%ff%fe")]
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.parametrize("endpoint", POST_ROUTES)
def test_forms_survive_random_input(world_case, endpoint):
    app = world_case.app
    client = world_case.client(_role_for(endpoint))
    url = ROUTES[endpoint][1].format(**world_case.world.__dict__)

    @SETTINGS
    @given(data=FORM_DATA)
    def check(data):
        client._token = None  # a fresh token each time: some examples end or renew the session
        before = database_fingerprint(app)
        response = client.post_form(url, data)
        response.close()
        assert response.status_code < 500, (endpoint, data)
        if response.status_code != 302:
            assert changed_tables(before, database_fingerprint(app)) == [], (endpoint, response.status_code, data)
        with app.app_context():
            assert eventlog.verify().ok

    check()


GET_ROUTES = sorted(e for e, (method, _u, _r) in ROUTES.items() if method == "GET" and e != "static")


@pytest.mark.parametrize("endpoint", GET_ROUTES)
def test_query_strings_never_break_a_page(world_case, endpoint):
    app = world_case.app
    client = world_case.client(_role_for(endpoint))
    url = ROUTES[endpoint][1].format(**world_case.world.__dict__)
    before = database_fingerprint(app)

    @SETTINGS
    @given(query=QUERY)
    def check(query):
        response = client.get(url, query_string=query)
        response.close()
        assert response.status_code < 500, (endpoint, query)

    check()
    for query in HOSTILE_QUERIES:
        response = client.get(f"{url}?{query}")
        response.close()
        assert response.status_code < 500, (endpoint, query, response.status_code)
        assert "X-Injected" not in response.headers
    assert changed_tables(before, database_fingerprint(app)) == []
