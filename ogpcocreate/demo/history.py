"""Demo of an older, closed process, the Cuarto Plan de Acción (2019-2021), built so that its public
influence is "consult" (shared/DOMAIN.md, "Level of public influence"): a published call took
proposals, mostly from organisations of Mexico City and its neighbours (the IRM's "limited territorial
reach"), only about half of them got a reasoned response, there was one in-person meeting in Mexico
City, and there were no drafts in rounds and no votes. Beside the current plan (demo/process.py) it
shows what the platform's record changes.

Every act goes through the real services on the demo's timeline (demo/timeline.py), at its moment in
2019 (the plan is closed at the end of its period, in 2021); this plan's acts come first in the chain,
after the accounts and organisations of demo/loader.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..auth.models import User
from ..calls.models import Submitters
from ..core.sectors import Seat, Sector
from ..meetings.models import Modality
from ..plans.models import PlanStatus
from .process import DAY, HOUR, Story, org, person
from .timeline import Timeline


def _at(month: int, day: int, hour: int = 17, year: int = 2019) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


THEMES = ["Gasto público y combate a la corrupción", "Servicios públicos y ciudad", "Derechos humanos y justicia"]
GASTO, CIUDAD, DERECHOS = THEMES

# (who: acronym or login, theme, title, problem, action, response: (outcome, justification) or None)
PROPOSALS = [
    ("OCT", GASTO, "Transparencia en el gasto en publicidad oficial",
     "No se sabe cuánto gasta cada dependencia en publicidad ni con qué medios.",
     "Publicar contratos y pagos de publicidad oficial por medio y campaña.",
     ("adopted", "")),
    ("REMERC", GASTO, "Seguimiento abierto a los fideicomisos públicos",
     "Los fideicomisos manejan recursos públicos sin informes comprensibles.",
     "Publicar saldos, movimientos y beneficiarios de cada fideicomiso cada trimestre.",
     ("partially_adopted", "Se publicarán los saldos trimestrales; los movimientos detallados requieren una "
                           "reforma que no está al alcance de este plan.")),
    ("CPAC", GASTO, "Presupuesto ciudadano de la Ciudad de México en datos abiertos",
     "El presupuesto se publica en documentos difíciles de leer.",
     "Publicar un presupuesto ciudadano con datos abiertos y visualizaciones.",
     None),
    ("CEJUF", GASTO, "Beneficiarios finales de las empresas contratistas",
     "No se conoce quién está detrás de las empresas que contratan con el gobierno.",
     "Crear un registro público de beneficiarios finales de contratistas.",
     ("not_adopted", "Requiere una reforma legal que no puede comprometerse en este plan; se documenta como "
                     "antecedente.")),
    ("OCP", GASTO, "Contrataciones abiertas en las alcaldías",
     "Las alcaldías no publican sus procedimientos de contratación completos.",
     "Adoptar el estándar de contrataciones abiertas en las alcaldías de la Ciudad de México.",
     None),
    ("CEI", GASTO, "Integridad en las compras públicas con participación empresarial",
     "Las empresas pequeñas no confían en los procesos de compra.",
     "Testigos sociales y publicación de los fallos en un solo portal.",
     ("merged", "Se integra con la propuesta de contrataciones abiertas del mismo tema.")),
    ("persona11", GASTO, "Declaraciones de intereses de los servidores públicos consultables",
     "Las declaraciones no se pueden consultar en conjunto.",
     "Publicarlas en formato abierto con buscador.",
     None),
    ("SUTCM", CIUDAD, "Transparencia en la reconstrucción tras los sismos de 2017",
     "Las familias afectadas no saben en qué se gastaron los recursos de la reconstrucción.",
     "Publicar por inmueble los apoyos, las obras y su avance, con participación de los vecinos.",
     ("adopted", "")),
    ("VOVT", CIUDAD, "Datos abiertos de calidad del agua en la zona metropolitana",
     "Los resultados de los muestreos de agua no son públicos.",
     "Publicar los resultados por colonia cada mes.",
     None),
    ("REMERC", CIUDAD, "Gobierno abierto en las alcaldías",
     "Las alcaldías no tienen mecanismos de participación más allá de las consultas.",
     "Un programa piloto de gobierno abierto en cuatro alcaldías.",
     ("partially_adopted", "Se acompañará a dos alcaldías que ya lo solicitaron; las demás se invitarán en el "
                           "siguiente plan.")),
    ("CPAC", CIUDAD, "Presupuesto participativo con seguimiento público",
     "Los proyectos elegidos en el presupuesto participativo no se terminan o no se sabe si se terminaron.",
     "Publicar el avance físico y financiero de cada proyecto elegido.",
     None),
    ("persona12", CIUDAD, "Horarios y rutas del transporte público en datos abiertos",
     "Los usuarios no tienen información confiable sobre rutas y horarios.",
     "Publicar rutas y horarios en formatos abiertos estándar.",
     ("out_of_scope", "El transporte metropolitano corresponde a los gobiernos locales, que no participan en este "
                      "plan; se canaliza a ellos.")),
    ("FCP", CIUDAD, "Información sobre obras en municipios conurbados",
     "Los municipios vecinos no publican sus obras.",
     "Portal de obras con ubicación y montos.",
     None),
    ("OCT", DERECHOS, "Transparencia en las recomendaciones de derechos humanos",
     "No se sabe qué autoridades cumplen las recomendaciones.",
     "Publicar el estado de cumplimiento de cada recomendación.",
     None),
    ("CEJUF", DERECHOS, "Estadística judicial abierta",
     "Las estadísticas de los tribunales no son comparables.",
     "Publicar datos homologados de asuntos y sentencias.",
     ("not_adopted", "El Poder Judicial no participa en este plan; se documenta como propuesta para una mesa "
                     "específica.")),
    ("SUTCM", DERECHOS, "Protección de datos personales en los programas sociales",
     "Los padrones exponen datos sensibles de las personas beneficiarias.",
     "Lineamientos de versiones públicas de los padrones, con el órgano garante.",
     None),
    ("VOVT", DERECHOS, "Acceso a la información para personas con discapacidad",
     "Los portales de transparencia no son accesibles.",
     "Cumplir las pautas de accesibilidad en los portales de transparencia.",
     ("adopted", "")),
    ("OCP", DERECHOS, "Transparencia en las compras de medicamentos",
     "No se sabe a qué precio se compran los medicamentos.",
     "Publicar las compras consolidadas con precios unitarios.",
     None),
]


def _actor(key: str):
    return (None, person(key)) if key.islower() else org(key)


def load(timeline: Timeline, members: dict[Seat, User]) -> None:
    story = Story(timeline, members)
    plan = {"name": "Cuarto Plan de Acción Nacional", "period_start": 2019, "period_end": 2021,
            "status": PlanStatus.CO_CREATION.value, "notice_days": 14,
            "description_source": "Plan de acción 2019-2021, cocreado por el Secretariado Técnico Tripartito."}
    timeline.at(_at(2, 11), story.plan, "older", plan)
    # The plan closed at the end of its period.
    timeline.at(_at(12, 15, 12, year=2021), story.edit_plan, "older", dict(plan, status=PlanStatus.CLOSED.value))
    timeline.at(_at(2, 20), story.call, "older", "target",
                "Convocatoria a propuestas para el Cuarto Plan de Acción",
                "Organizaciones de la sociedad civil, academia y ciudadanía pueden proponer problemas públicos y "
                "acciones para el **Cuarto Plan de Acción**.",
                THEMES, Submitters.ORGANISATIONS_AND_INDIVIDUALS,
                (_at(3, 4), _at(3, 25, 15), _at(5, 10, 23), _at(5, 13), _at(7, 15), _at(8, 30)))
    timeline.at(_at(3, 25, 15), _proposals, story)  # 21 days' notice; the seats approved it by its announcement

    organisations = ("OCT", "REMERC", "CPAC", "SUTCM", "CEI", "CEJUF", "OCP", "VOVT")
    story.meeting(
        "target", _at(5, 23, 16), title="Mesa de trabajo del Cuarto Plan de Acción", modality=Modality.IN_PERSON,
        place="Sala de usos múltiples del órgano garante, Ciudad de México", territory="MX-CMX",
        minutes="Se presentaron las propuestas recibidas por mesa temática. Las organizaciones señalaron que casi "
                "todas provienen de la Ciudad de México y pidieron sesiones en los estados.",
        agreements="1. Responder las propuestas antes de la fecha de decisión.\n"
                   "2. Valorar sesiones en los estados para el siguiente plan.",
        attendees=lambda: [org(acronym)[1] for acronym in organisations] + [person("persona11")],
        unregistered={Sector.CIVIL_SOCIETY: 5, Sector.CITIZEN: 3, Sector.GOVERNMENT: 6}, signers=list(Seat))
    story.publish_results("target", _at(8, 30, 18))


def _proposals(story: Story) -> None:
    """Proposals while the call was open; only about half of them got a reasoned response."""
    target = story.objects["target"]
    answered = 0
    for n, (key, theme, title, problem, action, response) in enumerate(PROPOSALS):
        organisation, author = _actor(key)
        at = target.opens_at + (2 + 2 * n) * DAY + (n % 5) * HOUR
        reply = None
        if response:
            seat = (Seat.GOVERNMENT, Seat.GUARANTOR)[answered % 2]
            reply = (seat, *response, _at(6, 3) + answered * 4 * DAY)
            answered += 1
        story.timeline.at(at, story.propose, "target", author, organisation, theme, title, problem, action,
                          response=reply)
