"""The open-data API (/api/v1/): every public resource, by cursor, with its OpenAPI document; nothing that
is not public (visibility.py), no hidden comment's text, no ballot choice; ETag, Last-Modified, CORS."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ogpcocreate.api import services
from ogpcocreate.comments.models import Comment
from ogpcocreate.extensions import db
from ogpcocreate.votes.models import Ballot

from .conftest import rolled_back

RESOURCES = [r.name for r in services.RESOURCES]


@pytest.fixture
def demo(demo_app):
    with rolled_back(demo_app):
        yield demo_app


@pytest.fixture
def api(demo):
    return demo.test_client()


def _all(api, url):
    items, seen = [], 0
    while url:
        body = api.get(url).get_json()
        items += body["items"]
        url = body["next"]
        seen += 1
        assert seen < 500
    return items


@pytest.mark.parametrize("name", RESOURCES)
def test_every_list_pages_by_cursor_through_public_rows_only(demo, api, name):
    resource = next(r for r in services.RESOURCES if r.name == name)
    with demo.app_context():
        public = set(db.session.scalars(select(resource.model.id).where(resource.public())))
        every = set(db.session.scalars(select(resource.model.id)))
    items = _all(api, f"/api/v1/{name}?limit=7")
    ids = [i["id"] for i in items]
    assert ids == sorted(ids) and set(ids) == public
    if every - public:
        hidden = min(every - public)
        assert api.get(f"/api/v1/{name}/{hidden}").status_code == 404
    if ids:
        one = api.get(f"/api/v1/{name}/{ids[0]}")
        assert one.status_code == 200 and one.get_json() == items[0]


def test_the_demo_has_something_of_each(api):
    for name in set(RESOURCES) - {"documents"}:  # the demo's repository holds a commission report, no file
        assert api.get(f"/api/v1/{name}").get_json()["items"], name


def test_hidden_comments_show_that_and_why_but_never_their_text(demo, api):
    comments = _all(api, "/api/v1/comments?limit=200")
    hidden = [c for c in comments if c["hidden"]]
    assert hidden, "the demo hides a comment"
    with demo.app_context():
        for c in hidden:
            assert c["body"] is None and c["hidden_reason"]
            text = db.session.get(Comment, c["id"]).body_source
            assert text not in api.get(f"/api/v1/comments/{c['id']}").get_data(as_text=True)


def test_ballots_publish_the_tally_only_once_results_are_published(demo, api):
    ballots = _all(api, "/api/v1/ballots")
    with demo.app_context():
        for b in ballots:
            ballot = db.session.get(Ballot, b["id"])
            assert (b["results"] is None) == (ballot.results_published_at is None)
    body = api.get("/api/v1/ballots").get_data(as_text=True)
    assert "user_id" not in body and "voter" not in body.replace("voters", "")


def test_filters_match_and_refuse_bad_values(api):
    drafts = _all(api, "/api/v1/drafts")
    call = drafts[0]["call_id"]
    assert {d["call_id"] for d in _all(api, f"/api/v1/drafts?call={call}")} == {call}
    for url in ("/api/v1/drafts?call=abc", "/api/v1/organisations?sector=martians", "/api/v1/themes?cursor=x",
                "/api/v1/themes?limit=0", "/api/v1/themes?limit=100000"):
        response = api.get(url, headers={"Accept-Language": "en"})
        assert response.status_code == 400 and response.is_json and response.get_json()["detail"], url
    assert api.get("/api/v1/proposals/999999").get_json()["error"]


def test_drafts_carry_versions_milestones_and_incorporations(api):
    drafts = _all(api, "/api/v1/drafts")
    versions = [v for d in drafts for v in d["versions"]]
    assert versions and all(v["number"] >= 1 for v in versions)
    assert any(v["incorporations"] for v in versions)
    assert any(v["milestones"] for v in versions)


def test_meetings_count_attendance(api):
    meetings = _all(api, "/api/v1/meetings")
    assert any(m["attendance"]["total"] > 0 for m in meetings)
    body = api.get("/api/v1/meetings").get_data(as_text=True)
    assert "@" not in body or "mailto" not in body


def test_record_pages_by_cursor_and_filters_like_the_page(api):
    first = api.get("/api/v1/record?limit=5").get_json()
    assert [e["seq"] for e in first["items"]] == [1, 2, 3, 4, 5]
    second = api.get(first["next"]).get_json()
    assert second["items"][0]["seq"] == 6
    assert second["items"][0]["prev_hash"] == api.get("/api/v1/record?limit=5").get_json()["items"][-1]["hash"]
    assert api.get("/api/v1/record?verb=nonsense").status_code == 400


def test_etag_last_modified_and_cors(api):
    response = api.get("/api/v1/proposals")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert api.get("/api/v1/proposals", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    again = api.get("/api/v1/proposals", headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert again.status_code == 304
    assert api.get("/api/v1/openapi.json").headers["Access-Control-Allow-Origin"] == "*"


def test_the_openapi_document_lists_every_api_route(demo, api):
    spec = api.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = set(spec["paths"])
    for rule in demo.url_map.iter_rules():
        path = rule.rule
        if not path.startswith("/api/v1/") or path.startswith(("/api/v1/docs", "/api/v1/openapi")):
            continue
        templated = path.replace("<int:", "{").replace(">", "}")
        assert templated in documented, path


def test_the_documentation_is_served_from_this_site(api):
    page = api.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "https://" not in html.split("<main")[-1].split("</main>")[0]
    asset = api.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200
    asset.close()
    assert api.get("/api/v1/docs/assets/..%2Fsecret").status_code == 404
    assert "'unsafe-eval'" not in page.headers["Content-Security-Policy"]


def test_every_dataset_streams_as_csv_with_the_same_rows(api):
    import csv
    import io

    for resource in services.RESOURCES:
        response = api.get(f"/open-data/{resource.name}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        assert [int(r["id"]) for r in rows] == [i["id"] for i in _all(api, f"/api/v1/{resource.name}?limit=200")]
        assert "password" not in response.get_data(as_text=True)
    assert api.get("/open-data/users.csv").status_code == 404


def test_the_open_data_page_lists_every_dataset_and_column_and_is_in_the_footer(api):
    from ogpcocreate.api.dictionary import DATASETS, meaning
    from ogpcocreate.api.views import csv_columns

    html = api.get("/open-data", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for resource in services.RESOURCES:
        assert f"/open-data/{resource.name}.csv" in html and str(DATASETS[resource.name]) in html
        for column in csv_columns(resource):
            assert meaning(resource.name, column), (resource.name, column)
    assert "CC BY 4.0" in html and "verify_record.py" in html and "/record.csv" in html
    assert 'href="/open-data"' in api.get("/").get_data(as_text=True)


def test_no_email_or_password_hash_anywhere_in_the_api(demo, api):
    from ogpcocreate.auth.models import User

    with demo.app_context():
        secrets = [s for u in db.session.scalars(select(User)) for s in (u.email, u.password_hash) if s]
    bodies = [api.get(f"/api/v1/{name}?limit=200").get_data(as_text=True) for name in RESOURCES]
    bodies += [api.get(f"/open-data/{r.name}.csv").get_data(as_text=True) for r in services.RESOURCES]
    bodies += [api.get("/api/v1/record?limit=200").get_data(as_text=True), api.get("/api/v1/openapi.json").get_data(as_text=True)]
    for body in bodies:
        assert not any(secret in body for secret in secrets)


def test_a_cursor_beyond_any_id_is_a_400_not_a_database_error(api):
    assert api.get("/api/v1/themes?cursor=3000000000").status_code == 400
    assert api.get("/api/v1/themes?cursor=2147483647").get_json()["items"] == []
