"""Loading a ballot for a request, with its access check (404 when the current user may not
see it): beside the feature's rules, so any view may use them without importing another view."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from .. import permissions
from ..extensions import db
from .models import Ballot, BallotOption


def get_ballot_or_404(ballot_id: int) -> Ballot:
    """Load a ballot of a call the current user may see, with its options (404 otherwise)."""
    ballot = db.session.get(Ballot, ballot_id, options=[
        joinedload(Ballot.call),
        selectinload(Ballot.options).options(joinedload(BallotOption.theme), joinedload(BallotOption.draft)),
    ])
    if ballot is None or not permissions.can_see_ballot(current_user, ballot):
        abort(404)
    return ballot
