"""Open-data endpoints: JSON lists under /api/v1 and streamed CSV exports."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, jsonify, request, stream_with_context
from flask_babel import gettext as _

from ..calls.phases import SCHEDULE
from ..core.db import utcnow
from ..core.params import int_arg, page_arg
from ..core.urls import external_url
from . import services

bp = Blueprint("opendata", __name__)

PER_PAGE = 50
# Rows of CSV gathered before a chunk (about 150 kB) goes out: large enough to keep the overhead per row
# low, small enough that memory does not depend on the size of the log.
CHUNK_ROWS = 500


def _cacheable(response: Response) -> Response:
    """Public lists: shared caches may keep them a minute; a client that has this version gets a 304."""
    response.cache_control.public = True
    response.cache_control.max_age = 60
    response.add_etag()
    return response.make_conditional(request)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


@bp.route("/record.csv")
def record_csv():
    """The whole participation log (or one plan's or call's part of it) as CSV, streamed in batches."""
    plan_id = int_arg("plan", message=_("The plan must be given as the number of an action plan."))
    call_id = int_arg("call", message=_("The call must be given as the number of a call for proposals."))

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(services.RECORD_COLUMNS)
        for rows in services.record_batches(plan_id, call_id):
            for start in range(0, len(rows), CHUNK_ROWS):
                writer.writerows(rows[start:start + CHUNK_ROWS])
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=participation-record.csv"
    return response


@bp.route("/api/v1/calls")
def api_calls():
    """Published calls, newest first, 50 a page; unpublished ones never appear."""
    page = page_arg()
    rows, more = services.published_calls(page, PER_PAGE)
    now = utcnow()
    calls = []
    for row in rows:
        call = row.call
        calls.append({
            "id": call.id,
            "title": call.title,
            "plan": {"id": call.plan_id, "name": row.plan_name},
            "phase": call.phase_at(now).value,
            "submitters": call.submitters.value,
            "timeline": {name: _iso(getattr(call, name)) for name, _label in SCHEDULE},
            "published_at": _iso(call.published_at),
            "results_published_at": _iso(call.results_published_at),
            "proposals": row.proposals,
            "url": external_url("calls.detail", call_id=call.id),
            "influence": external_url("reports.api_call_influence", call_id=call.id),
        })
    payload = {
        "calls": calls,
        "page": page,
        "per_page": PER_PAGE,
        "next": external_url("opendata.api_calls", page=page + 1) if more else None,
    }
    return _cacheable(jsonify(payload))


@bp.route("/api/v1/plans")
def api_plans():
    """Every action plan with its period, status and number of published calls."""
    plans = [
        {
            "id": plan.id,
            "name": plan.name,
            "period": {"start": plan.period_start, "end": plan.period_end},
            "status": plan.status.value,
            "calls": count,
            "url": external_url("plans.detail", plan_id=plan.id),
        }
        for plan, count in services.plans_with_call_counts()
    ]
    return _cacheable(jsonify({"plans": plans}))
