"""Giving and revising reasoned responses, and notifying the contributor.

DOMAIN.md, "Contribution": an outcome and a justification, mandatory unless adopted. A revision adds
a new row (the previous one stays, no longer current), so the history of every answer is public.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, update

from ..auth.models import User
from ..core import eventlog, richtext
from ..core.errors import ServiceError
from ..core.eventlog import Verb
from ..core.i18n import N_
from ..core.outbox import external_url, queue_mail
from ..core.sectors import Seat
from ..extensions import db
from ..proposals.models import Proposal
from .models import Outcome, Response


def current(proposal: Proposal) -> Response | None:
    return db.session.scalar(select(Response).where(Response.proposal_id == proposal.id, Response.is_current))


def history(proposal: Proposal) -> list[Response]:
    return list(db.session.scalars(
        select(Response).where(Response.proposal_id == proposal.id).order_by(Response.revision.desc())
    ))


def respond(actor: User, seat: Seat, proposal: Proposal, outcome: str, justification: str) -> Response:
    """Answer a proposal (or revise the answer) once its call no longer accepts proposals."""
    outcome = Outcome(outcome)
    justification = (justification or "").strip()
    if not proposal.call.phase.accepts_responses:
        raise ServiceError(_("Responses are given once proposals have closed, so they answer the final text."))
    if proposal.is_withdrawn:
        raise ServiceError(_("This proposal was withdrawn by its author; it needs no response."))
    if outcome.needs_justification and not justification:
        raise ServiceError(_("Explain the decision: a justification is required unless the proposal is adopted."),
                           field="justification_source")
    previous = current(proposal)
    revision = previous.revision + 1 if previous else 1
    if previous is not None:
        db.session.execute(update(Response).where(Response.id == previous.id).values(is_current=False))
    response = Response(
        proposal_id=proposal.id,
        revision=revision,
        is_current=True,
        outcome=outcome,
        justification_source=justification,
        justification=richtext.sanitize(justification),
        responder_id=actor.id,
        seat=seat,
    )
    db.session.add(response)
    db.session.flush()
    eventlog.record(actor, Verb.RESPONDED, response, sector=seat.sector, territory="national", call=proposal.call,
                    data={"proposal": proposal.id, "outcome": outcome.value, "revision": revision,
                          "contributor_sector": (proposal.organisation.sector.value if proposal.organisation
                                                 else "citizen")})
    author = proposal.author
    queue_mail(
        author.email,
        N_("Response to your proposal: %(title)s") if revision == 1 else N_("Revised response to your proposal: %(title)s"),
        "proposal_response",
        locale=author.locale,
        subject_args={"title": proposal.title},
        user=author,
        proposal=proposal,
        response=response,
        revised=revision > 1,
        url=external_url("proposals.detail", proposal_id=proposal.id),
    )
    return response
