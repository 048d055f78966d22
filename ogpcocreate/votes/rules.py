"""Who may vote, as one rule the service enforces and the ballot page explains (DOMAIN.md, "Who counts
as government"): seat holders never vote in participants' ballots, whichever seat they hold and
whichever organisation they would vote for. The secretariat decides through its approvals; a ballot is
where the participants decide, and letting a seat vote there would let government count itself as
the public."""

from __future__ import annotations

from flask_babel import gettext as _

from ..organisations.acting import holds_seat


def voter_refusal(user) -> str | None:
    """The reason ``user`` may not vote in any ballot, or None."""
    if holds_seat(user):
        return _("Members of the secretariat do not vote in participants' ballots: the secretariat decides through "
                 "its approvals. Your vote was not recorded.")
    return None
