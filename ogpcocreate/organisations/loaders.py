"""Loading an organisation for a request, with its access check (404 when the current user may not
see it): beside the feature's rules, so any view may use them without importing another view."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from .. import permissions
from ..extensions import db
from ..permissions import require
from .models import Organisation


def get_organisation_or_404(org_id: int, *, manage: bool = False) -> Organisation:
    """Load an organisation; with ``manage``, also require the current user to administer it."""
    org = db.session.get(Organisation, org_id)
    if org is None:
        abort(404)
    if manage:
        require(permissions.can_edit_organisation(current_user, org))
    return org
