"""Taking, withdrawing and counting positions on an act that needs the secretariat's approval.

DOMAIN.md, "Tripartite approval": an act needs one approval from each seat (government, guarantor,
civil society); every approval or objection is recorded with its comment; an objection blocks until
it is withdrawn. A plan can switch the requirement off, and then one member's approval suffices.
Each seat holds at most one standing position per act (a unique index backs this), so a member can
neither approve twice nor speak for another seat: the seat is always the member's own.

DOMAIN.md, "Tripartite approval, precisely":
- A seat approves a specific text: each position keeps a snapshot of what it was given on
  (``snapshot_of``). Editing the object withdraws every standing approval on it (``withdraw_on_edit``,
  recorded on the log as withdrawn because the text changed); objections stand, since only their authors
  may withdraw them. Pages show what changed since each position (``Approval.changed_fields``).
- Switching off a plan's tripartite requirement is itself an act the three seats approve, whatever the
  plan says (``Action.always_tripartite``).
- Every objection can be withdrawn by its author, for every kind of act.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
    """The foreign key of Approval that points at this kind of object (a call, a meeting, a draft, a plan)."""
    column = {"call": Approval.call_id, "meeting": Approval.meeting_id, "draft_commitment": Approval.draft_id,
              "action_plan": Approval.plan_id}.get(target.__tablename__)
    if column is None:
        raise TypeError(f"nothing is approved on a {target.__tablename__}")
    return column


def _call_of(target):
    if target.__tablename__ == "action_plan":
        return None
    return target if target.__tablename__ == "call" else target.call


def _log_context(target) -> dict:
    call = _call_of(target)
    return {"call": call} if call is not None else {"plan": target}


# --- the text a seat approves ----------------------------------------------------------------------

# The fields of each kind of object that make up "the text" a seat approves, with the words a page uses
# for them. Dates are compared as ISO text; lists (themes, attendance) as sorted lists.
SNAPSHOT_FIELDS = {
    "call": {"title": _l("title"), "description_source": _l("description"), "submitters": _l("who may submit"),
             "announce_at": _l("announcement date"), "opens_at": _l("opening date"), "closes_at": _l("closing date"),
             "deliberation_at": _l("deliberation date"), "decision_at": _l("decision date"),
             "results_at": _l("results date"), "themes": _l("themes")},
    "meeting": {"title": _l("title"), "starts_at": _l("date and time"), "modality": _l("modality"),
                "place": _l("place"), "territory": _l("territory"), "minutes_source": _l("minutes"),
                "agreements_source": _l("agreements"), "attendance": _l("attendance")},
    "draft_commitment": {"title": _l("title"), "version": _l("version")},
    "action_plan": {"requires_tripartite": _l("approval requirement")},
}


def _value(target, name: str):
    if name == "themes":
        return [t.name for t in target.themes]
    if name == "version":
        return target.current_version.number if target.current_version else None
    if name == "attendance":
        registered = sorted([a.user_id, a.organisation_id or 0] for a in target.attendees)
        unregistered = sorted([u.sector.value, u.count] for u in target.unregistered)
        return {"registered": registered, "unregistered": unregistered}
    value = getattr(target, name)
    if isinstance(value, datetime):
        return value.isoformat()
    return value.value if isinstance(value, enum.Enum) else value


def snapshot_of(target) -> dict:
    """The approvable text of ``target`` as JSON-ready data."""
    return json.loads(json.dumps({name: _value(target, name) for name in SNAPSHOT_FIELDS[target.__tablename__]},
                                 default=str))


def changes(snapshot: dict | None, current: dict, kind: str) -> list[str]:
    """The names of the fields that differ between a position's snapshot and the current text."""
    if snapshot is None:
        return []
    return [str(label) for name, label in SNAPSHOT_FIELDS[kind].items() if snapshot.get(name) != current.get(name)]


def withdraw_on_edit(actor: User, seat: Seat | None, target, before: dict) -> list[Approval]:
    """After an edit of ``target`` whose text was ``before``: withdraw every standing approval on it if
    the text changed, each recorded on the log. Returns the approvals withdrawn."""
    after = snapshot_of(target)
    if after == before:
        return []
    changed = changes(before, after, target.__tablename__)
    withdrawn = []
    for approval in db.session.scalars(select(Approval).where(
        _target_column(target) == target.id, Approval.withdrawn_at.is_(None), Approval.stance == Stance.APPROVE
    )):
        approval.withdrawn_at = utcnow()
        approval.withdrawn_because = "edited"
        eventlog.record(actor, Verb.WITHDRAWN, approval, sector=seat.sector if seat else None, territory="national",
                        data={"action": approval.action.value, "stance": approval.stance.value, "seat": approval.seat.value,
                              "because": "edited", "changed": changed}, **_log_context(target))
        withdrawn.append(approval)
    db.session.flush()
    return withdrawn


def took_position(user, target) -> bool:
    """Whether ``user`` ever took a position on ``target`` (the positions table offers them, and only them,
    the withdrawal of a standing one: a page's shared part is then rendered for them alone)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(Approval.id).where(
        _target_column(target) == target.id, Approval.user_id == user.id).limit(1)) is not None


def history(action: Action | None, target) -> list[Approval]:
    """Every position ever taken on the object's acts, oldest first (the public record), each with what
    changed in the object's text since it was taken."""
    query = select(Approval).where(_target_column(target) == target.id).order_by(Approval.created_at, Approval.id)
    if action is not None:
        query = query.where(Approval.action == action)
    positions = list(db.session.scalars(query))
    if positions:
        current = snapshot_of(target)
        for approval in positions:
            approval.changed_fields = changes(approval.snapshot, current, target.__tablename__)
    return positions


def state(action: Action, target, requires_tripartite: bool) -> ApprovalState:
    required = requires_tripartite or action.always_tripartite
    result = ApprovalState(required_seats=list(Seat) if required else [])
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
    approval = Approval(action=action, seat=seat, user_id=actor.id, stance=stance, comment=comment,
                        snapshot=snapshot_of(target))
    setattr(approval, _target_column(target).key, target.id)
    db.session.add(approval)
    db.session.flush()
    eventlog.record(actor, Verb.APPROVED if stance is Stance.APPROVE else Verb.OBJECTED, approval,
                    sector=seat.sector, territory="national", **_log_context(target),
                    data={"action": action.value, "seat": seat.value, "comment": comment,
                          "on": target.__tablename__, "id": target.id})
    return state(action, target, requires_tripartite)


def withdraw(actor: User, approval: Approval, target) -> None:
    if approval.user_id != actor.id:
        raise ServiceError(_("Only the member who took a position can withdraw it."))
    if approval.withdrawn_at is not None:
        raise ServiceError(_("This position was already withdrawn."))
    approval.withdrawn_at = utcnow()
    approval.withdrawn_because = "author"
    eventlog.record(actor, Verb.WITHDRAWN, approval, sector=approval.seat.sector, territory="national",
                    **_log_context(target),
                    data={"action": approval.action.value, "stance": approval.stance.value})
    db.session.flush()
