"""Loading a proposal for a request, with its access check (404 when the current user may not
see it): beside the feature's rules, so any view may use them without importing another view."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from .. import permissions
from ..extensions import db
from ..permissions import require
from .models import Proposal


def get_proposal_or_404(proposal_id: int, *, edit: bool = False) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or not permissions.can_see_call(current_user, proposal.call):
        abort(404)
    if edit:
        require(permissions.can_edit_proposal(current_user, proposal))
    return proposal
