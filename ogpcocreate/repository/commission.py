"""Reading a commission report [informe de comisión] in the plain-text layout of the one the project
started from (shared/seeds/informe-comision-2018-folio-670.txt).

Tolerant of what retyping does to such a text: spacing and tabs, accents or their absence, upper or
lower case, a colon or not after a label, and the sections in any order. It never guesses: a field it
cannot find is reported by name, and the caller changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

# The fields, in the order of DOMAIN.md ("Public record"), with the label the public reads.
FIELDS = {
    "folio": _l("Folio"),
    "report_date": _l("Date"),
    "addressee": _l("Addressee"),
    "place": _l("Place of the commission"),
    "period_from": _l("Period from"),
    "period_to": _l("Period to"),
    "act": _l("Act of representation"),
    "objective": _l("Objective of the commission"),
    "activities": _l("Summary of activities"),
    "conclusions": _l("Conclusions"),
    "results": _l("Results"),
    "commissioner": _l("Commissioner's name"),
    "position_key": _l("Position key or level"),
    "position_title": _l("Position title"),
    "unit": _l("Administrative unit"),
}

MONTHS = {"enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
          "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12}

# Section headings (normalised: no accents, upper case, single spaces) -> the field their text fills.
SECTIONS = {
    "LUGAR DE LA COMISION": "place",
    "PERIODO DE LA COMPROBACION": "period",
    "PERIODO DE LA COMISION": "period",
    "DENOMINACION DEL ACTO DE REPRESENTACION": "act",
    "OBJETO DE LA COMISION": "objective",
    "OBJETIVO DE LA COMISION": "objective",
    "RESUMEN DE ACTIVIDADES REALIZADAS": "activities",
    "RESUMEN DE ACTIVIDADES": "activities",
    "CONCLUSIONES": "conclusions",
    "RESULTADOS OBTENIDOS": "results",
    "RESULTADOS": "results",
    "NOMBRE Y FIRMA DEL COMISIONADO": "signature",
    "FIRMA": "end",
}
# "LABEL: value" lines of the signature block.
LABELS = {
    "NOMBRE": "commissioner",
    "CLAVE O NIVEL DE PUESTO": "position_key",
    "CLAVE DE PUESTO": "position_key",
    "NIVEL DE PUESTO": "position_key",
    "DENOMINACION PUESTO": "position_title",
    "DENOMINACION DEL PUESTO": "position_title",
    "AREA O UNIDAD ADMINISTRATIVA DE ADSCRIPCION": "unit",
    "UNIDAD ADMINISTRATIVA DE ADSCRIPCION": "unit",
    "AREA DE ADSCRIPCION": "unit",
}
_FOLIO = re.compile(r"^FOLIO\b\s*(?:N[O0]\.?|NUM\.?|NUMERO)?\s*[:.#]?\s*(\S+)", re.IGNORECASE)
_LONG_DATE = re.compile(r"(\d{1,2})\s+de\s+([a-z]+)\s+(?:de|del)\s+(\d{4})")
_PERIOD = re.compile(r"DEL?\s+(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})\s+AL\s+(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})")
_LABELLED = re.compile(r"^([^:]{3,60}?)\s*:\s*(.*)$")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")


def normalise(text: str) -> str:
    """Upper case, no accents, single spaces, no trailing colon or dot: what a heading is compared by."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", plain).strip().rstrip(":.").strip().upper()


def _clean(line: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", line)).strip()


@dataclass
class Parsed:
    values: dict = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # field codes (FIELDS) that could not be read


def _paragraphs(lines: list[str]) -> str:
    """The section's text: lines of a paragraph (a numbered list, say) kept, paragraphs by a blank line."""
    paragraphs, current = [], []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return "\n\n".join(paragraphs)


def _date(day: str, month: str | int, year: str) -> date | None:
    try:
        number = month if isinstance(month, int) else int(month)
        return date(int(year), number, int(day))
    except (ValueError, TypeError):
        return None


def parse(text: str) -> Parsed:
    values: dict = {}
    sections: dict[str, list[str]] = {}
    preamble: list[str] = []
    current: str | None = None
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = _clean(raw)
        key = normalise(line)
        if key in SECTIONS:
            current = SECTIONS[key]
            sections.setdefault(current, [])
            continue
        if current in (None, "signature"):
            labelled = _LABELLED.match(line)
            if labelled and normalise(labelled.group(1)) in LABELS:
                values.setdefault(LABELS[normalise(labelled.group(1))], _clean(labelled.group(2)))
                continue
        if current is None:
            folio = _FOLIO.match(key)
            if folio and "folio" not in values:
                values["folio"] = folio.group(1).strip(".")
                continue
            when = _LONG_DATE.search(key.lower())
            if when and "report_date" not in values and MONTHS.get(when.group(2)):
                values["report_date"] = _date(when.group(1), MONTHS[when.group(2)], when.group(3))
                continue
            if line and key != "PRESENTE":
                preamble.append(line)
            continue
        if current != "end":
            sections[current].append(line)

    if preamble:
        values["addressee"] = ", ".join(preamble)
    for code in ("place", "act", "objective", "activities", "conclusions", "results"):
        if sections.get(code):
            values[code] = _paragraphs(sections[code])
    if values.get("place"):
        values["place"] = values["place"].replace("\n\n", " ")
    period = _PERIOD.search(" ".join(sections.get("period", [])).upper())
    if period:
        values["period_from"] = _date(period.group(1), period.group(2), period.group(3))
        values["period_to"] = _date(period.group(4), period.group(5), period.group(6))
    found = {k: v for k, v in values.items() if v not in (None, "")}
    return Parsed(found, [code for code in FIELDS if code not in found])
