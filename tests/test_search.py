"""Search (issue 14): Spanish as people type it (accents, case, stems, quoted phrases) on SQLite FTS5
and PostgreSQL full-text alike, filters and pagination, the highlighted passage, the index kept in the
same transaction as each write and rebuilt by a command, and never a result that is not public."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from ogpcocreate.core.db import utcnow
from ogpcocreate.extensions import db
from ogpcocreate.search import text as fts
from ogpcocreate.search.models import SearchEntry

from .factories import (
    make_call,
    make_comment,
    make_document,
    make_draft,
    make_organisation,
    make_pdf,
    make_plan,
    make_proposal,
    make_user,
)

EN = {"Accept-Language": "en"}


@pytest.fixture
def world(app):
    with app.app_context():
        author = make_user("author@example.org", locale="en")
        org = make_organisation(author, name="Colectivo Transparencia Oaxaca")
        plan = make_plan(name="Quinto Plan de Acción")
        other_plan = make_plan(name="Cuarto Plan de Acción")
        call = make_call(plan, phase="deliberation")
        call.title = "Convocatoria sobre participación ciudadana"
        old_call = make_call(other_plan, phase="deliberation")
        old_call.title = "Convocatoria anterior sobre participación"
        draft_call = make_call(plan, phase="draft")
        draft_call.title = "Borrador secreto de participación"
        first = make_proposal(call, author, org, title="Una propuesta de datos abiertos municipales")
        first.problem = "<p>Los municipios no publican datos abiertos de obra pública.</p>"
        second = make_proposal(call, author, org, title="Otra idea")
        second.problem = "<p>Los abiertos registros de datos se pierden.</p>"
        draft = make_draft(call, author, title="Compromiso de contrataciones abiertas")
        comment = make_comment(draft.versions[0], author, "Sugiero incluir indicadores de presupuesto participativo")
        hidden = make_comment(draft.versions[0], author, "Texto ofensivo con zanahoria secreta")
        hidden.hidden_at = utcnow()
        hidden.hidden_reason = "Ofensivo"
        make_document(title="Minuta de la mesa uno", call=call,
                      data=make_pdf("Acuerdos sobre transparencia presupuestaria en Chiapas"))
        make_document(title="Documento sin publicar", call=call, published=False,
                      data=make_pdf("Esta palabra calabacita no es publica"))
        db.session.commit()
        return {"call": call.id, "plan": plan.id, "other_plan": other_plan.id, "comment": comment.id,
                "draft": draft.id}


def results(client, query: str, **params) -> list[str]:
    response = client.get("/search", query_string={"q": query, **params}, headers=EN)
    assert response.status_code == 200, response.status_code
    return re.findall(r"<h2><a href=\"[^\"]+\">([^<]+)</a></h2>", response.get_data(as_text=True))


def test_the_stems_ignore_accents_and_case():
    assert fts.stems("PARTICIPACIÓN participacion Propuestas propuesta") == ["particip", "particip", "propuest",
                                                                                 "propuest"]
    query = fts.parse('datos "obra pública" "uno"')
    assert sorted(query.words) == ["dat", "uno"] and query.phrases == [["obra", "public"]]


def test_accents_and_case_are_ignored(client, world):
    found = results(client, "PARTICIPACION")
    assert "Convocatoria sobre participación ciudadana" in found
    assert "Borrador secreto de participación" not in found  # not public


def test_stemming_finds_other_forms(client, world):
    assert "Una propuesta de datos abiertos municipales" in results(client, "propuestas")
    assert "Colectivo Transparencia Oaxaca" in results(client, "transparente OAXACA")


def test_quoted_phrases_keep_their_order(client, world):
    loose = results(client, "datos abiertos")
    assert {"Una propuesta de datos abiertos municipales", "Otra idea"} <= set(loose)
    phrase = results(client, '"datos abiertos"')
    assert "Una propuesta de datos abiertos municipales" in phrase and "Otra idea" not in phrase


def test_the_text_of_a_published_pdf_is_found_with_the_passage_highlighted(client, world):
    response = client.get("/search", query_string={"q": "presupuestaria chiapas"}, headers=EN)
    page = response.get_data(as_text=True)
    assert "Minuta de la mesa uno" in page
    assert "<mark>presupuestaria</mark> en <mark>Chiapas</mark>" in page
    assert results(client, "calabacita") == []  # the unpublished document's PDF


def test_hidden_comments_and_unpublished_things_are_never_results(app, client, make_client, world):
    assert results(client, "zanahoria") == []
    seat_client = make_client()
    with app.app_context():
        from ogpcocreate.core.sectors import Seat

        from .factories import make_seat

        make_seat(make_user("seat@example.org"), Seat.GOVERNMENT)
        db.session.commit()
    seat_client.login("seat@example.org")
    assert results(seat_client, "zanahoria") == [] and results(seat_client, "secreto") == []
    assert results(client, "indicadores presupuesto") == ["Compromiso de contrataciones abiertas"]


def test_filters_by_type_plan_and_year_and_pages(client, world):
    assert set(results(client, "participacion", kind="call")) == {"Convocatoria sobre participación ciudadana",
                                                                  "Convocatoria anterior sobre participación"}
    assert results(client, "participacion", kind="call", plan=world["other_plan"]) == [
        "Convocatoria anterior sobre participación"]
    assert results(client, "participacion", year=1999) == []
    assert client.get("/search?q=participacion&kind=nonsense").status_code == 400
    many = client.get("/search", query_string={"q": "participacion", "year": "abc"}, headers=EN)
    assert many.status_code == 400


def test_pagination(app, client, world):
    with app.app_context():
        for i in range(23):
            make_organisation(make_user(), name=f"Red de huertos número {i}")
        db.session.commit()
    first = client.get("/search?q=huertos", headers=EN).get_data(as_text=True)
    assert "23 results" in first and "Page 1 of 2" in first and first.count("<h2><a") == 20
    second = client.get("/search?q=huertos&page=2", headers=EN).get_data(as_text=True)
    assert second.count("<h2><a") == 3


@pytest.mark.parametrize("query", ['"', 'NEAR(a b)', "a* OR b", "-x", "' OR 1=1 --", "(", "\\", "ñ" * 200,
                                   "𝔭𝔞𝔯𝔱𝔦𝔠𝔦𝔭𝔞𝔠𝔦𝔬𝔫", "a:b", "x" * 300, "_", "a_b", "\"\""])
def test_hostile_queries_are_answered(client, world, query):
    response = client.get("/search", query_string={"q": query}, headers=EN)
    assert response.status_code in (200, 400)


def test_the_index_follows_writes_and_rollbacks_and_the_rebuild_agrees(app, world):
    with app.app_context():
        org = make_organisation(make_user(), name="Observatorio efímero")
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(SearchEntry).where(
            SearchEntry.title.like("Observatorio%"))) == 0
        org = make_organisation(make_user(), name="Observatorio duradero")
        db.session.commit()
        org.name = "Observatorio renombrado"
        db.session.commit()
        (title,) = db.session.scalars(select(SearchEntry.title).where(SearchEntry.kind == "organisation",
                                                                     SearchEntry.object_id == org.id)).all()
        assert title == "Observatorio renombrado"
        before = sorted(db.session.execute(select(SearchEntry.kind, SearchEntry.object_id, SearchEntry.terms)).all())
    result = app.test_cli_runner().invoke(args=["repository", "rebuild-search"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        after = sorted(db.session.execute(select(SearchEntry.kind, SearchEntry.object_id, SearchEntry.terms)).all())
        assert after == before


def test_the_header_has_a_search_box(client):
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert 'action="/search"' in page and 'id="header-search-q"' in page


def test_a_report_year_filter(app, client):
    with app.app_context():
        from .factories import make_commission_report

        make_commission_report("7", report_date=date(2018, 7, 26), place="Tiblisi, Georgia.")
        db.session.commit()
    assert results(client, "tiblisi", year=2018, kind="commission_report") == ["7 · Tiblisi, Georgia."]


# --- relevance, the newest-first order, the passage, the capped count ---------------------------------


def test_a_title_match_comes_before_a_body_match_and_newest_first_is_a_choice(app, client):
    from datetime import UTC, datetime

    with app.app_context():
        in_title = make_organisation(make_user(), name="Red de cooperativas apícolas")
        in_title.created_at = datetime(2020, 1, 1, tzinfo=UTC)
        in_body = make_organisation(make_user(), name="Colectivo del valle")  # newer, and a higher id
        in_body.description = "<p>Trabajamos con cooperativas de la sierra y del valle, sin descanso.</p>"
        in_body.created_at = datetime(2024, 1, 1, tzinfo=UTC)
        db.session.commit()
    assert results(client, "cooperativa") == ["Red de cooperativas apícolas", "Colectivo del valle"]
    assert results(client, "cooperativa", sort="relevance") == ["Red de cooperativas apícolas", "Colectivo del valle"]
    assert results(client, "cooperativa", sort="newest") == ["Colectivo del valle", "Red de cooperativas apícolas"]
    page = client.get("/search", query_string={"q": "cooperativa", "sort": "newest"}, headers=EN).get_data(as_text=True)
    assert '<option selected value="newest">Newest first</option>' in page
    assert client.get("/search?q=cooperativa&sort=nonsense").status_code == 400
    spanish = client.get("/search?q=cooperativa").get_data(as_text=True)
    assert "Relevancia" in spanish and "Más recientes primero" in spanish


def test_the_order_and_the_filters_are_kept_across_pages(app, client):
    with app.app_context():
        for i in range(23):
            make_organisation(make_user(), name=f"Red de huertos número {i}")
        db.session.commit()
    first = client.get("/search?q=huertos&sort=newest&kind=organisation", headers=EN).get_data(as_text=True)
    (link,) = re.findall(r'<a rel="next" href="([^"]+)"', first)
    assert "sort=newest" in link and "kind=organisation" in link and "page=2" in link
    assert results(client, "huertos", sort="newest")[0] == "Red de huertos número 22"


def test_the_count_stops_at_the_cap(app, client, monkeypatch):
    from ogpcocreate.search import services

    monkeypatch.setattr(services, "COUNT_CAP", 5)
    with app.app_context():
        for i in range(9):
            make_organisation(make_user(), name=f"Banco de semillas {i}")
        db.session.commit()
    page = client.get("/search?q=semillas", headers=EN).get_data(as_text=True)
    assert "More than 5 results" in page and 'rel="next"' not in page
    assert "Más de 5 resultados" in client.get("/search?q=semillas").get_data(as_text=True)


def test_the_passage_is_escaped_and_marks_every_form_of_the_word():
    query = fts.parse("transparente participacion")
    text = ('<script>alert("x")</script> La Transparencia & la PARTICIPACIÓN ciudadana; '
            "transparentes y participativos.")
    passage = str(fts.highlight(text, query))
    assert "<script>" not in passage and "script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in passage
    assert "<mark>Transparencia</mark> &amp; la <mark>PARTICIPACIÓN</mark> ciudadana" in passage
    assert "<mark>transparentes</mark> y <mark>participativos</mark>" in passage  # the same stems
    assert str(fts.highlight("<b>participa</b>", fts.parse("participar"))) == "… b&gt;<mark>participa</mark>&lt;/b …"
    assert "<mark>" not in str(fts.highlight("partido y parte", fts.parse("participacion")))


def test_the_passage_is_around_the_first_match_of_a_long_text():
    filler = " ".join(f"palabra{i}" for i in range(5000))
    text = f"{filler} aquí están los datos abiertos del municipio {filler}"
    passage = str(fts.highlight(text, fts.parse('"datos abiertos"')))
    assert passage.startswith("… ") and passage.endswith(" …")
    assert passage.startswith("… palabra4991 palabra4992") and "palabra4990" not in passage  # 12 words before
    assert "<mark>datos</mark> <mark>abiertos</mark> del municipio" in passage
    assert passage.count(" ") < 60
    assert str(fts.highlight("sin coincidencias aquí", fts.parse("datos"))) == "sin coincidencias aquí"
    assert str(fts.highlight("", fts.parse("datos"))) == ""


def test_words_matched_by_the_passage_are_those_the_stems_match():
    """The passage's quick scan finds exactly the words whose stem is wanted, for every word of a text."""
    words = re.findall(r"\w+", (fts.__doc__ or "") + " transparencia dependencias PROPUESTAS Ñandú año "
                                                    "participación participó participaciones ")
    for word in set(words):
        stem = fts.stem(word)
        assert fts._first_hit(f"xx {word} yy", {stem}) is not None, word


def test_the_upgrade_fills_an_empty_index(tmp_path):
    """A database with rows and an empty index (as revision 0011 left one: it was filled by hand) is
    searchable after `flask db upgrade`, which rebuilds it in batches; a later upgrade leaves it be."""
    from flask_migrate import downgrade, upgrade

    from ogpcocreate.search import index as search_index
    from ogpcocreate.search import services

    from .conftest import PG_URL, _dispose, _ensure_pg_database, _named, create_app

    url = _named(PG_URL, "_mig") if PG_URL else f"sqlite:///{tmp_path / 'upgrade.db'}"
    if PG_URL:
        _ensure_pg_database(url)
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    try:
        with app.test_request_context():
            upgrade(revision="0015_withdrawal")
            with search_index.paused():  # revision 0015's index has another layout
                make_organisation(make_user(), name="Colectivo de cronistas urbanos")
                db.session.commit()
            assert db.session.scalar(select(func.count()).select_from(SearchEntry)) == 0
            db.session.remove()
            upgrade()
            page = services.search("cronistas", services.Filters())
            assert [r.title for r in page.results] == ["Colectivo de cronistas urbanos"]
            assert search_index.is_current(db.session.connection())
            db.session.remove()
            downgrade(revision="0015_withdrawal")  # the downgrade keeps the rows, in the older layout
            upgrade()
            assert [r.title for r in services.search("cronistas", services.Filters()).results] == [
                "Colectivo de cronistas urbanos"]
    finally:
        _dispose(app)


def test_when_the_best_matches_are_not_public_the_page_still_fills(app, world, monkeypatch):
    """The page asks the visibility rules of the best few matches first; when too few of those are
    public it ranks them all, and what is not public never shows."""
    from ogpcocreate.search import services

    monkeypatch.setattr(services, "MIN_CANDIDATES", 1)
    with app.test_request_context():
        for i in range(4):  # the word in their titles: the best matches, none of them public
            make_document(title=f"Calabacita reservada {i}", published=False, data=make_pdf(f"Nota {i}"))
        org = make_organisation(make_user(), name="Huerto vecinal")
        org.description = "<p>Sembramos calabacita y maíz.</p>"
        db.session.commit()
        page = services.search("calabacita", services.Filters(), per_page=1)
        assert page.total == 1 and [r.title for r in page.results] == ["Huerto vecinal"]
