"""Load the demo: the three secretariat seats, 40 organisations of every sector from 30 states, citizens,
an older plan that reached "consult" (demo/history.py) and the current one, at "collaborate"
(demo/process.py), so that the side-by-side view of their influence tells a story.

The organisations and people are fictional (only the public bodies named in shared/DOMAIN.md keep their
real names), so that no real organisation appears to have said what the demo says. Every write goes
through the same services a person would use, at the moment it happened: the steps run on a timeline
(demo/timeline.py) that holds the application's clock at each step's moment. So people register and
confirm their address before they act, the seats are assigned and the organisations registered
(December 2018 to January 2019) before the older plan's first act, and the participation log runs in the order things happened.
Deterministic: the same data every time (the current plan's dates are relative to the moment of loading).
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import delete, select
from werkzeug.security import generate_password_hash

from ..auth import services as auth
from ..auth.models import User
from ..core import tokens
from ..core.outbox import OutboxMessage
from ..core.sectors import Seat, Sector
from ..extensions import db
from ..organisations import services as organisations
from ..organisations.models import Organisation
from ..secretariat import services as secretariat
from .timeline import Timeline

PASSWORD = "cocrear-juntos-2026"  # noqa: S105 - the published password of the demo accounts
DOMAIN = "demo.example.org"

# When the platform's record begins: the administrator and the seat holders first, then the organisations
# one a day, all before the older plan's first act (February 2019, demo/history.py).
BEGINNING = datetime(2018, 12, 3, 16, tzinfo=UTC)
DAY, HOUR, MINUTE = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)
# People of the older plan who acted on their own (demo/history.py) registered in its announcement weeks.
EARLY_CITIZENS = {"persona11": datetime(2019, 3, 5, 18, tzinfo=UTC), "persona12": datetime(2019, 3, 6, 19, tzinfo=UTC)}

# (login, display name, role description)
KEY_ACCOUNTS = [
    ("admin", "Administración del sitio", "site administrator"),
    ("gobierno", "Laura Méndez Ortiz", "secretariat, government seat (SFP)"),
    ("garante", "Ricardo Salas Treviño", "secretariat, guarantor seat (INAI)"),
    ("nucleo", "Itzel Hernández Cruz", "secretariat, civil-society core group seat"),
    ("osc", "Mariana Torres Aguilar", "administrator of Observatorio Ciudadano de Transparencia"),
    ("ciudadana", "Guadalupe Ramírez Soto", "individual citizen, Oaxaca"),
]

# (name, acronym, sector, territory, verification)
ORGANISATIONS = [
    ("Observatorio Ciudadano de Transparencia", "OCT", Sector.CIVIL_SOCIETY, "MX-CMX", "verified"),
    ("Red Oaxaqueña por el Derecho a Saber", "ROADS", Sector.CIVIL_SOCIETY, "MX-OAX", "verified"),
    ("Colectivo Datos Abiertos del Norte", "CDAN", Sector.CIVIL_SOCIETY, "MX-NLE", "verified"),
    ("Fundación Sonorense para la Rendición de Cuentas", "FSRC", Sector.CIVIL_SOCIETY, "MX-SON", "verified"),
    ("Centro de Estudios para la Justicia Fiscal", "CEJUF", Sector.CIVIL_SOCIETY, "national", "verified"),
    ("Mujeres por la Participación Pública de Chiapas", "MUPPCH", Sector.CIVIL_SOCIETY, "MX-CHP", "verified"),
    ("Iniciativa Ciudadana Yucateca", "ICY", Sector.CIVIL_SOCIETY, "MX-YUC", "verified"),
    ("Laboratorio Cívico de Jalisco", "LabCJ", Sector.CIVIL_SOCIETY, "MX-JAL", "verified"),
    ("Alianza Veracruzana por el Agua", "AVA", Sector.CIVIL_SOCIETY, "MX-VER", "verified"),
    ("Defensa Ambiental de la Península", "DAP", Sector.CIVIL_SOCIETY, "MX-ROO", "verified"),
    ("Colectivo de Familias en Búsqueda de Coahuila", "CFBC", Sector.CIVIL_SOCIETY, "MX-COA", "verified"),
    ("Asociación Michoacana de Presupuesto Participativo", "AMPP", Sector.CIVIL_SOCIETY, "MX-MIC", "verified"),
    ("Contraloría Social Guerrerense", "CSG", Sector.CIVIL_SOCIETY, "MX-GRO", "verified"),
    ("Foro Ciudadano de Puebla", "FCP", Sector.CIVIL_SOCIETY, "MX-PUE", "verified"),
    ("Transparencia Fronteriza de Baja California", "TFBC", Sector.CIVIL_SOCIETY, "MX-BCN", "verified"),
    ("Red de Juventudes por el Gobierno Abierto", "RJGA", Sector.CIVIL_SOCIETY, "national", "verified"),
    ("Centro Hñähñu de Derechos Indígenas", "CHDI", Sector.CIVIL_SOCIETY, "MX-HID", "verified"),
    ("Observatorio de Contrataciones Públicas", "OCP", Sector.CIVIL_SOCIETY, "national", "verified"),
    ("Cooperativa de Periodismo de Datos de Zacatecas", "CPDZ", Sector.CIVIL_SOCIETY, "MX-ZAC", "pending"),
    ("Ciudadanía Activa de Tamaulipas", "CAT", Sector.CIVIL_SOCIETY, "MX-TAM", "verified"),
    ("Red Campechana de Contraloría Social", "RCCS", Sector.CIVIL_SOCIETY, "MX-CAM", "pending"),
    ("Colectivo Mar de Cortés Abierto", "CMCA", Sector.CIVIL_SOCIETY, "MX-BCS", "verified"),
    ("Vecinos Organizados del Valle de Toluca", "VOVT", Sector.CIVIL_SOCIETY, "MX-MEX", "verified"),
    ("Plan Estratégico Ciudadano de Juárez", "PECJ", Sector.CIVIL_SOCIETY, "MX-CHH", "rejected"),
    ("Programa Universitario de Gobierno Abierto del Bajío", "PUGAB", Sector.ACADEMIA, "MX-GUA", "verified"),
    ("Instituto de Investigación en Políticas Públicas de Aguascalientes", "IIPPA", Sector.ACADEMIA, "MX-AGU", "verified"),
    ("Centro Universitario de Estudios Sociales de Durango", "CUESD", Sector.ACADEMIA, "MX-DUR", "pending"),
    ("Cámara de Empresas Tecnológicas de Colima", "CETEC", Sector.PRIVATE_SECTOR, "MX-COL", "verified"),
    ("Consejo Empresarial por la Integridad", "CEI", Sector.PRIVATE_SECTOR, "MX-CMX", "verified"),
    ("Programa Regional de Gobernanza Abierta para América Latina", "PRGAL", Sector.INTERNATIONAL, "national", "verified"),
    ("Secretaría de la Función Pública", "SFP", Sector.GOVERNMENT, "national", "verified"),
    ("Coordinación de Estrategia Digital del Gobierno de Nayarit", "CEDN", Sector.GOVERNMENT, "MX-NAY", "verified"),
    ("Secretaría de Transparencia del Estado de Tlaxcala", "STET", Sector.GOVERNMENT, "MX-TLA", "verified"),
    ("Instituto Nacional de Transparencia, Acceso a la Información y Protección de Datos Personales", "INAI", Sector.GUARANTOR, "national", "verified"),
    ("Instituto de Acceso a la Información de Sinaloa", "IAIS", Sector.GUARANTOR, "MX-SIN", "verified"),
    ("Comisión Estatal de Transparencia de San Luis Potosí", "CETSLP", Sector.GUARANTOR, "MX-SLP", "verified"),
    ("Consejo Ciudadano del Sistema Anticorrupción de Morelos", "CCSAM", Sector.OTHER, "MX-MOR", "verified"),
    # Mexico City organisations that carried the older plan (demo/history.py)
    ("Red Metropolitana por la Rendición de Cuentas", "REMERC", Sector.CIVIL_SOCIETY, "MX-CMX", "verified"),
    ("Colectivo Presupuesto Abierto Capitalino", "CPAC", Sector.CIVIL_SOCIETY, "MX-CMX", "verified"),
    ("Seminario Universitario de Transparencia de la Ciudad de México", "SUTCM", Sector.ACADEMIA, "MX-CMX", "verified"),
]

FIRST_NAMES = [
    "Alejandra", "José Luis", "Fernanda", "Carlos", "Xóchitl", "Miguel Ángel", "Daniela", "Juan Pablo",
    "Rosa María", "Héctor", "Ximena", "Emiliano", "Paola", "Rodrigo", "Citlali", "Andrés", "Valeria",
    "Arturo", "Lucía", "Octavio", "Natalia", "Gerardo", "Yolanda", "Sergio",
]  # fmt: skip
LAST_NAMES = [
    "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Flores",
    "Vázquez", "Jiménez", "Moreno", "Castillo", "Chávez", "Ruiz", "Mendoza", "Domínguez", "Ortega",
    "Navarro", "Cervantes", "Juárez", "Rosales", "Zavala", "Pacheco",
]  # fmt: skip
CITIZEN_STATES = ["MX-OAX", "MX-CHP", "MX-GRO", "MX-MIC", "MX-VER", "MX-PUE", "MX-JAL", "MX-NLE", "MX-YUC",
                  "MX-SON", "MX-CMX", "MX-MEX", "MX-QUE", "MX-TAB", "MX-SIN"]

DESCRIPTIONS = {
    Sector.CIVIL_SOCIETY: "Organización de la sociedad civil que promueve el **acceso a la información**, la "
    "participación ciudadana y la rendición de cuentas en su región.",
    Sector.ACADEMIA: "Grupo académico que investiga y evalúa políticas de gobierno abierto.",
    Sector.PRIVATE_SECTOR: "Organismo empresarial comprometido con la integridad y los datos abiertos.",
    Sector.INTERNATIONAL: "Programa de cooperación internacional en gobernanza abierta.",
    Sector.GOVERNMENT: "Dependencia pública responsable de compromisos de gobierno abierto.",
    Sector.GUARANTOR: "Órgano garante autónomo del derecho de acceso a la información.",
    Sector.OTHER: "Instancia ciudadana de vigilancia y participación.",
}


def _email(login: str) -> str:
    return f"{login}@{DOMAIN}"


@cache
def _password_hash() -> str:
    # Hashing is slow on purpose; the demo's ~90 accounts share one hash of the one demo password.
    return generate_password_hash(PASSWORD)


def register(login: str, name: str, territory: str | None = None) -> User:
    """Register an account and confirm its address through the link the confirmation e-mail carries."""
    user = auth.register(name, _email(login), PASSWORD, territory, "es", password_hash=_password_hash())
    auth.confirm_email(tokens.make(auth.CONFIRM, {"u": user.id, "e": user.email}))
    return user


def _register_admin(login: str, name: str) -> None:
    """The site administrator, made one as the ``users create-admin`` command does."""
    register(login, name).is_admin = True


def _assign_seats(admin_login: str, seats: dict[Seat, str], members: dict[Seat, User]) -> None:
    admin = _account(admin_login)
    for seat, login in seats.items():
        secretariat.assign_seat(admin, _email(login), seat.value)
        members[seat] = _account(login)


def _account(login: str) -> User:
    return db.session.scalar(select(User).where(User.email == _email(login)))


def _invitation_token(email: str) -> str:
    """The token of the invitation link in the last invitation e-mailed to ``email``, as its recipient clicks it."""
    for body in db.session.scalars(select(OutboxMessage.body_text).where(OutboxMessage.recipient == email)
                                   .order_by(OutboxMessage.id.desc())):
        if found := re.search(r"/invitations/([\w-]+)", body):
            return found.group(1)
    raise LookupError(f"no invitation was e-mailed to {email}")


def _register_organisation(owner: tuple, data: dict, member: tuple | None) -> None:
    """The owner registers and creates the organisation; a second person, invited, registers and joins."""
    admin = register(*owner)
    org = organisations.create_organisation(admin, data)
    if member is not None:
        member_login, member_name, member_territory = member
        organisations.invite(admin, org, _email(member_login))
        joining = register(member_login, member_name, member_territory)
        organisations.accept_invitation(joining, _invitation_token(joining.email))


def _verify(reviewer: str, acronym: str, verification: str) -> None:
    org = db.session.scalar(select(Organisation).where(Organisation.acronym == acronym))
    reason = (None if verification == "verified"
              else "La clave CLUNI no corresponde a la organización en el Registro Federal de las OSC.")
    organisations.set_verification(_account(reviewer), Seat.GUARANTOR, org, verification, reason)


def _cluni(acronym: str, index: int, rng: random.Random) -> str:
    letters = "".join(c for c in acronym.upper() if c.isalpha())[:3].ljust(3, "X")
    return f"{letters}{rng.randint(5, 19):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{index:04d}"


def _accounts(timeline: Timeline, rng: random.Random, members: dict[Seat, User]) -> None:
    """Schedule the accounts, the seats and the organisations; ``members`` is filled once seats are assigned."""
    names = dict((login, name) for login, name, _role in KEY_ACCOUNTS)
    timeline.at(BEGINNING, _register_admin, "admin", names["admin"])
    seats = {Seat.GOVERNMENT: "gobierno", Seat.GUARANTOR: "garante", Seat.CIVIL_SOCIETY: "nucleo"}
    for i, login in enumerate(seats.values()):
        timeline.at(BEGINNING + DAY + i * HOUR, register, login, names[login])
    timeline.at(BEGINNING + 2 * DAY, _assign_seats, "admin", seats, members)

    used_names = set()
    for index, (name, acronym, sector, territory, verification) in enumerate(ORGANISATIONS, start=1):
        local = None if territory == "national" else territory
        if index == 1:
            owner = ("osc", names["osc"], None)
        else:
            while True:
                person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {rng.choice(LAST_NAMES)}"
                if person not in used_names:
                    used_names.add(person)
                    break
            owner = (acronym.lower(), person, local)
        data = {
            "name": name,
            "acronym": acronym,
            "sector": sector.value,
            "territory": territory,
            "cluni": _cluni(acronym, index, rng) if sector is Sector.CIVIL_SOCIETY else None,
            "website": f"https://{acronym.lower()}.example.org",
            "description_source": DESCRIPTIONS[sector],
        }
        # a second member for most organisations, so membership pages have something to show
        member = None
        if index % 3 != 0:
            member = (f"{acronym.lower()}.equipo", f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", local)
        registered = BEGINNING + (6 + index) * DAY + 10 * HOUR
        timeline.at(registered, _register_organisation, owner, data, member)
        if verification != "pending":
            timeline.at(registered + DAY + 7 * HOUR, _verify, "garante", acronym, verification)

    # Citizens: two took part in the older plan; the others, and the citizen of Oaxaca, registered once the
    # current plan's national call was announced (demo/process.py).
    announced = timeline.present.replace(minute=0, second=0, microsecond=0) - 145 * DAY
    for i, territory in enumerate(CITIZEN_STATES):
        login = f"persona{i + 1:02d}"
        name = f"{FIRST_NAMES[(i * 5) % len(FIRST_NAMES)]} {LAST_NAMES[(i * 7) % len(LAST_NAMES)]}"
        timeline.at(EARLY_CITIZENS.get(login, announced + i * 3 * HOUR), register, login, name, territory)
    timeline.at(announced + 2 * DAY, register, "ciudadana", names["ciudadana"], "MX-OAX")


def load() -> None:
    rng = random.Random(2026)
    timeline = Timeline()
    members: dict[Seat, User] = {}  # the seat holders, once the timeline has seated them
    _accounts(timeline, rng, members)

    from . import history, monitoring, process

    history.load(timeline, members)
    process.load(timeline, rng, members)
    monitoring.load(timeline, members)  # commitments' implementation, the IRM's assessment and recommendations
    timeline.run()  # the accounts and the two plans' acts, each at its moment
    from .repository import load as load_repository

    load_repository()  # the public repository (demo/repository.py)

    # The demo's own notifications (seat assignments, verifications, responses) are not news to anyone.
    db.session.execute(delete(OutboxMessage))
    db.session.flush()
    from .notifications import load as load_notifications

    load_notifications()


def logins_text() -> str:
    lines = [f"Demo accounts (password for all: {PASSWORD})"]
    for login, name, role in KEY_ACCOUNTS:
        lines.append(f"  {_email(login):<34} {name:<28} {role}")
    return "\n".join(lines)
