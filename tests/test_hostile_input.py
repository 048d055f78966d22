"""Hostile input never gets a 500: huge numbers, control characters and invalid UTF-8 in every path and
path of the URL map (the query parameters get the same in tests/test_fuzz.py), header injection through
``next``, forged hosts, and the malformed form values found by probing the site as an attacker would. Each answer is a 400 or 404 that says, in
the reader's language, what was wrong.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from ogpcocreate.core.eventlog import ParticipationEvent
from ogpcocreate.extensions import db

from .snapshots import changed_tables, database_fingerprint
from .test_csrf import _role_for
from .test_permissions import ROUTES

HUGE = [2**31, 2**63, 2**64 + 1, 10**25]
# Raw query strings, as a client may send them: bytes that are not UTF-8, control characters, numbers
# far beyond any column and signs where a count belongs.
def _urls_with_huge_ids(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every route that takes a number, with each number made huge."""
    adapter = app.url_map.bind("localhost")
    cases = []
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]
        if not ints:
            continue
        method = "POST" if "POST" in rule.methods else "GET"
        for huge in HUGE:
            # Other parameters take a value their converter accepts ("any" has a fixed list), so only the
            # number is out of range.
            values = {name: (huge if name in ints else sorted(getattr(rule._converters.get(name), "items", None) or ["x"])[0])
                      for name in rule.arguments}
            cases.append((rule.endpoint, method, adapter.build(rule.endpoint, values, method=method)))
    return cases


def test_every_route_with_a_number_answers_404_to_a_number_no_column_holds(world_case):
    cases = _urls_with_huge_ids(world_case.app)
    assert len(cases) >= 40 * len(HUGE)
    for endpoint, method, url in cases:
        client = world_case.client(_role_for(endpoint) if endpoint in ROUTES else "participant")
        response = client.get(url) if method == "GET" else client.post_form(url)
        assert response.status_code == 404, (endpoint, url, response.status_code)
        # In the reader's language: Spanish by default.
        assert "Página no encontrada" in response.get_data(as_text=True) or url.startswith("/api/"), url


def test_api_routes_answer_a_huge_id_with_json(client):
    response = client.get(f"/api/v1/plans/{10**25}/influence")
    assert response.status_code == 404
    assert response.is_json and response.json["error"]


def test_a_hostile_path_segment_is_a_404_never_a_500(world_case):
    world = world_case.world
    client = world_case.client("seat_government")
    for segment in ["%ff%fe", "%c3%28", "%0d%0a", "%00", "..%2f..%2fetc%2fpasswd", "9" * 40, "-1", "١٢", "%e2%80%ae"]:
        for template in ["/calls/{x}", "/proposals/{x}", "/drafts/{x}/compare", "/plans/{x}/influence",
                         "/api/v1/calls/{x}/influence", "/invitations/{x}", "/confirm/{x}", "/password/reset/{x}",
                         "/organisations/{x}", "/ballots/{x}", "/meetings/{x}", "/static/{x}"]:
            response = client.get(template.format(x=segment))
            response.close()
            assert response.status_code in (400, 404), (template, segment, response.status_code)
    assert world  # the world exists, so a 404 is about the number, not an empty database


@pytest.mark.parametrize("param", ["page", "before"])
def test_a_huge_page_or_cursor_is_a_clear_400(client, param):
    url = "/record" if param == "before" else "/organisations"
    response = client.get(f"{url}?{param}={10**30}")
    assert response.status_code == 400
    assert "número entero" in response.get_data(as_text=True)
    assert client.get(f"{url}?{param}=2").status_code == 200


def test_the_page_parser_serves_every_paginated_list(world_case):
    world = world_case.world
    client = world_case.client("seat_government")
    for url in ["/organisations", "/organisations/review", "/moderation",
                f"/calls/{world.call_id}", f"/drafts/{world.draft_id}", "/api/v1/calls"]:
        assert client.get(f"{url}?page={10**30}").status_code == 400, url
        assert client.get(f"{url}?page=abc").status_code == 400, url
        assert client.get(f"{url}?page=3").status_code == 200, url
    # Keyset lists take a cursor instead, by the same number parser.
    for url in ["/record", "/my/activity"]:
        assert client.get(f"{url}?before={10**30}").status_code == 400, url
        assert client.get(f"{url}?before=abc").status_code == 400, url
        assert client.get(f"{url}?before=3").status_code == 200, url


# --- header injection through next ------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/%0d%0aX-Injected:1", "/%0aX-Injected:1", "/%09x", "/calls%20x", "/%7f"])
def test_next_with_control_characters_is_ignored_everywhere(world_case, target):
    anonymous = world_case.client("anonymous")
    response = anonymous.get(f"/login?next={target}")
    assert response.status_code == 200
    response = anonymous.post_form(f"/login?next={target}", {"email": "participant@example.org",
                                                             "password": "a-long-and-quiet-harbour-42"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "X-Injected" not in response.headers
    anonymous._token = None  # the session was renewed at login
    # Logged in, /login sends on to next at once.
    response = anonymous.get(f"/login?next={target}")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    response = anonymous.post_form(f"/language?next={target}", {"language": "en"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    confirmed = world_case.client("member")
    response = confirmed.get(f"/confirm?next={target}")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_a_plain_next_still_works(world_case):
    client = world_case.client("anonymous")
    response = client.post_form("/login?next=/calls%3Fpage%3D2", {"email": "participant@example.org",
                                                                   "password": "a-long-and-quiet-harbour-42"})
    assert response.headers["Location"] == "/calls?page=2"


# --- malformed form values found by probing -----------------------------------------------------------


@pytest.mark.parametrize("parent", ["abc", "-1", "0", str(2**63), "1.5", "١"])
def test_a_reply_to_a_parent_that_is_not_a_comment_is_refused_with_a_reason(world_case, parent):
    app, world = world_case.app, world_case.world
    client = world_case.client("member")
    with app.app_context():
        before = db.session.query(ParticipationEvent).count()
    response = client.post_form(f"/drafts/{world.draft_id}/comments", {"body_source": "Un comentario", "parent": parent})
    assert response.status_code == 400
    assert "Solo puedes responder a un comentario de esta versión" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(ParticipationEvent).count() == before


def test_an_act_that_is_not_decided_on_a_call_page_is_refused_with_a_reason(world_case):
    app, world = world_case.app, world_case.world
    client = world_case.client("seat_government")
    before = database_fingerprint(app)
    response = client.post_form(f"/calls/{world.draft_call_id}/positions", {"action": "sign_minutes", "stance": "approve"})
    assert response.status_code == 302
    assert changed_tables(before, database_fingerprint(app)) == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "En esta página solo se decide: Publicar la convocatoria, Publicar los resultados." in page


def _draft_without_a_version(app, world) -> int:
    from ogpcocreate.calls.models import Call
    from ogpcocreate.drafts.models import DraftCommitment

    with app.app_context():
        call = db.session.get(Call, world.closed_call_id)
        draft = DraftCommitment(call_id=call.id, theme_id=call.themes[0].id, title="Sin versión",
                                created_by_id=call.created_by_id)
        db.session.add(draft)
        db.session.commit()
        return draft.id


def test_comparing_or_commenting_on_a_draft_without_a_version(world_case):
    app, world = world_case.app, world_case.world
    draft_id = _draft_without_a_version(app, world)
    seat = world_case.client("seat_government")
    assert seat.get(f"/drafts/{draft_id}/compare").status_code == 404
    assert seat.get(f"/drafts/{draft_id}/compare?from=1&to=2").status_code == 404
    member = world_case.client("member")
    before = database_fingerprint(app)
    response = member.post_form(f"/drafts/{draft_id}/comments", {"body_source": "Hola"})
    assert response.status_code in (400, 404)
    assert changed_tables(before, database_fingerprint(app)) == []


def test_comparing_versions_that_are_not_numbers_is_a_clear_400(world_case):
    world, client = world_case.world, world_case.client("anonymous")
    response = client.get(f"/drafts/{world.draft_id}/compare?from=abc&to={10**30}")
    assert response.status_code == 400
    assert "Elige dos versiones" in response.get_data(as_text=True)


# --- hosts ------------------------------------------------------------------------------------------------


def test_absolute_urls_come_from_public_url_not_the_host_header(world_case):
    client = world_case.client("anonymous")
    response = client.get("/api/v1/calls", headers={"Host": "evil.example"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "evil.example" not in body
    assert "http://localhost/calls/" in body
    plans = client.get("/api/v1/plans", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "evil.example" not in plans


def test_production_refuses_an_unknown_host(make_app, app_config, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("PUBLIC_URL", "https://cocreacion.example.org")
    monkeypatch.setenv("ALLOWED_HOSTS", "10.0.0.5, health.internal")
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    app = make_app({**app_config, "ENV_NAME": "production", "PUBLIC_URL": None})
    app.config["PUBLIC_URL"] = "https://cocreacion.example.org"
    client = app.test_client()
    for host in ["cocreacion.example.org", "cocreacion.example.org:443", "10.0.0.5", "health.internal"]:
        assert client.get("/healthz", headers={"Host": host}, base_url=f"https://{host}").status_code == 200, host
    response = client.get("/api/v1/plans", headers={"Host": "evil.example"}, base_url="https://evil.example")
    assert response.status_code == 400
    response = client.get("/", headers={"Host": "evil.example"}, base_url="https://evil.example")
    assert response.status_code == 400
    assert "no responde a esa dirección" in response.get_data(as_text=True)
