"""The open-data API's documents, commission reports and adopted commitments (issue 16): public ones only
(visibility.py), the filters of their pages, their CSV, and a fixed number of statements per page."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ogpcocreate.api import services
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.sectors import Seat
from ogpcocreate.drafts.models import DraftCommitment
from ogpcocreate.extensions import db
from ogpcocreate.meetings import services as meetings
from ogpcocreate.repository import services as repository

from .conftest import rolled_back
from .factories import make_call, make_pdf, make_plan, make_seat, make_user
from .test_proposals import count_statements


def _all(client, url):
    items = []
    while url:
        body = client.get(url).get_json()
        items += body["items"]
        url = body["next"]
    return items


def _file(name: str):
    from werkzeug.datastructures import FileStorage

    return FileStorage(io.BytesIO(make_pdf(name)), filename=f"{name}.pdf")


# --- documents: the repository's rule and filters ---------------------------------------------------------


@pytest.fixture
def documents(app):
    """Public: a published document of a public call, one of its plan, one of nothing in particular. Not
    public: an unpublished one, a published annex of an unpublished meeting, a published one of a draft call."""
    with app.test_request_context():
        member = make_user("seat@example.org")
        make_seat(member, Seat.GOVERNMENT)
        plan = make_plan(member)
        call = make_call(plan, phase="open")
        hidden_call = make_call(plan, phase="draft")
        meeting = meetings.create_meeting(member, Seat.GOVERNMENT, call, {
            "title": "Mesa", "starts_at": utcnow() + timedelta(days=1), "modality": "online", "place": "",
            "territory": "national", "minutes_source": "", "agreements_source": ""})

        def document(title, subject, *, kind="terms", day=date(2026, 3, 1), language="es", publish=True):
            doc = repository.create_document(member, Seat.GOVERNMENT, {
                "title": title, "kind": kind, "document_date": day, "subject": subject, "language": language,
                "description": f"Sobre {title}"}, _file(title))
            if publish:
                repository.publish_document(member, Seat.GOVERNMENT, doc)
            return doc.id

        ids = {
            "terms": document("Bases", f"call:{call.id}"),
            "plan_doc": document("Plan", f"plan:{plan.id}", kind="report", day=date(2025, 5, 2), language="en"),
            "general": document("General", "", kind="other"),
            "unpublished": document("Borrador", f"call:{call.id}", publish=False),
            "annex": document("Anexo", f"meeting:{meeting.id}", kind="annex"),
            "draft_call": document("Oculto", f"call:{hidden_call.id}"),
        }
        db.session.commit()
        return {"plan": plan.id, "call": call.id, **ids}


def test_documents_list_only_public_ones_with_their_files(client, documents):
    items = _all(client, "/api/v1/documents?limit=2")
    assert [d["id"] for d in items] == [documents["terms"], documents["plan_doc"], documents["general"]]
    for name in ("unpublished", "annex", "draft_call"):
        assert client.get(f"/api/v1/documents/{documents[name]}").status_code == 404
    terms = client.get(f"/api/v1/documents/{documents['terms']}").get_json()
    assert terms == items[0] and terms["call_id"] == documents["call"] and terms["kind"] == "terms"
    [file] = terms["files"]
    assert file["number"] == 1 and len(file["sha256"]) == 64 and file["extension"] == "pdf"
    download = client.get(file["url"].removeprefix("http://localhost"))
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    download.close()
    assert "seat@example.org" not in client.get("/api/v1/documents").get_data(as_text=True)


def test_documents_filter_as_the_repository_page_does(client, documents):
    def ids(query):
        return [d["id"] for d in _all(client, f"/api/v1/documents?{query}")]

    assert ids(f"plan={documents['plan']}") == [documents["terms"], documents["plan_doc"]]  # its call's too
    assert ids("year=2025") == [documents["plan_doc"]]
    assert ids("kind=other") == [documents["general"]]
    assert ids("language=en") == [documents["plan_doc"]]
    assert ids(f"call={documents['call']}") == [documents["terms"]]
    for query in ("year=1800", "year=abc", "kind=poem", "language=fr", "plan=x"):
        response = client.get(f"/api/v1/documents?{query}", headers={"Accept-Language": "en"})
        assert response.status_code == 400 and response.get_json()["detail"], query


def test_documents_stream_as_csv(client, documents):
    rows = list(csv.DictReader(io.StringIO(client.get("/open-data/documents.csv").get_data(as_text=True))))
    assert [int(r["id"]) for r in rows] == [documents["terms"], documents["plan_doc"], documents["general"]]
    assert "Borrador" not in str(rows) and "Oculto" not in str(rows)


# --- commission reports and commitments, over the demo ---------------------------------------------------


@pytest.fixture
def demo(demo_app):
    with rolled_back(demo_app):
        yield demo_app


def test_commission_reports_with_the_filters_of_their_page(demo):
    api = demo.test_client()
    [report] = _all(api, "/api/v1/commission-reports")
    assert report["folio"] and report["report_date"].startswith("2018") and report["commissioner"]
    assert api.get(f"/api/v1/commission-reports/{report['id']}").get_json() == report
    year = report["report_date"][:4]
    person = report["commissioner"].split()[-1].lower()
    assert [r["id"] for r in _all(api, f"/api/v1/commission-reports?year={year}&person={person}")] == [report["id"]]
    assert _all(api, f"/api/v1/commission-reports?year={int(year) + 1}") == []
    assert _all(api, "/api/v1/commission-reports?place=ninguna%20parte") == []
    assert api.get("/api/v1/commission-reports?person=" + "x" * 101).status_code == 400
    page = api.get(f"/commission-reports?year={year}").get_data(as_text=True)
    assert f"/api/v1/commission-reports?year={year}" in page  # the page's JSON link is the API's list


def test_commitments_are_the_adopted_public_drafts_with_their_monitoring(demo):
    """The same facts as each plan's own commitments document (/api/v1/plans/<id>/commitments)."""
    api = demo.test_client()
    items = _all(api, "/api/v1/commitments?limit=3")
    with demo.app_context():
        adopted = set(db.session.scalars(select(DraftCommitment.id).where(DraftCommitment.adopted_via.is_not(None))))
        every = set(db.session.scalars(select(DraftCommitment.id)))
    assert items and {c["id"] for c in items} <= adopted
    for other in sorted(every - {c["id"] for c in items})[:5]:
        assert api.get(f"/api/v1/commitments/{other}").status_code == 404
    for plan_id in {c["plan_id"] for c in items}:
        mine = [c for c in items if c["plan_id"] == plan_id]
        assert _all(api, f"/api/v1/commitments?plan={plan_id}") == mine
        theirs = {c["id"]: c for c in api.get(f"/api/v1/plans/{plan_id}/commitments").get_json()["commitments"]}
        assert set(theirs) == {c["id"] for c in mine}
        for c in mine:
            other = theirs[c["id"]]
            assert c["responsible_institution"] == other["responsible_institution"]
            assert c["starred"] == other["starred"]
            assert [(m["id"], m["status"], m["overdue"]) for m in c["milestones"]] == [
                (m["id"], m["status"], m["overdue"]) for m in other["milestones"]]
            assert [(i["id"], len(i["measurements"])) for i in c["indicators"]] == [
                (i["id"], len(i["measurements"])) for i in other["indicators"]]
            assert {a["criterion"]: a["value"] for a in c["assessments"] if a["current"]} == {
                k: v["value"] for k, v in other["assessment"].items()}
    assert any(c["indicators"] and c["indicators"][0]["measurements"] for c in items)
    assert any(a for c in items for a in c["assessments"])
    assert any(m["updates"] for c in items for m in c["milestones"])
    one = api.get(f"/api/v1/commitments/{items[0]['id']}").get_json()
    assert one == items[0] and one["url"].endswith(f"/commitments/{one['id']}/implementation")


@pytest.mark.parametrize("name", [r.name for r in services.RESOURCES])
def test_statements_per_page_do_not_grow_with_the_page(demo, name):
    """A page of 2 and a page of 200 take the same statements: each kind of related row is read for the
    whole page at once (selectinload, or one IN query in the serializer)."""
    api = demo.test_client()

    def statements(limit):
        url = f"/api/v1/{name}?limit={limit}"
        api.get(url)
        with count_statements(demo) as seen:
            body = api.get(url).get_json()
        return len(seen), len(body["items"])

    small, n_small = statements(2)
    large, n_large = statements(200)
    assert large <= small + 1 or n_large <= n_small, (name, small, large)
    assert large <= 16, (name, large)
