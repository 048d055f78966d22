"""Demo of a co-creation process: a plan with a call under deliberation (proposals, most of them
answered) and a call open for proposals. Built on the people and organisations of demo/loader.py.

Dates lie in the past, which the services rightly refuse for new calls, so the calls are written
directly; every act still goes through the participation log.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from ..approvals.models import Action, Approval, Stance
from ..auth.models import User
from ..calls.models import Call, Submitters, Theme
from ..core import eventlog, richtext
from ..core.db import utcnow
from ..core.eventlog import Verb
from ..core.sectors import Seat, Sector
from ..drafts.models import Section
from ..extensions import db
from ..organisations.models import Membership, Organisation, Verification
from ..plans.models import ActionPlan
from ..proposals.models import Proposal
from ..responses import services as responses

DAY = timedelta(days=1)

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
    "partially_adopted": "Se incorpora la publicación en datos abiertos; la periodicidad mensual no es viable este año y se revisará en la siguiente ronda.",
    "merged": "Se integra con otra propuesta sobre el mismo tema para formar un solo borrador de compromiso.",
    "not_adopted": "La dependencia responsable no puede comprometer los recursos en este periodo; se documenta como antecedente para el siguiente plan.",
    "out_of_scope": "El tema corresponde al Poder Judicial, que no participa en este plan; se canaliza a la instancia correspondiente.",
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


def _theme(call: Call, name: str) -> Theme:
    return next(t for t in call.themes if t.name == name)


def _approve(call: Call, action: Action, members: dict[Seat, User]) -> None:
    for seat, member in members.items():
        approval = Approval(action=action, call_id=call.id, seat=seat, user_id=member.id, stance=Stance.APPROVE,
                            comment="Aprobado en la sesión del Secretariado Técnico Tripartito.")
        db.session.add(approval)
        db.session.flush()
        eventlog.record(member, Verb.APPROVED, approval, sector=seat.sector, territory="national", call=call,
                        data={"action": action.value, "seat": seat.value})
    eventlog.record(members[Seat.GOVERNMENT], Verb.PUBLISHED, call, sector=Sector.GOVERNMENT, territory="national",
                    call=call, data={"action": action.value, "approved_by": [s.value for s in members]})


def _call(plan, creator, title, description, themes, submitters, dates) -> Call:
    call = Call(plan_id=plan.id, title=title, description_source=description,
                description=richtext.sanitize(description), submitters=submitters, created_by_id=creator.id,
                **dict(zip(("announce_at", "opens_at", "closes_at", "deliberation_at", "decision_at", "results_at"),
                           dates, strict=True)))
    call.themes = [Theme(name=name, position=i) for i, name in enumerate(themes)]
    db.session.add(call)
    db.session.flush()
    return call


def _propose(call: Call, author: User, organisation: Organisation | None, theme: str, title: str,
             problem: str, action: str) -> Proposal:
    proposal = Proposal(call_id=call.id, theme_id=_theme(call, theme).id, author_id=author.id,
                        organisation_id=organisation.id if organisation else None, title=title,
                        problem_source=problem, problem=richtext.sanitize(problem),
                        action_source=action, action=richtext.sanitize(action),
                        expected_result_source="Información pública, útil y verificable para la ciudadanía.",
                        expected_result=richtext.sanitize("Información pública, útil y verificable para la ciudadanía."))
    db.session.add(proposal)
    db.session.flush()
    eventlog.record(author, Verb.SUBMITTED, proposal, organisation, call=call, data={"title": title})
    return proposal


def load(rng: random.Random, members: dict[Seat, User]) -> None:
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    government = members[Seat.GOVERNMENT]
    plan = ActionPlan(name="Quinto Plan de Acción Nacional", period_start=2025, period_end=2027,
                      description_source="Plan cocreado por el Secretariado Técnico Tripartito con la sociedad civil.",
                      description=richtext.sanitize("Plan cocreado por el Secretariado Técnico Tripartito con la sociedad civil."),
                      requires_tripartite=True, notice_days=14, created_by_id=government.id)
    db.session.add(plan)
    db.session.flush()
    eventlog.record(government, Verb.CREATED, plan, sector=Sector.GOVERNMENT, territory="national", plan=plan,
                    data={"name": plan.name})

    national = _call(
        plan, government, "Convocatoria a propuestas para el Quinto Plan de Acción Nacional",
        "Invitamos a organizaciones de la sociedad civil, academia y ciudadanía a proponer problemas públicos "
        "y acciones para el **Quinto Plan de Acción**. Cada propuesta recibirá una respuesta razonada.",
        sorted({p[0] for p in PROPOSALS}, key=[p[0] for p in PROPOSALS].index),
        Submitters.ORGANISATIONS_AND_INDIVIDUALS,
        (now - 75 * DAY, now - 60 * DAY, now - 20 * DAY, now - 18 * DAY, now + 15 * DAY, now + 25 * DAY),
    )
    national.published_at = now - 75 * DAY
    _approve(national, Action.PUBLISH_CALL, members)

    local = _call(
        plan, government, "Convocatoria para la mesa de gobierno abierto local",
        "Propuestas para llevar el gobierno abierto a municipios y comunidades. Solo organizaciones.",
        LOCAL_THEMES, Submitters.ORGANISATIONS,
        (now - 25 * DAY, now - 8 * DAY, now + 22 * DAY, now + 24 * DAY, now + 45 * DAY, now + 55 * DAY),
    )
    local.published_at = now - 25 * DAY
    _approve(local, Action.PUBLISH_CALL, members)

    submitters = db.session.execute(
        select(Organisation, User)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .join(User, User.id == Membership.user_id)
        .where(Organisation.verification == Verification.VERIFIED, Organisation.sector != Sector.GOVERNMENT,
               Organisation.sector != Sector.GUARANTOR, Membership.role == "admin")
        .order_by(Organisation.id)
    ).all()
    citizens = list(db.session.scalars(select(User).where(User.email.like("persona%")).order_by(User.id)))

    outcomes = ["adopted", "partially_adopted", "merged", "not_adopted", "out_of_scope"]
    weights = [20, 20, 15, 30, 15]
    answered = []
    for round_ in range(2):
        for i, (theme, title, problem, action) in enumerate(PROPOSALS):
            if round_ and i % 2:
                continue
            if (i + round_) % 4 == 3 and citizens:
                author, organisation = citizens[(i + round_) % len(citizens)], None
            else:
                organisation, author = submitters[(i * 3 + round_ * 7) % len(submitters)]
            suffix = "" if not round_ else f" ({organisation.acronym if organisation else 'propuesta ciudadana'})"
            proposal = _propose(national, author, organisation, theme, title + suffix, problem, action)
            if rng.random() < 0.85:
                answered.append(proposal)
    responders = list(members.items())
    for n, proposal in enumerate(answered):
        seat, member = responders[n % len(responders)]
        outcome = rng.choices(outcomes, weights)[0]
        responses.respond(member, seat, proposal, outcome, JUSTIFICATIONS.get(outcome, ""))

    for i, (theme, title) in enumerate(LOCAL_PROPOSALS):
        organisation, author = submitters[(i * 5 + 2) % len(submitters)]
        _propose(local, author, organisation, theme, title,
                 "Los municipios publican poca información y la ciudadanía no participa en sus decisiones.",
                 "Acompañar a tres municipios piloto y publicar los resultados.")


# --- drafting in rounds ------------------------------------------------------------------------------

DRAFT_TEXT = {
    "problem": "Los padrones de programas sociales se publican incompletos y en formatos cerrados, lo que impide "
               "verificar quién recibe los apoyos.",
    "status_quo": "Cada dependencia publica su padrón con criterios distintos y sin actualización periódica.",
    "description": "Publicar un padrón único de beneficiarios en datos abiertos, actualizado cada trimestre.",
    "how": "Permite a la ciudadanía y a las organizaciones verificar la entrega de apoyos y detectar duplicidades.",
    "relevance": "Transparencia y rendición de cuentas: información pública, oportuna y reutilizable.",
    "other_actors": "Organizaciones de la sociedad civil que dan seguimiento a programas sociales; academia.",
}
COMMENTS = [
    ("description", "La actualización trimestral es insuficiente: proponemos actualización **mensual**."),
    ("problem", "Conviene mencionar explícitamente a los programas de becas, donde hay más quejas."),
    (None, "Apoyamos el compromiso; pedimos que incluya un mecanismo de quejas ciudadanas."),
    ("milestones", "El primer hito debería tener una fecha más cercana."),
    ("how", "Sugerimos incluir a los municipios que operan programas federales."),
]


def _version(draft, number, author, published_at, closes_at, text, milestones, note=""):
    from ..drafts.models import DraftVersion, Milestone

    version = DraftVersion(draft_id=draft.id, number=number, published_at=published_at, published_by_id=author.id,
                           comments_close_at=closes_at, change_note=note)
    for name, source in text.items():
        setattr(version, f"{name}_source", source)
        setattr(version, name, richtext.sanitize(source))
    version.milestones = [Milestone(position=i, description=d, due=due, responsible=r) for i, (d, due, r) in enumerate(milestones)]
    db.session.add(version)
    db.session.flush()
    eventlog.record(author, Verb.PUBLISHED, version, sector=Sector.GOVERNMENT, territory="national", call=draft.call,
                    data={"draft": draft.id, "version": number})
    return version


def load_drafts(rng: random.Random, members: dict[Seat, User]) -> None:
    from datetime import date

    from ..comments.models import Comment
    from ..drafts.models import DraftCommitment, Incorporation

    government = members[Seat.GOVERNMENT]
    call = db.session.scalar(select(Call).where(Call.title.like("Convocatoria a propuestas%")))
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    sources = list(db.session.scalars(select(Proposal).where(Proposal.call_id == call.id,
                                                              Proposal.title.like("Padrón%"))))
    draft = DraftCommitment(call_id=call.id, theme_id=sources[0].theme_id if sources else call.themes[0].id,
                            title="Padrón único y abierto de beneficiarios de programas sociales", created_by_id=government.id)
    draft.sources = sources
    db.session.add(draft)
    db.session.flush()
    eventlog.record(government, Verb.CREATED, draft, sector=Sector.GOVERNMENT, territory="national", call=call,
                    data={"title": draft.title})
    milestones = [("Lineamientos del padrón único publicados", date(2026, 6, 30), "Secretaría de Bienestar"),
                  ("Primera publicación en datos abiertos", date(2026, 12, 15), "Secretaría de Bienestar")]
    v1 = _version(draft, 1, government, now - 16 * DAY, now - 2 * DAY, DRAFT_TEXT, milestones)
    for proposal in sources:
        db.session.add(Incorporation(version_id=v1.id, proposal_id=proposal.id))

    commenters = db.session.execute(
        select(Organisation, User).join(Membership, Membership.organisation_id == Organisation.id)
        .join(User, User.id == Membership.user_id)
        .where(Organisation.sector == Sector.CIVIL_SOCIETY, Organisation.verification == Verification.VERIFIED)
        .order_by(Organisation.id).limit(6)
    ).all()
    made = []
    for i, (section, body) in enumerate(COMMENTS):
        organisation, author = commenters[i % len(commenters)]
        comment = Comment(version_id=v1.id, section=section and Section(section), author_id=author.id,
                          organisation_id=organisation.id, body_source=body, body=richtext.sanitize(body),
                          created_at=now - (14 - i) * DAY)
        db.session.add(comment)
        db.session.flush()
        eventlog.record(author, Verb.COMMENTED, comment, organisation, call=call,
                        data={"draft": draft.id, "version": 1, "section": section})
        made.append(comment)
    # A reply, and a comment hidden by moderation (kept, with its public reason).
    organisation, author = commenters[-1]
    reply = Comment(version_id=v1.id, parent_id=made[0].id, section=made[0].section, author_id=author.id,
                    organisation_id=organisation.id, body_source="Coincidimos: la periodicidad mensual es viable.",
                    body=richtext.sanitize("Coincidimos: la periodicidad mensual es viable."))
    db.session.add(reply)
    hidden = Comment(version_id=v1.id, author_id=commenters[1][1].id, body_source="Texto con insultos a una funcionaria.",
                     body=richtext.sanitize("Texto con insultos a una funcionaria."), hidden_at=now - 5 * DAY,
                     hidden_reason="Incumple el código de conducta: contiene insultos personales.",
                     hidden_by_id=members[Seat.GUARANTOR].id)
    db.session.add(hidden)
    db.session.flush()
    from ..moderation.models import Decision, ModerationAction

    action = ModerationAction(comment_id=hidden.id, decision=Decision.HIDDEN, reason=hidden.hidden_reason,
                              moderator_id=members[Seat.GUARANTOR].id, moderator_name=members[Seat.GUARANTOR].display_name)
    db.session.add(action)
    db.session.flush()
    eventlog.record(members[Seat.GUARANTOR], Verb.MODERATED, action, sector=Sector.GUARANTOR, territory="national",
                    call=call, data={"comment": hidden.id, "decision": "hidden"})

    outcomes = ["adopted", "not_adopted", "partially_adopted", "merged"]  # versions take in what was adopted
    for i, comment in enumerate(made[:4]):
        responses.respond(government, Seat.GOVERNMENT, comment, outcomes[i],
                          "" if outcomes[i] == "adopted" else JUSTIFICATIONS.get(outcomes[i], "Se valoró en la mesa."))
    text2 = dict(DRAFT_TEXT, description="Publicar un padrón único de beneficiarios en datos abiertos, actualizado "
                                         "cada mes, con un mecanismo de quejas ciudadanas.")
    v2 = _version(draft, 2, government, now - 1 * DAY, now + 13 * DAY, text2, milestones,
                  note="Se adopta la actualización mensual y se añade un mecanismo de quejas.")
    for comment in (made[0], made[2]):
        db.session.add(Incorporation(version_id=v2.id, comment_id=comment.id))
    db.session.flush()


# --- a working meeting and a vote on priority themes ------------------------------------------------


def load_meeting_and_vote(rng: random.Random, members: dict[Seat, User]) -> None:
    from ..core.eventlog import Channel
    from ..meetings.models import Attendance, Meeting, Modality, UnregisteredAttendance
    from ..votes.models import Ballot, BallotKind, BallotOption, BallotVoter, Electorate, Vote

    government = members[Seat.GOVERNMENT]
    call = db.session.scalar(select(Call).where(Call.title.like("Convocatoria a propuestas%")))
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    participants = db.session.execute(
        select(Organisation, User).join(Membership, Membership.organisation_id == Organisation.id)
        .join(User, User.id == Membership.user_id)
        .where(Organisation.verification == Verification.VERIFIED, Membership.role == "admin")
        .order_by(Organisation.id)
    ).all()

    minutes = ("Se presentaron las 27 propuestas recibidas y se acordó agruparlas en borradores de compromiso "
               "por mesa temática. Las organizaciones pidieron ampliar la consulta a los estados.")
    agreements = "1. Publicar los primeros borradores en diez días.\n2. Realizar una sesión en línea para los estados."
    meeting = Meeting(call_id=call.id, title="Mesa de trabajo: transparencia y rendición de cuentas",
                      theme_id=call.themes[0].id, starts_at=now - 17 * DAY, modality=Modality.HYBRID,
                      place="Auditorio del órgano garante, Ciudad de México", territory="MX-CMX",
                      minutes_source=minutes, minutes=richtext.sanitize(minutes),
                      agreements_source=agreements, agreements=richtext.sanitize(agreements), created_by_id=government.id)
    db.session.add(meeting)
    db.session.flush()
    eventlog.record(government, Verb.CREATED, meeting, sector=Sector.GOVERNMENT, territory="national", call=call,
                    data={"title": meeting.title})
    for organisation, person in participants[:14]:
        db.session.add(Attendance(meeting_id=meeting.id, user_id=person.id, organisation_id=organisation.id))
        eventlog.record(person, Verb.ATTENDED, meeting, organisation, channel=Channel.IN_PERSON, call=call,
                        data={"meeting": meeting.id})
    counts = {Sector.CITIZEN: 23, Sector.ACADEMIA: 4, Sector.CIVIL_SOCIETY: 6}
    for sector, n in counts.items():
        db.session.add(UnregisteredAttendance(meeting_id=meeting.id, sector=sector, count=n))
    eventlog.record(government, Verb.ATTENDED, meeting, sector=Sector.GOVERNMENT, territory="national",
                    channel=Channel.IN_PERSON, call=call,
                    data={"meeting": meeting.id, "unregistered": {s.value: n for s, n in counts.items()}})
    for seat, member in members.items():
        approval = Approval(action=Action.SIGN_MINUTES, meeting_id=meeting.id, seat=seat, user_id=member.id,
                            stance=Stance.APPROVE, comment="Firmada.")
        db.session.add(approval)
        db.session.flush()
        eventlog.record(member, Verb.APPROVED, approval, sector=seat.sector, territory="national", call=call,
                        data={"action": "sign_minutes", "seat": seat.value})
    meeting.signed_at = now - 15 * DAY
    eventlog.record(government, Verb.PUBLISHED, meeting, sector=Sector.GOVERNMENT, territory="national", call=call,
                    data={"action": "sign_minutes"})

    ballot = Ballot(call_id=call.id, kind=BallotKind.THEMES, electorate=Electorate.ORGANISATIONS,
                    question="¿Qué mesas temáticas deben tener prioridad en el Quinto Plan?",
                    opens_at=now - 40 * DAY, closes_at=now - 30 * DAY, results_published_at=now - 29 * DAY,
                    created_by_id=government.id)
    ballot.options = [BallotOption(theme_id=theme.id) for theme in call.themes]
    db.session.add(ballot)
    db.session.flush()
    for organisation, person in participants:
        voter = BallotVoter(ballot_id=ballot.id, user_id=person.id, organisation_id=organisation.id,
                            sector=organisation.sector, territory=organisation.territory, created_at=now - 35 * DAY)
        db.session.add(voter)
        db.session.flush()
        chosen = rng.sample(ballot.options, k=rng.randint(1, 3))
        for option in chosen:
            db.session.add(Vote(voter_id=voter.id, option_id=option.id))
        eventlog.record(person, Verb.VOTED, ballot, organisation, call=call, data={"ballot": ballot.id})
    db.session.flush()
    eventlog.record(government, Verb.PUBLISHED, ballot, sector=Sector.GOVERNMENT, territory="national", call=call,
                    data={"ballot": ballot.id})
