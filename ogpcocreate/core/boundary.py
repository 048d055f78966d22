"""The request boundary: a view carries out one service act through ``carry_out``, which commits once
if the act succeeds, and on a service's refusal (core.errors.ServiceError) rolls back and shows the
reason: beside the form field it names (with what the person typed kept), or as a flash message. Views
never commit, roll back or catch a refusal themselves (STYLE.md: services flush, views commit once)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash

from ..extensions import db
from .errors import ServiceError
from .forms import refuse


@dataclass(frozen=True)
class Outcome:
    ok: bool
    result: Any = None

    def __bool__(self) -> bool:
        return self.ok


def carry_out(act: Callable, *args, form=None, **kwargs) -> Outcome:
    """Run ``act(*args, **kwargs)``; commit and return its result, or roll back and show the refusal
    (on ``form`` when given, else as a flash message) and return a false Outcome."""
    try:
        result = act(*args, **kwargs)
    except ServiceError as exc:
        if form is not None:
            refuse(form, exc)  # rolls back
        else:
            db.session.rollback()
            flash(exc.message, "error")
        return Outcome(False)
    db.session.commit()
    return Outcome(True, result)
