"""The demo's public repository: the real commission report the project started from (folio 670, the
2018 OGP Global Summit in Tbilisi), imported through the same parser as the command line."""

from __future__ import annotations

from pathlib import Path

from ..repository import services

SEED = Path(__file__).parent / "data" / "informe-comision-2018-folio-670.txt"


def load() -> None:
    services.import_report(SEED.read_text(encoding="utf-8"))
