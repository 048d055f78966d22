"""Demo of the current co-creation process, the Quinto Plan de Acción Nacional, built so that its
public influence is "collaborate" (shared/DOMAIN.md, "Level of public influence"):

- a national call, closed, with every proposal answered; a local call still open for proposals;
- a vote on priority themes with its results published (participants set the agenda);
- two draft commitments drafted in rounds: the register of beneficiaries has versions 1 and 2 closed
  with every comment answered and version 3 open for comments; the water-concessions register went
  through two rounds and was adopted by the secretariat's tripartite approval (not by a vote, so the
  process stops short of "empower");
- three working meetings, three to six weeks apart: in Mexico City (and online), online with the states,
  and in person in Oaxaca;
- participants from many states, online and in person.

Its dates are relative to the moment of loading, so the live round stays live. Every act goes through
the real services on the demo's timeline (demo/timeline.py), which holds the clock at the moment the act
happened: the services accept and record it as they would have then. ``Story`` holds the acts both plans
share; the older plan, which stops at "consult", is in demo/history.py.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from ..approvals.models import Action
from ..auth.models import User
from ..calls import services as calls
from ..calls.models import Call, Submitters
from ..comments import services as comments
from ..comments.models import Comment
from ..core.sectors import Seat, Sector
from ..drafts import services as drafts
from ..drafts.models import DraftCommitment
from ..extensions import db
from ..meetings import services as meetings
from ..meetings.models import Modality
from ..moderation import services as moderation
from ..organisations.models import Membership, Organisation, Role, Verification
from ..plans import services as plans
from ..proposals import services as proposals_
from ..proposals.models import Proposal
from ..responses import services as responses
from ..votes import services as votes
from ..votes.models import BallotKind, Electorate
from .timeline import Timeline

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
NATIONAL = "national"
APPROVED = "Aprobado en la sesión del Secretariado Técnico Tripartito."


# --- who acts -------------------------------------------------------------------------------------------


def org(acronym: str) -> tuple[Organisation, User]:
    """An organisation of demo/loader.py and its first administrator, who acts for it."""
    return tuple(db.session.execute(
        select(Organisation, User).join(Membership, Membership.organisation_id == Organisation.id)
        .join(User, User.id == Membership.user_id)
        .where(Organisation.acronym == acronym, Membership.role == Role.ADMIN).order_by(Membership.id).limit(1)
    ).one())


def person(login: str) -> User:
    return db.session.scalar(select(User).where(User.email.like(f"{login}@%")))


def _actor(key: str) -> tuple[Organisation | None, User]:
    """An organisation's acronym (its administrator acts for it), or the login of a person acting alone."""
    return (None, person(key)) if key.islower() else org(key)


# --- the acts both plans share, each a step of the timeline through the real service --------------------


class Story:
    """The acts of a process as steps on the timeline. Objects made by one step and used by later ones
    (a plan, a call, a meeting) are kept in ``objects`` under a name; the seat holders in ``members``
    (filled by demo/loader.py once the seats are assigned, so only read inside steps)."""

    def __init__(self, timeline: Timeline, members: dict[Seat, User]) -> None:
        self.timeline = timeline
        self.members = members
        self.objects: dict[str, object] = {}

    def at(self, moment: datetime, step: Callable, *args, **kwargs) -> None:
        self.timeline.at(moment, step, *args, **kwargs)

    @property
    def government(self) -> User:
        return self.members[Seat.GOVERNMENT]

    def plan(self, key: str, data: dict) -> None:
        self.objects[key] = plans.create_plan(self.government, Seat.GOVERNMENT, data)

    def edit_plan(self, key: str, data: dict) -> None:
        plans.update_plan(self.government, Seat.GOVERNMENT, self.objects[key], data)

    def call(self, plan_key: str, key: str, title: str, description: str, themes: list[str], submitters: Submitters,
             dates: tuple[datetime, ...]) -> None:
        """Create the call; the three seats approve its publication, a day apart, the last on its
        announcement date (calls/services.take_position: approved before it is announced)."""
        data = dict(zip(calls.SCHEDULE_FIELDS, dates, strict=True))
        created = calls.create_call(self.government, Seat.GOVERNMENT, self.objects[plan_key],
                                    dict(data, title=title, description_source=description, themes="\n".join(themes),
                                         submitters=submitters.value))
        self.objects[key] = created
        self._approvals(created.announce_at, self._approve_call, key, Action.PUBLISH_CALL)

    def publish_results(self, key: str, at: datetime) -> None:
        """The seats approve publishing the call's results, the last at ``at``."""
        self._approvals(at, self._approve_call, key, Action.PUBLISH_RESULTS)

    def _approvals(self, last: datetime, step: Callable, *args, comment: str = APPROVED, seats=tuple(Seat)) -> None:
        for i, seat in enumerate(seats):
            self.at(last - (len(seats) - 1 - i) * DAY, step, *args, seat=seat, comment=comment)

    def _approve_call(self, key: str, action: Action, *, seat: Seat, comment: str) -> None:
        calls.take_position(self.members[seat], seat, self.objects[key], action.value, "approve", comment)

    def propose(self, call_key: str, author: User, organisation: Organisation | None, theme: str, title: str,
                problem: str, action: str, response: tuple | None = None,
                result: str = "Información pública, útil y verificable para la ciudadanía.") -> Proposal:
        """Submit a proposal; ``response``: (seat, outcome, justification, when), scheduled."""
        target: Call = self.objects[call_key]
        proposal = proposals_.submit(author, target, {
            "organisation": organisation.id if organisation else None,
            "theme": next(t.id for t in target.themes if t.name == theme), "title": title,
            "problem_source": problem, "action_source": action, "expected_result_source": result})
        if response:
            seat, outcome, justification, when = response
            self.at(when, self.respond, seat, proposal, outcome, justification)
        return proposal

    def respond(self, seat: Seat, contribution, outcome: str, justification: str) -> None:
        responses.respond(self.members[seat], seat, contribution, outcome, justification)

    def meeting(self, call_key: str, starts_at: datetime, *, title: str, modality: Modality, place: str,
                territory: str, minutes: str, agreements: str, attendees: Callable[[], list[User]],
                unregistered: dict[Sector, int], signers: list[Seat], theme: int | None = None) -> None:
        """A meeting as the secretariat records it (meetings/services.py): created and published a week
        ahead; once it took place, its attendees (``attendees()``, read then), the counts of people
        without an account, and the seats' signatures of the minutes, a day apart from two days after."""
        key = f"meeting:{title}"

        def create() -> None:
            target: Call = self.objects[call_key]
            self.objects[key] = meetings.create_meeting(self.government, Seat.GOVERNMENT, target, {
                "theme": target.themes[theme].id if theme is not None else None, "title": title,
                "starts_at": starts_at, "modality": modality.value, "place": place, "territory": territory,
                "minutes_source": minutes, "agreements_source": agreements})

        def publish() -> None:
            meetings.publish_meeting(self.government, Seat.GOVERNMENT, self.objects[key])

        def attendance() -> None:
            meetings.add_attendees(self.government, Seat.GOVERNMENT, self.objects[key], [u.email for u in attendees()])

        def counts() -> None:
            meetings.set_unregistered(self.government, Seat.GOVERNMENT, self.objects[key],
                                      {sector.value: n for sector, n in unregistered.items()})

        def sign(*, seat: Seat, comment: str) -> None:
            meetings.take_position(self.members[seat], seat, self.objects[key], "approve", comment)

        self.at(starts_at - 7 * DAY, create)
        self.at(starts_at - 7 * DAY + HOUR, publish)
        self.at(starts_at + 3 * HOUR, attendance)
        self.at(starts_at + 4 * HOUR, counts)
        if signers:
            self._approvals(starts_at + (1 + len(signers)) * DAY, sign, comment="Firmada.", seats=signers)


# --- the current plan and its calls ----------------------------------------------------------------------

# --- the current plan and its calls ----------------------------------------------------------------------

PROPOSALS = [
    ("Transparencia y rendición de cuentas", "Padrón único y abierto de beneficiarios de programas sociales",
     "Los padrones se publican incompletos y en formatos cerrados.",
     "Publicar un padrón único, actualizado cada mes y en datos abiertos, con la metodología de depuración."),
    ("Transparencia y rendición de cuentas", "Publicación de contratos de obra pública con el estándar de contrataciones abiertas",
     "No es posible seguir una obra desde su planeación hasta su finiquito.",
     "Adoptar el Estándar de Datos de Contrataciones Abiertas en todas las dependencias federales."),
    ("Transparencia y rendición de cuentas", "Agenda pública de reuniones de funcionarios con cabilderos",
     "Las reuniones con grupos de interés no quedan registradas.",
     "Registro obligatorio y consultable de reuniones, asistentes y temas tratados."),
    ("Transparencia y rendición de cuentas", "Declaraciones patrimoniales en formato abierto",
     "Las versiones públicas se publican como imágenes.",
     "Publicarlas como datos estructurados y con buscador."),
    ("Participación ciudadana", "Presupuesto participativo en municipios indígenas",
     "Las comunidades no deciden sobre el gasto que les afecta.",
     "Programa piloto de presupuesto participativo con asambleas comunitarias y traducción a lenguas indígenas."),
    ("Participación ciudadana", "Consejos ciudadanos con voz y voto en la evaluación de programas",
     "Los consejos consultivos no tienen incidencia real.",
     "Reformar sus lineamientos para que sus recomendaciones reciban respuesta pública y obligatoria."),
    ("Participación ciudadana", "Consulta previa, libre e informada con protocolo público",
     "Los procesos de consulta se diseñan sin las comunidades.",
     "Protocolo elaborado con las comunidades y publicado con cada consulta."),
    ("Participación ciudadana", "Mesas de cocreación en las 32 entidades",
     "La participación se concentra en la Ciudad de México.",
     "Realizar sesiones presenciales y en línea en todas las entidades, con apoyo para traslados."),
    ("Datos abiertos", "Datos abiertos de calidad del aire en tiempo real",
     "Los datos de monitoreo se publican con semanas de retraso.",
     "Publicar los datos de las estaciones cada hora mediante una API abierta."),
    ("Datos abiertos", "Registro nacional de personas desaparecidas con datos abiertos",
     "El registro no permite análisis independientes.",
     "Publicar datos anonimizados con diccionario y actualización semanal, con participación de colectivos."),
    ("Datos abiertos", "Política de datos abiertos con retroalimentación ciudadana",
     "Los conjuntos publicados no responden a la demanda.",
     "Mecanismo público para solicitar conjuntos de datos y dar seguimiento a su publicación."),
    ("Datos abiertos", "Catálogo abierto de trámites y sus tiempos de respuesta",
     "No se conocen los tiempos reales de los trámites.",
     "Publicar tiempos de respuesta por trámite y oficina."),
    ("Justicia y derechos humanos", "Transparencia en las carpetas de investigación de alto impacto",
     "Las víctimas no acceden a información básica de sus casos.",
     "Versiones públicas y un portal de seguimiento para víctimas y familias."),
    ("Justicia y derechos humanos", "Estadísticas abiertas de feminicidios con metodología homologada",
     "Las cifras estatales no son comparables.",
     "Metodología única, publicada y construida con organizaciones de mujeres."),
    ("Justicia y derechos humanos", "Protocolo de protección a personas defensoras y periodistas",
     "Las medidas de protección son opacas y tardías.",
     "Publicar indicadores de tiempo de respuesta y evaluación independiente del mecanismo."),
    ("Medio ambiente y agua", "Transparencia en las concesiones de agua",
     "No se sabe quién usa el agua ni cuánta.",
     "Publicar el registro de concesiones con volúmenes y mediciones reales."),
    ("Medio ambiente y agua", "Fondo abierto para la restauración de cuencas",
     "Los recursos para cuencas no se pueden rastrear.",
     "Publicar asignaciones, proyectos y resultados con participación de comités de cuenca."),
    ("Medio ambiente y agua", "Evaluaciones de impacto ambiental consultables",
     "Las manifestaciones de impacto ambiental son difíciles de obtener.",
     "Publicar todas las manifestaciones completas y abrir un periodo de comentarios."),
]

JUSTIFICATIONS = {
    "adopted": "Se trabajará como borrador de compromiso en su mesa temática.",
    "partially_adopted": "Se retoma la publicación en datos abiertos; el resto requiere recursos que no están disponibles este año y se revisará en la siguiente ronda.",
    "merged": "Se integra con otra propuesta sobre el mismo tema para formar un solo borrador de compromiso.",
    "not_adopted": "La dependencia responsable no puede comprometer los recursos en este periodo; se documenta como antecedente para el siguiente plan.",
    "out_of_scope": "El tema corresponde a otro poder u orden de gobierno, que no participa en este plan; se canaliza a la instancia correspondiente.",
}

LOCAL_THEMES = ["Gobierno abierto municipal", "Contraloría social", "Datos abiertos locales"]
LOCAL_PROPOSALS = [
    ("Gobierno abierto municipal", "Cabildos abiertos transmitidos y con turno ciudadano"),
    ("Gobierno abierto municipal", "Portal municipal de obras con geolocalización"),
    ("Contraloría social", "Comités de contraloría social en programas de vivienda"),
    ("Contraloría social", "Capacitación a comités de obra en comunidades rurales"),
    ("Datos abiertos locales", "Presupuesto municipal ciudadano en datos abiertos"),
    ("Datos abiertos locales", "Mapa abierto de servicios de salud por municipio"),
]

PADRON = "Padrón único y abierto de beneficiarios de programas sociales"
AGUA = "Registro abierto de concesiones de agua"



def load(timeline: Timeline, rng: random.Random, members: dict[Seat, User]) -> None:
    now = timeline.present.replace(minute=0, second=0, microsecond=0)
    story = Story(timeline, members)
    start = (now + 120 * DAY).year
    story.at(now - 170 * DAY, story.plan, "current", {
        "name": "Quinto Plan de Acción Nacional", "period_start": start, "period_end": start + 2,
        "status": "co_creation", "notice_days": 14,
        "description_source": "Plan cocreado por el Secretariado Técnico Tripartito con la sociedad civil."})
    story.at(now - 160 * DAY, story.call, "current", "national",
             "Convocatoria a propuestas para el Quinto Plan de Acción Nacional",
             "Invitamos a organizaciones de la sociedad civil, academia y ciudadanía a proponer problemas públicos "
             "y acciones para el **Quinto Plan de Acción**. Cada propuesta recibirá una respuesta razonada.",
             list(dict.fromkeys(p[0] for p in PROPOSALS)), Submitters.ORGANISATIONS_AND_INDIVIDUALS,
             (now - 150 * DAY, now - 130 * DAY, now - 90 * DAY, now - 85 * DAY, now + 20 * DAY, now + 30 * DAY))
    story.at(now - 45 * DAY, story.call, "current", "local", "Convocatoria para la mesa de gobierno abierto local",
             "Propuestas para llevar el gobierno abierto a municipios y comunidades. Solo organizaciones.",
             LOCAL_THEMES, Submitters.ORGANISATIONS,
             (now - 40 * DAY, now - 25 * DAY, now + 20 * DAY, now + 22 * DAY, now + 45 * DAY, now + 55 * DAY))

    _vote_on_themes(story, rng, now)
    story.at(now - 130 * DAY, _proposals, story, rng)
    story.at(now - 25 * DAY, _local_proposals, story)
    _meetings(story, now)
    _drafts(story, now)


def _submitters() -> list[tuple[Organisation, User]]:
    """Verified organisations outside government and the guarantors, with the administrator who acts."""
    return [tuple(row) for row in db.session.execute(
        select(Organisation, User).join(Membership, Membership.organisation_id == Organisation.id)
        .join(User, User.id == Membership.user_id)
        .where(Organisation.verification == Verification.VERIFIED, Organisation.sector != Sector.GOVERNMENT,
               Organisation.sector != Sector.GUARANTOR, Membership.role == Role.ADMIN)
        .order_by(Organisation.id)
    )]


def _citizens() -> list[User]:
    return list(db.session.scalars(select(User).where(User.email.like("persona%")).order_by(User.email)))


def _proposals(story: Story, rng: random.Random) -> None:
    """Once the national call opened: its proposals, each answered after it closed (the outcomes drawn
    when the secretariat answers, in the order of the proposals)."""
    national: Call = story.objects["national"]
    submitters, citizens = _submitters(), _citizens()
    made = []
    for round_ in range(2):
        for i, (theme, title, problem, action) in enumerate(PROPOSALS):
            if round_ and i % 2:
                continue
            if (i + round_) % 4 == 3:
                author, organisation = citizens[(i + round_) % len(citizens)], None
            else:
                organisation, author = submitters[(i * 3 + round_ * 7) % len(submitters)]
            suffix = "" if not round_ else f" ({organisation.acronym if organisation else 'propuesta ciudadana'})"
            made.append((title + suffix, author, organisation, theme, problem, action))

    responders = list(story.members)
    for n, (title, author, organisation, theme, problem, action) in enumerate(made):
        at = national.opens_at + (6 + 35 * n) * HOUR
        answer = (responders[n % len(responders)], rng, national.closes_at + 2 * DAY + n * 12 * HOUR)
        story.at(at, _propose_and_answer, story, author, organisation, theme, title, problem, action, answer)
        if n == 1:
            # The same proposal sent twice by mistake and withdrawn by its author before the deadline: not
            # a contribution.
            story.at(at + 2 * HOUR, _duplicate, story, author, organisation, theme, title, problem, action)


OUTCOMES = ["adopted", "partially_adopted", "merged", "not_adopted", "out_of_scope"]
WEIGHTS = [20, 20, 15, 30, 15]


def _propose_and_answer(story: Story, author, organisation, theme, title, problem, action, answer) -> None:
    proposal = story.propose("national", author, organisation, theme, title, problem, action)
    seat, rng, when = answer
    story.at(when, _answer_proposal, story, seat, proposal, rng)


def _answer_proposal(story: Story, seat: Seat, proposal: Proposal, rng: random.Random) -> None:
    title = proposal.title
    if title.startswith(PADRON):
        outcome, text = ("adopted", f"Da origen al borrador de compromiso «{PADRON}».") \
            if not title.endswith(")") else ("merged", f"Se integra en el borrador de compromiso «{PADRON}».")
    elif title.startswith("Transparencia en las concesiones de agua"):
        outcome, text = "adopted", f"Da origen al borrador de compromiso «{AGUA}»."
    else:
        outcome = rng.choices(OUTCOMES, WEIGHTS)[0]
        text = JUSTIFICATIONS[outcome]
    story.respond(seat, proposal, outcome, text)


def _duplicate(story: Story, author, organisation, theme, title, problem, action) -> None:
    duplicate = story.propose("national", author, organisation, theme, title, problem, action)
    story.at(story.timeline.now + DAY, proposals_.withdraw, author, duplicate)


def _local_proposals(story: Story) -> None:
    """The local call, open now: organisations' proposals, not yet due a response."""
    local: Call = story.objects["local"]
    submitters = _submitters()
    for i, (theme, title) in enumerate(LOCAL_PROPOSALS):
        organisation, author = submitters[(i * 5 + 2) % len(submitters)]
        story.at(local.opens_at + (1 + 3 * i) * DAY + 5 * HOUR, story.propose, "local", author, organisation, theme,
                 title, "Los municipios publican poca información y la ciudadanía no participa en sus decisiones.",
                 "Acompañar a tres municipios piloto y publicar los resultados.")


def _vote_on_themes(story: Story, rng: random.Random, now: datetime) -> None:
    """Participants chose the priority themes while proposals were open, and the tally was published."""
    opens_at, closes_at = now - 128 * DAY, now - 118 * DAY

    def create() -> None:
        national: Call = story.objects["national"]
        ballot = votes.create_ballot(story.government, Seat.GOVERNMENT, national, {
            "kind": BallotKind.THEMES.value, "electorate": Electorate.ORGANISATIONS.value,
            "question": "¿Qué mesas temáticas deben tener prioridad en el Quinto Plan?",
            "opens_at": opens_at, "closes_at": closes_at})
        story.objects["ballot"] = ballot
        story.at(now - 135 * DAY + HOUR, votes.publish_ballot, story.government, Seat.GOVERNMENT, ballot)
        participants = db.session.execute(
            select(Organisation, User).join(Membership, Membership.organisation_id == Organisation.id)
            .join(User, User.id == Membership.user_id)
            .where(Organisation.verification == Verification.VERIFIED, Membership.role == Role.ADMIN)
            .order_by(Organisation.id)
        ).all()
        for n, (organisation, voter) in enumerate(participants):
            chosen = [o.id for o in rng.sample(ballot.options, k=rng.randint(1, 3))]
            story.at(opens_at + (5 + 5 * n) * HOUR, votes.cast_vote, voter, ballot,
                     {"organisation": organisation.id, "approve": chosen})
        story.at(closes_at + 2 * DAY, votes.publish_results, story.government, Seat.GOVERNMENT, ballot)

    story.at(now - 135 * DAY, create)


def _meetings(story: Story, now: datetime) -> None:
    """Three working meetings: in Mexico City (and online), online with the states, and in Oaxaca."""

    def cdmx() -> list[User]:
        submitters, citizens = _submitters(), _citizens()
        near = [row for row in submitters if row[0].territory in ("MX-CMX", "MX-MEX", NATIONAL)]
        return [u for _o, u in near + submitters[:14:2]] + [citizens[10]]

    def states() -> list[User]:
        submitters, citizens = _submitters(), _citizens()
        far = [row for row in submitters if row[0].territory not in ("MX-CMX", "MX-MEX", NATIONAL)]
        return [u for _o, u in far[:16]] + citizens[:6]

    def south() -> list[User]:
        submitters, citizens = _submitters(), _citizens()
        near = [u for o, u in submitters if o.territory in ("MX-OAX", "MX-CHP", "MX-GRO", "MX-VER", "MX-HID")]
        return near + [person("ciudadana")] + [c for c in citizens if c.territory in ("MX-OAX", "MX-CHP", "MX-GRO")]

    story.meeting(
        "national", now - 87 * DAY, theme=0, title="Mesa de trabajo: transparencia y rendición de cuentas",
        modality=Modality.HYBRID, place="Auditorio del órgano garante, Ciudad de México", territory="MX-CMX",
        minutes=f"Se presentaron las {len(PROPOSALS) + len(PROPOSALS[::2])} propuestas recibidas y se acordó "
                "agruparlas en borradores de compromiso por mesa temática. Las organizaciones pidieron ampliar la consulta a los estados.",
        agreements="1. Publicar los primeros borradores en cinco días.\n"
                   "2. Realizar una sesión en línea para los estados y una mesa regional en el sur.",
        attendees=cdmx, unregistered={Sector.CITIZEN: 23, Sector.ACADEMIA: 4, Sector.CIVIL_SOCIETY: 6},
        signers=list(Seat))
    story.meeting(
        "national", now - 45 * DAY, title="Sesión en línea con organizaciones de los estados", modality=Modality.ONLINE,
        place="", territory=NATIONAL,
        minutes="Se revisó la versión 2 del borrador sobre el padrón de beneficiarios. Las organizaciones de "
                "los estados pidieron un diccionario de datos común y una evaluación independiente.",
        agreements="1. Comentar la versión 2 antes del cierre de su ronda.\n2. Convocar la mesa regional sur.",
        attendees=states, unregistered={Sector.CITIZEN: 41, Sector.CIVIL_SOCIETY: 9}, signers=list(Seat))
    story.meeting(
        "national", now - 20 * DAY, title="Mesa regional sur: Oaxaca, Chiapas y Guerrero", modality=Modality.IN_PERSON,
        place="Casa de la Cultura, Oaxaca de Juárez, Oaxaca", territory="MX-OAX",
        minutes="Se presentó la versión 3 del borrador sobre el padrón de beneficiarios, abierta a comentarios. "
                "Las comunidades pidieron materiales en lenguas indígenas y asesoría para comentar en línea.",
        agreements="1. Traducir el resumen de la versión 3 al zapoteco y al mixteco.\n"
                   "2. Acompañar a las comunidades para comentar antes del cierre de la ronda.",
        attendees=south, unregistered={Sector.CITIZEN: 57, Sector.CIVIL_SOCIETY: 12, Sector.GOVERNMENT: 5},
        # the civil-society seat has not signed yet: the record shows what is pending
        signers=[Seat.GOVERNMENT, Seat.GUARANTOR])


# --- drafting in rounds ------------------------------------------------------------------------------

PADRON_TEXT = {
    "problem": "Los padrones de programas sociales se publican incompletos y en formatos cerrados, lo que impide "
               "verificar quién recibe los apoyos.",
    "status_quo": "Cada dependencia publica su padrón con criterios distintos y sin actualización periódica.",
    "description": "Publicar un padrón único de beneficiarios en datos abiertos, actualizado cada trimestre.",
    "how": "Permite a la ciudadanía y a las organizaciones verificar la entrega de apoyos y detectar duplicidades.",
    "relevance": "Transparencia y rendición de cuentas: información pública, oportuna y reutilizable.",
    "other_actors": "Organizaciones de la sociedad civil que dan seguimiento a programas sociales; academia.",
}
PADRON_V2 = dict(
    PADRON_TEXT,
    problem=PADRON_TEXT["problem"] + " Las quejas se concentran en los programas de becas.",
    description="Publicar un padrón único de beneficiarios en datos abiertos y en formato accesible, actualizado "
                "cada mes, con un mecanismo de quejas ciudadanas.",
    how=PADRON_TEXT["how"] + " Incluye los programas federales que operan los municipios.",
)
PADRON_V3 = dict(
    PADRON_V2,
    description=PADRON_V2["description"] + " El padrón se publica con un diccionario de datos común y se somete "
                                           "a una evaluación independiente al cabo del primer año.",
    other_actors=PADRON_TEXT["other_actors"] + " Contralorías sociales comunitarias.",
)
AGUA_TEXT = {
    "problem": "No se sabe quién tiene concesiones de agua, cuánta agua se extrae ni si se respetan los volúmenes "
               "concesionados.",
    "status_quo": "El registro público de derechos de agua se consulta título por título y sin datos de medición.",
    "description": "Publicar en datos abiertos el registro de concesiones de agua con titulares, volúmenes "
                   "concesionados y ubicación, actualizado cada trimestre.",
    "how": "Permite a comunidades y organizaciones comparar lo concesionado con la disponibilidad de cada acuífero.",
    "relevance": "Transparencia y participación ciudadana en la gestión de un bien común.",
    "other_actors": "Comités de cuenca, organizaciones ambientales y academia.",
}
AGUA_V2 = dict(
    AGUA_TEXT,
    description="Publicar en datos abiertos el registro de concesiones de agua con titulares, volúmenes "
                "concesionados, volúmenes medidos y ubicación, actualizado cada mes, con un visor por cuenca "
                "y una guía en lenguaje claro.",
)

# (version, organisation acronym or a login, section, text, outcome, justification, incorporated in the next version)
PADRON_COMMENTS = {
    1: [
        ("OCT", "description", "La actualización trimestral es insuficiente: proponemos actualización **mensual**.",
         "adopted", "Incorporado en la versión 2: la actualización pasa a ser mensual.", True),
        ("ROADS", "problem", "Conviene mencionar explícitamente a los programas de becas, donde hay más quejas.",
         "partially_adopted", "Incorporado en la versión 2: el problema menciona los programas de becas; el detalle "
                              "por programa irá en los lineamientos del padrón.", True),
        ("CDAN", None, "Apoyamos el compromiso; pedimos que incluya un mecanismo de quejas ciudadanas.",
         "adopted", "Incorporado en la versión 2: se añade un mecanismo de quejas ciudadanas.", True),
        ("FSRC", "milestones", "El primer hito debería tener una fecha más cercana.",
         "not_adopted", "La dependencia responsable necesita seis meses para homologar los padrones estatales; "
                        "la fecha del primer hito se mantiene.", False),
        ("MUPPCH", "how", "Sugerimos incluir a los municipios que operan programas federales.",
         "partially_adopted", "Incorporado en la versión 2 para los programas federales que operan los municipios; "
                              "los programas municipales propios quedan fuera del alcance de este compromiso.", True),
        ("ciudadana", "description", "Pido que el padrón esté también en formato accesible y en lenguas indígenas.",
         "partially_adopted", "Incorporado en la versión 2 el formato accesible; la traducción a lenguas indígenas "
                              "se canaliza a la mesa regional sur.", True),
    ],
    2: [
        ("LabCJ", "milestones", "Agregar un hito de evaluación independiente del padrón al final del primer año.",
         "adopted", "Incorporado en la versión 3: se añade el hito de evaluación independiente.", True),
        ("PUGAB", "description", "Definir un diccionario de datos común y publicarlo junto con el padrón.",
         "adopted", "Incorporado en la versión 3: el padrón se publica con un diccionario de datos común.", True),
        ("CEI", "relevance", "Relacionar el compromiso con la norma técnica de datos abiertos vigente.",
         "merged", "Se atiende junto con el comentario sobre el diccionario de datos, incorporado en la versión 3.",
         False),
        ("persona03", "other_actors", "Incluir a las contralorías sociales comunitarias entre los actores.",
         "partially_adopted", "Incorporado en la versión 3 entre los otros actores; su papel se definirá en los "
                              "lineamientos.", True),
        ("CSG", None, "Publicar también los montos entregados a cada persona beneficiaria.",
         "not_adopted", "Publicar montos individuales requiere una evaluación de impacto en la protección de datos "
                        "personales; el órgano garante la revisará y se documenta para la siguiente etapa.", False),
    ],
    3: [  # the live round: still open, so these await their window and are not yet due a response
        ("AVA", "milestones", "La evaluación independiente debería publicarse completa, con sus datos."),
        ("ciudadana", None, "Gracias por incluir el formato accesible. ¿Cuándo estará el resumen en zapoteco?"),
        ("TFBC", "description", "Proponemos que el padrón permita descargar el historial de altas y bajas."),
        ("persona07", "problem", "En mi municipio el padrón no coincide con las personas que reciben el apoyo."),
    ],
}
AGUA_COMMENTS = {
    1: [
        ("AVA", "description", "Sin los volúmenes **medidos** no se puede saber si se respeta lo concesionado.",
         "adopted", "Incorporado en la versión 2: se publican también los volúmenes medidos.", True),
        ("DAP", None, "Pedimos un visor por cuenca para que las comunidades ubiquen las concesiones cercanas.",
         "adopted", "Incorporado en la versión 2: se añade un visor por cuenca.", True),
        ("persona05", "how", "Que la información se explique en lenguaje claro, no solo en tablas.",
         "partially_adopted", "Incorporado en la versión 2 como una guía en lenguaje claro; el visor no sustituye "
                              "la asesoría de los comités de cuenca.", True),
    ],
    2: [
        ("IIPPA", None, "El visor debería mostrar también las descargas de aguas residuales.",
         "out_of_scope", "Las descargas son otro registro, a cargo de otra autoridad; se documenta como propuesta "
                         "para el siguiente plan.", False),
        ("FSRC", "description", "¿Se publicarán las mediciones de las concesiones de uso minero?",
         "adopted", "Sí: el texto adoptado cubre todas las concesiones, incluidas las de uso minero.", False),
    ],
}



class _Round:
    """The comments of one round of a draft, spread over its window a day and two hours apart from its second
    day, and the replies to them; ``made`` holds (comment, row) in that order once they are written."""

    def __init__(self, story: Story, draft_key: str, published_at: datetime, rows: list[tuple]) -> None:
        self.story, self.draft_key = story, draft_key
        self.start = published_at + DAY + 3 * HOUR
        self.made: list[tuple[Comment, tuple] | None] = [None] * len(rows)
        for i, row in enumerate(rows):
            story.at(self.when(i), self._write, i, row)

    def when(self, i: int) -> datetime:
        return self.start + i * (DAY + 2 * HOUR)

    def _write(self, slot: int, row: tuple, parent: int | None = None) -> None:
        key, section, body = row[:3]
        comment = _comment(self.story, self.draft_key, key, section, body,
                           parent=self.made[parent][0] if parent is not None else None)
        self.made[slot] = (comment, row)

    def reply(self, to: int, delay: timedelta, key: str, body: str, answer: tuple) -> None:
        """A participant's reply to comment ``to``, ``delay`` after it; ``answer``: (outcome, justification)."""
        slot = len(self.made)
        self.made.append(None)
        self.story.at(self.when(to) + delay, self._write, slot, (key, None, body, *answer, False), parent=to)

    def secretariat_reply(self, to: int, body: str) -> None:
        """The secretariat answers in the thread a day later: not a contribution, it needs no response."""
        def write() -> None:
            version = self.story.objects[self.draft_key].current_version
            comments.add(self.story.government, version, {"body_source": body, "parent": str(self.made[to][0].id)})

        self.story.at(self.when(to) + DAY, write)

    def taken(self) -> list[int]:
        """The comments the next version incorporates."""
        return [comment.id for comment, row in self.made if row[5]]

    def answer(self, at: datetime) -> None:
        """The government seat answers every comment of the closed round, twenty minutes apart."""
        def schedule() -> None:
            for i, (comment, row) in enumerate(self.made):
                self.story.at(at + i * 20 * MINUTE, self.story.respond, Seat.GOVERNMENT, comment, row[3], row[4])

        self.story.at(at, schedule)


def _comment(story: Story, draft_key: str, key: str, section: str | None, body: str,
             parent: Comment | None = None) -> Comment:
    organisation, author = _actor(key)
    version = story.objects[draft_key].current_version
    return comments.add(author, version, {"body_source": body, "section": section,
                                          "organisation": organisation.id if organisation else None,
                                          "parent": str(parent.id) if parent else None})


def _draft(story: Story, key: str, title: str, sources: str) -> None:
    national: Call = story.objects["national"]
    proposals = list(db.session.scalars(select(Proposal).where(
        Proposal.call_id == national.id, Proposal.title.like(sources), Proposal.withdrawn_at.is_(None))
        .order_by(Proposal.id)))
    story.objects[key] = drafts.create_draft(story.government, Seat.GOVERNMENT, national, {
        "theme": proposals[0].theme_id, "title": title, "sources": [p.id for p in proposals]})


def _version(story: Story, key: str, days: int, text: dict, milestones: list, note: str = "",
             previous: _Round | None = None) -> None:
    draft: DraftCommitment = story.objects[key]
    data = {f"{name}_source": source for name, source in text.items()}
    data.update(comment_days=days, change_note=note,
                milestones=[{"description": d, "due": due, "responsible": r} for d, due, r in milestones],
                incorporate_comments=previous.taken() if previous else [])
    drafts.publish_version(story.government, Seat.GOVERNMENT, draft, data)


def _hidden(story: Story, draft_key: str, at: datetime) -> None:
    """A comment reported and hidden by moderation: kept, with its public reason; not a contribution to answer."""
    made: list[Comment] = []
    story.at(at, lambda: made.append(_comment(story, draft_key, "cmca", None, "Texto con insultos a una funcionaria.")))
    story.at(at + 3 * HOUR, lambda: moderation.report(org("OCT")[1], made[0], "Insulta a una servidora pública."))
    story.at(at + DAY, lambda: moderation.hide(story.members[Seat.GUARANTOR], Seat.GUARANTOR, made[0],
                                               "Incumple el código de conducta: contiene insultos personales."))


def _drafts(story: Story, now: datetime) -> None:
    story.at(now - 84 * DAY, _draft, story, "padron", PADRON, "Padrón único%")
    story.at(now - 83 * DAY, _draft, story, "agua", AGUA, "Transparencia en las concesiones%")
    due = [(now + d * DAY).date() for d in (180, 330, 540)]
    padron_milestones = [("Lineamientos del padrón único publicados", due[0], "Secretaría de Bienestar"),
                         ("Primera publicación en datos abiertos", due[1], "Secretaría de Bienestar")]

    # Padrón, round 1: comments, a reply, the secretariat's own reply, a comment hidden by moderation.
    v1 = now - 82 * DAY
    story.at(v1, _version, story, "padron", 20, PADRON_TEXT, padron_milestones)
    first = _Round(story, "padron", v1, PADRON_COMMENTS[1])
    first.reply(0, 5 * HOUR, "CAT", "Coincidimos: la periodicidad mensual es viable.",
                ("merged", "Se atiende junto con el comentario al que responde, incorporado en la versión 2."))
    first.secretariat_reply(3, "La fecha depende de la homologación de los padrones estatales; lo revisaremos en "
                               "la mesa.")
    _hidden(story, "padron", now - 72 * DAY)
    v2 = now - 55 * DAY + 10 * HOUR
    story.at(v2, _version, story, "padron", 20, PADRON_V2, padron_milestones,
             note="Se adopta la actualización mensual, el formato accesible y un mecanismo de quejas; se "
                  "mencionan los programas de becas y los municipios.", previous=first)
    first.answer(now - 55 * DAY + 12 * HOUR)

    second = _Round(story, "padron", v2, PADRON_COMMENTS[2])
    second.reply(0, 7 * HOUR, "MUPPCH", "Sugerimos que la evaluación la haga una universidad pública.",
                 ("partially_adopted", "La versión 3 prevé la evaluación independiente; la institución se elegirá por "
                  "convocatoria abierta, a la que pueden concursar las universidades públicas."))
    v3_milestones = padron_milestones + [("Evaluación independiente del padrón publicada", due[2],
                                          "Secretaría de Bienestar")]
    v3 = now - 28 * DAY + 10 * HOUR
    story.at(v3, _version, story, "padron", 35, PADRON_V3, v3_milestones,
             note="Se añaden un diccionario de datos común, una evaluación independiente y las contralorías "
                  "sociales comunitarias.", previous=second)
    second.answer(now - 28 * DAY + 12 * HOUR)
    for i, (key, section, body) in enumerate(PADRON_COMMENTS[3]):
        story.at(v3 + (2 + 6 * i) * DAY + 4 * HOUR, _comment, story, "padron", key, section, body)

    # Concesiones de agua: two rounds, then adopted by the three seats.
    agua_milestones = [("Registro de concesiones publicado en datos abiertos", due[0], "Autoridad federal del agua"),
                       ("Volúmenes medidos publicados para los acuíferos sobreexplotados", due[1],
                        "Autoridad federal del agua")]
    w1 = now - 80 * DAY
    story.at(w1, _version, story, "agua", 20, AGUA_TEXT, agua_milestones)
    first = _Round(story, "agua", w1, AGUA_COMMENTS[1])
    w2 = now - 52 * DAY + 10 * HOUR
    story.at(w2, _version, story, "agua", 20, AGUA_V2, agua_milestones,
             note="Se añaden los volúmenes medidos, la actualización mensual, un visor por cuenca y una guía "
                  "en lenguaje claro.", previous=first)
    first.answer(now - 52 * DAY + 12 * HOUR)
    second = _Round(story, "agua", w2, AGUA_COMMENTS[2])
    second.answer(now - 30 * DAY + 12 * HOUR)

    def adopt(*, seat: Seat, comment: str) -> None:
        drafts.take_adoption_position(story.members[seat], seat, story.objects["agua"], "approve", comment)

    for i, seat in enumerate(Seat):
        story.at(now - 14 * DAY + i * HOUR, adopt, seat=seat, comment="Adoptado como compromiso final del Quinto Plan.")
