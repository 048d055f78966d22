"""The influence report as a page, JSON, CSV and side by side; its cost does not grow with the data."""

from __future__ import annotations

import csv
import io

import pytest

from ogpcocreate.core import eventlog
from ogpcocreate.core.eventlog import Channel, Verb
from ogpcocreate.core.sectors import Sector
from ogpcocreate.extensions import db
from ogpcocreate.meetings.models import UnregisteredAttendance
from ogpcocreate.plans.models import ActionPlan

from .factories import (
    make_call,
    make_comment,
    make_draft,
    make_meeting,
    make_organisation,
    make_plan,
    make_proposal,
    make_response,
    make_user,
)
from .test_proposals import count_statements

ES = {"Accept-Language": "es"}


def _contribute(call, gov, n: int, territories=("MX-OAX", "MX-YUC", "MX-JAL")):
    """``n`` proposals through the log (as the services write them), all answered."""
    for i in range(n):
        author = make_user(territory=territories[i % len(territories)])
        org = make_organisation(author, territory=territories[i % len(territories)],
                                sector=Sector.ACADEMIA if i % 3 == 0 else Sector.CIVIL_SOCIETY)
        proposal = make_proposal(call, author, org)
        eventlog.record(author, Verb.SUBMITTED, proposal, org, call=call)
        make_response(proposal, gov)


@pytest.fixture
def process(app):
    with app.test_request_context():
        gov = make_user()
        older = make_plan(gov, name="Cuarto Plan")
        older.period_start, older.period_end = 2019, 2021
        plan = make_plan(gov, name="Quinto Plan")
        plan.period_start, plan.period_end = 2025, 2027
        call = make_call(plan, phase="deliberation")
        _contribute(call, gov, 3)
        old_call = make_call(older, phase="results")
        author = make_user()
        make_proposal(old_call, author, make_organisation(author))  # unanswered: the older plan stays at consult
        meeting = make_meeting(call)
        person = make_user(territory="MX-CHP")
        eventlog.record(person, Verb.ATTENDED, meeting, channel=Channel.IN_PERSON, call=call)
        db.session.add(UnregisteredAttendance(meeting_id=meeting.id, sector=Sector.CITIZEN, count=7))
        draft_call = make_call(plan, phase="draft")
        db.session.commit()
        return {"plan": plan.id, "older": older.id, "call": call.id, "draft_call": draft_call.id, "gov": gov.id}


def test_plan_report_page_shows_level_evidence_and_breakdowns(client, process):
    page = client.get(f"/plans/{process['plan']}/influence", headers=ES).get_data(as_text=True)
    assert "Involucrar" in page  # the level, in Spanish
    assert "3 de 3 contribuciones que debían recibir respuesta tienen una respuesta razonada" in page
    assert "Lo que falta para llegar a «Colaborar»" in page or "Colaborar" in page
    for piece in ("<svg", "MX-OAX", "Cuarto Plan", "tile-map", "spectrum"):
        assert piece in page
    # 3 proposers + 1 registered attendee + 7 counted without an account
    assert "<dt>Personas</dt><dd>11 (7 de ellas contadas en reuniones sin cuenta)</dd>" in page


def test_call_report_and_draft_call_is_hidden(client, process):
    assert client.get(f"/calls/{process['call']}/influence").status_code == 200
    assert client.get(f"/calls/{process['draft_call']}/influence").status_code == 404
    assert client.get(f"/api/v1/calls/{process['draft_call']}/influence").status_code == 404
    assert client.get("/plans/999999/influence").status_code == 404
    assert client.get("/api/v1/plans/999999/influence").get_json()["error"]


def test_json_has_the_documented_fields(client, process):
    data = client.get(f"/api/v1/plans/{process['plan']}/influence").get_json()
    for key in ("level", "evidence", "missing_for_next", "participants", "response_coverage", "flags"):
        assert key in data
    assert data["level"] == "involve"
    assert [e["level"] for e in data["evidence"]] == ["inform", "consult", "involve", "collaborate", "empower"]
    assert data["response_coverage"] == {**data["response_coverage"], "due": 3, "due_answered": 3, "percent": 100.0}
    participants = data["participants"]
    assert participants["people"] == 4 + 7 and participants["unregistered_people"] == 7
    assert participants["territories_total"] == 32 and participants["territories_reached"] == 4
    oax = next(r for r in participants["by_territory"] if r["territory"] == "MX-OAX")
    assert oax["people"] == 1
    assert {f["code"] for f in data["flags"]} == {"forum_meetings", "repository_updates", "response_coverage",
                                                   "notice_period"}
    assert all(e["url"].startswith("http") for level in data["evidence"] for e in level["evidence"] if e["url"])
    older = client.get(f"/api/v1/plans/{process['older']}/influence").get_json()
    assert older["level"] == "consult"
    assert older["missing_for_next"][0]["text"].startswith("0 de 1")  # in the language asked for (es by default)


@pytest.mark.parametrize("name", ["sector", "territory", "channel", "phase", "outcomes"])
def test_each_breakdown_downloads_as_csv_with_the_json_numbers(client, process, name):
    response = client.get(f"/plans/{process['plan']}/influence/{name}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    data = client.get(f"/api/v1/plans/{process['plan']}/influence").get_json()
    key, code, number = {"sector": ("by_sector", "sector", "people"), "territory": ("by_territory", "territory", "people"),
                         "channel": ("by_channel", "channel", "people"), "phase": ("by_phase", "phase", "people"),
                         "outcomes": (None, "sector", "contributions")}[name]
    expected = data["participants"][key] if key else data["contributions_by_sector"]
    assert len(rows) == 1 + len(expected)
    assert [r[0] for r in rows[1:]] == [e[code] for e in expected]
    assert [int(r[2]) for r in rows[1:]] == [e[number] for e in expected]


def test_unknown_breakdown_is_404(client, process):
    assert client.get(f"/plans/{process['plan']}/influence/passwords.csv").status_code == 404
    assert client.get(f"/calls/{process['call']}/influence/passwords.csv").status_code == 404


def test_compare_two_plans_side_by_side(client, process):
    assert client.get("/plans/compare").status_code == 302
    page = client.get(f"/plans/compare?first={process['older']}&second={process['plan']}", headers=ES)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.index("Cuarto Plan") < html.index("Quinto Plan")
    assert 'data-level="consult"' in html and 'data-level="involve"' in html
    # The OGP minimum requirements of each plan, as on its page, not the four process flags only.
    assert "2.1 · " in html and "5.1 · " in html


@pytest.mark.parametrize("query", ["first={plan}", "first=x&second={plan}", "first={plan}&second={plan}",
                                   "first=99999&second={plan}"])
def test_compare_refuses_bad_choices_with_a_message(client, process, query):
    query = query.format(**process)
    response = client.get(f"/plans/compare?{query}", headers=ES)
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)


def test_report_cost_does_not_grow_with_the_data(app, client, process):
    """The same number of SQL statements for 3 or 40 contributions, comments and drafts: it aggregates."""
    url = f"/plans/{process['plan']}/influence"
    api = f"/api/v1/plans/{process['plan']}/influence"

    def statements(path):
        client.get(path)
        with count_statements(app) as seen:
            assert client.get(path).status_code == 200
        return len(seen)

    small, small_api = statements(url), statements(api)
    with app.test_request_context():
        plan = db.session.get(ActionPlan, process["plan"])
        call = make_call(plan, phase="deliberation")
        gov = db.session.get(type(make_user()), process["gov"])
        _contribute(call, gov, 37, territories=("MX-SON", "MX-CHH", "MX-NLE", "MX-VER", "national"))
        for _ in range(3):
            draft = make_draft(call, gov)  # comments still open: not yet due, so no "missing" links either way
            for _ in range(4):
                make_comment(draft.versions[0], make_user())
        make_meeting(call)
        db.session.commit()
    assert statements(url) == small
    assert statements(api) == small_api


def test_cached_report_follows_the_log(make_app, app_config):
    """With the cache on, a report is reused until the log moves, then computed afresh (a commit in this
    process makes it re-read the head at once; the bound for other processes is not what is tested)."""
    app = make_app({**app_config, "REPORT_CACHE_SECONDS": 3600, "PAGE_CACHE_HEAD_MS": 3_600_000})
    client = app.test_client()
    with app.test_request_context():
        gov = make_user()
        plan = make_plan(gov)
        call = make_call(plan, phase="deliberation")
        _contribute(call, gov, 2)
        db.session.commit()
        plan_id, call_id, gov_id = plan.id, call.id, gov.id
    url = f"/api/v1/plans/{plan_id}/influence"
    first = client.get(url).get_json()
    with count_statements(app) as seen:
        again = client.get(url).get_json()
    assert again == first and len(seen) <= 2  # the plan: no report queries, and the head is in memory
    with app.test_request_context():
        from ogpcocreate.auth.models import User
        from ogpcocreate.calls.models import Call

        _contribute(db.session.get(Call, call_id), db.session.get(User, gov_id), 1)
        db.session.commit()
    assert client.get(url).get_json()["response_coverage"]["due"] == first["response_coverage"]["due"] + 1


def test_json_and_csv_revalidate_with_etags(make_app, app_config, process):
    """While the log is unchanged the cached report is the same bytes, so its ETag holds (304)."""
    client = make_app({**app_config, "REPORT_CACHE_SECONDS": 3600}).test_client()
    for url in (f"/api/v1/plans/{process['plan']}/influence", f"/plans/{process['plan']}/influence/sector.csv"):
        first = client.get(url)
        assert first.headers["ETag"] and "public" in first.headers["Cache-Control"]
        assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
