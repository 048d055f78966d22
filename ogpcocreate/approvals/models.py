"""One approval or objection by a secretariat member, for one seat, on one act about one object.

An act (``Action``) is about exactly one object: a call (publishing it, publishing its results), a
meeting (signing its minutes), a draft commitment (adopting it as final) or an action plan (switching
off its tripartite requirement). Each has its own nullable foreign key and a CHECK keeps exactly one
set, never a generic ``object_type``/``object_id`` pair (STYLE.md, convention 9).

DOMAIN.md, "Tripartite approval, precisely": a seat approves a specific text. ``snapshot`` keeps the
text the seat saw when it took its position (approvals/services.py, ``snapshot_of``); editing the
object withdraws the standing approvals (``withdrawn_because = "edited"``), and the page shows what
changed since each position.
"""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..core.db import enum_column, utcnow
from ..core.sectors import Seat
from ..extensions import db


class Action(enum.StrEnum):
    PUBLISH_CALL = "publish_call"
    PUBLISH_RESULTS = "publish_results"
    SIGN_MINUTES = "sign_minutes"
    ADOPT_COMMITMENT = "adopt_commitment"
    SWITCH_OFF_TRIPARTITE = "switch_off_tripartite"

    @property
    def label(self):
        return {
            Action.PUBLISH_CALL: _l("Publish the call"),
            Action.PUBLISH_RESULTS: _l("Publish the results"),
            Action.SIGN_MINUTES: _l("Sign the minutes"),
            Action.ADOPT_COMMITMENT: _l("Adopt the commitment as final"),
            Action.SWITCH_OFF_TRIPARTITE: _l("Switch off the requirement of the three seats' approval"),
        }[self]

    @property
    def always_tripartite(self) -> bool:
        """Acts that need the three seats whatever the plan says: switching the requirement off is the act
        that would let one seat bypass the other two (DOMAIN.md, "Tripartite approval, precisely")."""
        return self is Action.SWITCH_OFF_TRIPARTITE


class Stance(enum.StrEnum):
    APPROVE = "approve"
    OBJECT = "object"

    @property
    def label(self):
        return {Stance.APPROVE: _l("Approved"), Stance.OBJECT: _l("Objected")}[self]


class Approval(db.Model):
    __tablename__ = "approval"

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[Action] = enum_column(Action)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft_commitment.id"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("action_plan.id"))
    seat: Mapped[Seat] = enum_column(Seat)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    stance: Mapped[Stance] = enum_column(Stance)
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # An objection blocks until its author withdraws it; an approval can be withdrawn before the act.
    withdrawn_at: Mapped[datetime | None]
    # "author" (the member withdrew it) or "edited" (the object's text changed after it was given).
    withdrawn_because: Mapped[str | None] = mapped_column(String(16))
    # The text the seat took its position on (approvals/services.py, snapshot_of).
    snapshot: Mapped[dict | None] = mapped_column(JSON)

    user: Mapped[User] = relationship()

    # What changed since this position, filled by approvals/services.py when it loads positions for a page.
    changed_fields: list = []

    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN call_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN meeting_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN draft_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN plan_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="exactly_one_object",
        ),
        # One standing position per seat and act: a member cannot approve twice, nor a seat twice.
        # One partial index per kind of object, since NULLs never collide in a unique index.
        *(
            Index(
                f"uq_approval_standing_{column.removesuffix('_id')}",
                "action",
                column,
                "seat",
                unique=True,
                sqlite_where=text(f"withdrawn_at IS NULL AND {column} IS NOT NULL"),
                postgresql_where=text(f"withdrawn_at IS NULL AND {column} IS NOT NULL"),
            )
            for column in ("call_id", "meeting_id", "draft_id", "plan_id")
        ),
    )

    @property
    def is_standing(self) -> bool:
        return self.withdrawn_at is None
