"""The public record: disclosure of each entry, the three downloads, the offline verifier, filters, links.

DOMAIN.md, "What is public, and when": the record shows a payload part only where visibility.disclosure
allows it, and only its digest elsewhere; anyone verifies the whole chain offline either way.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from ogpcocreate import visibility
from ogpcocreate.core import eventlog
from ogpcocreate.core.db import utcnow
from ogpcocreate.core.eventlog import Verb
from ogpcocreate.core.sectors import Sector
from ogpcocreate.extensions import db
from ogpcocreate.opendata import record
from ogpcocreate.visibility import Disclosure

from .factories import make_call, make_organisation, make_plan, make_proposal, make_user

SCRIPT = Path(__file__).resolve().parent.parent / "static" / "record" / "verify_record.py"
_spec = importlib.util.spec_from_file_location("verify_record", SCRIPT)
VERIFIER = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(VERIFIER)

FORMULA_NAME = "=HYPERLINK(\"http://evil.example\",\"x\")"
SECRET_TITLE = "Título secreto de una convocatoria en preparación"


@pytest.fixture
def log(app):
    """Entries by a person who will close their account, a call being prepared, and public acts."""
    with app.app_context():
        leaver = make_user(name="Persona Que Se Va")
        stayer = make_user(name=FORMULA_NAME)
        org = make_organisation(stayer, name="+Colectivo de Datos", sector=Sector.ACADEMIA, territory="MX-YUC")
        plan = make_plan(stayer)
        call = make_call(plan, phase="open")
        draft_call = make_call(plan, phase="draft")
        proposal = make_proposal(call, stayer, org)
        eventlog.record(None, Verb.CREATED, plan, plan=plan, data={"name": plan.name})
        eventlog.record(stayer, Verb.SUBMITTED, proposal, org, call=call, data={"title": "-1 propuesta"})
        eventlog.record(leaver, Verb.COMMENTED, call, call=call, data={"text": "@todos"})
        eventlog.record(stayer, Verb.CREATED, draft_call, sector=Sector.GOVERNMENT, territory="national",
                        call=draft_call, data={"title": SECRET_TITLE})
        eventlog.record(leaver, Verb.REGISTERED, leaver)
        db.session.commit()
        return {"leaver": leaver.id, "stayer": stayer.id, "plan": plan.id, "call": call.id,
                "draft_call": draft_call.id, "proposal": proposal.id, "org": org.id}


@pytest.fixture
def withheld(app, log, monkeypatch):
    """The leaver closes their account; the call being prepared is not public (its entries' ``what``)."""
    with app.app_context():
        from ogpcocreate.auth.models import User

        db.session.get(User, log["leaver"]).closed_at = utcnow()
        db.session.commit()
    real = visibility.disclosure

    def disclosure(events):
        shown = real(events)
        return {e.id: Disclosure(who=shown[e.id].who, what=shown[e.id].what and e.call_id != log["draft_call"])
                for e in events}

    monkeypatch.setattr(visibility, "disclosure", disclosure)
    return log


def offline_problem() -> str | None:
    """What the offline verifier says of the whole raw CSV as the site would serve it now, in-process."""
    rows = (dict(zip(record.CSV_COLUMNS, ("" if c is None else str(c) for c in record.csv_cells(row, shown)),
                     strict=True))
            for batch in record.batches(record.RecordFilter()) for row, shown in record.disclosed(batch))
    _checked, problem = VERIFIER.verify(rows)
    return problem


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def write_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=record.CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def run_verifier(tmp_path, text: str, *args: str) -> subprocess.CompletedProcess:
    path = tmp_path / "participation-record.csv"
    path.write_bytes(text.encode("utf-8"))
    return subprocess.run([sys.executable, str(SCRIPT), *args, str(path)], capture_output=True, text=True,
                          timeout=60, check=False)


# --- the offline verifier ------------------------------------------------------------------------------


def test_the_verifier_passes_on_the_downloaded_record_with_payloads_shown(client, log, tmp_path):
    text = client.get("/record.csv").get_data(as_text=True)
    outcome = run_verifier(tmp_path, text)
    assert outcome.returncode == 0, outcome.stderr
    assert "OK: 5 entries, chain intact" in outcome.stdout


def test_the_verifier_passes_with_withheld_payloads(client, withheld, tmp_path):
    text = client.get("/record.csv").get_data(as_text=True)
    assert "Persona Que Se Va" not in text and SECRET_TITLE not in text
    outcome = run_verifier(tmp_path, text)
    assert outcome.returncode == 0, outcome.stderr
    rows = read_csv(text)
    comment, secret, registered = rows[2], rows[3], rows[4]
    for row in (comment, registered):
        assert row["actor_name"] == "" and row["who_salt"] == "" and len(row["who_digest"]) == 64
        assert row["actor_id"] == str(withheld["leaver"])
    assert comment["data"] == '{"text":"@todos"}'  # the act stays readable, only the name is withheld
    assert secret["data"] == secret["organisation_name"] == secret["what_salt"] == ""
    assert len(secret["what_digest"]) == 64 and secret["actor_name"] == FORMULA_NAME


@pytest.mark.parametrize("edit", ["payload", "envelope", "digest", "hash_rewritten"])
def test_the_verifier_names_an_edited_row(client, log, tmp_path, edit):
    rows = read_csv(client.get("/record.csv").get_data(as_text=True))
    target = rows[1]
    if edit == "payload":
        target["data"] = '{"title":"Otra propuesta"}'
    elif edit == "envelope":
        target["sector"] = "government"
    elif edit == "digest":
        target["actor_name"], target["who_salt"] = "", ""
        target["who_digest"] = "0" * 64
    else:  # a forger who recomputes the row's hash still breaks the next link
        target["verb"] = "withdrawn"
        target["hash"] = VERIFIER.sha256(VERIFIER.canonical({n: target[n] or None for n in VERIFIER.ENVELOPE}))
    outcome = run_verifier(tmp_path, write_csv(rows))
    assert outcome.returncode == 1
    entry = 3 if edit == "hash_rewritten" else 2
    assert f"(entry {entry})" in outcome.stderr, outcome.stderr


def test_the_verifier_finds_a_removed_and_a_reordered_row(client, withheld, tmp_path):
    rows = read_csv(client.get("/record.csv").get_data(as_text=True))
    removed = run_verifier(tmp_path, write_csv(rows[:2] + rows[3:]))
    assert removed.returncode == 1 and "(entry 4): expected entry 3 here" in removed.stderr
    first_removed = run_verifier(tmp_path, write_csv(rows[1:]))
    assert first_removed.returncode == 1 and "expected entry 1 here" in first_removed.stderr
    swapped = run_verifier(tmp_path, write_csv([rows[0], rows[2], rows[1], *rows[3:]]))
    assert swapped.returncode == 1 and "out of order" in swapped.stderr
    # A part of the record: each row on its own and the order, never the links.
    part = client.get(f"/record.csv?call={withheld['call']}").get_data(as_text=True)
    assert run_verifier(tmp_path, part).returncode == 1
    outcome = run_verifier(tmp_path, part, "--part")
    assert outcome.returncode == 0 and "links between entries cannot be checked" in outcome.stdout
    part_rows = read_csv(part)
    assert run_verifier(tmp_path, write_csv(part_rows[::-1]), "--part").returncode == 1


def test_the_verifier_refuses_the_spreadsheet_csv_if_it_was_edited(client, log, tmp_path):
    text = client.get("/record-spreadsheet.csv").get_data(as_text=True)
    outcome = run_verifier(tmp_path, text)
    assert outcome.returncode == 1  # the apostrophes change the cells: not for verifying


# --- the three downloads -------------------------------------------------------------------------------


def test_the_raw_csv_is_byte_exact_and_the_spreadsheet_csv_neutralises_formulas(client, log, app):
    raw_rows = read_csv(client.get("/record.csv").get_data(as_text=True))
    safe = client.get("/record-spreadsheet.csv")
    assert safe.status_code == 200 and safe.mimetype == "text/csv" and safe.is_streamed
    assert safe.headers["Content-Disposition"] == "attachment; filename=participation-record-spreadsheet.csv"
    safe_rows = read_csv(safe.get_data(as_text=True))
    submitted = raw_rows[1]
    assert submitted["actor_name"] == FORMULA_NAME and submitted["organisation_name"] == "+Colectivo de Datos"
    assert safe_rows[1]["actor_name"] == "'" + FORMULA_NAME
    assert safe_rows[1]["organisation_name"] == "'+Colectivo de Datos"
    assert safe_rows[1]["hash"] == submitted["hash"] and safe_rows[1]["data"] == submitted["data"]
    for row in safe_rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value
    with app.app_context():  # the raw cells are exactly what the log stored and hashed
        from ogpcocreate.core.eventlog import ParticipationEvent

        event = db.session.scalar(db.select(ParticipationEvent).where(ParticipationEvent.seq == 2))
        assert submitted["who_salt"] == event.who_salt and submitted["what_digest"] == event.what_digest
        assert submitted["hash"] == event.hash
    assert record.spreadsheet_safe(["=1", "-2", "@x", "\tA", "ok", 5, None]) == ["'=1", "'-2", "'@x", "'\tA", "ok", 5, None]


def test_the_spreadsheet_csv_names_a_closed_account(client, withheld):
    rows = read_csv(client.get("/record-spreadsheet.csv", headers={"Accept-Language": "en"}).get_data(as_text=True))
    assert rows[2]["actor_name"] == f"closed account #{withheld['leaver']}" and rows[2]["who_salt"] == ""


def test_the_json_has_every_entry_with_what_may_be_shown(client, withheld):
    response = client.get("/record.json")
    assert response.status_code == 200 and response.is_streamed and response.mimetype == "application/json"
    body = json.loads(response.get_data(as_text=True))
    assert body["complete_chain"] is True and body["columns"] == record.CSV_COLUMNS
    assert body["verifier"].endswith("/static/record/verify_record.py")
    entries = body["entries"]
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    submitted, comment, secret = entries[1], entries[2], entries[3]
    assert submitted["data"] == {"title": "-1 propuesta"} and submitted["who_shown"] and submitted["what_shown"]
    assert submitted["subject_url"] == f"http://localhost/proposals/{withheld['proposal']}"
    assert comment["actor_name"] is None and comment["who_shown"] is False and comment["what_shown"] is True
    assert secret["data"] is None and secret["what_salt"] is None and secret["subject_url"] is None
    assert comment["actor_label"] == f"cuenta cerrada #{withheld['leaver']}" and submitted["actor_label"] == FORMULA_NAME
    assert SECRET_TITLE not in response.get_data(as_text=True)
    only = json.loads(client.get(f"/record.json?call={withheld['call']}").get_data(as_text=True))
    assert only["complete_chain"] is False and only["filters"] == {"call": str(withheld["call"])}
    assert [e["seq"] for e in only["entries"]] == [2, 3]


def test_an_entry_is_revealed_as_soon_as_disclosure_allows_it(client, log, monkeypatch):
    hidden = {"on": True}

    def disclosure(events):
        return {e.id: Disclosure(who=True, what=not hidden["on"]) for e in events}

    monkeypatch.setattr(visibility, "disclosure", disclosure)
    assert SECRET_TITLE not in client.get("/record.csv").get_data(as_text=True)
    hidden["on"] = False
    assert SECRET_TITLE in client.get("/record.csv").get_data(as_text=True)


# --- the page ------------------------------------------------------------------------------------------


def test_the_page_shows_digests_where_payloads_are_withheld_and_links_public_subjects(client, withheld):
    page = client.get("/record", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Persona Que Se Va" not in page and SECRET_TITLE not in page
    assert f"closed account #{withheld['leaver']}" in page
    assert f'href="/proposals/{withheld["proposal"]}"' in page
    assert f'href="/calls/{withheld["call"]}"' in page
    assert f'href="/calls/{withheld["draft_call"]}"' not in page  # not public: no link
    assert 'href="/record.csv"' in page and 'href="/record-spreadsheet.csv"' in page and 'href="/record.json"' in page
    assert 'href="/static/record/verify_record.py"' in page
    assert 'id="about-the-data"' in page
    for column in record.CSV_COLUMNS:
        assert f"<code>{column}</code>" in page, column


def test_the_page_in_spanish_says_closed_account(client, withheld):
    page = client.get("/record", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert f"cuenta cerrada #{withheld['leaver']}" in page


def test_the_page_filters_and_keeps_its_filters_across_pages(client, app, log):
    page = client.get("/record?verb=submitted&sector=academia").get_data(as_text=True)
    assert f'href="/proposals/{log["proposal"]}"' in page and "@todos" not in page
    assert 'href="/record.csv?verb=submitted&amp;sector=academia"' in page
    with app.app_context():
        for n in range(55):
            eventlog.record(None, Verb.CREATED, data={"n": n}, sector=Sector.ACADEMIA)
        eventlog.record(None, Verb.EDITED, data={"n": "other"})
        db.session.commit()
    first = client.get("/record?sector=academia").get_data(as_text=True)
    assert 'rel="next" href="/record?before=' in first and "sector=academia" in first.split('rel="next"')[1][:120]
    cursor = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = client.get(cursor).get_data(as_text=True)
    seqs = [int(cell.split("<")[0]) for cell in second.split('<th scope="row" class="num">')[1:]]
    assert seqs == [10, 9, 8, 7, 6, 2]  # the rest of the academia entries; never the edit (61)
    assert client.get("/record.csv?sector=academia").get_data(as_text=True).count("\r\n") == 1 + 56


def test_the_date_filters(client, app, log):
    today = utcnow().date()
    assert len(read_csv(client.get(f"/record.csv?from={today - timedelta(days=1)}&to={today + timedelta(days=1)}")
                        .get_data(as_text=True))) == 5
    assert read_csv(client.get(f"/record.csv?to={today - timedelta(days=2)}").get_data(as_text=True)) == []
    assert read_csv(client.get(f"/record.csv?from={today + timedelta(days=2)}").get_data(as_text=True)) == []


@pytest.mark.parametrize("query, message", [
    ("from=2026-02-30", "Give the date as year-month-day"),
    ("to=yesterday", "Give the date as year-month-day"),
    ("from=0001-01-01", "Give the date as year-month-day"),
    ("from=2026-05-01&to=2026-04-01", "The end date must not be before the start date"),
    ("verb=approve", "Choose an act from the list"),
    ("sector=everyone", "Choose a sector from the list"),
    ("plan=x", "The plan must be given as the number"),
    ("call=-3", "The call must be given as the number"),
])
def test_a_bad_filter_is_a_400_that_says_why(client, log, query, message):
    page = client.get(f"/record?{query}", headers={"Accept-Language": "en"})
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert message in text and 'aria-invalid="true"' in text and "error-summary" in text
    for url in ("/record.csv", "/record-spreadsheet.csv", "/record.json"):
        response = client.get(f"{url}?{query}", headers={"Accept-Language": "en"})
        assert response.status_code == 400 and message in response.get_data(as_text=True)
        assert response.is_json == url.endswith(".json")


def test_a_bad_filter_is_translated(client, log):
    page = client.get("/record?from=mañana", headers={"Accept-Language": "es"})
    assert page.status_code == 400 and "año-mes-día" in page.get_data(as_text=True)


def test_the_verifier_is_served_for_download(client):
    response = client.get("/static/record/verify_record.py")
    assert response.status_code == 200
    assert response.get_data() == SCRIPT.read_bytes()
    response.close()


def test_links_for_every_kind_of_public_subject(app, log):
    with app.app_context(), app.test_request_context():
        rows = [(type("Row", (), {"subject_type": t, "subject_id": i}), Disclosure(True, True))
                for t, i in (("organisation", log["org"]), ("call", log["call"]), ("users", log["stayer"]),
                             ("proposal", log["proposal"]), ("response", 999))]
        rows.append((type("Row", (), {"subject_type": "call", "subject_id": log["draft_call"]}), Disclosure(True, False)))
        urls = record.subject_urls(rows)
    assert urls == {("organisation", log["org"]): f"/organisations/{log['org']}",
                    ("call", log["call"]): f"/calls/{log['call']}",
                    ("proposal", log["proposal"]): f"/proposals/{log['proposal']}"}


@pytest.mark.parametrize("url", ["/record", "/record.csv", "/record.json"])
def test_the_record_costs_the_same_for_5_or_45_entries(app, client, log, url):
    """Reads are batched (keyset) and disclosure asked once per batch, whatever the batch holds."""
    from .test_proposals import count_statements

    def statements():
        client.get(url).get_data()
        with count_statements(app) as seen:
            assert client.get(url).get_data()
        return len(seen)

    small = statements()
    with app.app_context():
        people = [make_user() for _ in range(4)]
        for n in range(40):
            eventlog.record(people[n % 4], Verb.COMMENTED, data={"n": n}, call=None)
        db.session.commit()
    assert statements() == small
