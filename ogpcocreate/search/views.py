"""The search page: results across the public record, with the matching passage highlighted."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from .. import visibility
from ..core.params import page_arg
from ..extensions import db
from ..plans.models import ActionPlan
from . import services
from .forms import SearchForm

bp = Blueprint("search", __name__)


@bp.route("/search")
def search():
    plans = db.session.scalars(select(ActionPlan).where(visibility.public_plan()).order_by(ActionPlan.id)).all()
    form = SearchForm(request.args, plans=plans)
    page = None
    if form.validate() and form.q.data:
        filters = services.Filters(kind=form.kind.data or None, plan_id=int(form.plan.data) if form.plan.data else None,
                                   year=form.year.data)
        page = services.search(form.q.data, filters, page_arg(), sort=form.sort.data or "relevance")
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    status = 400 if form.errors else 200
    return render_template("search/results.html", form=form, page=page, args=args), status
