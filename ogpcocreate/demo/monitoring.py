"""The demo's monitoring of adopted commitments (issue 15), on the IRM summary for Mexico
(shared/seeds/mrri-mexico-resumen.txt).

- The older plan, assessed with the older IRM method (potential impact, stars): the three commitments
  the summary highlights (open data policy, missing persons registry, open and participatory
  entrepreneur fund), adopted in 2019, with their institutions, contacts, milestones (one left overdue),
  indicators with baselines and measurements, a milestone flagged at risk and answered, and the IRM's
  assessment: the open data policy is starred, the others are not.
- The current plan, assessed with the 2020 method: its adopted water concessions register, with its
  milestones under way, an indicator with its baseline and a first measurement, an at-risk flag
  answered by the responsible institution, the first criteria of the IRM's assessment; and the
  summary's four recommendations with their status and what answers them.

The reference line of the performance figure is illustrative (the summary's "leader in the region"),
and says so. Every act goes to the participation log at the moment it happened, through ``acts``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from ..auth.models import User
from ..calls.models import Call, Theme
from ..core import eventlog, richtext
from ..core.eventlog import Verb
from ..core.sectors import Seat, Sector
from ..drafts.models import Adoption, DraftCommitment, DraftVersion, Milestone, MilestoneStatus
from ..extensions import db
from ..meetings.models import Meeting
from ..monitoring.models import (
    AssessmentEntry,
    Contact,
    Criterion,
    EvidenceLink,
    ImplementationComment,
    Indicator,
    Measurement,
    MilestoneUpdate,
    PlanMonitoring,
    Recommendation,
    RecommendationLink,
    RecommendationStatus,
    RecommendationUpdate,
    ResponsibleInstitution,
    Scale,
)
from ..plans.models import ActionPlan
from ..responses.models import Outcome, Response
from .process import AGUA, org
from .timeline import Timeline

NATIONAL = "national"
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
REFERENCE = "Líder en la región (ilustrativo)"


def _at(d: date, hour: int = 17) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=UTC)


class _Monitor:
    """Writes one commitment's monitoring rows and queues their acts, as the services would."""

    def __init__(self, acts: Acts, draft: DraftCommitment, secretariat: User, contact: User):
        self.acts, self.draft, self.call = acts, draft, draft.call
        self.secretariat, self.contact = secretariat, contact

    def act(self, at: datetime, actor: User, verb: Verb, subject, organisation=None, **data) -> None:
        seat = actor is self.secretariat
        self.acts(at, actor, verb, subject, organisation, {"commitment": self.draft.id, **data}, call=self.call,
                  sector=Sector.GOVERNMENT if seat or organisation is None else None,
                  territory=NATIONAL if seat else None)

    def institution(self, name: str, at: datetime) -> None:
        row = ResponsibleInstitution(draft_id=self.draft.id, name=name, named_by_id=self.secretariat.id, created_at=at)
        contact = Contact(draft_id=self.draft.id, user_id=self.contact.id, named_by_id=self.secretariat.id,
                          created_at=at + DAY)
        db.session.add_all([row, contact])
        db.session.flush()
        self.act(at, self.secretariat, Verb.CREATED, row, institution=name, previous=None)
        self.act(at + DAY, self.secretariat, Verb.CREATED, contact, contact=self.contact.display_name)

    def progress(self, milestone: Milestone, at: datetime, status: MilestoneStatus, note: str,
                 start: date | None = None, end: date | None = None) -> None:
        update = MilestoneUpdate(milestone_id=milestone.id, status=status, actual_start=start, actual_end=end,
                                 note=note, author_id=self.contact.id, created_at=at)
        milestone.status, milestone.actual_start, milestone.actual_end = status, start, end
        db.session.add(update)
        db.session.flush()
        self.act(at, self.contact, Verb.PROGRESS_REPORTED, milestone, status=status.value, actual_start=start,
                 actual_end=end, note=note)

    def evidence(self, milestone: Milestone, at: datetime, title: str, url: str) -> None:
        link = EvidenceLink(milestone_id=milestone.id, url=url, title=title, added_by_id=self.contact.id, created_at=at)
        db.session.add(link)
        db.session.flush()
        self.act(at, self.contact, Verb.CREATED, link, milestone=milestone.id, url=url, title=title)

    def indicator(self, at: datetime, measurements: list[tuple[float, date, str]], **fields) -> Indicator:
        indicator = Indicator(draft_id=self.draft.id, created_by_id=self.contact.id, created_at=at, **fields)
        db.session.add(indicator)
        db.session.flush()
        self.act(at, self.contact, Verb.CREATED, indicator, **fields)
        for value, when, source in measurements:
            m = Measurement(indicator_id=indicator.id, value=value, measured_on=when, source=source,
                            recorded_by_id=self.contact.id, created_at=_at(when) + 3 * DAY)
            db.session.add(m)
            db.session.flush()
            self.act(m.created_at, self.contact, Verb.MEASURED, m, indicator=indicator.id, value=value,
                     measured_on=when, source=source)
        return indicator

    def assess(self, scale: Scale, on: date, values: list[tuple[Criterion, str, str]]) -> None:
        for criterion, value, justification in values:
            entry = AssessmentEntry(draft_id=self.draft.id, scale=scale, criterion=criterion, value=value,
                                    justification=justification, assessed_on=on, recorded_by_id=self.secretariat.id,
                                    created_at=_at(on) + DAY)
            db.session.add(entry)
            db.session.flush()
            self.act(entry.created_at, self.secretariat, Verb.ASSESSED, entry, scale=scale.value,
                     criterion=criterion.value, value=value, justification=justification, assessed_on=on)

    def at_risk(self, milestone: Milestone, author: User, organisation, at: datetime, text: str,
                outcome: Outcome, answer: str, answered: datetime) -> None:
        comment = ImplementationComment(draft_id=self.draft.id, milestone_id=milestone.id, at_risk=True,
                                        author_id=author.id, organisation_id=organisation.id, body_source=text,
                                        body=richtext.sanitize(text), created_at=at)
        db.session.add(comment)
        db.session.flush()
        self.acts(at, author, Verb.COMMENTED, comment, organisation,
                  {"commitment": self.draft.id, "milestone": milestone.id, "at_risk": True}, call=self.call)
        response = Response(implementation_comment_id=comment.id, revision=1, is_current=True, outcome=outcome,
                            justification_source=answer, justification=richtext.sanitize(answer),
                            responder_id=self.contact.id, seat=None, created_at=answered)
        db.session.add(response)
        db.session.flush()
        self.acts(answered, self.contact, Verb.RESPONDED, response, None,
                  {"implementation_comment": comment.id, "outcome": outcome.value, "revision": 1,
                   "contributor_sector": organisation.sector.value}, call=self.call)


def _adopted(acts: Acts, call: Call, theme: str, title: str, text: dict, milestones: list, author: User,
             adopted_at: datetime, secretariat: User) -> DraftCommitment:
    """A commitment of the older plan, adopted with one published version (its round closed)."""
    theme_id = db.session.scalar(select(Theme.id).where(Theme.call_id == call.id, Theme.name == theme))
    published = adopted_at - 30 * DAY
    draft = DraftCommitment(call_id=call.id, theme_id=theme_id, title=title, created_by_id=author.id,
                            created_at=published - DAY)
    db.session.add(draft)
    db.session.flush()
    version = DraftVersion(draft_id=draft.id, number=1, published_at=published, published_by_id=author.id,
                           comments_close_at=published + 20 * DAY)
    for name in ("problem", "status_quo", "description", "how", "relevance", "other_actors"):
        source = text.get(name, "")
        setattr(version, f"{name}_source", source)
        setattr(version, name, richtext.sanitize(source))
    version.milestones = [Milestone(position=i, description=d, planned_start=s, due=due, responsible=r)
                          for i, (d, s, due, r) in enumerate(milestones)]
    db.session.add(version)
    draft.adopted_via, draft.adopted_at = Adoption.TRIPARTITE, adopted_at
    db.session.flush()
    db.session.refresh(draft)
    context = {"sector": Sector.GOVERNMENT, "territory": NATIONAL, "call": call}
    acts(draft.created_at, author, Verb.CREATED, draft, data={"title": title, "sources": []}, **context)
    acts(published, author, Verb.PUBLISHED, version, data={"draft": draft.id, "version": 1,
                                                           "incorporates": {"proposals": [], "comments": []}}, **context)
    acts(adopted_at, secretariat, Verb.ADOPTED, draft, data={"adopted_by": "tripartite", "version": 1}, **context)
    return draft


def _text(description: str, problem: str) -> dict:
    return {"problem": problem, "status_quo": "Según el informe del Mecanismo de Revisión Independiente.",
            "description": description, "how": description,
            "relevance": "Transparencia, participación ciudadana y rendición de cuentas."}


def _plan(name: str) -> ActionPlan | None:
    return db.session.scalar(select(ActionPlan).where(ActionPlan.name == name))


class Acts:
    """Appends each act to the participation log at its moment, on the demo's timeline (demo/timeline.py),
    so the chain stays in the order things happened. The rows themselves are written directly by the
    steps below, with their dates, rather than through monitoring/services.py: the one part of the demo
    that does not go through the services yet."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline

    def __call__(self, at: datetime, actor, verb: Verb, subject=None, organisation=None, data=None, **context) -> None:
        self.timeline.at(at, eventlog.record, actor, verb, subject, organisation, data, **context)


# The older plan's commitments were adopted on its results date (30 August 2019, demo/history.py), and
# drafted a month before; the current plan's water register was adopted 14 days before loading
# (demo/process.py). Each part runs once what it monitors exists, before its first act.
OLDER_PLAN_STEP = datetime(2019, 7, 1, 12, tzinfo=UTC)


def load(timeline: Timeline, members: dict[Seat, User]) -> None:
    now = timeline.present.replace(minute=0, second=0, microsecond=0)
    timeline.at(OLDER_PLAN_STEP, _older_step, timeline, members)
    timeline.at(now - 14 * DAY + 3 * HOUR, _current_step, timeline, members, now)


def _older_step(timeline: Timeline, members: dict[Seat, User]) -> None:
    if (older := _plan("Cuarto Plan de Acción Nacional")) is not None:
        _older_plan(Acts(timeline), older, members[Seat.GOVERNMENT], org("SFP")[1])


def _current_step(timeline: Timeline, members: dict[Seat, User], now: datetime) -> None:
    if (current := _plan("Quinto Plan de Acción Nacional")) is not None:
        _current_plan(Acts(timeline), current, members[Seat.GOVERNMENT], org("SFP")[1], now)


def _older_plan(acts: Acts, plan: ActionPlan, secretariat: User, official: User) -> None:
    call = db.session.scalar(select(Call).where(Call.plan_id == plan.id).order_by(Call.id))
    adopted_at = call.results_at
    db.session.add(PlanMonitoring(plan_id=plan.id, scale=Scale.IMPACT_LEGACY, reference_label=REFERENCE,
                                  reference_completion=75, reference_ambition=30, updated_by_id=secretariat.id))
    db.session.flush()
    acts(adopted_at + DAY, secretariat, Verb.EDITED, plan, data={"monitoring_settings": True, "scale": "impact_legacy"},
         plan=plan, sector=Sector.GOVERNMENT, territory=NATIONAL)
    legacy = Scale.IMPACT_LEGACY
    assessed = date(2021, 10, 15)
    cso, cso_admin = org(_a_cso())

    datos = _adopted(acts, call, "Gasto público y combate a la corrupción", "Política de datos abiertos", _text(
        "Implementación de una política para la publicación y uso de datos abiertos, que incluya mecanismos de "
        "retroalimentación y participación ciudadana.",
        "Los datos públicos se publican sin estándares comunes ni canales para que la ciudadanía pida y use datos."),
        [("Publicar la política nacional de datos abiertos", date(2019, 9, 1), date(2020, 3, 31), "CEDN"),
         ("Mecanismo de retroalimentación ciudadana en el portal de datos", date(2020, 1, 15), date(2020, 12, 31), "CEDN"),
         ("Informe público sobre el uso de los datos publicados", date(2021, 1, 15), date(2021, 6, 30), "CEDN")],
        official, adopted_at, secretariat)
    m = _Monitor(acts, datos, secretariat, official)
    m.institution("Coordinación de Estrategia Digital Nacional", adopted_at + 2 * DAY)
    first, second, third = datos.versions[0].milestones
    m.progress(first, _at(date(2019, 9, 20)), MilestoneStatus.IN_PROGRESS, "Consulta pública del borrador de la política.",
               date(2019, 9, 15))
    m.progress(first, _at(date(2020, 4, 24)), MilestoneStatus.COMPLETE, "Política publicada en el Diario Oficial.",
               date(2019, 9, 15), date(2020, 4, 20))
    m.evidence(first, _at(date(2020, 4, 25)), "Política de datos abiertos publicada",
               "https://datos.example.gob.mx/politica-datos-abiertos")
    m.progress(second, _at(date(2021, 2, 20)), MilestoneStatus.COMPLETE, "El portal recibe solicitudes de datos.",
               date(2020, 2, 1), date(2021, 2, 15))
    m.evidence(second, _at(date(2021, 2, 21)), "Formulario de solicitudes de datos",
               "https://datos.example.gob.mx/solicitudes")
    m.progress(third, _at(date(2021, 3, 1)), MilestoneStatus.IN_PROGRESS, "Se recopilan los casos de uso.",
               date(2021, 2, 1))
    m.indicator(adopted_at + 10 * DAY, [
        (1650, date(2020, 1, 15), "Inventario del portal de datos, corte trimestral"),
        (2300, date(2020, 12, 31), "Inventario del portal de datos, corte trimestral"),
        (2850, date(2021, 6, 30), "Inventario del portal de datos, corte trimestral")],
        name="Conjuntos de datos publicados por la Administración Pública Federal",
        target_population="Dependencias y entidades de la Administración Pública Federal",
        criterion="Conjuntos de datos con metadatos completos publicados en el portal nacional",
        unit="conjuntos", baseline_value=1200, baseline_date=date(2019, 6, 30), target_value=3000,
        target_date=date(2021, 6, 30))
    m.assess(legacy, assessed, [
        (Criterion.VERIFIABILITY, "verifiable", "Los hitos tienen productos y fechas verificables."),
        (Criterion.LENS, "yes", "Hace más transparente y participativa la publicación de datos."),
        (Criterion.POTENTIAL_IMPACT, "transformative", "Cambia la forma en que el gobierno publica y usa datos."),
        (Criterion.COMPLETION, "substantial", "Dos de tres hitos completos; el informe de uso quedó pendiente."),
        (Criterion.OPENED_GOVERNMENT, "major", "Las solicitudes ciudadanas orientaron la publicación."),
    ])

    personas = _adopted(acts, call, "Derechos humanos y justicia", "Base de datos sobre personas desaparecidas", _text(
        "Reorganizar y hacer funcional el registro de personas extraviadas, de acuerdo con la ley y con "
        "participación activa de la sociedad civil.",
        "El registro de personas desaparecidas es incompleto y no permite a las familias seguir los casos."),
        [("Diagnóstico del registro con colectivos de familiares", date(2019, 9, 15), date(2020, 2, 28), "CNB"),
         ("Nuevo registro en operación conforme a la ley", date(2020, 3, 1), date(2020, 12, 31), "CNB")],
        official, adopted_at, secretariat)
    m = _Monitor(acts, personas, secretariat, official)
    m.institution("Comisión Nacional de Búsqueda", adopted_at + 2 * DAY)
    first, second = personas.versions[0].milestones
    m.progress(first, _at(date(2020, 3, 5)), MilestoneStatus.COMPLETE, "Diagnóstico presentado a los colectivos.",
               date(2019, 10, 1), date(2020, 2, 28))
    m.evidence(first, _at(date(2020, 3, 6)), "Diagnóstico del registro", "https://busqueda.example.gob.mx/diagnostico")
    m.progress(second, _at(date(2020, 9, 1)), MilestoneStatus.IN_PROGRESS, "Migración de los registros estatales.",
               date(2020, 4, 1))
    m.at_risk(second, cso_admin, cso, _at(date(2020, 10, 12)),
              "Las fiscalías de varios estados no han entregado sus registros: el nuevo registro no podrá operar en "
              "diciembre.", Outcome.PARTIALLY_ADOPTED,
              "Se firmaron convenios con 20 fiscalías; las demás se atenderán en 2021 y el hito se reporta con retraso.",
              _at(date(2020, 11, 3)))
    m.indicator(adopted_at + 10 * DAY, [
        (48, date(2020, 6, 30), "Informe semestral de la Comisión Nacional de Búsqueda"),
        (61, date(2021, 6, 30), "Informe semestral de la Comisión Nacional de Búsqueda")],
        name="Registros con ficha de búsqueda completa", target_population="Personas reportadas como desaparecidas",
        criterion="Porcentaje de registros con los campos mínimos que fija la ley", unit="%", baseline_value=35,
        baseline_date=date(2019, 6, 30), target_value=90, target_date=date(2021, 6, 30))
    m.assess(legacy, assessed, [
        (Criterion.VERIFIABILITY, "verifiable", "El registro y su operación son verificables."),
        (Criterion.LENS, "yes", "Abre la información de búsqueda a las familias y la sociedad civil."),
        (Criterion.POTENTIAL_IMPACT, "transformative", "Un registro funcional cambia la búsqueda de personas."),
        (Criterion.COMPLETION, "limited", "El nuevo registro no entró en operación en el periodo del plan."),
        (Criterion.OPENED_GOVERNMENT, "marginal", "Las familias consultan más datos, pero incompletos."),
    ])

    fondo = _adopted(acts, call, "Gasto público y combate a la corrupción", "Fondo emprendedor abierto y participativo",
                     _text("Transparentar el proceso de otorgamiento de fondos a emprendedores y permitir la "
                           "retroalimentación del público sobre su funcionamiento y destino.",
                           "No se conocían los criterios ni los beneficiarios de los apoyos a emprendedores."),
                     [("Convocatorias, criterios y resultados del fondo en datos abiertos", date(2019, 9, 1),
                       date(2020, 6, 30), "INADEM"),
                      ("Buzón público de retroalimentación sobre el fondo", date(2020, 1, 1), date(2020, 12, 31), "INADEM")],
                     official, adopted_at, secretariat)
    m = _Monitor(acts, fondo, secretariat, official)
    m.institution("Instituto Nacional del Emprendedor", adopted_at + 2 * DAY)
    first, second = fondo.versions[0].milestones
    m.progress(first, _at(date(2020, 6, 20)), MilestoneStatus.COMPLETE, "Resultados publicados con monto y criterio.",
               date(2019, 9, 10), date(2020, 6, 15))
    m.evidence(first, _at(date(2020, 6, 21)), "Resultados del fondo en datos abiertos",
               "https://fondo.example.gob.mx/resultados.csv")
    m.progress(second, _at(date(2020, 12, 10)), MilestoneStatus.COMPLETE, "Buzón en operación.",
               date(2020, 2, 1), date(2020, 12, 1))
    m.indicator(adopted_at + 10 * DAY, [
        (70, date(2020, 3, 31), "Portal del fondo"), (100, date(2020, 12, 31), "Portal del fondo")],
        name="Apoyos otorgados publicados con monto y criterio", target_population="Personas emprendedoras apoyadas",
        criterion="Porcentaje de apoyos con monto, criterio y beneficiario publicados", unit="%", baseline_value=0,
        baseline_date=date(2019, 6, 30), target_value=100, target_date=date(2020, 12, 31))
    m.assess(legacy, assessed, [
        (Criterion.VERIFIABILITY, "verifiable", "Las publicaciones son verificables."),
        (Criterion.LENS, "yes", "Transparenta la asignación de fondos públicos."),
        (Criterion.POTENTIAL_IMPACT, "moderate", "Mejora la transparencia de un programa acotado."),
        (Criterion.COMPLETION, "complete", "Ambos hitos se cumplieron."),
        (Criterion.OPENED_GOVERNMENT, "marginal", "El buzón recibió pocas aportaciones."),
    ])


def _a_cso() -> str:
    """A verified civil-society organisation of the demo (the first in its list)."""
    from ..organisations.models import Organisation, Verification

    return db.session.scalar(select(Organisation.acronym).where(Organisation.sector == Sector.CIVIL_SOCIETY,
                                                                Organisation.verification == Verification.VERIFIED)
                             .order_by(Organisation.id).limit(1))


def _current_plan(acts: Acts, plan: ActionPlan, secretariat: User, official: User, now: datetime) -> None:
    db.session.add(PlanMonitoring(plan_id=plan.id, scale=Scale.RESULTS_2020, reference_label=REFERENCE,
                                  reference_completion=75, reference_ambition=30, updated_by_id=secretariat.id))
    db.session.flush()
    acts(now - 12 * DAY, secretariat, Verb.EDITED, plan, data={"monitoring_settings": True, "scale": "results_2020"},
         plan=plan, sector=Sector.GOVERNMENT, territory=NATIONAL)
    agua = db.session.scalar(select(DraftCommitment).join(Call, Call.id == DraftCommitment.call_id)
                             .where(Call.plan_id == plan.id, DraftCommitment.title == AGUA))
    if agua is not None and agua.is_adopted:
        m = _Monitor(acts, agua, secretariat, official)
        m.institution("Comisión Nacional del Agua", agua.adopted_at + DAY)
        first, *rest = agua.current_version.milestones
        m.progress(first, now - 9 * DAY, MilestoneStatus.IN_PROGRESS, "Se depuran los títulos de concesión.",
                   (now - 10 * DAY).date())
        m.evidence(first, now - 8 * DAY, "Plan de trabajo del registro abierto",
                   "https://agua.example.gob.mx/plan-de-trabajo")
        m.indicator(now - 8 * DAY, [(30, (now - 5 * DAY).date(), "Registro Público de Derechos de Agua, corte mensual")],
                    name="Concesiones con volumen publicado en datos abiertos",
                    target_population="Títulos de concesión de aguas nacionales vigentes",
                    criterion="Porcentaje de títulos con volumen concesionado y medido publicados en datos abiertos",
                    unit="%", baseline_value=12, baseline_date=(now - 60 * DAY).date(), target_value=100,
                    target_date=first.due)
        m.assess(Scale.RESULTS_2020, (now - 3 * DAY).date(), [
            (Criterion.VERIFIABILITY, "verifiable", "El registro y sus cortes mensuales son verificables."),
            (Criterion.LENS, "yes", "Hace públicos los volúmenes concesionados y medidos."),
            (Criterion.POTENTIAL_RESULTS, "substantial", "Permite vigilar los acuíferos sobreexplotados."),
        ])
        if rest:
            cso, cso_admin = org(_a_cso())
            m.at_risk(rest[0], cso_admin, cso, now - 6 * DAY,
                      "Sin medidores instalados en los acuíferos sobreexplotados no habrá volúmenes medidos que publicar.",
                      Outcome.PARTIALLY_ADOPTED,
                      "Se priorizan los 20 acuíferos con más extracción; la instalación del resto depende del "
                      "presupuesto de 2027.", now - 2 * DAY)
    _recommendations(acts, plan, secretariat, agua, now)


RECOMMENDATIONS = [
    ("Estrategia pro gobierno abierto",
     "Definir metas, resultados y acciones en los distintos ámbitos de gobierno abierto, considerando a los tres "
     "poderes del Estado.", RecommendationStatus.IN_PROGRESS,
     "La mesa de gobierno abierto local lleva la cocreación a municipios.", None),
    ("Monitoreo y evaluación",
     "Establecer poblaciones objetivo, criterios y línea base que permitan una mejor medición de resultados.",
     RecommendationStatus.ADDRESSED,
     "Cada compromiso adoptado registra su población objetivo, criterio, línea base y meta, y sus mediciones.",
     "draft"),
    ("Ampliar el alcance",
     "Más ambición en compromisos en temas de prioridad para el contexto nacional.", RecommendationStatus.IN_PROGRESS,
     "Mesas regionales en el sur del país y sesiones en línea con organizaciones de los estados.", "meeting"),
    ("Estrategia de continuidad",
     "Trabajar en fortalecer las relaciones con sociedad civil y crear una estrategia para la continuidad del "
     "proceso nacional frente al proceso electoral próximo.", RecommendationStatus.NOT_STARTED, "", None),
]


def _recommendations(acts: Acts, plan: ActionPlan, secretariat: User, agua, now: datetime) -> None:
    meeting = db.session.scalar(select(Meeting).join(Call, Call.id == Meeting.call_id)
                                .where(Call.plan_id == plan.id, Meeting.published_at.is_not(None))
                                .order_by(Meeting.starts_at.desc()).limit(1))
    context = {"plan": plan, "sector": Sector.GOVERNMENT, "territory": NATIONAL}
    for position, (title, body, status, done, target) in enumerate(RECOMMENDATIONS):
        at = now - (12 - position) * DAY  # after the water register's adoption (14 days ago)
        rec = Recommendation(plan_id=plan.id, position=position, title=title, body=body, created_by_id=secretariat.id,
                             created_at=at, status=RecommendationStatus.NOT_STARTED)
        db.session.add(rec)
        db.session.flush()
        acts(at, secretariat, Verb.CREATED, rec, data={"title": title, "body": body}, **context)
        if status is RecommendationStatus.NOT_STARTED:
            continue
        links = []
        if target == "draft" and agua is not None:
            links.append(RecommendationLink(recommendation_id=rec.id, draft_id=agua.id, created_at=at + 5 * DAY))
        if target == "meeting" and meeting is not None:
            links.append(RecommendationLink(recommendation_id=rec.id, meeting_id=meeting.id, created_at=at + 5 * DAY))
        rec.status, rec.what_was_done = status, done
        db.session.add_all([*links, RecommendationUpdate(recommendation_id=rec.id, status=status, what_was_done=done,
                                                         author_id=secretariat.id, created_at=at + 5 * DAY)])
        db.session.flush()
        acts(at + 5 * DAY, secretariat, Verb.EDITED, rec, data={
            "status": status.value, "what_was_done": done,
            "links": [[link.draft_id, link.meeting_id] for link in links]}, **context)
