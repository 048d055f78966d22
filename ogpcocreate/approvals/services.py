"""Taking, withdrawing and counting positions on an act that needs the secretariat's approval.

DOMAIN.md, "Tripartite approval": an act needs one approval from each seat (government, guarantor,
civil society); every approval or objection is recorded with its comment; an objection blocks until
it is withdrawn. A plan can switch the requirement off, and then one member's approval suffices.
Each seat holds at most one standing position per act (a unique index backs this), so a member can
neither approve twice nor speak for another seat: the seat is always the member's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.models import User
from ..core import eventlog
from ..core.db import utcnow
from ..core.errors import ServiceError
from ..core.eventlog import Verb
from ..core.sectors import Seat
from ..extensions import db
from .models import Action, Approval, Stance


@dataclass
class ApprovalState:
    required_seats: list[Seat]
    approvals: dict[Seat, Approval] = field(default_factory=dict)
    objections: dict[Seat, Approval] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        if self.objections:
            return False
        return all(seat in self.approvals for seat in self.required_seats) if self.required_seats else bool(self.approvals)

    @property
    def missing_seats(self) -> list[Seat]:
        return [seat for seat in self.required_seats if seat not in self.approvals]

    def position_of(self, seat: Seat | None) -> Approval | None:
        return self.approvals.get(seat) or self.objections.get(seat)


def _target_column(target):
    """The foreign key of Approval that points at this kind of object (a call, a meeting, a draft)."""
    column = {"call": Approval.call_id, "meeting": Approval.meeting_id, "draft_commitment": Approval.draft_id}.get(
        target.__tablename__)
    if column is None:
        raise TypeError(f"nothing is approved on a {target.__tablename__}")
    return column


def _call_of(target):
    return target if target.__tablename__ == "call" else target.call


def history(action: Action | None, target) -> list[Approval]:
    """Every position ever taken on the object's acts, oldest first (the public record)."""
    query = select(Approval).where(_target_column(target) == target.id).order_by(Approval.created_at, Approval.id)
    if action is not None:
        query = query.where(Approval.action == action)
    return list(db.session.scalars(query))


def state(action: Action, target, requires_tripartite: bool) -> ApprovalState:
    result = ApprovalState(required_seats=list(Seat) if requires_tripartite else [])
    for approval in history(action, target):
        if approval.withdrawn_at is not None:
            continue
        target = result.approvals if approval.stance is Stance.APPROVE else result.objections
        target[approval.seat] = approval
    return result


def take_position(actor: User, seat: Seat, action: Action, target, stance: str, comment: str,
                  requires_tripartite: bool) -> ApprovalState:
    """Record the member's approval or objection for their seat on ``target`` (a call, a meeting or a
    draft commitment); return the act's new state."""
    stance = Stance(stance)
    comment = (comment or "").strip()
    if stance is Stance.OBJECT and not comment:
        raise ServiceError(_("Say why you object, so the other seats can answer it."), field="comment")
    current = state(action, target, requires_tripartite)
    if current.position_of(seat) is not None:
        raise ServiceError(
            _("Your seat (%(seat)s) has already taken a position on this. Withdraw it first to change it.",
              seat=seat.label)
        )
    approval = Approval(action=action, seat=seat, user_id=actor.id, stance=stance, comment=comment)
    setattr(approval, _target_column(target).key, target.id)
    db.session.add(approval)
    db.session.flush()
    eventlog.record(actor, Verb.APPROVED if stance is Stance.APPROVE else Verb.OBJECTED, approval,
                    sector=seat.sector, territory="national", call=_call_of(target),
                    data={"action": action.value, "seat": seat.value, "comment": comment,
                          "on": target.__tablename__, "id": target.id})
    return state(action, target, requires_tripartite)


def withdraw(actor: User, approval: Approval, target) -> None:
    if approval.user_id != actor.id:
        raise ServiceError(_("Only the member who took a position can withdraw it."))
    if approval.withdrawn_at is not None:
        raise ServiceError(_("This position was already withdrawn."))
    approval.withdrawn_at = utcnow()
    eventlog.record(actor, Verb.WITHDRAWN, approval, sector=approval.seat.sector, territory="national",
                    call=_call_of(target),
                    data={"action": approval.action.value, "stance": approval.stance.value})
    db.session.flush()
