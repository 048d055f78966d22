"""Home, the public record, language choice and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import text

from ..auth.models import closed_account_name
from ..core import pagecache
from ..core.db import utcnow
from ..core.eventlog import Verb, verb_label
from ..core.i18n import LOCALE_COOKIE
from ..core.params import MAX_SEQ, int_arg
from ..core.sectors import Sector
from ..core.urls import safe_next
from ..extensions import db
from ..opendata import record as record_filters
from . import activity, services
from .forms import LanguageForm
from .open_now import open_now

bp = Blueprint("main", __name__)
LOCALE_COOKIE_SECONDS = 365 * 24 * 3600


@bp.route("/")
def home():
    return render_template("main/home.html", figures=services.home_figures(), open_now=open_now(utcnow()))


@bp.route("/my/activity")
@login_required
def activity_page():
    """Everything the person did on the platform, with the status of each act today (main/activity.py)."""
    before = int_arg("before", maximum=MAX_SEQ)
    entries, next_before = activity.page(current_user.id, before)
    return render_template("main/activity.html", entries=entries, next_before=next_before, first=before is None,
                           counts=activity.counts(current_user.id), unanswered=activity.unanswered(current_user.id))


@bp.route("/record")
def record():
    """The participation log as the public may read it (DOMAIN.md, "Participation event" and "What is
    public, and when"), newest first, filtered by a GET form that needs no script; a filter that
    cannot be used is a 400 with the form and its errors."""
    before = int_arg("before", maximum=MAX_SEQ)
    flt, errors = record_filters.parse_filter(request.args)
    if errors:
        events, next_before = [], None
    else:
        events, next_before = services.record_page(flt, before)
    urls = record_filters.subject_urls([(event, shown) for event, _verification, shown in events])
    page = render_template(
        "main/record.html", events=events, next_before=next_before, head=services.chain_head(), urls=urls,
        filters=flt, errors=errors, args=request.args, verbs=sorted(Verb, key=lambda v: verb_label(v).casefold()),
        sectors=list(Sector), closed_account=closed_account_name,
    )
    return page, (400 if errors else 200)


@bp.route("/language", methods=["GET", "POST"])
def language():
    """The language switch. A reader without an account uses it as a GET form: it only sets the
    ``locale`` cookie (core/i18n.py), which changes nothing on the server, so it needs no session and no
    CSRF token and the pages they read stay cacheable (core/pagecache.py). A logged-in person's switch
    is a POST (checked by CSRF) that also changes the language of their account and their e-mails."""
    source = request.form if request.method == "POST" else request.args
    form = LanguageForm(formdata=source, meta={"csrf": request.method == "POST"})
    response = redirect(safe_next())
    if form.validate():
        choice = form.language.data
        if request.method == "POST" and current_user.is_authenticated:
            current_user.locale = choice
            db.session.commit()
        response.set_cookie(LOCALE_COOKIE, choice, max_age=LOCALE_COOKIE_SECONDS, httponly=True, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.route("/healthz")
@pagecache.uncached  # it reports the database's state now, not the log's
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception:  # any database failure means "not ready"
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200
