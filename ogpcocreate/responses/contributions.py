"""What a contribution is, once (DOMAIN.md, "Contribution"): a proposal or a comment from a participant,
on a draft or on an adopted commitment's implementation (monitoring/models.py, ImplementationComment).

- A proposal *counts* unless its author withdrew it.
- A comment *counts* when a participant wrote it (not a secretariat member's own comment) and it is not
  hidden by moderation (hidden text needs no reasoned response).
- A contribution is *unanswered* while it has no current reasoned response.
- *Public input* is a contribution from a non-government participant, by the sector the log recorded
  for the act (DOMAIN.md, "Refinements of the influence rules"; reports/contributions.py counts it).

Every place that counts contributions asks these conditions: the responses themselves (services.py),
the rounds of a draft and its adoption (drafts/services.py, drafts/adoption.py) and the reports
(reports/contributions.py, reports/influence.py).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_

from ..comments.models import Comment
from ..core.sectors import Sector
from ..proposals.models import Proposal
from .models import Response

# A comment on a commitment's implementation has no comment window: the responsible institution has this
# long to answer it, and from then on it is due a response (reports/contributions.py).
IMPLEMENTATION_WINDOW = timedelta(days=30)


def proposal_counts(proposal=Proposal):
    """A condition on the proposal table (or an alias of it): the proposal is a contribution."""
    return proposal.withdrawn_at.is_(None)


def comment_counts(comment=Comment):
    """A condition on the comment table (or an alias of it): the comment is a contribution."""
    return and_(comment.is_contribution, comment.hidden_at.is_(None))


def current_response_to_comment(comment=Comment, response=Response):
    """The join condition from a comment to its current response (outer-join it: none is unanswered)."""
    return and_(response.comment_id == comment.id, response.is_current)


def current_response_to_implementation_comment(comment, response=Response):
    """The join condition from a comment on a commitment's implementation to its current response."""
    return and_(response.implementation_comment_id == comment.id, response.is_current)


def current_response_to_proposal(proposal=Proposal, response=Response):
    return and_(response.proposal_id == proposal.id, response.is_current)


def is_public_input(sector) -> bool:
    """A contribution in this sector (a Sector or its value) is public input."""
    return (sector.value if isinstance(sector, Sector) else sector) != Sector.GOVERNMENT.value
