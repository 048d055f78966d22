"""Look-alike organisations: a name a reader could take for a registered one is a duplicate, and a name
with hidden or control characters is refused; stored keys are recomputed by a migration."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from ogpcocreate.auth.models import User
from ogpcocreate.core.errors import ServiceError
from ogpcocreate.core.text import name_key
from ogpcocreate.extensions import db
from ogpcocreate.organisations import services
from ogpcocreate.organisations.models import Organisation
from ogpcocreate.search import index as search_index

from .factories import make_organisation, make_user

REAL = "Fundación México Transparente"
LOOK_ALIKES = {
    "cyrillic O": "Fundación México Transparente".replace("o", "\u043e"),
    "cyrillic capital O": "FUNDACIÓN MÉXICO TRANSPARENTE".replace("O", "\u041e"),
    "greek omicron": "Fundación Méxic\u03bf Transparente",
    "cyrillic a and e": "Fund\u0430ción México Tr\u0430nsp\u0430r\u0435nte",
    "zero-width space": "Fundación\u200b México Transparente",
    "zero-width joiner": "Fundaci\u200dón México Transparente",
    "soft hyphen": "Funda\u00adción México Transparente",
    "right-to-left mark": "\u200fFundación México Transparente",
    "left-to-right override": "\u202dFundación México Transparente\u202c",
    "byte order mark": "\ufeffFundación México Transparente",
    "fullwidth letters": "ＦＵＮＤＡＣＩÓＮ ＭÉＸＩＣＯ Ｔｒａｎｓｐａｒｅｎｔｅ",
    "mathematical bold": "𝐅𝐮𝐧𝐝𝐚𝐜𝐢ó𝐧 México Transparente",
    "no accents, other case": "FUNDACION MEXICO TRANSPARENTE",
    "accent moved": "Fundacíon México Transparente",
    "greek tonos": "Fundaci\u03ccn México Transparente",
    "no-break space": "Fundación\u00a0México  Transparente",
    "punctuation": "Fundación, México. Transparente",
}
DIFFERENT = [
    "Fundación México Transparente Sur",
    "Fundación Mexicana Transparente",
    "Fundación México Abierto",
    "Fundación Oaxaca Transparente",
    "Transparente Fundación México",
]


@pytest.mark.parametrize("name", LOOK_ALIKES.values(), ids=LOOK_ALIKES.keys())
def test_look_alikes_share_the_key(name):
    assert name_key(name) == name_key(REAL)


@pytest.mark.parametrize("name", DIFFERENT)
def test_different_names_keep_different_keys(name):
    assert name_key(name) != name_key(REAL)


def test_the_key_fits_the_column_and_is_stable():
    long = "ﷺ" * 200  # NFKC expands each to 18 characters
    assert len(name_key(long)) <= 200
    assert name_key(name_key(REAL)) == name_key(REAL)


def _register(client, name: str):
    return client.post_form("/organisations/new", {"name": name, "sector": "academia", "territory": "MX-OAX"})


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Organisation.id)))


@pytest.fixture
def registered(app, client):
    with app.app_context():
        make_user("ana@example.org")
        make_organisation(make_user(), name=REAL)
        db.session.commit()
    client.login("ana@example.org")
    return client


@pytest.mark.parametrize("name", LOOK_ALIKES.values(), ids=LOOK_ALIKES.keys())
def test_a_look_alike_of_a_registered_organisation_is_refused(app, registered, name):
    response = _register(registered, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert ("Ya hay una organización registrada con este nombre" in page
            or "Escribe esto en una sola línea" in page), page[:3000]
    assert _count(app) == 1


@pytest.mark.parametrize("name", DIFFERENT)
def test_legitimately_different_names_are_accepted(app, registered, name):
    assert _register(registered, name).status_code == 302
    assert _count(app) == 2


@pytest.mark.parametrize("name", ["Fundación\u200b Nueva", "Fundación\r\nNueva", "Fundación\x07Nueva", "\u202eFundación"])
def test_the_service_refuses_hidden_and_control_characters_in_names(appctx, name):
    with pytest.raises(ServiceError) as refused:
        services.create_organisation(make_user(), {"name": name, "sector": "academia", "territory": "MX-OAX"})
    assert refused.value.field == "name"
    assert "caracteres invisibles" in refused.value.message


def test_renaming_to_a_look_alike_is_refused(appctx):
    admin = make_user()
    make_organisation(make_user(), name=REAL)
    other = make_organisation(admin, name="Colectivo Norte")
    with pytest.raises(ServiceError) as refused:
        services.update_organisation(admin, other, {"name": LOOK_ALIKES["cyrillic O"], "sector": "civil_society",
                                                    "territory": "MX-OAX", "cluni": other.cluni})
    assert refused.value.field == "name"


def test_the_migration_recomputes_stored_keys(app):
    """Rows keyed by the old rule (accents, case, spacing only) get the look-alike key; an existing
    twin keeps its row and gets a distinct key, and no new twin can register afterwards."""
    twin = "Fundaci\u043en México Transparente"  # Cyrillic о: the old rule told it apart
    hidden = "Colectivo\u200b Sur"
    with app.app_context():
        creator = make_user()  # before the downgrade: users gained columns after 0004
        db.session.commit()
        creator_id = creator.id
        db.session.remove()
        downgrade(revision="0004_tally")
        try:
            with search_index.paused():  # revision 0004 has no search index to keep
                rows = [Organisation(name=name, name_key=_legacy(name), sector="academia", territory="MX-OAX",
                                     created_by_id=creator_id) for name in (REAL, twin, hidden, "Red Norte")]
                db.session.add_all(rows)
                db.session.commit()
                ids = [row.id for row in rows]
                assert len({_legacy(r.name) for r in rows}) == 4
                db.session.remove()
        finally:
            upgrade()
        keys = dict(db.session.execute(select(Organisation.id, Organisation.name_key)).all())
        assert keys[ids[0]] == name_key(REAL)
        assert keys[ids[1]] == f"{name_key(REAL)} #{ids[1]}"
        assert keys[ids[2]] == "colectivo sur"
        assert keys[ids[3]] == "red norte"
        creator = db.session.get(User, creator_id)
        with pytest.raises(ServiceError):
            services.create_organisation(creator, {"name": "FUNDACION MEXICO TRANSPARENTE", "sector": "academia",
                                                   "territory": "MX-OAX"})
        db.session.rollback()


def _legacy(name: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.casefold().replace(".", " ").replace(",", " ").split())


# --- the verification badge beside every organisation name -------------------------------------------

VERIFIED, PENDING = "Verificada", "Verificación pendiente"


def _badges(page: str, name: str) -> list[str]:
    """The badge text right after each appearance of ``name`` on the page."""
    import re

    found = []
    for match in re.finditer(re.escape(name), page):
        badge = re.search(r'class="badge badge-\w+">([^<]+)</span>', page[match.end():match.end() + 400])
        found.append(badge.group(1) if badge else None)
    return found


def test_badges_beside_organisation_names_on_proposals_comments_meetings_and_the_record(app, client):
    from ogpcocreate.meetings.models import Attendance

    from .factories import make_call, make_comment, make_draft, make_meeting, make_proposal

    with app.app_context():
        real = make_organisation(make_user(), name=REAL)
        other = make_organisation(make_user(), name="Colectivo Sur Pendiente", verified=False)
        call = make_call(phase="open")
        proposals = [make_proposal(call, make_user(), org) for org in (real, other)]
        draft = make_draft(call, make_user(), sources=proposals)
        for org in (real, other):
            make_comment(draft.versions[0], make_user(), organisation=org)
        meeting = make_meeting(call)
        for org in (real, other):
            db.session.add(Attendance(meeting_id=meeting.id, user_id=make_user().id, organisation_id=org.id))
        creator = make_user()
        services.create_organisation(creator, {"name": "Observatorio Ciudadano", "sector": "academia",
                                               "territory": "MX-OAX"})
        db.session.commit()
        urls = {
            "call": f"/calls/{call.id}",
            "record of the call": f"/calls/{call.id}/record",
            "proposal": f"/proposals/{proposals[0].id}",
            "draft": f"/drafts/{draft.id}",
            "discussion": f"/drafts/{draft.id}/versions/1",
            "meeting": f"/meetings/{meeting.id}",
        }
    for what, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, what
        page = response.get_data(as_text=True)
        assert REAL in page, what
        assert set(_badges(page, REAL)) == {VERIFIED}, what
        if what != "proposal":
            assert set(_badges(page, "Colectivo Sur Pendiente")) == {PENDING}, what
    record = client.get("/record").get_data(as_text=True)
    assert _badges(record, "Observatorio Ciudadano") == [PENDING]


def test_the_public_record_costs_the_same_with_more_organisations(app, client):
    from .test_proposals import count_statements

    def register(n):
        with app.app_context():
            for _ in range(n):
                services.create_organisation(make_user(), {"name": f"Organización {make_user().id}",
                                                           "sector": "academia", "territory": "MX-OAX"})
            db.session.commit()

    def statements():
        client.get("/record")
        with count_statements(app) as seen:
            assert client.get("/record").status_code == 200
        return len(seen)

    register(3)
    small = statements()
    register(30)
    assert statements() == small
