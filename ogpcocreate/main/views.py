"""Home, the public record, language choice and the health check."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, session
from flask_login import current_user
from sqlalchemy import text

from ..core.params import MAX_SEQ, int_arg
from ..core.urls import safe_next
from ..extensions import db
from . import services
from .forms import LanguageForm

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    return render_template("main/home.html", figures=services.home_figures())


@bp.route("/record")
def record():
    before = int_arg("before", maximum=MAX_SEQ)
    events, next_before = services.record_page(before)
    return render_template("main/record.html", events=events, next_before=next_before, head=services.chain_head())


@bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.language.data
        if current_user.is_authenticated:
            current_user.locale = form.language.data
            db.session.commit()
    return redirect(safe_next())


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception:  # any database failure means "not ready"
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200
