"""The demo's followers and notifications: the key accounts follow the current plan and its calls, and
find a few unread notifications (the secretariat: its queues) when they first log in."""

from __future__ import annotations

from sqlalchemy import select, update

from ..auth.models import User
from ..calls.models import Call
from ..extensions import db
from ..notifications import services
from ..notifications.models import Frequency, Kind, Notification
from ..plans.models import ActionPlan
from ..proposals.models import Proposal


def load() -> None:
    people = {u.email.split("@")[0]: u for u in db.session.scalars(select(User).where(User.email.like("%@demo.example.org")))}
    plan = db.session.scalars(select(ActionPlan).order_by(ActionPlan.id.desc())).first()
    if plan is None:
        return
    calls = list(db.session.scalars(select(Call).where(Call.plan_id == plan.id).order_by(Call.opens_at)))
    for login in ("ciudadana", "osc"):
        if login in people:
            services.follow(people[login], plan)
            for call in calls:
                services.follow(people[login], call)
    # The dates of the demo's process have passed: tell the followers and the secretariat what is due now.
    services.tick()
    # An unread line for the citizen even if no date fell in the last days: the call still open.
    if "ciudadana" in people and calls:
        latest = calls[-1]
        services.notify(people["ciudadana"], Kind.CALL_ANNOUNCED, latest, services.url_for("calls.detail",
                        call_id=latest.id), occasion="announced", data={"title": latest.title})
    # The organisation's members follow what they proposed (as taking part does from now on).
    for proposal in db.session.scalars(select(Proposal).where(Proposal.call_id.in_([c.id for c in calls]))):
        services.follow(proposal.author, proposal, automatic=True)
    # The demo's e-mails were cleared (loader.py): what the demo produced stays on the site only, and
    # the first digest run mails nothing about the story.
    db.session.execute(update(Notification).where(Notification.digest_message_id.is_(None))
                       .values(delivery=Frequency.NEVER))
    db.session.flush()
