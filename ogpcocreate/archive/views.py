"""The secretariat's page of continuity archives: ask for one (prepared in the background) and download it."""

from __future__ import annotations

import os

from flask import Blueprint, Response, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import permissions
from ..core.boundary import carry_out
from ..permissions import secretariat_required
from . import loaders, personal, rules, services
from .forms import RequestArchiveForm

bp = Blueprint("archive", __name__)


@bp.route("/secretariat/archive", methods=["GET", "POST"])
@secretariat_required
def index():
    form = RequestArchiveForm()
    if form.validate_on_submit():
        if carry_out(services.request_export, current_user, permissions.seat_of(current_user)):
            flash(_("The archive will be prepared in the background; it is listed here when it is ready."), "success")
        return redirect(url_for("archive.index"))
    return render_template("archive/index.html", form=form, exports=services.recent_exports(),
                           refusal=rules.request_refusal(current_user), keep=services.keep_count())


@bp.route("/account/data.zip")
@login_required
def my_data():
    """Everything the platform holds about the signed-in person, as a ZIP of JSON and CSV (archive/personal.py)."""
    response = Response(personal.zip_of(current_user), mimetype="application/zip")
    response.headers["Content-Disposition"] = "attachment; filename=my-data.zip"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/secretariat/archive/<int:export_id>/download")
@secretariat_required
def download(export_id: int):
    export, path = loaders.get_ready_export_or_404(current_user, export_id)
    # The response sends the very handle that holds the file's shared lock, and the server closes it when
    # the download ends: until then the archiver's pruning leaves the file alone.
    held = services.hold_for_download(path)
    if held is None:
        abort(404)
    response = send_file(held, mimetype="application/x-tar", as_attachment=True, download_name=export.file_name)
    response.content_length = os.fstat(held.fileno()).st_size
    response.headers["Cache-Control"] = "private, no-store"
    return response
