"""The public repository (issue 14): content-addressed storage, documents and their versions, what is
public and when, publishing as a logged act, attachments on proposals, meetings and calls, hostile
uploads through complete forms, and commission reports (the importer, the pages, CSV and JSON, the form).

Everyone here reads the site in English unless a test says otherwise.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from ogpcocreate.core.db import utcnow
from ogpcocreate.core.eventlog import ParticipationEvent
from ogpcocreate.core.sectors import Seat
from ogpcocreate.core.storage import LocalStorage, key_of
from ogpcocreate.extensions import db
from ogpcocreate.reports.flags import PUBLICATIONS
from ogpcocreate.repository import commission
from ogpcocreate.repository.models import CommissionReport, Document, DocumentVersion

from .factories import (
    SEED_REPORT,
    make_call,
    make_document,
    make_meeting,
    make_organisation,
    make_pdf,
    make_plan,
    make_proposal,
    make_seat,
    make_user,
)
from .snapshots import changed_tables, database_fingerprint

EN = {"Accept-Language": "en"}


@pytest.fixture
def world(app):
    with app.app_context():
        for seat in Seat:
            make_seat(make_user(f"{seat.value}@example.org", locale="en"), seat)
        author = make_user("author@example.org", locale="en")
        org = make_organisation(author)
        make_user("other@example.org", locale="en")
        plan = make_plan()
        call = make_call(plan, phase="open")
        draft_call = make_call(plan, phase="draft")
        meeting = make_meeting(call)
        hidden_meeting = make_meeting(call, published=False)
        proposal = make_proposal(call, author, org)
        db.session.commit()
        return {"plan": plan.id, "call": call.id, "draft_call": draft_call.id, "meeting": meeting.id,
                "hidden_meeting": hidden_meeting.id, "proposal": proposal.id}


def logged(make_client, email):
    client = make_client()
    client.login(email)
    return client


def document_form(**overrides):
    data = {"title": "Minuta de la primera mesa", "kind": "minutes", "document_date": "2026-03-10",
            "subject": "", "language": "es", "description": "Minuta firmada."}
    data.update(overrides)
    return data


def upload(client, url, data, content: bytes, name: str):
    return client.post_form(url, {**data, "file": (io.BytesIO(content), name)}, content_type="multipart/form-data",
                            headers=EN)


def only_document(app) -> Document:
    with app.app_context():
        document = db.session.scalar(select(Document).order_by(Document.id.desc()))
        document.versions  # noqa: B018 - loaded before the session closes
        db.session.expunge_all()
        return document


# --- storage --------------------------------------------------------------------------------------------


def test_the_store_keeps_one_copy_of_each_file_and_refuses_a_tampered_one(tmp_path):
    store = LocalStorage(tmp_path)
    first = store.put(b"%PDF-1.4 uno")
    assert store.put(b"%PDF-1.4 uno") == first == key_of(b"%PDF-1.4 uno")
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1
    assert store.get(first) == b"%PDF-1.4 uno"
    (tmp_path / first[:2] / first[2:4] / first).write_bytes(b"altered")
    with pytest.raises(FileNotFoundError):
        store.get(first)
    with pytest.raises(FileNotFoundError):
        store.get("../../etc/passwd")


# --- documents ------------------------------------------------------------------------------------------


def test_the_secretariat_uploads_and_publishes_a_document_of_a_call(app, make_client, world):
    seat = logged(make_client, "government@example.org")
    assert seat.get("/repository/new", headers=EN).status_code == 200
    pdf = make_pdf("Minuta de la mesa sobre participación ciudadana")
    response = upload(seat, "/repository/new", document_form(subject=f"call:{world['call']}"), pdf, "minuta.pdf")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    document = only_document(app)
    assert document.published_at is None and document.call_id == world["call"]
    (version,) = document.versions
    assert (version.number, version.size, version.extension) == (1, len(pdf), "pdf")
    assert version.sha256 == key_of(pdf) and "participación ciudadana" in version.text

    anonymous = make_client()
    for url in (f"/repository/{document.id}", f"/repository/{document.id}/versions/1/file"):
        assert anonymous.get(url).status_code == 404
    assert "Minuta de la primera mesa" not in anonymous.get("/repository").get_data(as_text=True)
    assert "Minuta de la primera mesa" not in anonymous.get(f"/calls/{world['call']}").get_data(as_text=True)

    response = seat.post_form(f"/repository/{document.id}/publication", headers=EN)
    assert response.status_code == 302
    with app.app_context():
        (event,) = db.session.scalars(select(ParticipationEvent).where(
            ParticipationEvent.subject_type == "document", ParticipationEvent.verb == "published")).all()
        assert event.call_id == world["call"] and event.verb in PUBLICATIONS
    assert "Minuta de la primera mesa" in anonymous.get("/repository").get_data(as_text=True)
    assert "Minuta de la primera mesa" in anonymous.get(f"/calls/{world['call']}").get_data(as_text=True)
    download = anonymous.get(f"/repository/{document.id}/versions/1/file")
    assert download.status_code == 200 and download.data == pdf
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;") and "minuta.pdf" in download.headers[
        "Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    # Publishing twice is refused with the date; the log keeps one publication.
    seat.post_form(f"/repository/{document.id}/publication", headers=EN)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ParticipationEvent).where(
            ParticipationEvent.subject_type == "document", ParticipationEvent.verb == "published")) == 1


def test_replacing_keeps_the_earlier_version_and_the_same_file_is_stored_once(app, make_client, world):
    seat = logged(make_client, "guarantor@example.org")
    first, second = make_pdf("Primera versión"), make_pdf("Segunda versión")
    upload(seat, "/repository/new", document_form(), first, "informe.pdf")
    document = only_document(app)
    assert upload(seat, f"/repository/{document.id}/versions", {}, second, "informe-v2.pdf").status_code == 302
    assert upload(seat, f"/repository/{document.id}/versions", {}, first, "informe.pdf").status_code == 302
    document = only_document(app)
    assert [v.number for v in document.versions] == [1, 2, 3]
    assert document.versions[0].sha256 == document.versions[2].sha256 != document.versions[1].sha256
    assert seat.get(f"/repository/{document.id}/versions/1/file").data == first
    assert seat.get(f"/repository/{document.id}/versions/2/file").data == second
    page = seat.get(f"/repository/{document.id}", headers=EN).get_data(as_text=True)
    assert "informe-v2.pdf" in page and "informe.pdf" in page and "(current)" in page
    with app.app_context():
        edits = db.session.scalars(select(ParticipationEvent).where(
            ParticipationEvent.subject_type == "document", ParticipationEvent.verb == "edited")).all()
        assert [e.data["version"] for e in edits] == [2, 3]


def test_a_document_of_a_meeting_that_is_not_public_is_not_public(app, make_client, world):
    with app.app_context():
        from ogpcocreate.meetings.models import Meeting

        meeting = db.session.get(Meeting, world["hidden_meeting"])
        document = make_document(title="Anexo secreto", meeting=meeting, published=True)
        public = make_document(title="Anexo visible", meeting=db.session.get(Meeting, world["meeting"]))
        db.session.commit()
        ids = document.id, public.id
    anonymous = make_client()
    assert anonymous.get(f"/repository/{ids[0]}").status_code == 404
    assert anonymous.get(f"/repository/{ids[0]}/versions/1/file").status_code == 404
    listing = anonymous.get("/repository").get_data(as_text=True)
    assert "Anexo secreto" not in listing and "Anexo visible" in listing
    assert "Anexo visible" in anonymous.get(f"/meetings/{world['meeting']}").get_data(as_text=True)
    seat = logged(make_client, "civil_society@example.org")
    assert seat.get(f"/repository/{ids[0]}").status_code == 200


def test_a_document_of_a_draft_call_waits_for_the_call(app, make_client, world):
    with app.app_context():
        from ogpcocreate.calls.models import Call

        document = make_document(title="Bases en preparación", call=db.session.get(Call, world["draft_call"]))
        db.session.commit()
        document_id = document.id
    assert make_client().get(f"/repository/{document_id}").status_code == 404
    assert "Bases en preparación" not in make_client().get("/repository").get_data(as_text=True)


def test_the_list_filters_by_type_plan_year_and_language(app, make_client, world):
    with app.app_context():
        from ogpcocreate.plans.models import ActionPlan

        plan = db.session.get(ActionPlan, world["plan"])
        make_document(title="Informe de plan 2025", kind="report", plan=plan, document_date=date(2025, 5, 1))
        make_document(title="Otro documento 2026", kind="other", document_date=date(2026, 5, 1))
        db.session.commit()
    client = make_client()

    def titles(query):
        return set(re.findall(r"(Informe de plan 2025|Otro documento 2026)", client.get("/repository" + query).get_data(as_text=True)))

    assert titles("") == {"Informe de plan 2025", "Otro documento 2026"}
    assert titles("?kind=report") == {"Informe de plan 2025"}
    assert titles(f"?plan={world['plan']}") == {"Informe de plan 2025"}
    assert titles("?year=2026") == {"Otro documento 2026"}
    assert titles("?language=en") == set()
    assert client.get("/repository?year=abc").status_code == 200


def test_bad_input_gets_a_clear_error_and_changes_nothing(app, make_client, world):
    seat = logged(make_client, "government@example.org")
    before = database_fingerprint(app)
    response = upload(seat, "/repository/new", document_form(title=""), make_pdf("x"), "a.pdf")
    assert response.status_code == 400
    response = upload(seat, "/repository/new", document_form(subject="meeting:999999"), make_pdf("x"), "a.pdf")
    assert response.status_code == 400
    response = seat.post_form("/repository/new", document_form(), headers=EN)
    assert response.status_code == 400 and "Choose a file to upload" in response.get_data(as_text=True)
    assert changed_tables(before, database_fingerprint(app)) == []


def test_hostile_files_through_complete_forms_change_nothing(app, make_client, world):
    from .test_uploads import HostileFile, _zip

    hostile = [
        HostileFile("informe.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "Windows executable named .pdf"),
        HostileFile("pagina.html", b"<script>alert(1)</script>", "HTML page"),
        HostileFile("imagen.svg", b"<svg onload=alert(1)>", "SVG with script"),
        HostileFile("../../etc/passwd.pdf", b"%PDF-1.4\n", "path traversal"),
        HostileFile("informe.pdf", b"<html>not a pdf</html>", "content does not match the extension"),
        HostileFile("bomba.docx", _zip({"word/document.xml": b"0" * (30 * 1024 * 1024)}), "zip bomb"),
        HostileFile("escape.odt", _zip({"../../evil.sh": b"echo owned"}), "zip slip entry"),
    ]
    seat = logged(make_client, "government@example.org")
    author = logged(make_client, "author@example.org")
    for file in hostile:
        before = database_fingerprint(app)
        for client, url, data in ((seat, "/repository/new", document_form()),
                                  (author, f"/proposals/{world['proposal']}/attachments", {"title": "Anexo"})):
            response = upload(client, url, data, file.data, file.name)
            assert response.status_code == 400, (url, file.why)
        assert changed_tables(before, database_fingerprint(app)) == [], file.why


def test_a_participant_attaches_a_file_to_their_proposal(app, make_client, world):
    author = logged(make_client, "author@example.org")
    assert author.get(f"/proposals/{world['proposal']}/attachments", headers=EN).status_code == 200
    csv_data = b"municipio,personas\nOaxaca,120\n"
    response = upload(author, f"/proposals/{world['proposal']}/attachments", {"title": "Datos de respaldo"},
                      csv_data, "datos.csv")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    document = only_document(app)
    assert document.proposal_id == world["proposal"] and document.published_at is not None
    anonymous = make_client()
    assert "Datos de respaldo" in anonymous.get(f"/proposals/{world['proposal']}").get_data(as_text=True)
    download = anonymous.get(f"/repository/{document.id}/versions/1/file")
    assert download.data == csv_data and download.headers["Content-Type"].startswith("text/csv")
    other = logged(make_client, "other@example.org")
    assert other.get(f"/proposals/{world['proposal']}/attachments").status_code == 403
    with app.app_context():
        event = db.session.scalar(select(ParticipationEvent).where(ParticipationEvent.subject_type == "document"))
        assert event.verb == "submitted" and event.call_id == world["call"]


def test_attachments_close_with_the_call(app, make_client, world):
    author = logged(make_client, "author@example.org")
    with app.app_context():
        from ogpcocreate.calls.models import Call

        call = db.session.get(Call, world["call"])
        call.closes_at = utcnow() - timedelta(hours=1)
        call.opens_at = utcnow() - timedelta(days=2)
        db.session.commit()
    before = database_fingerprint(app)
    response = upload(author, f"/proposals/{world['proposal']}/attachments", {"title": "Tarde"}, b"a,b\n", "x.csv")
    assert response.status_code == 400 and "closed" in response.get_data(as_text=True)
    assert changed_tables(before, database_fingerprint(app)) == []


# --- commission reports ---------------------------------------------------------------------------------


SEED = SEED_REPORT.read_text(encoding="utf-8")


def test_the_seed_parses_with_every_field_filled():
    parsed = commission.parse(SEED)
    assert parsed.missing == []
    values = parsed.values
    assert values["folio"] == "670" and values["report_date"] == date(2018, 7, 26)
    assert values["addressee"] == "Mtra. Arelly Gómez González, Secretaria de la Función Pública"
    assert values["place"] == "Tiblisi, Georgia."
    assert (values["period_from"], values["period_to"]) == (date(2018, 7, 14), date(2018, 7, 20))
    assert values["act"].startswith("Cumbre Global de la Alianza para el Gobierno Abierto")
    assert values["objective"].startswith("Participar en la Cumbre") and "\n\n" in values["objective"]
    assert "2. Panel Ministerial" in values["activities"]
    assert "Francis Bilodeau" in values["conclusions"] and "datos abiertos" in values["results"]
    assert (values["commissioner"], values["position_key"], values["position_title"], values["unit"]) == (
        "DR. EBER OMAR BETANZOS TORRES", "H11", "SUBSECRETARIO DE LA FUNCIÓN PÚBLICA", "SSFP")


def _reorder_and_retype(text: str) -> str:
    """The seed as someone retyping it might: no accents, other spacing and tabs, sections swapped."""
    import unicodedata

    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    plain = plain.replace("\t", "   ").replace("LUGAR DE LA COMISION", "  Lugar   de la comision :")
    head, rest = plain.split("CONCLUSIONES", 1)
    conclusions, tail = rest.split("RESULTADOS OBTENIDOS", 1)
    results, signature = tail.split("NOMBRE Y FIRMA DEL COMISIONADO", 1)
    return head + "RESULTADOS OBTENIDOS" + results + "\tCONCLUSIONES\t" + conclusions + "NOMBRE Y FIRMA DEL COMISIONADO" + signature


def test_the_parser_tolerates_spacing_accents_and_the_order_of_sections():
    parsed = commission.parse(_reorder_and_retype(SEED))
    assert parsed.missing == []
    assert parsed.values["place"] == "Tiblisi, Georgia."
    assert parsed.values["conclusions"].startswith("1. Reunion Ministerial")
    assert parsed.values["results"].startswith("La participacion de Mexico")
    assert parsed.values["unit"] == "SSFP" and parsed.values["period_to"] == date(2018, 7, 20)


def test_the_command_imports_the_seed_and_refuses_the_same_folio(app, tmp_path):
    runner = app.test_cli_runner()
    seed = tmp_path / "informe.txt"
    seed.write_text(SEED, encoding="utf-8")
    result = runner.invoke(args=["repository", "import-commission-report", str(seed)])
    assert result.exit_code == 0, result.output
    assert "670" in result.output
    with app.app_context():
        report = db.session.scalar(select(CommissionReport))
        assert all(getattr(report, code) not in (None, "") for code in commission.FIELDS)
    before = database_fingerprint(app)
    again = runner.invoke(args=["repository", "import-commission-report", str(seed)])
    assert again.exit_code == 1 and "670" in again.output
    assert changed_tables(before, database_fingerprint(app)) == []


def test_the_command_names_each_missing_field_and_changes_nothing(app, tmp_path):
    broken = SEED.split("CONCLUSIONES")[0].replace("FOLIO No. 670", "")
    path = tmp_path / "incompleto.txt"
    path.write_text(broken, encoding="utf-8")
    before = database_fingerprint(app)
    result = app.test_cli_runner().invoke(args=["repository", "import-commission-report", str(path)])
    assert result.exit_code == 1
    for label in ("Folio", "Conclusiones", "Resultados", "Nombre del comisionado", "Unidad administrativa"):
        assert label.lower() in result.output.lower(), (label, result.output)
    assert changed_tables(before, database_fingerprint(app)) == []


def test_report_pages_filters_csv_and_json(app, make_client):
    with app.app_context():
        from ogpcocreate.repository.services import import_report

        import_report(SEED)
        from .factories import make_commission_report

        make_commission_report("99", report_date=date(2019, 3, 1), place="Ottawa, Canadá", commissioner="ANA LÓPEZ")
        db.session.commit()
        report_id = db.session.scalar(select(CommissionReport.id).where(CommissionReport.folio == "670"))
    client = make_client()
    page = client.get(f"/commission-reports/{report_id}", headers=EN).get_data(as_text=True)
    for text in ("Tiblisi, Georgia.", "DR. EBER OMAR BETANZOS TORRES", "Francis Bilodeau", "H11", "SSFP"):
        assert text in page

    def folios(query):
        return set(re.findall(r"commission-reports/\d+\">(\w+)<", client.get("/commission-reports" + query).get_data(as_text=True)))

    assert folios("") == {"670", "99"}
    assert folios("?year=2018") == {"670"}
    assert folios("?person=betanzos") == {"670"}
    assert folios("?place=ottawa") == {"99"}
    rows = client.get("/commission-reports.csv?year=2019").get_data(as_text=True).splitlines()
    assert rows[0].startswith("id,folio,report_date") and len(rows) == 2 and "Ottawa" in rows[1]
    data = json.loads(client.get("/api/v1/commission-reports?place=tiblisi").get_data(as_text=True))
    (item,) = data["items"]
    assert item["folio"] == "670" and item["period_from"] == "2018-07-14" and item["unit"] == "SSFP"


def test_the_secretariat_enters_and_corrects_a_report_by_hand(app, make_client, world):
    seat = logged(make_client, "guarantor@example.org")
    values = dict(commission.parse(SEED).values)
    form = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}
    assert seat.get("/commission-reports/new", headers=EN).status_code == 200
    response = seat.post_form("/commission-reports/new", form, headers=EN)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    report_id = int(response.headers["Location"].rsplit("/", 1)[1])
    before = database_fingerprint(app)
    duplicate = seat.post_form("/commission-reports/new", form, headers=EN)
    assert duplicate.status_code == 400 and "already on the record" in duplicate.get_data(as_text=True)
    reversed_period = seat.post_form("/commission-reports/new", {**form, "folio": "671", "period_to": "2018-07-01"},
                                     headers=EN)
    assert reversed_period.status_code == 400 and "ends before it starts" in reversed_period.get_data(as_text=True)
    assert changed_tables(before, database_fingerprint(app)) == []
    response = seat.post_form(f"/commission-reports/{report_id}/edit", {**form, "place": "Tbilisi, Georgia"}, headers=EN)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(CommissionReport, report_id).place == "Tbilisi, Georgia"
        assert db.session.scalar(select(func.count()).select_from(ParticipationEvent).where(
            ParticipationEvent.subject_type == "commission_report")) == 2


def test_versions_are_kept_in_the_database(app, world):
    """Nothing deletes a version: the model has no cascade that would."""
    assert DocumentVersion.__table__.c.document_id.foreign_keys


def test_the_secretariat_corrects_a_documents_details(app, make_client, world):
    seat = logged(make_client, "government@example.org")
    upload(seat, "/repository/new", document_form(), make_pdf("Texto"), "a.pdf")
    document = only_document(app)
    page = seat.get(f"/repository/{document.id}/edit", headers=EN).get_data(as_text=True)
    assert 'name="file"' not in page and "Minuta de la primera mesa" in page
    response = seat.post_form(f"/repository/{document.id}/edit",
                              document_form(title="Minuta corregida", subject=f"meeting:{world['meeting']}"), headers=EN)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    document = only_document(app)
    assert (document.title, document.meeting_id, len(document.versions)) == ("Minuta corregida", world["meeting"], 1)
