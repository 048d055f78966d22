"""Draft commitment pages: the current version and its discussion, every version, the comparison of
two versions with the contributions that caused the changes, and the secretariat's forms."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import permissions
from ..approvals import services as approvals
from ..approvals.forms import PositionForm
from ..approvals.models import Action
from ..calls.loaders import get_call_or_404
from ..comments import rules as comment_rules
from ..comments import services as comments
from ..comments.forms import CommentForm
from ..core import fragments, ratelimit
from ..core.boundary import carry_out
from ..core.db import utcnow
from ..core.forms import options
from ..core.params import MAX_PAGE, int_arg, page_arg
from ..extensions import db
from ..moderation.forms import DecisionForm
from ..permissions import secretariat_required
from ..proposals import services as proposals
from ..responses.forms import ResponseForm
from ..responses.models import Outcome
from . import services
from .forms import DraftForm, VersionForm
from .loaders import get_draft_or_404
from .models import SECTION_LABELS, DraftCommitment, DraftVersion, Section

bp = Blueprint("drafts", __name__)


def _version_or_404(draft: DraftCommitment, number: int) -> DraftVersion:
    for version in draft.versions:
        if version.number == number:
            return version
    abort(404)



@bp.route("/calls/<int:call_id>/drafts/new", methods=["GET", "POST"])
@secretariat_required
def create(call_id: int):
    call = get_call_or_404(call_id)
    form = DraftForm()
    form.theme.choices = options((t.id, t.name) for t in call.themes)
    rows = db.session.execute(proposals.listing(call.id, proposals.ProposalFilters())).unique().all()
    form.sources.choices = options((p.id, f"{p.title} — {p.organisation.name if p.organisation else p.author.public_name}")
                                   for p, _r in rows if not p.is_withdrawn)
    if form.validate_on_submit():
        if outcome := carry_out(services.create_draft, current_user, permissions.seat_of(current_user),
                                call, form.data, form=form):
            draft = outcome.result
            flash(_("The draft commitment has been created. Write and publish its first version."), "success")
            return redirect(url_for("drafts.publish", draft_id=draft.id))
    return render_template("drafts/create.html", form=form, call=call), 400 if request.method == "POST" else 200


def _prefill(form: VersionForm, version: DraftVersion | None) -> None:
    if version is None:
        return
    for section in Section:
        if section is not Section.MILESTONES:
            getattr(form, f"{section.value}_source").data = getattr(version, f"{section.value}_source")
    for entry, milestone in zip(form.milestones.entries, version.milestones, strict=False):
        entry.form.description.data = milestone.description
        entry.form.due.data = milestone.due
        entry.form.responsible.data = milestone.responsible


@bp.route("/drafts/<int:draft_id>/versions/new", methods=["GET", "POST"])
@secretariat_required
def publish(draft_id: int):
    draft = get_draft_or_404(draft_id)
    form = VersionForm()
    proposals_in, comments_in = services.incorporable(draft)
    form.incorporate_proposals.choices = options((p.id, p.title) for p in proposals_in)
    form.incorporate_comments.choices = options(
        (c.id, f"#{c.id} · v{c.version.number} · {c.organisation.name if c.organisation else c.author.public_name}: "
               f"{(comment_rules.source_for(current_user, c) or _('(hidden by moderation)'))[:120]}")
        for c in comments_in)
    if request.method == "GET":
        _prefill(form, draft.current_version)
        if draft.current_version is None:
            form.incorporate_proposals.data = [p.id for p in proposals_in]
    if form.validate_on_submit():
        if outcome := carry_out(services.publish_version, current_user, permissions.seat_of(current_user),
                                draft, form.data, form=form):
            version = outcome.result
            flash(_("Version %(n)d has been published and is open for comments.", n=version.number), "success")
            return redirect(url_for("drafts.detail", draft_id=draft.id))
    return render_template("drafts/publish.html", form=form, draft=draft), 400 if request.method == "POST" else 200


def _discussion(draft: DraftCommitment, version: DraftVersion):
    page = page_arg()
    section = request.args.get("section") or None
    if section and section not in {s.value for s in Section}:
        section = None
    threads, total = comments.page_of_threads(version, page, section=section)
    shown = [t.comment for t in threads] + [r for t in threads for r, _resp in t.replies]
    ids = [c.id for c in shown]
    return {
        # What this reader may read of each comment: None where a hidden text is withheld from them.
        "texts": {c.id: comment_rules.text_for(current_user, c) for c in shown},
        "threads": threads,
        "total": total,
        "page": page,
        "pages": max((total + 19) // 20, 1),
        "section_filter": section,
        "section_counts": comments.section_counts(version),
        "incorporated": services.incorporated_in(ids),
    }


def _comment_form(version: DraftVersion) -> CommentForm:
    form = CommentForm()
    form.section.choices = options([("", _("The whole commitment")), *((s.value, SECTION_LABELS[s]) for s in Section)])
    organisations = proposals.organisations_for(current_user) if current_user.is_authenticated else []
    form.organisation.choices = options([(0, _("Myself, as an individual citizen")), *((o.id, o.name) for o in organisations)])
    return form


@bp.route("/drafts/<int:draft_id>")
def detail(draft_id: int):
    draft = get_draft_or_404(draft_id)
    version = draft.current_version
    return _render_version(draft, version, current=True)


@bp.route("/drafts/<int:draft_id>/versions/<int:number>")
def version(draft_id: int, number: int):
    draft = get_draft_or_404(draft_id)
    return _render_version(draft, _version_or_404(draft, number), current=number == draft.current_version.number)


def _shared_context(draft: DraftCommitment, version: DraftVersion, current: bool) -> dict:
    """What drafts/_version.html shows: the same for every reader of one audience (core/fragments.py)."""
    context = {"draft": draft, "version": version, "is_current": current, "sources": services.load_sources(draft)}
    context.update(_discussion(draft, version))
    context.update(
        round=services.round_status(version),
        incorporated_here=services.incorporations(version),
        response_form=ResponseForm() if permissions.can_respond(current_user) else None,
        decision_form=DecisionForm() if permissions.can_moderate(current_user) else None,
        position_form=PositionForm(),
        adoption_state=approvals.state(Action.ADOPT_COMMITMENT, draft, draft.call.plan.requires_tripartite),
        adoption_positions=approvals.history(Action.ADOPT_COMMITMENT, draft),
        my_seat=permissions.seat_of(current_user),
        Section=Section,
        SECTION_LABELS=SECTION_LABELS,
        Outcome=Outcome,
        Action_adopt=Action.ADOPT_COMMITMENT,
    )
    return context


def _render_version(draft, version, current: bool, comment_form=None, status=200):
    context = {"draft": draft, "version": version, "is_current": current}
    if version is not None:
        context["shared"] = fragments.shared("draft-version", "drafts/_version.html",
                                             lambda: _shared_context(draft, version, current),
                                             services.page_audience(current_user, draft, version))
        context["round_open"] = version.comments_open_at(utcnow())
        if current and context["round_open"] and permissions.can_comment(current_user):
            context["comment_form"] = comment_form or _comment_form(version)
    return render_template("drafts/detail.html", **context), status


@bp.route("/drafts/<int:draft_id>/compare")
def compare(draft_id: int):
    draft = get_draft_or_404(draft_id)
    numbers = [v.number for v in draft.versions]
    if not numbers:
        abort(404)  # nothing published yet, so nothing to compare
    message = _("Choose two versions of this draft to compare.")
    old_n = int_arg("from", maximum=MAX_PAGE, message=message) or (numbers[-2] if len(numbers) > 1 else numbers[0])
    new_n = int_arg("to", maximum=MAX_PAGE, message=message) or numbers[-1]
    old, new = _version_or_404(draft, old_n), _version_or_404(draft, new_n)
    proposals_in, comments_in = services.incorporations(new)
    # A comment hidden after this version took it in keeps its place in the trace, not its text.
    excerpts = {c.id: comment_rules.source_for(current_user, c) for c in comments_in}
    return render_template("drafts/compare.html", draft=draft, old=old, new=new, diffs=services.compare(old, new),
                           proposals_in=proposals_in, comments_in=comments_in, excerpts=excerpts, numbers=numbers)


@bp.route("/drafts/<int:draft_id>/comments", methods=["POST"])
@ratelimit.contribution_limits
def comment(draft_id: int):
    draft = get_draft_or_404(draft_id)
    permissions.require(permissions.can_comment(current_user))
    version = draft.current_version
    form = _comment_form(version)
    if form.validate_on_submit():
        if outcome := carry_out(comments.add, current_user, version, form.data, form=form):
            created = outcome.result
            flash(_("Your comment has been published. The secretariat will answer it with a reasoned response."), "success")
            return redirect(url_for("drafts.detail", draft_id=draft.id) + f"#comment-{created.id}")
    # Show the page again with what was typed, so nothing written is lost.
    return _render_version(draft, version, current=True, comment_form=form, status=400)
