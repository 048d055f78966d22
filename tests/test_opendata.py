"""Open data: the participation log as streamed CSV that re-verifies offline, and the public JSON lists."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

import pytest

from ogpcocreate.core import eventlog
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.eventlog import Channel, Verb
from ogpcocreate.core.sectors import Sector
from ogpcocreate.extensions import db
from ogpcocreate.opendata import record

from .factories import make_call, make_organisation, make_plan, make_proposal, make_user
from .test_proposals import count_statements
from .test_record import VERIFIER


@pytest.fixture
def log(app):
    """A small log with every kind of value: system and personal acts, organisations, in-person
    attendance, Unicode and nested data, and acts tied to two plans and their calls."""
    with app.app_context():
        person = make_user(name="María José Ñúñez «la de Oaxaca»")
        org = make_organisation(person, name='Colectivo "Datos, Abiertos"\nA.C.', sector=Sector.ACADEMIA,
                                territory="MX-YUC")
        plan, other_plan = make_plan(person), make_plan(person)
        call, other_call = make_call(plan), make_call(other_plan)
        proposal = make_proposal(call, person, org)
        eventlog.record(None, Verb.CREATED, plan, plan=plan, data={"name": plan.name})
        eventlog.record(person, Verb.SUBMITTED, proposal, org, call=call,
                        data={"title": "Contratación abierta — ¿ya?", "nested": {"a": [1, 2.5, None, True]}})
        eventlog.record(person, Verb.ATTENDED, call, org, call=call, channel=Channel.IN_PERSON)
        eventlog.record(person, Verb.COMMENTED, other_call, call=other_call, data={})
        eventlog.record(person, Verb.REGISTERED, person)
        db.session.commit()
        return {"plan": plan.id, "other_plan": other_plan.id, "call": call.id, "other_call": other_call.id}


def read_csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))


def verify_offline(rows: list[dict]) -> str | None:
    """The offline verifier's own check (static/record/verify_record.py) on CSV rows; the first problem."""
    checked, problem = VERIFIER.verify(rows)
    return problem


def test_the_record_downloads_as_csv_with_every_entry(client, log):
    response = client.get("/record.csv")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.mimetype_params["charset"] == "utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=participation-record.csv"
    text = response.get_data(as_text=True)
    assert text.splitlines()[0] == ",".join(record.CSV_COLUMNS)
    rows = read_csv(response)
    assert [int(r["seq"]) for r in rows] == [1, 2, 3, 4, 5]
    system, submitted, attended, commented, registered = rows
    assert system["actor_name"] == "" and system["plan_id"] == str(log["plan"]) and system["call_id"] == ""
    assert submitted["actor_name"] == "María José Ñúñez «la de Oaxaca»"
    assert submitted["organisation_name"] == 'Colectivo "Datos, Abiertos"\nA.C.'
    assert submitted["sector"] == "academia" and submitted["territory"] == "MX-YUC"
    assert json.loads(submitted["data"])["nested"] == {"a": [1, 2.5, None, True]}
    assert submitted["call_id"] == str(log["call"]) and submitted["plan_id"] == str(log["plan"])
    assert attended["channel"] == "in_person" and submitted["channel"] == "online"
    assert commented["sector"] == "citizen" and commented["data"] == "{}"
    assert registered["verb"] == "registered" and registered["subject_type"] == "users"
    assert submitted["occurred_at"].endswith("Z")
    assert datetime.fromisoformat(submitted["occurred_at"]) <= utcnow()
    assert all(len(r["who_salt"]) == 32 and len(r["what_salt"]) == 32 for r in rows)


def test_the_csv_re_verifies_offline_and_shows_an_edit(client, log):
    rows = read_csv(client.get("/record.csv"))
    assert verify_offline(rows) is None
    rows[1]["territory"] = "MX-OAX"
    assert "entry 2" in verify_offline(rows) and "altered" in verify_offline(rows)
    rows = read_csv(client.get("/record.csv"))
    del rows[2]
    assert "expected entry 3 here" in verify_offline(rows)


def test_filters_by_plan_and_by_call(client, log):
    by_plan = read_csv(client.get(f"/record.csv?plan={log['plan']}"))
    assert [r["verb"] for r in by_plan] == ["created", "submitted", "attended"]
    by_call = read_csv(client.get(f"/record.csv?call={log['other_call']}"))
    assert [r["verb"] for r in by_call] == ["commented"]
    both = read_csv(client.get(f"/record.csv?plan={log['plan']}&call={log['other_call']}"))
    assert both == []
    assert client.get("/record.csv?plan=").status_code == 200  # an empty field is no filter
    unknown = client.get("/record.csv?call=424242")
    assert unknown.status_code == 200 and unknown.get_data(as_text=True).count("\n") == 1


@pytest.mark.parametrize("query", ["plan=abc", "plan=-1", "plan=0", "call=1.5", "call=99999999999999999999999",
                                   "plan=%C2%B2", "call=1e3", "plan=0x10"])
def test_a_bad_filter_is_refused_with_a_reason(client, log, query):
    response = client.get(f"/record.csv?{query}", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "must be given as the number of" in response.get_data(as_text=True)


def test_the_log_is_read_in_batches_without_gaps(app, log):
    with app.app_context():
        def seqs(flt, size):
            return [row.seq for rows in record.batches(flt, size) for row in rows]

        whole = seqs(record.RecordFilter(), 2000)
        assert whole == [1, 2, 3, 4, 5]
        for size in (1, 2, 4, 5):
            assert seqs(record.RecordFilter(), size) == whole
        assert seqs(record.RecordFilter(plan=log["plan"]), 1) == [1, 2, 3]


def test_the_record_page_links_to_the_download(client, log):
    assert 'href="/record.csv"' in client.get("/record").get_data(as_text=True)


# --- JSON lists ------------------------------------------------------------------------------------


@pytest.fixture
def calls(app):
    with app.app_context():
        person = make_user()
        plan = make_plan(person, name="Quinto Plan de Acción")
        make_plan(person, name="Plan sin convocatorias")
        old = make_call(plan, phase="results")
        new = make_call(plan, phase="announced")
        draft = make_call(plan, phase="draft")
        for _ in range(3):
            make_proposal(old, person)
        db.session.commit()
        return {"plan": plan.id, "old": old.id, "new": new.id, "draft": draft.id}


def test_public_calls_by_cursor_with_their_timeline_and_counts(client, calls):
    response = client.get("/api/v1/calls")
    assert response.status_code == 200 and response.is_json
    body = response.get_json()
    assert [c["id"] for c in body["items"]] == [calls["old"], calls["new"]]  # oldest first; the draft never appears
    assert body["next"] is None and body["next_cursor"] is None and body["limit"] == 50
    old, new = body["items"]
    assert old["proposals"] == 3 and new["proposals"] == 0
    assert old["phase"] == "results" and new["phase"] == "announced"
    assert old["plan_id"] == calls["plan"]
    for name in ("announce_at", "opens_at", "closes_at", "deliberation_at", "decision_at", "results_at",
                 "published_at", "results_published_at"):
        assert datetime.fromisoformat(old[name]).utcoffset() == timedelta(0)
    assert new["results_published_at"] is None
    assert old["url"] == f"http://localhost/calls/{calls['old']}"
    assert old["influence"] == f"http://localhost/api/v1/calls/{calls['old']}/influence"
    assert client.get(old["url"]).status_code == 200
    assert [c["id"] for c in client.get(f"/api/v1/calls?plan={calls['plan']}").get_json()["items"]] == [
        calls["old"], calls["new"]]


@pytest.fixture
def many_calls(app):
    with app.app_context():
        plan = make_plan()
        for _ in range(52):
            make_call(plan, phase="open")
        make_call(plan, phase="draft")
        db.session.commit()


def test_calls_come_by_cursor_fifty_a_page(client, many_calls):
    first = client.get("/api/v1/calls").get_json()
    assert len(first["items"]) == 50 and "Deprecation" not in client.get("/api/v1/calls").headers
    assert first["next"] == f"http://localhost/api/v1/calls?cursor={first['next_cursor']}"
    second = client.get(first["next"]).get_json()
    assert len(second["items"]) == 2 and second["next"] is None
    ids = [c["id"] for c in first["items"] + second["items"]]
    assert len(set(ids)) == 52 and ids == sorted(ids)


def test_an_old_page_number_still_answers_its_page_marked_deprecated(client, many_calls):
    """Links to the page-numbered lists (?page=2) keep working until the sunset date: the same page of
    the cursor list, with a Deprecation header and the cursor address of the next page."""
    every = [c["id"] for c in client.get("/api/v1/calls?limit=200").get_json()["items"]]
    response = client.get("/api/v1/calls?page=2")
    assert response.status_code == 200
    assert response.headers["Deprecation"] == "true" and response.headers["Sunset"]
    assert 'rel="successor-version"' in response.headers["Link"]
    body = response.get_json()
    assert [c["id"] for c in body["items"]] == every[50:] and body["next"] is None
    first = client.get("/api/v1/calls?page=1&limit=20").get_json()
    assert [c["id"] for c in first["items"]] == every[:20]
    assert first["next"] == f"http://localhost/api/v1/calls?limit=20&cursor={every[19]}"
    assert [c["id"] for c in client.get("/api/v1/calls?page=3&limit=20").get_json()["items"]] == every[40:]
    assert client.get("/api/v1/calls?page=9").get_json()["items"] == []
    assert client.get("/api/v1/plans?page=1").headers["Deprecation"] == "true"


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.0", "999999999999999999999", "２"])
def test_a_bad_page_is_a_json_400(client, page):
    response = client.get(f"/api/v1/calls?page={page}", headers={"Accept-Language": "en"})
    assert response.status_code == 400 and response.is_json
    assert "page must be a whole number" in response.get_json()["detail"]


def test_the_calls_list_costs_the_same_for_3_or_30_calls(app, client):
    def add_calls(n):
        with app.app_context():
            person = make_user()
            plan = make_plan(person)
            for _ in range(n):
                call = make_call(plan, phase="deliberation")
                make_proposal(call, person)
            db.session.commit()

    def statements(url):
        client.get(url)
        with count_statements(app) as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    add_calls(3)
    small = {url: statements(url) for url in ("/api/v1/calls", "/api/v1/plans", "/api/v1/calls?page=1")}
    add_calls(27)
    assert {url: statements(url) for url in small} == small
    assert small["/api/v1/calls"] <= 6  # the page, its themes, proposal counts, the last change (two)


def test_plans_with_their_public_calls(client, calls):
    body = client.get("/api/v1/plans").get_json()
    by_name = {p["name"]: p for p in body["items"]}
    main = by_name["Quinto Plan de Acción"]
    assert main["calls"] == 2  # the draft does not count
    assert (main["period_start"], main["period_end"]) == (2025, 2027) and main["status"] == "co_creation"
    assert main["url"] == f"http://localhost/plans/{calls['plan']}"
    # A plan is public once one of its calls is (ogpcocreate/visibility.py): one without any is not listed.
    assert "Plan sin convocatorias" not in by_name


@pytest.mark.parametrize("url", ["/api/v1/calls", "/api/v1/plans"])
def test_lists_are_cacheable_and_answer_304_when_unchanged(client, calls, url):
    response = client.get(url)
    assert response.headers["Cache-Control"] in ("public, max-age=60", "max-age=60, public")
    etag = response.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200
