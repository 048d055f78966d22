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

Its dates are relative to the moment of loading, so the live round stays live. Dates in the past are
refused by the services, so the rows are written here directly, as the services would have written
them at the time; every act still goes into the participation log, with the moment it happened
(``Acts``). The older plan, which stops at "consult", is in demo/history.py.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from ..approvals.models import Action, Approval, Stance
from ..auth.models import User
from ..calls.models import Call, Submitters, Theme
from ..comments.models import Comment
from ..core import eventlog, richtext
from ..core.db import utcnow
from ..core.eventlog import Channel, Verb
from ..core.sectors import Seat, Sector
from ..drafts.models import Adoption, DraftCommitment, DraftVersion, Incorporation, Milestone, Section
from ..extensions import db
from ..meetings.models import Attendance, Meeting, Modality, UnregisteredAttendance
from ..moderation.models import Decision, ModerationAction, Report
from ..organisations.models import Membership, Organisation, Role, Verification
from ..plans.models import ActionPlan, PlanStatus
from ..proposals.models import Proposal
from ..responses.models import Outcome, Response
from ..votes import services as votes
from ..votes.models import Ballot, BallotKind, BallotOption, BallotVoter, Electorate, Vote

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
NATIONAL = "national"


# --- the record of the acts ---------------------------------------------------------------------------


class Acts:
    """The demo's acts with the moment each happened, appended to the participation log in that order.

    The rows are written as the demo builds them; their log entries wait here and ``write`` appends them
    sorted by time, so the chain runs in the order things happened, as it would have live.
    """

    def __init__(self) -> None:
        self._pending: list[tuple] = []

    def __call__(self, at: datetime, actor, verb: Verb, subject=None, organisation=None, data=None, **context) -> None:
        self._pending.append((at, len(self._pending), actor, verb, subject, organisation, data, context))

    def write(self) -> None:
        for at, _n, actor, verb, subject, organisation, data, context in sorted(self._pending, key=lambda a: a[:2]):
            eventlog.record(actor, verb, subject, organisation, data, at=at, **context)
        self._pending.clear()


# --- helpers shared with demo/history.py ---------------------------------------------------------------


def org(acronym: str) -> tuple[Organisation, User]:
    """An organisation of demo/loader.py and its first administrator, who acts for it."""
    return tuple(db.session.execute(
        select(Organisation, User).join(Membership, Membership.organisation_id == Organisation.id)
        .join(User, User.id == Membership.user_id)
        .where(Organisation.acronym == acronym, Membership.role == Role.ADMIN).order_by(Membership.id).limit(1)
    ).one())


def person(login: str) -> User:
    return db.session.scalar(select(User).where(User.email.like(f"{login}@%")))


def plan(acts: Acts, creator: User, at: datetime, **fields) -> ActionPlan:
    description = fields.pop("description")
    created = ActionPlan(description_source=description, description=richtext.sanitize(description),
                         requires_tripartite=True, notice_days=14, created_by_id=creator.id, created_at=at,
                         updated_at=at, **fields)
    db.session.add(created)
    db.session.flush()
    acts(at, creator, Verb.CREATED, created, sector=Sector.GOVERNMENT, territory=NATIONAL, plan=created,
         data={"name": created.name, "requires_tripartite": True})
    return created


def call(acts: Acts, action_plan: ActionPlan, creator: User, at: datetime, title: str, description: str,
         themes: list[str], submitters: Submitters, dates: tuple[datetime, ...]) -> Call:
    created = Call(plan_id=action_plan.id, plan=action_plan, title=title, description_source=description,
                   description=richtext.sanitize(description), submitters=submitters, created_by_id=creator.id,
                   created_at=at, updated_at=at,
                   **dict(zip(("announce_at", "opens_at", "closes_at", "deliberation_at", "decision_at", "results_at"),
                              dates, strict=True)))
    created.themes = [Theme(name=name, position=i) for i, name in enumerate(themes)]
    db.session.add(created)
    db.session.flush()
    acts(at, creator, Verb.CREATED, created, sector=Sector.GOVERNMENT, territory=NATIONAL, call=created,
         data={"title": created.title, "short_notice": created.short_notice})
    return created


def approve(acts: Acts, target, action: Action, members: dict[Seat, User], at: datetime,
            comment: str = "Aprobado en la sesión del Secretariado Técnico Tripartito.") -> tuple[Seat, User]:
    """Each seat's approval, an hour apart (approvals/services.take_position); returns the last to approve."""
    column = {"call": "call_id", "meeting": "meeting_id", "draft_commitment": "draft_id"}[target.__tablename__]
    process_call = target if target.__tablename__ == "call" else target.call
    for i, (seat, member) in enumerate(members.items()):
        approval = Approval(action=action, seat=seat, user_id=member.id, stance=Stance.APPROVE, comment=comment,
                            created_at=at + i * HOUR, **{column: target.id})
        db.session.add(approval)
        db.session.flush()
        acts(at + i * HOUR, member, Verb.APPROVED, approval, sector=seat.sector, territory=NATIONAL, call=process_call,
             data={"action": action.value, "seat": seat.value, "comment": comment, "on": target.__tablename__,
                   "id": target.id})
    return seat, member


def publish(acts: Acts, target: Call, action: Action, members: dict[Seat, User], at: datetime) -> None:
    """Publish a call or its results at ``at``, once the three seats approved (calls/services.py)."""
    seat, member = approve(acts, target, action, members, at - 2 * DAY)
    if action is Action.PUBLISH_CALL:
        target.published_at = at
    else:
        target.results_published_at = at
    verb = Verb.PUBLISHED if action is Action.PUBLISH_CALL else Verb.RESULTS_PUBLISHED
    acts(at, member, verb, target, sector=seat.sector, territory=NATIONAL, call=target,
         data={"action": action.value, "approved_by": [s.value for s in members],
               "short_notice": target.short_notice, "notice_days": target.notice.days})


def propose(acts: Acts, target: Call, author: User, organisation: Organisation | None, theme: str, title: str,
            problem: str, action: str, at: datetime,
            result: str = "Información pública, útil y verificable para la ciudadanía.") -> Proposal:
    proposal = Proposal(call_id=target.id, theme_id=next(t.id for t in target.themes if t.name == theme),
                        author_id=author.id, organisation_id=organisation.id if organisation else None, title=title,
                        problem_source=problem, problem=richtext.sanitize(problem),
                        action_source=action, action=richtext.sanitize(action),
                        expected_result_source=result, expected_result=richtext.sanitize(result),
                        created_at=at, updated_at=at)
    db.session.add(proposal)
    db.session.flush()
    acts(at, author, Verb.SUBMITTED, proposal, organisation, call=target, data={"title": title})
    return proposal


def respond(acts: Acts, member: User, seat: Seat, contribution, outcome: str, justification: str,
            at: datetime) -> Response:
    """A first reasoned response (responses/services.respond, without the e-mail the demo would delete)."""
    outcome = Outcome(outcome)
    if outcome.needs_justification and not justification:
        raise ValueError("a justification is required unless the contribution is adopted")
    response = Response(revision=1, is_current=True, outcome=outcome, justification_source=justification,
                        justification=richtext.sanitize(justification), responder_id=member.id, seat=seat,
                        created_at=at)
    kind = contribution.__tablename__
    setattr(response, f"{kind}_id", contribution.id)
    db.session.add(response)
    db.session.flush()
    organisation = contribution.organisation
    target = contribution.call if kind == "proposal" else contribution.version.draft.call
    acts(at, member, Verb.RESPONDED, response, sector=seat.sector, territory=NATIONAL, call=target,
         data={kind: contribution.id, "outcome": outcome.value, "revision": 1,
               "contributor_sector": organisation.sector.value if organisation else "citizen"})
    return response


def meeting(acts: Acts, target: Call, creator: User, at: datetime, *, title: str, modality: Modality, place: str,
            territory: str, minutes: str, agreements: str, attendees: list[tuple[Organisation | None, User]],
            unregistered: dict[Sector, int], signers: dict[Seat, User], theme: Theme | None = None) -> Meeting:
    """A meeting as meetings/services.py records it: created ahead, attendance and counts after it took
    place, then the seats' approval of the minutes (signed once all three approved)."""
    created = Meeting(call_id=target.id, call=target, theme_id=theme.id if theme else None, title=title,
                      starts_at=at, modality=modality, place=place, territory=territory,
                      minutes_source=minutes, minutes=richtext.sanitize(minutes), agreements_source=agreements,
                      agreements=richtext.sanitize(agreements), created_by_id=creator.id, created_at=at - 7 * DAY,
                      published_at=at - 7 * DAY + HOUR)
    db.session.add(created)
    db.session.flush()
    summary = {"title": title, "starts_at": at, "modality": modality.value, "territory": territory,
               "theme": created.theme_id}
    acts(at - 7 * DAY, creator, Verb.CREATED, created, sector=Sector.GOVERNMENT, territory=NATIONAL, call=target,
         data=summary)
    acts(created.published_at, creator, Verb.PUBLISHED, created, sector=Sector.GOVERNMENT, territory=NATIONAL,
         call=target, data={"action": "publish_meeting", **summary})
    channel = Channel.ONLINE if modality is Modality.ONLINE else Channel.IN_PERSON
    attendees = list({attendee.id: (organisation, attendee) for organisation, attendee in attendees}.values())
    for i, (organisation, attendee) in enumerate(attendees):
        db.session.add(Attendance(meeting_id=created.id, user_id=attendee.id,
                                  organisation_id=organisation.id if organisation else None))
        acts(at + 3 * HOUR + i * timedelta(minutes=2), attendee, Verb.ATTENDED, created, organisation,
             channel=channel, call=target, data={"meeting": created.id})
    for sector, count in unregistered.items():
        db.session.add(UnregisteredAttendance(meeting_id=created.id, sector=sector, count=count))
    db.session.flush()
    # The counts are the secretariat's edit of the record, not its attendance (meetings/services.py).
    acts(at + 4 * HOUR, creator, Verb.EDITED, created, sector=Sector.GOVERNMENT, territory=territory, channel=channel,
         call=target, data={"meeting": created.id, "unregistered": {s.value: n for s, n in unregistered.items() if n}})
    if signers:
        seat, member = approve(acts, created, Action.SIGN_MINUTES, signers, at + 2 * DAY, comment="Firmada.")
        if len(signers) == len(Seat):
            created.signed_at = at + 2 * DAY + (len(signers) - 1) * HOUR
            acts(created.signed_at, member, Verb.SIGNED, created, sector=seat.sector, territory=NATIONAL,
                 call=target, data={"action": Action.SIGN_MINUTES.value, "meeting": created.id,
                                    "approved_by": [s.value for s in signers]})
    return created


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


def load(acts: Acts, rng: random.Random, members: dict[Seat, User]) -> None:
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    government = members[Seat.GOVERNMENT]
    start = (now + 120 * DAY).year
    current = plan(acts, government, now - 170 * DAY, name="Quinto Plan de Acción Nacional", period_start=start,
                   period_end=start + 2, status=PlanStatus.CO_CREATION,
                   description="Plan cocreado por el Secretariado Técnico Tripartito con la sociedad civil.")

    national = call(
        acts, current, government, now - 160 * DAY, "Convocatoria a propuestas para el Quinto Plan de Acción Nacional",
        "Invitamos a organizaciones de la sociedad civil, academia y ciudadanía a proponer problemas públicos "
        "y acciones para el **Quinto Plan de Acción**. Cada propuesta recibirá una respuesta razonada.",
        list(dict.fromkeys(p[0] for p in PROPOSALS)), Submitters.ORGANISATIONS_AND_INDIVIDUALS,
        (now - 150 * DAY, now - 130 * DAY, now - 90 * DAY, now - 85 * DAY, now + 20 * DAY, now + 30 * DAY),
    )
    publish(acts, national, Action.PUBLISH_CALL, members, national.announce_at)
    local = call(
        acts, current, government, now - 45 * DAY, "Convocatoria para la mesa de gobierno abierto local",
        "Propuestas para llevar el gobierno abierto a municipios y comunidades. Solo organizaciones.",
        LOCAL_THEMES, Submitters.ORGANISATIONS,
        (now - 40 * DAY, now - 25 * DAY, now + 20 * DAY, now + 22 * DAY, now + 45 * DAY, now + 55 * DAY),
    )
    publish(acts, local, Action.PUBLISH_CALL, members, local.announce_at)

    _vote_on_themes(acts, rng, national, government, now)
    proposals = _proposals(acts, rng, national, local, members)
    _meetings(acts, national, members, now, proposals)
    _drafts(acts, national, members, now)


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
    return list(db.session.scalars(select(User).where(User.email.like("persona%")).order_by(User.id)))


def _proposals(acts: Acts, rng: random.Random, national: Call, local: Call, members: dict[Seat, User]) -> list[Proposal]:
    """Every proposal to the national call answered after it closed; the local call's still open."""
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
            at = national.opens_at + (6 + 35 * len(made)) * HOUR
            made.append(propose(acts, national, author, organisation, theme, title + suffix, problem, action, at))

    # One proposal sent twice by mistake and withdrawn by its author before the deadline: not a contribution.
    first = made[1]
    duplicate = propose(acts, national, first.author, first.organisation, first.theme.name, first.title,
                        first.problem_source, first.action_source, first.created_at + 2 * HOUR)
    duplicate.withdrawn_at = duplicate.created_at + DAY
    acts(duplicate.withdrawn_at, first.author, Verb.WITHDRAWN, duplicate, first.organisation, call=national)

    outcomes = ["adopted", "partially_adopted", "merged", "not_adopted", "out_of_scope"]
    weights = [20, 20, 15, 30, 15]
    responders = list(members.items())
    at = national.closes_at + 2 * DAY
    for n, proposal in enumerate(made):
        seat, member = responders[n % len(responders)]
        if proposal.title.startswith(PADRON):
            outcome, text = ("adopted", f"Da origen al borrador de compromiso «{PADRON}».") \
                if not proposal.title.endswith(")") else ("merged", f"Se integra en el borrador de compromiso «{PADRON}».")
        elif proposal.title.startswith("Transparencia en las concesiones de agua"):
            outcome, text = "adopted", f"Da origen al borrador de compromiso «{AGUA}»."
        else:
            outcome = rng.choices(outcomes, weights)[0]
            text = JUSTIFICATIONS[outcome]
        respond(acts, member, seat, proposal, outcome, text, at + n * 12 * HOUR)

    for i, (theme, title) in enumerate(LOCAL_PROPOSALS):
        organisation, author = submitters[(i * 5 + 2) % len(submitters)]
        propose(acts, local, author, organisation, theme, title,
                "Los municipios publican poca información y la ciudadanía no participa en sus decisiones.",
                "Acompañar a tres municipios piloto y publicar los resultados.", local.opens_at + (1 + 3 * i) * DAY + 5 * HOUR)
    db.session.flush()
    return made


def _vote_on_themes(acts: Acts, rng: random.Random, national: Call, government: User, now: datetime) -> None:
    """Participants chose the priority themes while proposals were open, and the tally was published."""
    participants = db.session.execute(
        select(Organisation, User).join(Membership, Membership.organisation_id == Organisation.id)
        .join(User, User.id == Membership.user_id)
        .where(Organisation.verification == Verification.VERIFIED, Membership.role == Role.ADMIN)
        .order_by(Organisation.id)
    ).all()
    ballot = Ballot(call_id=national.id, call=national, kind=BallotKind.THEMES, electorate=Electorate.ORGANISATIONS,
                    question="¿Qué mesas temáticas deben tener prioridad en el Quinto Plan?",
                    opens_at=now - 128 * DAY, closes_at=now - 118 * DAY, created_by_id=government.id,
                    created_at=now - 135 * DAY, published_at=now - 135 * DAY + HOUR)
    ballot.options = [BallotOption(theme_id=theme.id) for theme in national.themes]
    db.session.add(ballot)
    db.session.flush()
    acts(ballot.created_at, government, Verb.CREATED, ballot, sector=Sector.GOVERNMENT, territory=NATIONAL,
         call=national, data={"question": ballot.question, "kind": ballot.kind.value,
                              "electorate": ballot.electorate.value, "options": [o.theme_id for o in ballot.options]})
    acts(ballot.published_at, government, Verb.PUBLISHED, ballot, sector=Sector.GOVERNMENT, territory=NATIONAL,
         call=national, data={"action": "publish_ballot", "question": ballot.question, "opens_at": ballot.opens_at,
                              "closes_at": ballot.closes_at})
    for n, (organisation, person_) in enumerate(participants):
        at = ballot.opens_at + (5 + 5 * n) * HOUR
        voter = BallotVoter(ballot_id=ballot.id, user_id=person_.id, organisation_id=organisation.id,
                            sector=organisation.sector, territory=organisation.territory, created_at=at)
        db.session.add(voter)
        db.session.flush()
        for option in rng.sample(ballot.options, k=rng.randint(1, 3)):
            db.session.add(Vote(voter_id=voter.id, option_id=option.id))
        acts(at, person_, Verb.VOTED, ballot, organisation, call=national, data={"ballot": ballot.id})
    db.session.flush()
    ballot.results_published_at = ballot.closes_at + 2 * DAY
    acts(ballot.results_published_at, government, Verb.RESULTS_PUBLISHED, ballot, sector=Sector.GOVERNMENT,
         territory=NATIONAL, call=national, data={"ballot": ballot.id, "tally": votes.tally(ballot).as_data()})


def _meetings(acts: Acts, national: Call, members: dict[Seat, User], now: datetime, proposals: list[Proposal]) -> None:
    """Three working meetings: in Mexico City (and online), online with the states, and in Oaxaca."""
    government = members[Seat.GOVERNMENT]
    submitters, citizens = _submitters(), _citizens()
    in_cdmx = [row for row in submitters if row[0].territory in ("MX-CMX", "MX-MEX", NATIONAL)]
    meeting(acts, national, government, now - 87 * DAY, theme=national.themes[0],
            title="Mesa de trabajo: transparencia y rendición de cuentas", modality=Modality.HYBRID,
            place="Auditorio del órgano garante, Ciudad de México", territory="MX-CMX",
            minutes=f"Se presentaron las {len(proposals)} propuestas recibidas y se acordó agruparlas en borradores "
                    "de compromiso por mesa temática. Las organizaciones pidieron ampliar la consulta a los estados.",
            agreements="1. Publicar los primeros borradores en cinco días.\n"
                       "2. Realizar una sesión en línea para los estados y una mesa regional en el sur.",
            attendees=in_cdmx + submitters[:14:2] + [(None, citizens[10])],
            unregistered={Sector.CITIZEN: 23, Sector.ACADEMIA: 4, Sector.CIVIL_SOCIETY: 6}, signers=members)
    far = [row for row in submitters if row[0].territory not in ("MX-CMX", "MX-MEX", NATIONAL)]
    meeting(acts, national, government, now - 45 * DAY,
            title="Sesión en línea con organizaciones de los estados", modality=Modality.ONLINE, place="",
            territory=NATIONAL,
            minutes="Se revisó la versión 2 del borrador sobre el padrón de beneficiarios. Las organizaciones de "
                    "los estados pidieron un diccionario de datos común y una evaluación independiente.",
            agreements="1. Comentar la versión 2 antes del cierre de su ronda.\n2. Convocar la mesa regional sur.",
            attendees=far[:16] + [(None, c) for c in citizens[:6]],
            unregistered={Sector.CITIZEN: 41, Sector.CIVIL_SOCIETY: 9}, signers=members)
    south = [row for row in submitters if row[0].territory in ("MX-OAX", "MX-CHP", "MX-GRO", "MX-VER", "MX-HID")]
    meeting(acts, national, government, now - 20 * DAY,
            title="Mesa regional sur: Oaxaca, Chiapas y Guerrero", modality=Modality.IN_PERSON,
            place="Casa de la Cultura, Oaxaca de Juárez, Oaxaca", territory="MX-OAX",
            minutes="Se presentó la versión 3 del borrador sobre el padrón de beneficiarios, abierta a comentarios. "
                    "Las comunidades pidieron materiales en lenguas indígenas y asesoría para comentar en línea.",
            agreements="1. Traducir el resumen de la versión 3 al zapoteco y al mixteco.\n"
                       "2. Acompañar a las comunidades para comentar antes del cierre de la ronda.",
            attendees=south + [(None, person("ciudadana"))] + [(None, c) for c in citizens if c.territory in
                                                               ("MX-OAX", "MX-CHP", "MX-GRO")],
            unregistered={Sector.CITIZEN: 57, Sector.CIVIL_SOCIETY: 12, Sector.GOVERNMENT: 5},
            # the civil-society seat has not signed yet: the record shows what is pending
            signers={s: m for s, m in members.items() if s is not Seat.CIVIL_SOCIETY})


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


def _actor(key: str) -> tuple[Organisation | None, User]:
    """An organisation's acronym (its administrator acts for it), or the login of a person acting alone."""
    return (None, person(key)) if key.islower() else org(key)


def _comment(acts: Acts, version: DraftVersion, key: str, section: str | None, body: str, at: datetime,
             parent: Comment | None = None) -> Comment:
    organisation, author = _actor(key)
    if parent is not None:  # a reply is on its thread's section (comments/services.add)
        section = parent.section.value if parent.section else None
    comment = Comment(version_id=version.id, section=Section(section) if section else None,
                      parent_id=parent.id if parent else None, author_id=author.id,
                      organisation_id=organisation.id if organisation else None, body_source=body,
                      body=richtext.sanitize(body), created_at=at)
    db.session.add(comment)
    db.session.flush()
    acts(at, author, Verb.COMMENTED, comment, organisation, call=version.draft.call,
         data={"draft": version.draft_id, "version": version.number, "section": section,
               "reply_to": parent.id if parent else None})
    return comment


def _version(acts: Acts, draft: DraftCommitment, number: int, author: User, published_at: datetime, days: int,
             text: dict, milestones: list, note: str = "", proposals=(), comments=()) -> DraftVersion:
    version = DraftVersion(draft_id=draft.id, number=number, published_at=published_at, published_by_id=author.id,
                           comments_close_at=published_at + days * DAY, change_note=note)
    for name, source in text.items():
        setattr(version, f"{name}_source", source)
        setattr(version, name, richtext.sanitize(source))
    version.milestones = [Milestone(position=i, description=d, due=due, responsible=r)
                          for i, (d, due, r) in enumerate(milestones)]
    db.session.add(version)
    db.session.flush()
    for proposal in proposals:
        db.session.add(Incorporation(version_id=version.id, proposal_id=proposal.id))
    for comment in comments:
        db.session.add(Incorporation(version_id=version.id, comment_id=comment.id))
    db.session.flush()
    db.session.refresh(draft)
    acts(published_at, author, Verb.PUBLISHED, version, sector=Sector.GOVERNMENT, territory=NATIONAL, call=draft.call,
         data={"draft": draft.id, "version": number,
               "incorporates": {"proposals": sorted(p.id for p in proposals), "comments": sorted(c.id for c in comments)}})
    return version


def _round(acts: Acts, version: DraftVersion, rows: list[tuple]) -> list[tuple[Comment, tuple]]:
    """The comments of one round, spread over its window, a day apart from its second day."""
    start = version.published_at + DAY + 3 * HOUR
    return [(_comment(acts, version, row[0], row[1], row[2], start + i * DAY + i * 2 * HOUR), row)
            for i, row in enumerate(rows)]


def _answer(acts: Acts, member: User, made: list[tuple[Comment, tuple]], at: datetime) -> list[Comment]:
    """Respond to every comment of a closed round; return those the next version takes in."""
    taken = []
    for i, (comment, (_key, _section, _body, outcome, justification, incorporated)) in enumerate(made):
        respond(acts, member, Seat.GOVERNMENT, comment, outcome, justification, at + i * 20 * timedelta(minutes=1))
        if incorporated:
            taken.append(comment)
    return taken


def _drafts(acts: Acts, national: Call, members: dict[Seat, User], now: datetime) -> None:
    government, guarantor = members[Seat.GOVERNMENT], members[Seat.GUARANTOR]
    padron = _draft(acts, national, government, PADRON, "Padrón único%", now - 84 * DAY)
    agua = _draft(acts, national, government, AGUA, "Transparencia en las concesiones%", now - 83 * DAY)
    due = [(now + d * DAY).date() for d in (180, 330, 540)]
    padron_milestones = [("Lineamientos del padrón único publicados", due[0], "Secretaría de Bienestar"),
                         ("Primera publicación en datos abiertos", due[1], "Secretaría de Bienestar")]

    # Padrón, round 1: comments, a reply, the secretariat's own reply, a comment hidden by moderation.
    v1 = _version(acts, padron, 1, government, now - 82 * DAY, 20, PADRON_TEXT, padron_milestones,
                  proposals=padron.sources)
    made = _round(acts, v1, PADRON_COMMENTS[1])
    reply = _comment(acts, v1, "CAT", None, "Coincidimos: la periodicidad mensual es viable.",
                     made[0][0].created_at + 5 * HOUR, parent=made[0][0])
    made.append((reply, ("CAT", None, "", "merged", "Se atiende junto con el comentario al que responde, "
                                                    "incorporado en la versión 2.", False)))
    _secretariat_reply(acts, v1, government, made[3][0],
                       "La fecha depende de la homologación de los padrones estatales; lo revisaremos en la mesa.")
    _hidden(acts, v1, guarantor, now - 72 * DAY)
    taken = _answer(acts, government, made, now - 55 * DAY + 12 * HOUR)
    v2 = _version(acts, padron, 2, government, now - 55 * DAY + 10 * HOUR, 20, PADRON_V2, padron_milestones,
                  note="Se adopta la actualización mensual, el formato accesible y un mecanismo de quejas; se "
                       "mencionan los programas de becas y los municipios.", comments=taken)

    made = _round(acts, v2, PADRON_COMMENTS[2])
    reply = _comment(acts, v2, "MUPPCH", None,
                     "Sugerimos que la evaluación la haga una universidad pública.",
                     made[0][0].created_at + 7 * HOUR, parent=made[0][0])
    made.append((reply, ("MUPPCH", None, "", "partially_adopted", "La versión 3 prevé la evaluación independiente; "
                         "la institución se elegirá por convocatoria abierta, a la que pueden concursar las "
                         "universidades públicas.", False)))
    taken = _answer(acts, government, made, now - 28 * DAY + 12 * HOUR)
    v3_milestones = padron_milestones + [("Evaluación independiente del padrón publicada", due[2],
                                          "Secretaría de Bienestar")]
    v3 = _version(acts, padron, 3, government, now - 28 * DAY + 10 * HOUR, 35, PADRON_V3, v3_milestones,
                  note="Se añaden un diccionario de datos común, una evaluación independiente y las contralorías "
                       "sociales comunitarias.", comments=taken)
    for i, (key, section, body) in enumerate(PADRON_COMMENTS[3]):
        _comment(acts, v3, key, section, body, v3.published_at + (2 + 6 * i) * DAY + 4 * HOUR)

    # Concesiones de agua: two rounds, then adopted by the three seats.
    agua_milestones = [("Registro de concesiones publicado en datos abiertos", due[0], "Autoridad federal del agua"),
                       ("Volúmenes medidos publicados para los acuíferos sobreexplotados", due[1],
                        "Autoridad federal del agua")]
    w1 = _version(acts, agua, 1, government, now - 80 * DAY, 20, AGUA_TEXT, agua_milestones, proposals=agua.sources)
    taken = _answer(acts, government, _round(acts, w1, AGUA_COMMENTS[1]), now - 52 * DAY + 12 * HOUR)
    w2 = _version(acts, agua, 2, government, now - 52 * DAY + 10 * HOUR, 20, AGUA_V2, agua_milestones,
                  note="Se añaden los volúmenes medidos, la actualización mensual, un visor por cuenca y una guía "
                       "en lenguaje claro.", comments=taken)
    _answer(acts, government, _round(acts, w2, AGUA_COMMENTS[2]), now - 30 * DAY + 12 * HOUR)
    seat, member = approve(acts, agua, Action.ADOPT_COMMITMENT, members, now - 14 * DAY,
                           comment="Adoptado como compromiso final del Quinto Plan.")
    agua.adopted_via, agua.adopted_at = Adoption.TRIPARTITE, now - 14 * DAY + 2 * HOUR
    acts(agua.adopted_at, member, Verb.ADOPTED, agua, sector=seat.sector, territory=NATIONAL, call=national,
         data={"adopted_by": "tripartite", "version": w2.number, "approved_by": [s.value for s in members]})
    db.session.flush()


def _draft(acts: Acts, national: Call, government: User, title: str, sources: str, at: datetime) -> DraftCommitment:
    proposals = list(db.session.scalars(select(Proposal).where(
        Proposal.call_id == national.id, Proposal.title.like(sources), Proposal.withdrawn_at.is_(None))
        .order_by(Proposal.id)))
    draft = DraftCommitment(call_id=national.id, theme_id=proposals[0].theme_id, title=title,
                            created_by_id=government.id, created_at=at)
    draft.sources = proposals
    db.session.add(draft)
    db.session.flush()
    acts(at, government, Verb.CREATED, draft, sector=Sector.GOVERNMENT, territory=NATIONAL, call=national,
         data={"title": title, "sources": [p.id for p in proposals]})
    return draft


def _secretariat_reply(acts: Acts, version: DraftVersion, member: User, parent: Comment, body: str) -> Comment:
    """The secretariat answers in the thread: its comment is not a contribution and needs no response."""
    at = parent.created_at + DAY
    reply = Comment(version_id=version.id, section=parent.section, parent_id=parent.id, author_id=member.id,
                    is_contribution=False, body_source=body, body=richtext.sanitize(body), created_at=at)
    db.session.add(reply)
    db.session.flush()
    acts(at, member, Verb.COMMENTED, reply, sector=Sector.GOVERNMENT, territory=NATIONAL, call=version.draft.call,
         data={"draft": version.draft_id, "version": version.number,
               "section": parent.section.value if parent.section else None, "reply_to": parent.id})
    return reply


def _hidden(acts: Acts, version: DraftVersion, moderator: User, at: datetime) -> Comment:
    """A comment reported and hidden by moderation: kept, with its public reason; not a contribution to answer."""
    organisation, author = org("CMCA")
    body = "Texto con insultos a una funcionaria."
    comment = Comment(version_id=version.id, author_id=author.id, body_source=body, body=richtext.sanitize(body),
                      created_at=at)
    db.session.add(comment)
    db.session.flush()
    acts(at, author, Verb.COMMENTED, comment, call=version.draft.call,
         data={"draft": version.draft_id, "version": version.number, "section": None, "reply_to": None})
    reason = "Incumple el código de conducta: contiene insultos personales."
    reporter = org("OCT")[1]
    report = Report(comment_id=comment.id, reporter_id=reporter.id, reason="Insulta a una servidora pública.",
                    created_at=at + 3 * HOUR, decision=Decision.HIDDEN, decided_at=at + DAY, decided_by_id=moderator.id)
    db.session.add(report)
    db.session.flush()
    acts(report.created_at, None, Verb.REPORTED, report, call=version.draft.call,
         data={"comment": comment.id, "action": "reported"})
    action = ModerationAction(comment_id=comment.id, decision=Decision.HIDDEN, reason=reason,
                              moderator_id=moderator.id, moderator_name=moderator.display_name, created_at=at + DAY)
    db.session.add(action)
    comment.hidden_at, comment.hidden_reason, comment.hidden_by_id = at + DAY, reason, moderator.id
    db.session.flush()
    acts(at + DAY, moderator, Verb.MODERATED, action, sector=Sector.GUARANTOR, territory=NATIONAL,
         call=version.draft.call, data={"comment": comment.id, "decision": "hidden", "reason": reason})
    return comment
