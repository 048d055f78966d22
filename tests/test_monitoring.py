"""Monitoring adopted commitments (issue 15): implementation recorded by the secretariat and the named
government contacts, never overwritten and always on the log; the IRM's assessment with starred
computed (table-driven, a boundary on each side); the plan's performance page, CSV and JSON; the IRM's
recommendations; the OGP minimum requirements checklist (table-driven).

Everyone here reads the site in English, so the assertions do not depend on the Spanish catalog.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from ogpcocreate.core.db import utcnow
from ogpcocreate.core.eventlog import ParticipationEvent
from ogpcocreate.core.sectors import Seat, Sector
from ogpcocreate.drafts.models import DraftCommitment, Milestone, MilestoneStatus
from ogpcocreate.extensions import db
from ogpcocreate.meetings.models import Attendance, UnregisteredAttendance
from ogpcocreate.monitoring import checklist, rules
from ogpcocreate.monitoring.models import (
    AssessmentEntry,
    Contact,
    Criterion,
    EvidenceLink,
    Indicator,
    Measurement,
    MilestoneUpdate,
    PlanMonitoring,
    Recommendation,
    RecommendationLink,
    RecommendationUpdate,
    ResponsibleInstitution,
    Scale,
)
from ogpcocreate.plans.models import ActionPlan, PlanStatus
from ogpcocreate.reports.flags import Status

from .factories import (
    make_adopted,
    make_call,
    make_draft,
    make_meeting,
    make_organisation,
    make_plan,
    make_seat,
    make_user,
)
from .snapshots import database_fingerprint

ENGLISH = {"Accept-Language": "en"}
LAST_YEAR = date.today() - timedelta(days=365)


@pytest.fixture
def mon(app):
    """Three seats; a government official (member of a verified government body) and a CSO member; a
    public plan with an adopted commitment (one overdue milestone, one in the future) and a draft that
    was never adopted; a plan nobody can see yet."""
    with app.app_context():
        for seat in Seat:
            make_seat(make_user(f"{seat.value}@example.org", locale="en"), seat)
        official = make_user("official@example.org", name="Olga Oficial", locale="en")
        make_organisation(official, name="Secretaría de la Función Pública", sector=Sector.GOVERNMENT,
                          territory="national")
        cso = make_user("cso@example.org", name="Carla Civil", locale="en")
        make_organisation(cso, name="Red Ciudadana", sector=Sector.CIVIL_SOCIETY)
        make_user("participant@example.org", locale="en")
        make_user("researcher@example.org", name="Rita Research", locale="en")
        plan = make_plan(name="Quinto Plan")
        call = make_call(plan, phase="deliberation")
        today = date.today()
        adopted = make_adopted(call, official, title="Política de datos abiertos", milestones=[
            {"description": "Publicar la política", "due": today - timedelta(days=30), "responsible": "SFP"},
            {"description": "Evaluar la política", "due": today + timedelta(days=300), "responsible": "SFP"},
        ])
        pending = make_draft(call, official, title="Compromiso sin adoptar")
        hidden_plan = make_plan(name="Plan en preparación")
        hidden_call = make_call(hidden_plan, phase="draft")
        hidden = make_adopted(hidden_call, official, title="Compromiso oculto")
        db.session.commit()
        return {"plan": plan.id, "call": call.id, "adopted": adopted.id, "pending": pending.id,
                "milestones": [m.id for m in adopted.versions[0].milestones], "hidden_plan": hidden_plan.id,
                "hidden": hidden.id, "official": official.id}


def _client(make_client, email=None):
    c = make_client()
    if email:
        c.login(email)
    return c


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _events(verb=None) -> int:
    query = select(func.count(ParticipationEvent.id))
    if verb:
        query = query.where(ParticipationEvent.verb == verb)
    return db.session.scalar(query)


# --- implementation ----------------------------------------------------------------------------------


def test_the_secretariat_names_the_institution_and_keeps_the_earlier_one(app, make_client, mon):
    seat = _client(make_client, "government@example.org")
    url = f"/commitments/{mon['adopted']}/institution"
    assert seat.post_form(url, {"name": "Secretaría de la Función Pública"}).status_code == 302
    assert seat.post_form(url, {"name": "Coordinación de Estrategia Digital"}).status_code == 302
    page = _client(make_client).get(f"/commitments/{mon['adopted']}/implementation", headers=ENGLISH)
    html = page.get_data(as_text=True)
    assert "Coordinación de Estrategia Digital" in html and "Earlier responsible institutions" in html
    with app.app_context():
        names = db.session.scalars(select(ResponsibleInstitution.name).order_by(ResponsibleInstitution.id)).all()
        assert names == ["Secretaría de la Función Pública", "Coordinación de Estrategia Digital"]
        assert _events("created") >= 2


def test_only_a_government_account_can_be_a_contact(app, make_client, mon):
    seat = _client(make_client, "government@example.org")
    url = f"/commitments/{mon['adopted']}/contacts"
    before = database_fingerprint(app)
    refused = seat.post_form(url, {"email": "cso@example.org"}, headers=ENGLISH)
    assert refused.status_code == 400 and "must be a government account" in refused.get_data(as_text=True)
    unknown = seat.post_form(url, {"email": "nobody@example.org"}, headers=ENGLISH)
    assert unknown.status_code == 400 and "no confirmed account" in unknown.get_data(as_text=True)
    assert database_fingerprint(app) == before
    assert seat.post_form(url, {"email": "official@example.org"}).status_code == 302
    again = seat.post_form(url, {"email": "OFFICIAL@example.org"}, headers=ENGLISH)
    assert again.status_code == 400 and "already a contact" in again.get_data(as_text=True)
    with app.app_context():
        assert _count(Contact) == 1


def test_a_contact_reports_progress_and_every_report_is_kept(app, make_client, mon):
    with app.app_context():
        db.session.add(Contact(draft_id=mon["adopted"], user_id=mon["official"], named_by_id=mon["official"]))
        db.session.commit()
    official = _client(make_client, "official@example.org")
    first = mon["milestones"][0]
    url = f"/commitments/{mon['adopted']}/milestones/{first}/progress"
    p = f"m{first}-"
    started = (date.today() - timedelta(days=60)).isoformat()
    assert official.post_form(url, {p + "status": "in_progress", p + "actual_start": started,
                                    p + "note": "Borrador listo"}).status_code == 302
    ended = (date.today() - timedelta(days=2)).isoformat()
    assert official.post_form(url, {p + "status": "complete", p + "actual_start": started,
                                    p + "actual_end": ended}).status_code == 302
    with app.app_context():
        milestone = db.session.get(Milestone, first)
        assert milestone.status is MilestoneStatus.COMPLETE and milestone.actual_end.isoformat() == ended
        updates = db.session.scalars(select(MilestoneUpdate).order_by(MilestoneUpdate.id)).all()
        assert [u.status for u in updates] == [MilestoneStatus.IN_PROGRESS, MilestoneStatus.COMPLETE]
        assert updates[0].note == "Borrador listo"
        events = db.session.scalars(select(ParticipationEvent).where(ParticipationEvent.verb == "progress_reported")
                                    .order_by(ParticipationEvent.seq)).all()
        assert len(events) == 2 and events[0].sector == Sector.GOVERNMENT and events[0].call_id == mon["call"]
    before = database_fingerprint(app)
    # A date to come is a plan, not progress; "complete" needs its date; a stranger may not report.
    future = (date.today() + timedelta(days=5)).isoformat()
    refused = official.post_form(url, {p + "status": "in_progress", p + "actual_start": future}, headers=ENGLISH)
    assert refused.status_code == 400 and "a date in the future is a plan" in refused.get_data(as_text=True)
    second = mon["milestones"][1]
    q = f"m{second}-"
    undated = official.post_form(f"/commitments/{mon['adopted']}/milestones/{second}/progress",
                                 {q + "status": "complete"}, headers=ENGLISH)
    assert undated.status_code == 400 and "Give the date the milestone was completed" in undated.get_data(as_text=True)
    stranger = _client(make_client, "cso@example.org")
    assert stranger.post_form(url, {p + "status": "cancelled"}).status_code == 403
    assert database_fingerprint(app) == before


def test_a_contact_whose_role_ended_can_no_longer_report(app, make_client, mon):
    with app.app_context():
        contact = Contact(draft_id=mon["adopted"], user_id=mon["official"], named_by_id=mon["official"])
        db.session.add(contact)
        db.session.commit()
        contact_id = contact.id
    seat = _client(make_client, "guarantor@example.org")
    assert seat.post_form(f"/commitments/{mon['adopted']}/contacts/{contact_id}/end").status_code == 302
    official = _client(make_client, "official@example.org")
    first = mon["milestones"][0]
    response = official.post_form(f"/commitments/{mon['adopted']}/milestones/{first}/progress",
                                  {f"m{first}-status": "in_progress"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Contact, contact_id).ended_at is not None  # kept, not deleted


def test_evidence_is_a_web_link(app, make_client, mon):
    seat = _client(make_client, "civil_society@example.org")
    first = mon["milestones"][0]
    url = f"/commitments/{mon['adopted']}/milestones/{first}/evidence"
    e = f"e{first}-"
    bad = seat.post_form(url, {e + "title": "Minuta", e + "url": "javascript:alert(1)"}, headers=ENGLISH)
    assert bad.status_code == 400 and "starting with http" in bad.get_data(as_text=True)
    assert seat.post_form(url, {e + "title": "Política publicada", e + "url": "https://datos.gob.mx/politica"}).status_code == 302
    html = _client(make_client).get(f"/commitments/{mon['adopted']}/implementation").get_data(as_text=True)
    assert 'href="https://datos.gob.mx/politica"' in html and "javascript:" not in html
    with app.app_context():
        assert _count(EvidenceLink) == 1


def _indicator_form(**overrides):
    data = {"name": "Conjuntos de datos publicados", "target_population": "Dependencias federales",
            "criterion": "Conjuntos publicados en datos.gob.mx", "unit": "conjuntos",
            "baseline_value": "40", "baseline_date": "2024-01-15", "target_value": "200", "target_date": "2027-06-30"}
    return {**data, **overrides}


def test_indicators_have_baselines_and_dated_measurements(app, make_client, mon):
    seat = _client(make_client, "government@example.org")
    base = f"/commitments/{mon['adopted']}/indicators"
    same = seat.post_form(base, _indicator_form(target_value="40"), headers=ENGLISH)
    assert same.status_code == 400 and "must differ from the baseline" in same.get_data(as_text=True)
    backwards = seat.post_form(base, _indicator_form(target_date="2023-01-01"), headers=ENGLISH)
    assert backwards.status_code == 400 and "must come after the baseline" in backwards.get_data(as_text=True)
    assert seat.post_form(base, _indicator_form()).status_code == 302
    with app.app_context():
        indicator_id = db.session.scalar(select(Indicator.id))
    url = f"{base}/{indicator_id}/measurements"
    i = f"i{indicator_id}-"
    early = seat.post_form(url, {i + "value": "50", i + "measured_on": "2023-12-31", i + "source": "Portal"},
                           headers=ENGLISH)
    assert early.status_code == 400 and "before the baseline" in early.get_data(as_text=True)
    future = (date.today() + timedelta(days=3)).isoformat()
    ahead = seat.post_form(url, {i + "value": "50", i + "measured_on": future, i + "source": "Portal"},
                           headers=ENGLISH)
    assert ahead.status_code == 400 and "in the future" in ahead.get_data(as_text=True)
    assert seat.post_form(url, {i + "value": "120", i + "measured_on": "2025-06-30",
                                i + "source": "Informe de datos.gob.mx"}).status_code == 302
    with app.app_context():
        indicator = db.session.get(Indicator, indicator_id)
        assert [m.value for m in indicator.measurements] == [120]
        assert indicator.progress(120) == pytest.approx(0.5)
        assert _events("measured") == 1
    html = _client(make_client).get(f"/plans/{mon['plan']}/performance", headers=ENGLISH).get_data(as_text=True)
    assert "Conjuntos de datos publicados" in html and "50%" in html


@pytest.mark.parametrize(("baseline", "target", "value", "expected"), [
    (40, 200, 40, 0.0), (40, 200, 39, 0.0), (40, 200, 200, 1.0), (40, 200, 201, 1.0), (40, 200, 120, 0.5),
    (30, 10, 20, 0.5), (30, 10, 31, 0.0), (30, 10, 9, 1.0), (40, 200, None, None),
])
def test_indicator_progress_runs_from_baseline_to_target(baseline, target, value, expected):
    indicator = Indicator(baseline_value=baseline, target_value=target)
    assert indicator.progress(value) == expected


# --- the IRM's assessment --------------------------------------------------------------------------------

STARRED = {Criterion.VERIFIABILITY: "verifiable", Criterion.LENS: "yes",
           Criterion.POTENTIAL_IMPACT: "transformative", Criterion.COMPLETION: "substantial"}


@pytest.mark.parametrize(("scale", "changes", "expected"), [
    (Scale.IMPACT_LEGACY, {}, True),
    (Scale.IMPACT_LEGACY, {Criterion.COMPLETION: "complete"}, True),
    # completion: the boundary below "substantial"
    (Scale.IMPACT_LEGACY, {Criterion.COMPLETION: "limited"}, False),
    (Scale.IMPACT_LEGACY, {Criterion.COMPLETION: "not_started"}, False),
    (Scale.IMPACT_LEGACY, {Criterion.COMPLETION: "no_evidence"}, False),
    # potential impact: only the top of the scale
    (Scale.IMPACT_LEGACY, {Criterion.POTENTIAL_IMPACT: "moderate"}, False),
    (Scale.IMPACT_LEGACY, {Criterion.POTENTIAL_IMPACT: "none"}, False),
    (Scale.IMPACT_LEGACY, {Criterion.VERIFIABILITY: "not_verifiable"}, False),
    (Scale.IMPACT_LEGACY, {Criterion.LENS: "no"}, False),
    (Scale.IMPACT_LEGACY, {Criterion.COMPLETION: None}, False),  # not yet assessed
    # the 2020 method has no stars, whatever the values
    (Scale.RESULTS_2020, {}, None),
    (Scale.RESULTS_2020, {Criterion.POTENTIAL_RESULTS: "substantial"}, None),
])
def test_starred_is_computed(scale, changes, expected):
    values = {**STARRED, **changes}
    values = {c: v for c, v in values.items() if v is not None}
    assert rules.is_starred(scale, values) is expected


@pytest.mark.parametrize(("scale", "values", "completed", "ambitious"), [
    (Scale.RESULTS_2020, {Criterion.COMPLETION: "substantial", Criterion.POTENTIAL_RESULTS: "substantial"}, True, True),
    (Scale.RESULTS_2020, {Criterion.COMPLETION: "limited", Criterion.POTENTIAL_RESULTS: "modest"}, False, False),
    (Scale.IMPACT_LEGACY, {Criterion.COMPLETION: "complete", Criterion.POTENTIAL_IMPACT: "transformative"}, True, True),
    (Scale.IMPACT_LEGACY, {Criterion.COMPLETION: "not_started", Criterion.POTENTIAL_IMPACT: "moderate"}, False, False),
    (Scale.IMPACT_LEGACY, {}, False, False),
])
def test_completion_and_ambition_of_a_commitment(scale, values, completed, ambitious):
    assert rules.is_completed(values) is completed
    assert rules.is_ambitious(scale, values) is ambitious


def _assess(client, draft_id, criterion, value, justification="Según el informe del MRI.", on=None):
    return client.post_form(f"/commitments/{draft_id}/assessment", {
        "criterion": criterion, f"{criterion}-criterion": criterion, f"{criterion}-value": value,
        f"{criterion}-justification": justification,
        f"{criterion}-assessed_on": (on or date.today() - timedelta(days=1)).isoformat()}, headers=ENGLISH)


def test_an_assessment_on_the_older_scale_stars_the_commitment(app, make_client, mon):
    seat = _client(make_client, "guarantor@example.org")
    # The 2020 method (the default) does not assess potential impact.
    refused = _assess(seat, mon["adopted"], "potential_impact", "transformative")
    assert refused.status_code == 400 and "does not assess this criterion" in refused.get_data(as_text=True)
    assert seat.post_form(f"/plans/{mon['plan']}/monitoring-settings",
                          {"scale": "impact_legacy", "reference_label": "Líder regional",
                           "reference_completion": "60", "reference_ambition": "40"}).status_code == 302
    for criterion, value in STARRED.items():
        assert _assess(seat, mon["adopted"], criterion.value, value).status_code == 302
    html = _client(make_client).get(f"/commitments/{mon['adopted']}/implementation", headers=ENGLISH).get_data(as_text=True)
    assert "Starred commitment" in html
    # A later assessment of completion below "substantial" takes the star away; the first stays on record.
    assert _assess(seat, mon["adopted"], "completion", "limited").status_code == 302
    html = _client(make_client).get(f"/commitments/{mon['adopted']}/implementation", headers=ENGLISH).get_data(as_text=True)
    assert "Starred commitment" not in html and "Every assessment recorded" in html
    with app.app_context():
        entries = db.session.scalars(select(AssessmentEntry).order_by(AssessmentEntry.id)).all()
        assert len(entries) == 5 and {e.scale for e in entries} == {Scale.IMPACT_LEGACY}
        assert _events("assessed") == 5


def test_a_commitment_not_verifiable_is_not_assessed_further(app, make_client, mon):
    seat = _client(make_client, "guarantor@example.org")
    assert _assess(seat, mon["adopted"], "verifiability", "not_verifiable").status_code == 302
    refused = _assess(seat, mon["adopted"], "completion", "complete")
    assert refused.status_code == 400 and "not assessed further" in refused.get_data(as_text=True)
    missing = _assess(seat, mon["adopted"], "verifiability", "verifiable", justification="")
    assert missing.status_code == 400
    tomorrow = _assess(seat, mon["adopted"], "verifiability", "verifiable", on=date.today() + timedelta(days=2))
    assert tomorrow.status_code == 400


def test_an_assessor_granted_by_the_secretariat_records_the_assessment(app, make_client, mon):
    researcher = _client(make_client, "researcher@example.org")
    assert _assess(researcher, mon["adopted"], "lens", "yes").status_code == 403
    seat = _client(make_client, "government@example.org")
    assert seat.post_form(f"/plans/{mon['plan']}/assessors", {"email": "researcher@example.org"}).status_code == 302
    researcher = _client(make_client, "researcher@example.org")
    assert _assess(researcher, mon["adopted"], "lens", "yes").status_code == 302
    # The assessor reports no progress: that is for contacts.
    first = mon["milestones"][0]
    assert researcher.post_form(f"/commitments/{mon['adopted']}/milestones/{first}/progress",
                                {f"m{first}-status": "in_progress"}).status_code == 403


def test_a_commitment_not_adopted_has_no_implementation_page(app, make_client, mon):
    assert _client(make_client).get(f"/commitments/{mon['pending']}/implementation").status_code == 404
    seat = _client(make_client, "government@example.org")
    assert seat.get(f"/commitments/{mon['pending']}/implementation").status_code == 404
    assert seat.post_form(f"/commitments/{mon['pending']}/institution", {"name": "SFP"}).status_code == 404


# --- the plan's performance ------------------------------------------------------------------------------


def _seed_performance(app, mon):
    with app.app_context():
        official = mon["official"]
        adopted = mon["adopted"]
        indicator = Indicator(draft_id=adopted, name="Registros verificados", target_population="Familias",
                              criterion="Registros con ficha completa", unit="%", baseline_value=20,
                              baseline_date=date(2024, 1, 1), target_value=80, target_date=date(2027, 1, 1),
                              created_by_id=official)
        db.session.add(indicator)
        db.session.flush()
        db.session.add(Measurement(indicator_id=indicator.id, value=50, measured_on=date(2025, 1, 1),
                                   source="Informe trimestral", recorded_by_id=official))
        for criterion, value in [(Criterion.VERIFIABILITY, "verifiable"), (Criterion.COMPLETION, "substantial"),
                                 (Criterion.POTENTIAL_RESULTS, "modest")]:
            db.session.add(AssessmentEntry(draft_id=adopted, scale=Scale.RESULTS_2020, criterion=criterion,
                                           value=value, justification="=HYPERLINK(\"x\")", assessed_on=LAST_YEAR,
                                           recorded_by_id=official))
        first = db.session.get(DraftCommitment, adopted).versions[0].milestones[0].id
        db.session.add(MilestoneUpdate(milestone_id=first, status=MilestoneStatus.IN_PROGRESS, author_id=official))
        db.session.add(EvidenceLink(milestone_id=first, url="https://datos.gob.mx/", title="Portal",
                                    added_by_id=official))
        db.session.add(PlanMonitoring(plan_id=mon["plan"], scale=Scale.RESULTS_2020, reference_label="Líder regional",
                                      reference_completion=70, reference_ambition=30))
        db.session.commit()


def test_the_performance_page_shows_figures_beside_their_tables(app, make_client, mon):
    _seed_performance(app, mon)
    response = _client(make_client).get(f"/plans/{mon['plan']}/performance", headers=ENGLISH)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<svg") == 4 and html.count("<table") >= 5  # every figure has its table
    assert "Política de datos abiertos" in html and "Líder regional" in html
    assert "100%" in html  # completion of the one commitment assessed substantial
    assert "1 milestone is overdue." in html and 'class="overdue"' in html
    assert "Compromiso sin adoptar" not in html and "Compromiso oculto" not in html
    assert "<script" not in html
    assert "OGP minimum requirements" in html and "5.1" in html


def test_the_performance_csv_and_json_list_the_monitoring_data(app, make_client, mon):
    _seed_performance(app, mon)
    client = _client(make_client)
    response = client.get(f"/plans/{mon['plan']}/performance.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    kinds = {row[0] for row in rows[1:]}
    assert kinds == {"commitment", "milestone", "indicator", "measurement", "assessment"}
    assert all(not cell.startswith("=") for row in rows for cell in row)  # spreadsheet-safe
    data = client.get(f"/api/v1/plans/{mon['plan']}/commitments").get_json()
    assert data["plan"]["completion_percent"] == 100 and data["plan"]["reference"]["completion_percent"] == 70
    [commitment] = data["commitments"]
    assert commitment["title"] == "Política de datos abiertos"
    assert [m["overdue"] for m in commitment["milestones"]] == [True, False]
    assert commitment["indicators"][0]["baseline"] == {"value": 20.0, "date": "2024-01-01"}
    assert commitment["indicators"][0]["measurements"][0]["source"] == "Informe trimestral"
    assert commitment["assessment"]["completion"]["value"] == "substantial"


def test_a_plan_not_public_yet_shows_nothing_to_the_public(app, make_client, mon):
    anonymous = _client(make_client)
    for url in (f"/plans/{mon['hidden_plan']}/performance", f"/plans/{mon['hidden_plan']}/performance.csv",
                f"/api/v1/plans/{mon['hidden_plan']}/commitments", f"/commitments/{mon['hidden']}/implementation"):
        assert anonymous.get(url).status_code == 404, url
    seat = _client(make_client, "government@example.org")
    page = seat.get(f"/plans/{mon['hidden_plan']}/performance", headers=ENGLISH)
    assert page.status_code == 200 and "Compromiso oculto" in page.get_data(as_text=True)
    # The open data never carries what is not public, even when the secretariat asks.
    assert seat.get(f"/api/v1/plans/{mon['hidden_plan']}/commitments").get_json()["commitments"] == []


def test_monitoring_entries_of_a_hidden_plan_stay_withheld_in_the_record(app, make_client, mon):
    seat = _client(make_client, "government@example.org")
    assert seat.post_form(f"/commitments/{mon['hidden']}/institution", {"name": "Institución secreta"}).status_code == 302
    assert "Institución secreta" not in _client(make_client).get("/record").get_data(as_text=True)


def test_the_page_cost_does_not_grow_with_the_commitments(app, make_client, mon):
    from .test_proposals import count_statements

    client = _client(make_client)
    url, api = f"/plans/{mon['plan']}/performance", f"/api/v1/plans/{mon['plan']}/commitments"
    detail = f"/commitments/{mon['adopted']}/implementation"

    def statements(path):
        client.get(path)
        with count_statements(app) as seen:
            assert client.get(path).status_code == 200
        return len(seen)

    _seed_performance(app, mon)
    small = (statements(url), statements(api), statements(detail))
    with app.test_request_context():
        plan = db.session.get(ActionPlan, mon["plan"])
        call = make_call(plan, phase="deliberation")
        official = db.session.get(type(make_user()), mon["official"])
        for n in range(6):
            draft = make_adopted(call, official, title=f"Compromiso {n}")
            indicator = Indicator(draft_id=draft.id, name=f"Indicador {n}", target_population="Todas",
                                  criterion="c", unit="u", baseline_value=0, baseline_date=date(2024, 1, 1),
                                  target_value=10, target_date=date(2027, 1, 1), created_by_id=official.id)
            db.session.add(indicator)
            db.session.flush()
            for k in range(3):
                db.session.add(Measurement(indicator_id=indicator.id, value=k, measured_on=date(2024, 2, k + 1),
                                           source="s", recorded_by_id=official.id))
                db.session.add(AssessmentEntry(draft_id=draft.id, scale=Scale.RESULTS_2020,
                                               criterion=Criterion.COMPLETION, value="limited", justification="j",
                                               assessed_on=LAST_YEAR, recorded_by_id=official.id))
        adopted = db.session.get(DraftCommitment, mon["adopted"])
        for k in range(4):
            db.session.add(MilestoneUpdate(milestone_id=adopted.versions[0].milestones[0].id,
                                           status=MilestoneStatus.IN_PROGRESS, author_id=official.id, note=str(k)))
        db.session.commit()
    assert (statements(url), statements(api), statements(detail)) == small


# --- recommendations ---------------------------------------------------------------------------------


def test_recommendations_keep_their_status_history_and_links(app, make_client, mon):
    seat = _client(make_client, "civil_society@example.org")
    with app.app_context():
        meeting = make_meeting(db.session.get(ActionPlan, mon["plan"]) and
                               db.session.scalar(select(DraftCommitment).where(DraftCommitment.id == mon["adopted"])).call)
        db.session.commit()
        meeting_id = meeting.id
    assert seat.post_form(f"/plans/{mon['plan']}/recommendations", {
        "title": "Monitoreo y evaluación",
        "body": "Establecer poblaciones objetivo, criterios y línea base."}).status_code == 302
    with app.app_context():
        rec_id = db.session.scalar(select(Recommendation.id))
    url = f"/plans/{mon['plan']}/recommendations/{rec_id}"
    r = f"r{rec_id}-"
    assert seat.post_form(url, {r + "status": "in_progress", r + "what_was_done": "Indicadores con línea base",
                                r + "drafts": str(mon["adopted"]), r + "meetings": str(meeting_id)}).status_code == 302
    # A commitment of another plan cannot answer it.
    seat.post_form(url, {r + "status": "addressed", r + "drafts": str(mon["hidden"])})
    with app.app_context():
        rec = db.session.get(Recommendation, rec_id)
        assert rec.status.value == "in_progress"
        assert _count(RecommendationUpdate) == 1 and _count(RecommendationLink) == 2
    html = _client(make_client).get(f"/plans/{mon['plan']}/performance", headers=ENGLISH).get_data(as_text=True)
    assert "Monitoreo y evaluación" in html and "Indicadores con línea base" in html


# --- the OGP minimum requirements ------------------------------------------------------------------------


@pytest.mark.parametrize(("meetings", "started", "plan_status", "expected"), [
    (0, False, PlanStatus.IMPLEMENTATION, Status.NOT_YET),
    (5, False, PlanStatus.CLOSED, Status.NOT_YET),
    (1, True, PlanStatus.IMPLEMENTATION, Status.NOT_YET),  # one below the minimum, still time
    (1, True, PlanStatus.CLOSED, Status.NOT_MET),  # one below the minimum, too late
    (2, True, PlanStatus.CLOSED, Status.MET),  # at the minimum
    (2, True, PlanStatus.IMPLEMENTATION, Status.MET),
    (3, True, PlanStatus.IMPLEMENTATION, Status.MET),  # one above
])
def test_meetings_during_implementation(meetings, started, plan_status, expected):
    assert checklist.implementation_status(meetings, started, plan_status) is expected


def test_only_meetings_with_civil_society_after_adoption_count(app, mon):
    with app.test_request_context():
        plan = db.session.get(ActionPlan, mon["plan"])
        adopted = db.session.get(DraftCommitment, mon["adopted"])
        call = adopted.call
        adopted.adopted_at = adopted_at = utcnow() - timedelta(days=10)
        cso = db.session.scalar(select(type(make_user())).where(type(make_user()).email == "cso@example.org"))
        from ogpcocreate.organisations.models import Organisation

        red = db.session.scalar(select(Organisation).where(Organisation.name == "Red Ciudadana"))
        before = make_meeting(call, starts_at=adopted_at - timedelta(days=1))
        db.session.add(Attendance(meeting_id=before.id, user_id=cso.id, organisation_id=red.id))
        no_cso = make_meeting(call, starts_at=utcnow() - timedelta(hours=1))
        db.session.add(UnregisteredAttendance(meeting_id=no_cso.id, sector=Sector.GOVERNMENT, count=4))
        with_cso = make_meeting(call, starts_at=utcnow() - timedelta(minutes=30))
        db.session.add(UnregisteredAttendance(meeting_id=with_cso.id, sector=Sector.CIVIL_SOCIETY, count=3))
        db.session.flush()
        started, held = checklist.implementation_meetings(plan, utcnow())
        assert started is not None and [m.id for m in held] == [with_cso.id]
        attended = make_meeting(call, starts_at=utcnow() - timedelta(minutes=10))
        db.session.add(Attendance(meeting_id=attended.id, user_id=cso.id, organisation_id=red.id))
        db.session.flush()
        items = {r.code: r for r in checklist.checklist(plan)}
        assert list(items) == ["1.1", "2.1", "2.2", "3.1", "3.3", "4.1", "5.1"]
        assert items["5.1"].status is Status.MET and len(items["5.1"].evidence) == 2
        assert items["2.1"].status is Status.MET and items["3.3"].status is Status.MET


def test_a_plan_before_its_calls_open_is_not_yet_due(app, mon):
    with app.test_request_context():
        plan = db.session.get(ActionPlan, mon["hidden_plan"])
        items = {r.code: r for r in checklist.checklist(plan)}
        assert items["2.1"].status is Status.NOT_YET
        assert items["3.3"].status is Status.NOT_YET
        assert items["5.1"].status is Status.NOT_YET


# --- dialogue during implementation ---------------------------------------------------------------------


def test_a_participant_flags_a_milestone_at_risk_and_the_institution_answers(app, make_client, mon):
    from ogpcocreate.monitoring.models import ImplementationComment
    from ogpcocreate.reports import contributions as report_contributions
    from ogpcocreate.reports.scope import Scope
    from ogpcocreate.responses.models import Response

    with app.app_context():
        db.session.add(Contact(draft_id=mon["adopted"], user_id=mon["official"], named_by_id=mon["official"]))
        db.session.commit()
    second = mon["milestones"][1]
    cso = _client(make_client, "cso@example.org")
    url = f"/commitments/{mon['adopted']}/comments"
    # At risk needs a milestone; a comment needs a body.
    refused = cso.post_form(url, {"body_source": "Sin presupuesto", "at_risk": "y", "milestone": "0",
                                  "organisation": "0"}, headers=ENGLISH)
    assert refused.status_code == 400 and "Choose the milestone you think is at risk" in refused.get_data(as_text=True)
    assert cso.post_form(url, {"body_source": "No hay presupuesto para la evaluación.", "at_risk": "y",
                               "milestone": str(second), "organisation": "0"}).status_code == 302
    html = _client(make_client).get(f"/plans/{mon['plan']}/performance", headers=ENGLISH).get_data(as_text=True)
    assert "1 milestone was flagged at risk by participants." in html and "At risk" in html
    with app.app_context():
        comment = db.session.scalar(select(ImplementationComment))
        assert comment.at_risk and comment.milestone_id == second
        comment_id = comment.id
        # Counted like every contribution: due once the institution's time to answer has passed.
        scope = Scope.of_plan(db.session.get(ActionPlan, mon["plan"]))
        counts = report_contributions.count(scope, utcnow())
        assert counts.by_kind.get("implementation_comment") == 1 and counts.due == 0
        later = report_contributions.count(scope, utcnow() + timedelta(days=31))
        assert later.due == 1 and later.due_unanswered == 1
    # The contact, who holds no seat, answers for the responsible institution; a stranger may not.
    respond = f"/commitments/{mon['adopted']}/comments/{comment_id}/response"
    assert cso.post_form(respond, {"response-outcome": "adopted"}).status_code == 403
    official = _client(make_client, "official@example.org")
    unjustified = official.post_form(respond, {"response-outcome": "not_adopted"}, headers=ENGLISH)
    assert unjustified.status_code == 400
    assert official.post_form(respond, {"response-outcome": "partially_adopted",
                                        "response-justification_source": "Se reasignó presupuesto en 2026."}).status_code == 302
    with app.app_context():
        response = db.session.scalar(select(Response).where(Response.implementation_comment_id == comment_id))
        assert response.seat is None and response.outcome.value == "partially_adopted"
        event = db.session.scalar(select(ParticipationEvent).where(ParticipationEvent.verb == "responded"))
        assert event.sector == Sector.GOVERNMENT
        later = report_contributions.count(scope, utcnow() + timedelta(days=31))
        assert later.due_unanswered == 0 and later.due_answered == 1
    page = _client(make_client).get(f"/commitments/{mon['adopted']}/implementation", headers=ENGLISH)
    html = page.get_data(as_text=True)
    assert "Milestone at risk" in html and "Se reasignó presupuesto en 2026." in html
    # The response is on the public record, since the commitment is public.
    record = _client(make_client).get("/record", headers=ENGLISH).get_data(as_text=True)
    assert "partially_adopted" in record or "Partially adopted" in record or "responded" in record


def test_comments_on_a_hidden_plan_are_withheld_from_the_record(app, make_client, mon):
    from ogpcocreate.core.eventlog import record as log
    from ogpcocreate.monitoring.models import ImplementationComment
    from ogpcocreate.responses.models import Outcome, Response
    from ogpcocreate.visibility import disclosure

    with app.test_request_context():
        hidden = db.session.get(DraftCommitment, mon["hidden"])
        author = db.session.get(type(make_user()), mon["official"])
        comment = ImplementationComment(draft_id=hidden.id, author_id=author.id, body_source="x", body="x")
        db.session.add(comment)
        db.session.flush()
        response = Response(implementation_comment_id=comment.id, outcome=Outcome.ADOPTED, responder_id=author.id)
        db.session.add(response)
        db.session.flush()
        entry = log(author, "responded", response, call=None)
        assert disclosure([entry])[entry.id].what is False


# --- the generated data -----------------------------------------------------------------------------------


def test_generated_monitoring_keeps_statement_counts_flat(app, make_client):
    """The generator adopts the older plan's commitments with their monitoring: the performance page,
    its JSON and a commitment's implementation cost the same statements for a small and a larger scale."""
    from ogpcocreate.demo.generate import generate

    from .test_proposals import count_statements

    with app.app_context():
        small = generate(0.02, seed=7)
        large = generate(0.08, seed=8)
        assert _count(AssessmentEntry) > 0 and _count(Measurement) > 0 and _count(Recommendation) == 8
    client = _client(make_client)

    def statements(path):
        assert client.get(path).status_code == 200, path
        with count_statements(app) as seen:
            assert client.get(path).status_code == 200
        return len(seen)

    for summary_page in (lambda s: f"/plans/{s['older_plan']}/performance",
                         lambda s: f"/api/v1/plans/{s['older_plan']}/commitments",
                         lambda s: f"/plans/{s['older_plan']}/performance.csv",
                         lambda s: f"/commitments/{s['monitored_commitment']}/implementation"):
        assert statements(summary_page(small)) == statements(summary_page(large))
    data = client.get(f"/api/v1/plans/{large['older_plan']}/commitments").get_json()
    assert data["commitments"] and all(c["assessment"] and c["indicators"] for c in data["commitments"])


def test_the_plan_report_shows_the_minimum_requirements_in_place_of_the_four_flags(app, make_client, mon):
    client = _client(make_client)
    plan_page = client.get(f"/plans/{mon['plan']}/influence", headers=ENGLISH).get_data(as_text=True)
    assert plan_page.count("data-requirement=") == 7 and "data-flag=" not in plan_page
    call_page = client.get(f"/calls/{mon['call']}/influence", headers=ENGLISH).get_data(as_text=True)
    assert call_page.count("data-flag=") == 4
    data = client.get(f"/api/v1/plans/{mon['plan']}/commitments").get_json()
    assert [r["code"] for r in data["minimum_requirements"]] == ["1.1", "2.1", "2.2", "3.1", "3.3", "4.1", "5.1"]


def test_a_visitor_sees_no_form_of_the_secretariat_or_the_contacts(app, make_client, mon):
    client = _client(make_client)
    performance = client.get(f"/plans/{mon['plan']}/performance").get_data(as_text=True)
    implementation = client.get(f"/commitments/{mon['adopted']}/implementation").get_data(as_text=True)
    for action in ("monitoring-settings", "/recommendations", "/assessors"):
        assert action not in performance, action
    for action in ("/institution", "/contacts", "/progress", "/evidence", "/indicators", "/assessment"):
        assert action not in implementation, action


@pytest.mark.parametrize("figure", ["NaN", "Infinity", "-inf", "1e400", "sNaN"])
def test_a_figure_that_is_not_a_number_is_refused(app, make_client, mon, figure):
    seat = _client(make_client, "government@example.org")
    before = database_fingerprint(app)
    response = seat.post_form(f"/commitments/{mon['adopted']}/indicators", _indicator_form(baseline_value=figure))
    assert response.status_code == 400
    assert database_fingerprint(app) == before
