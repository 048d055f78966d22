"""Words for the generated data (demo/generate.py): fictional, Spanish, combined so pages look varied.

Every text is a combination of a few fixed phrases, so the number of distinct strings stays small and
each is sanitised once (``html``) however many rows use it.
"""

from __future__ import annotations

from functools import cache

from ..core import richtext

ORG_KINDS = [
    "Colectivo", "Red", "Observatorio", "Fundación", "Alianza", "Centro de Estudios", "Iniciativa",
    "Laboratorio Cívico", "Asociación", "Foro", "Coordinadora", "Movimiento", "Consejo Ciudadano",
    "Instituto", "Unión", "Cooperativa", "Frente", "Plataforma", "Comité", "Agrupación",
]  # fmt: skip
ORG_MISSIONS = [
    "por la Transparencia", "por el Derecho a Saber", "de Datos Abiertos", "por la Rendición de Cuentas",
    "por la Participación Ciudadana", "por la Justicia Fiscal", "por el Agua", "por la Defensa Ambiental",
    "de Contraloría Social", "por el Presupuesto Participativo", "de Juventudes Activas",
    "por los Derechos de las Mujeres", "de Periodismo de Datos", "por la Integridad Pública",
    "por la Salud Comunitaria", "por la Educación Pública", "de Pueblos Indígenas", "por la Movilidad",
    "por la Vivienda Digna", "de Personas Defensoras", "por la Seguridad Ciudadana", "por el Campo",
    "por la Inclusión Digital", "por la Memoria y la Verdad", "de Vigilancia Legislativa",
]  # fmt: skip
ACADEMIC_KINDS = ["Programa Universitario", "Seminario", "Grupo de Investigación", "Cátedra"]
PRIVATE_KINDS = ["Cámara Empresarial", "Consejo Empresarial", "Asociación de Empresas"]
INTERNATIONAL_KINDS = ["Programa Regional", "Oficina de Cooperación", "Iniciativa Internacional"]
PUBLIC_KINDS = ["Coordinación Estatal", "Secretaría Estatal", "Comisión Estatal"]

FIRST_NAMES = [
    "Alejandra", "José Luis", "Fernanda", "Carlos", "Xóchitl", "Miguel Ángel", "Daniela", "Juan Pablo",
    "Rosa María", "Héctor", "Ximena", "Emiliano", "Paola", "Rodrigo", "Citlali", "Andrés", "Valeria",
    "Arturo", "Lucía", "Octavio", "Natalia", "Gerardo", "Yolanda", "Sergio", "Itzel", "Tonatiuh",
    "Mariana", "Jorge", "Guadalupe", "Ernesto", "Beatriz", "Raúl", "Adriana", "Ulises", "Claudia",
    "Salvador", "Nayeli", "Fabián", "Verónica", "Iván",
]  # fmt: skip
LAST_NAMES = [
    "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Flores",
    "Vázquez", "Jiménez", "Moreno", "Castillo", "Chávez", "Ruiz", "Mendoza", "Domínguez", "Ortega",
    "Navarro", "Cervantes", "Juárez", "Rosales", "Zavala", "Pacheco", "Hernández", "Aguilar", "Salinas",
    "Cruz", "Reyes", "Morales", "Guerrero", "Medina", "Estrada", "Cortés", "Rivera", "Ibarra",
]  # fmt: skip

THEMES = [
    "Transparencia y rendición de cuentas", "Participación ciudadana", "Datos abiertos",
    "Justicia y derechos humanos", "Medio ambiente y agua", "Integridad y anticorrupción",
    "Gobierno abierto municipal", "Contraloría social", "Presupuesto abierto", "Salud y cuidados",
    "Juventudes", "Igualdad de género", "Pueblos indígenas", "Seguridad ciudadana", "Educación",
    "Contrataciones públicas",
]  # fmt: skip

PROPOSAL_ACTIONS = [
    "Publicar en datos abiertos", "Crear un registro público sobre", "Abrir a consulta", "Auditar con la ciudadanía",
    "Transparentar", "Georreferenciar", "Evaluar con participación social", "Simplificar la consulta de",
    "Traducir a lenguas indígenas", "Vigilar con comités ciudadanos", "Homologar la información sobre",
    "Crear un tablero de indicadores sobre",
]  # fmt: skip
PROPOSAL_OBJECTS = [
    "los padrones de programas sociales", "los contratos de obra pública", "las concesiones de agua",
    "el gasto en salud", "las reuniones con cabilderos", "las declaraciones patrimoniales",
    "las carpetas de investigación de alto impacto", "los fideicomisos públicos", "las becas educativas",
    "la calidad del aire", "las compras consolidadas de medicamentos", "los permisos de construcción",
    "las transferencias a municipios", "las plazas docentes", "el presupuesto de seguridad",
    "las evaluaciones de impacto ambiental", "las quejas ciudadanas", "los servicios de transporte",
    "los subsidios al campo", "la deuda estatal",
]  # fmt: skip
PROPOSAL_SCOPES = [
    "en todo el país", "en los municipios", "en las entidades federativas", "con enfoque de género",
    "en comunidades rurales", "con actualización mensual", "con participación de comités locales", "",
]  # fmt: skip

PROBLEMS = [
    "La información se publica incompleta, tarde y en formatos cerrados.",
    "No es posible seguir el uso de los recursos desde su asignación hasta su resultado.",
    "Las comunidades afectadas no participan en las decisiones.",
    "Cada dependencia publica con criterios distintos, lo que impide comparar.",
    "Las solicitudes de información reciben respuestas evasivas o se declaran inexistentes.",
    "Los datos se publican como imágenes escaneadas y no se pueden reutilizar.",
    "No hay indicadores públicos que permitan evaluar los resultados.",
    "Las quejas ciudadanas no reciben seguimiento ni respuesta pública.",
    "La información existe pero está dispersa en portales que no se comunican.",
    "Las personas sin conexión a internet quedan fuera de la consulta.",
]  # fmt: skip
PROBLEM_DETAILS = [
    "", " Según las organizaciones locales, el problema es **más grave en zonas rurales**.",
    " La Auditoría Superior ha señalado esta falta en varios informes.",
    " Afecta sobre todo a mujeres, juventudes y pueblos indígenas.",
    " Se documentaron más de *cien solicitudes* sin respuesta en el último año.",
]  # fmt: skip
ACTIONS = [
    "Publicar la información completa en datos abiertos, con diccionario y actualización periódica.",
    "Crear un mecanismo público de seguimiento con indicadores y metas verificables.",
    "Instalar mesas de trabajo con organizaciones locales y publicar sus acuerdos.",
    "Adoptar un estándar abierto común a todas las dependencias responsables.",
    "Abrir un periodo de comentarios y responder públicamente cada aportación.",
    "Capacitar a comités ciudadanos y darles acceso a la información que necesitan.",
    "Publicar un tablero de avance con línea base, meta y valor actual.",
    "Realizar sesiones presenciales en las entidades, con apoyo para traslados.",
]  # fmt: skip
EXPECTED = [
    "Información pública, útil y verificable para la ciudadanía.",
    "Mayor participación de las comunidades en las decisiones que las afectan.",
    "Reducción de la opacidad y de los riesgos de corrupción.",
    "Decisiones públicas basadas en evidencia que cualquiera puede revisar.",
]  # fmt: skip

COMMENT_OPENINGS = [
    "Apoyamos el compromiso.", "Coincidimos con el diagnóstico.", "Nos preocupa el alcance.",
    "Proponemos un cambio en la redacción.", "Falta precisión en este apartado.", "Buena propuesta.",
    "Desde nuestra organización observamos lo siguiente.", "Como ciudadana, me parece insuficiente.",
    "Sugerimos una meta más ambiciosa.", "El hito no es verificable tal como está.",
]  # fmt: skip
COMMENT_BODIES = [
    "La actualización trimestral es insuficiente: proponemos actualización **mensual**.",
    "Conviene mencionar explícitamente a los municipios que operan programas federales.",
    "Pedimos que incluya un mecanismo de quejas ciudadanas con respuesta pública.",
    "El primer hito debería tener una fecha más cercana.",
    "Sugerimos incluir indicadores con línea base, meta y fuente de verificación.",
    "Hace falta nombrar a la institución responsable de cada hito.",
    "Los datos deben publicarse desagregados por sexo, edad y municipio.",
    "Proponemos que un comité ciudadano revise los avances cada seis meses.",
    "El compromiso debe incluir presupuesto asignado y su seguimiento.",
    "Recomendamos consultar a las comunidades indígenas antes de publicar la siguiente versión.",
    "La redacción del problema no refleja la situación de los estados del sur.",
    "Solicitamos que la información se publique también en formatos accesibles.",
]  # fmt: skip
REPLIES = [
    "Coincidimos con este comentario.", "Estamos de acuerdo; añadiríamos a las organizaciones locales.",
    "No coincidimos: la periodicidad propuesta no es viable.", "Apoyamos la propuesta de mi colega.",
    "Gracias; lo llevaremos a la mesa de trabajo.", "Sería útil ver un ejemplo de otro país.",
]  # fmt: skip
SECRETARIAT_REPLIES = [
    "Gracias por su comentario; se discutirá en la próxima mesa de trabajo.",
    "La dependencia responsable revisará la viabilidad de esta sugerencia.",
    "Se tomará en cuenta en la siguiente versión del borrador.",
]  # fmt: skip

JUSTIFICATIONS = {
    "adopted": ["", "", "Se incorpora tal como se propuso."],
    "partially_adopted": [
        "Se incorpora la publicación en datos abiertos; la periodicidad propuesta no es viable este año.",
        "Se adopta el objetivo; los plazos se ajustan a la capacidad de la dependencia responsable.",
        "Se incorpora una parte de la propuesta; el resto se documenta para el siguiente plan.",
    ],
    "merged": [
        "Se integra con otra propuesta sobre el mismo tema para formar un solo borrador de compromiso.",
        "Se fusiona con aportaciones similares de otras organizaciones.",
    ],
    "not_adopted": [
        "La dependencia responsable no puede comprometer los recursos en este periodo; se documenta como antecedente.",
        "No existe una institución con atribuciones para cumplirlo en el plazo del plan.",
        "La propuesta duplica un programa vigente; se canaliza a su área responsable.",
    ],
    "out_of_scope": [
        "El tema corresponde al Poder Judicial, que no participa en este plan; se canaliza a la instancia correspondiente.",
        "El tema es de competencia estatal; se comparte con el gobierno de la entidad.",
    ],
}  # fmt: skip

DRAFT_SECTIONS = {
    "problem": "La información sobre {obj} se publica incompleta y en formatos cerrados, lo que impide verificarla.",
    "status_quo": "Cada dependencia publica con criterios distintos y sin actualización periódica.",
    "description": "Publicar en datos abiertos la información sobre {obj}, con actualización periódica y un "
                   "mecanismo de seguimiento ciudadano.",
    "how": "Permite a la ciudadanía y a las organizaciones verificar el uso de los recursos y detectar irregularidades.",
    "relevance": "Transparencia, participación ciudadana y rendición de cuentas.",
    "other_actors": "Organizaciones de la sociedad civil, academia y órganos garantes locales.",
}
MILESTONES = [
    "Lineamientos publicados", "Primera publicación en datos abiertos", "Mesa de seguimiento con sociedad civil",
    "Tablero de indicadores en línea", "Evaluación independiente publicada", "Capacitación a comités ciudadanos",
]  # fmt: skip
INSTITUTIONS = [
    "Secretaría de la Función Pública", "Secretaría de Bienestar", "Secretaría de Salud", "Comisión Nacional del Agua",
    "Secretaría de Hacienda y Crédito Público", "Instituto Nacional de Estadística y Geografía",
    "Secretaría de Educación Pública", "Secretaría de Medio Ambiente y Recursos Naturales",
]  # fmt: skip

PLACES = [
    "Auditorio del órgano garante local", "Sala de juntas de la universidad estatal", "Casa de la cultura municipal",
    "Centro comunitario", "Biblioteca pública central", "Salón del congreso local",
]  # fmt: skip
MINUTES = [
    "Se presentaron las propuestas recibidas y se acordó agruparlas en borradores de compromiso por mesa temática.",
    "Las organizaciones pidieron ampliar la consulta a los estados y publicar la metodología de selección.",
    "Se revisaron los hitos del borrador y se acordó precisar las instituciones responsables.",
]  # fmt: skip
AGREEMENTS = [
    "1. Publicar los borradores en diez días.\n2. Realizar una sesión en línea para los estados.",
    "1. Enviar comentarios por escrito en una semana.\n2. Publicar la relatoría en el repositorio.",
]  # fmt: skip
HIDE_REASONS = [
    "Incumple el código de conducta: contiene insultos personales.",
    "Contiene datos personales de una tercera persona.",
    "Es publicidad ajena a la consulta.",
]  # fmt: skip
REPORT_REASONS = ["Contiene insultos.", "Publica datos personales.", "Es propaganda.", "No tiene relación con el tema."]
APPROVAL_COMMENTS = ["Aprobado en la sesión del Secretariado Técnico Tripartito.", "De acuerdo.", "Aprobado."]


@cache
def html(source: str) -> str:
    """The sanitised HTML of a source: each distinct source is sanitised once per process."""
    return richtext.sanitize(source)


def pair(name: str, source: str) -> dict[str, str]:
    """``{name}_source`` and ``{name}`` for one rich-text field."""
    return {f"{name}_source": source, name: html(source)}
