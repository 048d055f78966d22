"""Who may do what: the one module that answers, used by views and templates alike.

Each ``can_*`` takes the acting user (possibly anonymous) and the object, and returns a bool; views
turn a False into 403 with ``require()``. Role look-ups are cached on ``flask.g`` for the request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .core.sectors import Seat
from .extensions import db


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_participant(user) -> bool:
    """A registered person with a verified e-mail (DOMAIN.md, "Participant")."""
    return _authenticated(user) and user.is_active and user.is_confirmed


def seat_of(user) -> Seat | None:
    """The secretariat seat the user holds now, if any."""
    if not _authenticated(user):
        return None
    cache = g.setdefault("_seat_cache", {})
    if user.id not in cache:
        from .secretariat.models import SecretariatMembership

        cache[user.id] = db.session.scalar(
            select(SecretariatMembership.seat).where(
                SecretariatMembership.user_id == user.id, SecretariatMembership.ended_at.is_(None)
            )
        )
    return cache[user.id]


def is_secretariat(user) -> bool:
    return is_participant(user) and seat_of(user) is not None


def is_site_admin(user) -> bool:
    return _authenticated(user) and user.is_active and user.is_admin


def membership(user, organisation):
    """The user's current membership of the organisation, or None."""
    if not _authenticated(user) or organisation is None:
        return None
    cache = g.setdefault("_membership_cache", {})
    key = (user.id, organisation.id)
    if key not in cache:
        from .organisations.models import Membership

        cache[key] = db.session.scalar(
            select(Membership).where(
                Membership.user_id == user.id,
                Membership.organisation_id == organisation.id,
                Membership.left_at.is_(None),
            )
        )
    return cache[key]


def audience(user, owns: Callable[[], bool] = lambda: False) -> str:
    """Who a shared fragment of a page is rendered for (core/fragments.py): readers who may do and read
    exactly the same things share one rendering. The secretariat, administrators, and whoever ``owns()``
    something the fragment shows (their own comment: they may read it hidden, and not report it; their
    own position: they may withdraw it) get their own; everyone else is one of three kinds, by the rules
    the shared parts ask (can_comment, can_report and the anonymous reader's links). ``owns`` is asked
    only of a reader with no role that already sets them apart."""
    if not _authenticated(user):
        return "public"
    if is_secretariat(user) or is_site_admin(user) or owns():
        return f"user:{user.id}"
    if is_participant(user):
        return "participant"
    return "registered:active" if user.is_active else "registered"


def forget_roles() -> None:
    """Drop the request's cached roles after a service changed them."""
    g.pop("_seat_cache", None)
    g.pop("_membership_cache", None)


def is_member(user, organisation) -> bool:
    return membership(user, organisation) is not None


def is_organisation_admin(user, organisation) -> bool:
    m = membership(user, organisation)
    return m is not None and m.is_admin


# --- accounts --------------------------------------------------------------------------------------


def can_create_organisation(user) -> bool:
    return is_participant(user)


# --- organisations ---------------------------------------------------------------------------------


def can_edit_organisation(user, organisation) -> bool:
    return is_participant(user) and is_organisation_admin(user, organisation)


def can_invite(user, organisation) -> bool:
    return can_edit_organisation(user, organisation)


def can_manage_members(user, organisation) -> bool:
    return can_edit_organisation(user, organisation)


def can_leave(user, organisation) -> bool:
    return is_member(user, organisation)


def can_see_members(user, organisation) -> bool:
    """Member names are personal data: members and the secretariat see them, the public sees counts."""
    return is_member(user, organisation) or is_secretariat(user) or is_site_admin(user)


def can_verify_organisation(user) -> bool:
    return is_secretariat(user)


# --- secretariat -----------------------------------------------------------------------------------


def can_manage_secretariat(user) -> bool:
    return is_site_admin(user)


# --- plans, calls, proposals, responses ----------------------------------------------------------------


def can_manage_plans(user) -> bool:
    return is_secretariat(user)


def can_manage_calls(user) -> bool:
    return is_secretariat(user)


# What is public is ogpcocreate/visibility.py's to say (DOMAIN.md, "What is public, and when"); what is
# not public yet is seen by the secretariat that prepares it, and by nobody else.


def can_see_plan(user, plan) -> bool:
    from .visibility import plan_is_public

    return is_secretariat(user) or plan_is_public(plan)


def can_see_call(user, call) -> bool:
    from .visibility import call_is_public

    return is_secretariat(user) or call_is_public(call)


def can_see_draft(user, draft) -> bool:
    from .visibility import draft_is_public

    return is_secretariat(user) or draft_is_public(draft)


def can_see_meeting(user, meeting) -> bool:
    from .visibility import meeting_is_public

    return is_secretariat(user) or meeting_is_public(meeting)


def can_see_ballot(user, ballot) -> bool:
    from .visibility import ballot_is_public

    return is_secretariat(user) or ballot_is_public(ballot)


def can_take_position(user, call) -> bool:
    return is_secretariat(user)


def can_submit_proposal(user, call) -> bool:
    """Any participant; the call's phase and who it accepts are checked by the service, with reasons."""
    from .visibility import call_is_public

    return is_participant(user) and call_is_public(call)


def can_edit_proposal(user, proposal) -> bool:
    return is_participant(user) and proposal.author_id == user.id and not proposal.is_withdrawn


def can_respond(user) -> bool:
    return is_secretariat(user)


# --- drafts, comments, moderation -----------------------------------------------------------------------


def can_manage_drafts(user) -> bool:
    return is_secretariat(user)


def can_comment(user) -> bool:
    """Verified participants comment; whether the round is open is the service's to say, with the date."""
    return is_participant(user)


def can_report(user) -> bool:
    return _authenticated(user) and user.is_active


def can_moderate(user) -> bool:
    return is_secretariat(user)


# --- meetings and votes -------------------------------------------------------------------------------


def can_manage_meetings(user) -> bool:
    return is_secretariat(user)


def can_sign_minutes(user, meeting) -> bool:
    return is_secretariat(user)


def can_manage_ballots(user) -> bool:
    return is_secretariat(user)


def can_publish_meeting(user, meeting) -> bool:
    return is_secretariat(user)


def can_publish_ballot(user, ballot) -> bool:
    return is_secretariat(user)


def can_vote(user) -> bool:
    """Participants vote; whether the ballot is open and whom they vote for is the service's to say."""
    return is_participant(user)


# --- the repository ------------------------------------------------------------------------------------


def can_manage_documents(user) -> bool:
    """The secretariat uploads, replaces and publishes documents and records commission reports."""
    return is_secretariat(user)


def can_see_document(user, document) -> bool:
    from .visibility import document_is_public

    if is_secretariat(user) or document_is_public(document):
        return True
    # A participant sees the files attached to their own proposal.
    return (document.proposal is not None and _authenticated(user)
            and document.proposal.author_id == user.id)


def can_attach_to_proposal(user, proposal) -> bool:
    """The proposal's author; whether the call still takes changes is the service's to say."""
    return can_edit_proposal(user, proposal)
# --- monitoring adopted commitments (monitoring/) ----------------------------------------------------


def can_see_monitoring(user, draft) -> bool:
    """A commitment's implementation is shown once it is adopted, wherever the commitment is seen."""
    return draft.is_adopted and can_see_draft(user, draft)


def can_manage_monitoring(user) -> bool:
    """The secretariat names institutions and contacts, sets a plan's scale and reference line, and
    records the IRM's recommendations."""
    return is_secretariat(user)


def is_contact(user, draft) -> bool:
    """A government account the secretariat named to report this commitment's progress."""
    if not is_participant(user):
        return False
    cache = g.setdefault("_contact_cache", {})
    key = (user.id, draft.id)
    if key not in cache:
        from .monitoring.models import Contact

        cache[key] = db.session.scalar(select(Contact.id).where(
            Contact.user_id == user.id, Contact.draft_id == draft.id, Contact.ended_at.is_(None)).limit(1)) is not None
    return cache[key]


def can_report_progress(user, draft) -> bool:
    """Contacts update progress (milestones, evidence, indicators, measurements); the secretariat too."""
    return is_secretariat(user) or is_contact(user, draft)


def is_assessor(user) -> bool:
    if not is_participant(user):
        return False
    cache = g.setdefault("_assessor_cache", {})
    if user.id not in cache:
        from .monitoring.models import Assessor

        cache[user.id] = db.session.scalar(select(Assessor.id).where(
            Assessor.user_id == user.id, Assessor.ended_at.is_(None)).limit(1)) is not None
    return cache[user.id]


def can_assess(user) -> bool:
    """The secretariat, or an assessor it granted the role, records the IRM's assessment."""
    return is_secretariat(user) or is_assessor(user)


# --- helpers for views -----------------------------------------------------------------------------


def require(allowed: bool) -> None:
    """403 unless allowed; anonymous users are sent to log in instead."""
    if allowed:
        return
    if not _authenticated(current_user):
        abort(401)
    abort(403)


def participant_required(view):
    """Logged in with a confirmed e-mail; otherwise log in, or confirm first (with a way to resend)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _authenticated(current_user):
            abort(401)
        if not current_user.is_confirmed:
            flash(_("Please confirm your e-mail address first. We can send the link again."), "warning")
            return redirect(url_for("auth.unconfirmed", next=request.full_path))
        return view(*args, **kwargs)

    return wrapper


def admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        require(is_site_admin(current_user))
        return view(*args, **kwargs)

    return wrapper


def secretariat_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        require(is_secretariat(current_user))
        return view(*args, **kwargs)

    return wrapper


TEMPLATE_HELPERS = {
    name: obj
    for name, obj in dict(globals()).items()
    if name.startswith(("can_", "is_")) or name in {"seat_of", "membership"}
}
