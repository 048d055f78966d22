"""Giving and revising reasoned responses to contributions (the contributor is notified from the log).

DOMAIN.md, "Contribution": a proposal or a comment from a participant; each receives an outcome and a
justification, mandatory unless adopted. One mechanism for all: ``respond`` takes a proposal, a comment
on a draft, or a comment on a commitment's implementation (monitoring/models.py), which the
commitment's responsible institution answers too (its contact holds no seat). A revision
adds a new row (the previous one stays, no longer current), so the history of every answer is public.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, update

from ..auth.models import User
from ..core import eventlog, richtext
from ..core.errors import ServiceError
from ..core.eventlog import Verb
from ..core.sectors import Seat
from ..extensions import db
from . import rules
from .models import Outcome, Response

_COLUMNS = {"proposal": "proposal_id", "comment": "comment_id", "implementation_comment": "implementation_comment_id"}


def _column(contribution):
    return getattr(Response, _COLUMNS[contribution.__tablename__])


def current(contribution) -> Response | None:
    return db.session.scalar(select(Response).where(_column(contribution) == contribution.id, Response.is_current))


def history(contribution) -> list[Response]:
    return list(db.session.scalars(
        select(Response).where(_column(contribution) == contribution.id).order_by(Response.revision.desc())
    ))


def respond(actor: User, seat: Seat | None, contribution, outcome: str, justification: str) -> Response:
    """Answer a proposal or a comment (or revise the answer). ``seat`` is None only for a commitment's
    contact answering a comment on its implementation (monitoring/services.py checks who may)."""
    outcome = Outcome(outcome)
    justification = (justification or "").strip()
    if refusal := rules.answerable_refusal(contribution):
        raise ServiceError(refusal)
    if outcome.needs_justification and not justification:
        raise ServiceError(_("Explain the decision: a justification is required unless the contribution is adopted."),
                           field="justification_source")
    previous = current(contribution)
    revision = previous.revision + 1 if previous else 1
    if previous is not None:
        db.session.execute(update(Response).where(Response.id == previous.id).values(is_current=False))
    response = Response(
        revision=revision,
        is_current=True,
        outcome=outcome,
        justification_source=justification,
        justification=richtext.sanitize(justification),
        responder_id=actor.id,
        seat=seat,
    )
    setattr(response, _column(contribution).key, contribution.id)
    db.session.add(response)
    db.session.flush()
    organisation = contribution.organisation
    call = contribution.version.draft.call if contribution.__tablename__ == "comment" else contribution.call
    # A contact answers for no seat: the log gives them their own sector (government, by who they are).
    eventlog.record(actor, Verb.RESPONDED, response, sector=seat.sector if seat else None,
                    territory="national" if seat else None, call=call,
                    data={contribution.__tablename__: contribution.id, "outcome": outcome.value, "revision": revision,
                          "contributor_sector": organisation.sector.value if organisation else "citizen"})
    # The contributor is told through notifications/services.py, which listens to this log entry and
    # delivers as they chose (immediately, by default).
    return response
