"""The open-data API's routes: a page and an item for each resource of services.RESOURCES, the public
record by cursor, CORS for every GET under /api/v1/, and the interactive documentation served locally."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import swagger_ui_bundle
from flask import Blueprint as FlaskBlueprint
from flask import Response, abort, jsonify, render_template, request, send_from_directory, stream_with_context
from flask_babel import gettext as _
from flask_smorest import Blueprint

from ..core.eventlog import Verb
from ..core.params import MAX_ID, MAX_PAGE, BadParameter, int_arg, page_arg
from ..core.sectors import Sector
from ..core.urls import external_url
from ..opendata import record
from . import dictionary, schemas, services

bp = Blueprint("api", __name__, description="Every public resource, read-only.")
docs_bp = FlaskBlueprint("apidocs", __name__)

DEFAULT_LIMIT = 50
_ERRORS = {"400": "A parameter cannot be used (the detail says which).", "404": "Nothing public at this address."}


def _error_docs(*codes: str) -> dict:
    return {code: {"description": _ERRORS[code], "content": {"application/json": {"schema": schemas.ApiErrorSchema}}}
            for code in codes}


def answer(payload: dict, schema):
    """JSON shaped by its schema (nothing undeclared goes out), cacheable a minute, with an ETag and a
    Last-Modified date: a client revalidating with either gets a 304 while nothing changed."""
    response = jsonify(schema().dump(payload))
    response.cache_control.public = True
    response.cache_control.max_age = 60
    response.add_etag()
    changed = services.last_change()
    if changed is not None:
        response.last_modified = changed
    return response.make_conditional(request)


def _cursor() -> int:
    raw = request.args.get("cursor", "").strip()
    if not raw:
        return 0
    if raw.isascii() and raw.isdigit() and len(raw) <= len(str(MAX_ID)) and int(raw) <= MAX_ID:
        return int(raw)
    raise BadParameter(_("The cursor must be one given by a previous page (next_cursor)."))


def _limit() -> int:
    most = services.max_page()
    return int_arg("limit", maximum=most,
                   message=_("The limit must be a whole number from 1 to %(max)d.", max=most)) or DEFAULT_LIMIT


YEARS = (1990, 2100)  # the pages' year fields (repository/forms.py)
MAX_TEXT = 100  # the pages' text filters


def _where(resource: services.Resource) -> dict:
    where = {}
    for name, flt in resource.filters.items():
        if flt.type == "id":
            value = int_arg(name)
            if value is not None:
                where[name] = value
            continue
        raw = request.args.get(name, "").strip()
        if not raw:
            continue
        if flt.type == "choice":
            if raw not in flt.choices:
                raise BadParameter(_("“%(name)s” must be one of: %(choices)s.", name=name, choices=", ".join(flt.choices)))
            where[name] = flt.convert(raw)
        elif flt.type == "year":
            if not (raw.isascii() and raw.isdigit() and YEARS[0] <= int(raw) <= YEARS[1]):
                raise BadParameter(_("“%(name)s” must be a year from %(first)d to %(last)d.", name=name,
                                     first=YEARS[0], last=YEARS[1]))
            where[name] = int(raw)
        else:
            if len(raw) > MAX_TEXT:
                raise BadParameter(_("“%(name)s” may have up to %(max)d characters.", name=name, max=MAX_TEXT))
            where[name] = raw
    return where


def _next_url(endpoint: str, cursor: int | None) -> str | None:
    if cursor is None:
        return None
    args = {k: v for k, v in request.args.items() if k not in ("cursor", "page")}
    return external_url(endpoint, **args, cursor=str(cursor))


def _page_parameters(filters: dict) -> list[dict]:
    params = [
        {"in": "query", "name": "cursor", "schema": {"type": "string", "pattern": "^[0-9]{0,9}$"},
         "description": "The next_cursor of the previous page; empty for the first."},
        {"in": "query", "name": "limit", "schema": {"type": "integer", "minimum": 1, "maximum": 200},
         "description": f"Items a page (default {DEFAULT_LIMIT})."},
    ]
    for name, flt in filters.items():
        schema = {"choice": lambda f: {"type": "string", "enum": list(f.choices)},
                  "year": lambda f: {"type": "integer", "minimum": YEARS[0], "maximum": YEARS[1]},
                  "text": lambda f: {"type": "string", "maxLength": MAX_TEXT},
                  "id": lambda f: {"type": "integer", "minimum": 1, "maximum": MAX_ID}}[flt.type](flt)
        params.append({"in": "query", "name": name, "schema": schema, "description": flt.description})
    return params


# The lists of plans and calls were numbered pages (?page=2, 50 a page, newest first) before every
# list came by cursor. For a deprecation period a link with ``page`` still answers: the same page of
# the cursor list (``limit`` a page, oldest first), marked deprecated, its ``next`` a cursor address.
PAGED_BEFORE = {"plans", "calls"}
SUNSET = "Wed, 30 Jun 2027 23:59:59 GMT"
PAGE_PARAMETER = {"in": "query", "name": "page", "deprecated": True,
                  "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
                  "description": "Deprecated (until 30 June 2027): the n-th page of `limit` items. Use `cursor`."}


def _page_start(resource: services.Resource, where: dict, limit: int) -> int | None:
    """The cursor a numbered page starts after, or None without ``page`` (and when ``cursor`` is given)."""
    if "page" not in request.args or request.args.get("cursor", "").strip():
        return None
    page = page_arg()
    return services.cursor_before(resource, where, (page - 1) * limit)


def _register(resource: services.Resource) -> None:
    page_schema = schemas.page_of(resource.schema, resource.schema.__name__.removesuffix("Schema"))
    list_endpoint = f"{resource.name}_list"

    def listing():
        limit, after, where = _limit(), _cursor(), _where(resource)
        numbered = _page_start(resource, where, limit) if resource.name in PAGED_BEFORE else None
        items, cursor = services.page(resource, where, numbered if numbered is not None else after, limit)
        response = answer({"items": items, "next_cursor": None if cursor is None else str(cursor),
                           "next": _next_url(f"api.{list_endpoint}", cursor), "limit": limit}, page_schema)
        if numbered is not None:
            response.headers["Deprecation"] = "true"
            response.headers["Sunset"] = SUNSET
            response.headers["Link"] = f'<{external_url(f"api.{list_endpoint}")}>; rel="successor-version"'
        return response

    listing.__doc__ = f"{resource.summary}: public ones only, oldest first, by cursor."
    parameters = _page_parameters(resource.filters) + ([PAGE_PARAMETER] if resource.name in PAGED_BEFORE else [])
    view = bp.doc(summary=resource.summary, parameters=parameters,
                  responses=_error_docs("400"))(bp.response(200, page_schema)(listing))
    bp.add_url_rule(f"/api/v1/{resource.name}", endpoint=list_endpoint, view_func=view, methods=["GET"])

    def item(**values):
        found = services.one(resource, values[resource.argument])
        if found is None:
            abort(404)
        return answer(found, resource.schema)

    item.__doc__ = f"One of the {resource.summary.lower()}, if public."
    view = bp.doc(summary=f"{resource.summary}: one", responses=_error_docs("404"))(bp.response(200, resource.schema)(item))
    bp.add_url_rule(f"/api/v1/{resource.name}/<int:{resource.argument}>", endpoint=f"{resource.name}_item", view_func=view,
                    methods=["GET"])


for _resource in services.RESOURCES:
    _register(_resource)


# Dates the record's filter takes (year-month-day from 1900; days up to 28 so every month has them).
_DAY = {"type": "string", "pattern": "^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$"}
_RECORD_FILTERS = [
    {"in": "query", "name": "plan", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}},
    {"in": "query", "name": "call", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}},
    {"in": "query", "name": "verb", "schema": {"type": "string", "enum": [v.value for v in Verb]},
     "description": "An act, as in the record's verb column."},
    {"in": "query", "name": "sector", "schema": {"type": "string", "enum": [s.value for s in Sector]}},
    {"in": "query", "name": "from", "schema": _DAY, "description": "The first day included (Mexico City time)."},
    {"in": "query", "name": "to", "schema": _DAY, "description": "The last day included; not before `from`."},
]


RECORD_PAGE = schemas.page_of(schemas.RecordEntrySchema, "RecordEntry")


@bp.route("/api/v1/record")
@bp.doc(summary="The participation record, by cursor", parameters=_page_parameters({}) + _RECORD_FILTERS,
        responses=_error_docs("400"))
@bp.response(200, RECORD_PAGE)
def record_list():
    """The participation log, entry by entry in ``seq`` order, with the filters of the /record page. A
    payload part that is not public is reduced to its digest, exactly as in /record.csv."""
    limit, after = _limit(), _cursor()
    flt = record.filter_from_request(request.args)
    rows = record.page_after(flt, after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    shown = record.disclosed(rows)
    urls = record.subject_urls(shown, external=True)
    entries = [record.json_entry(row, disclosure, urls.get((row.subject_type, row.subject_id)))
               for row, disclosure in shown]
    cursor = rows[-1].seq if more else None
    payload = {"items": entries, "next_cursor": None if cursor is None else str(cursor),
               "next": _next_url("api.record_list", cursor), "limit": limit}
    return answer(payload, RECORD_PAGE)


@bp.after_app_request
def open_to_every_origin(response):
    """CORS: anyone's page may read the open data (GET only; no credentials are ever honoured)."""
    if request.path.startswith("/api/v1/") and request.method in ("GET", "HEAD", "OPTIONS"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Content-Disposition"
    return response


# --- each dataset whole as CSV, streamed in constant memory --------------------------------------------

CSV_BATCH = 500


def csv_columns(resource: services.Resource) -> list[str]:
    return list(resource.schema._declared_fields)


@docs_bp.route("/open-data/<dataset>.csv")
def dataset_csv(dataset: str):
    """Every public row of a dataset, oldest first, read in keyset batches: memory does not grow with the
    table. Nested values (a draft's versions, a meeting's attendance) are written as JSON in their cell;
    a cell a spreadsheet would run as a formula starts with an apostrophe (record.spreadsheet_safe)."""
    resource = services.by_name(dataset)
    if resource is None:
        abort(404)
    columns = csv_columns(resource)
    dump = resource.schema().dump

    def cell(value):
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False, sort_keys=True)
        return value

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        after = 0
        while True:
            items, cursor = services.page(resource, {}, after, CSV_BATCH)
            for item in items:
                data = dump(item)
                writer.writerow(record.spreadsheet_safe([cell(data.get(name)) for name in columns]))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if cursor is None:
                return
            after = cursor

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={dataset}.csv"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# --- the interactive documentation, from the swagger-ui files shipped on PyPI (no CDN) -------------------

_SWAGGER = Path(swagger_ui_bundle.swagger_ui_path)
_ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "index.css", "favicon-32x32.png"}
# Swagger UI sets styles from script; everything still comes from this site.
DOCS_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


@docs_bp.route("/open-data")
def open_data():
    """Every dataset of the site, its formats, its columns, its licence and how to verify the record."""
    from ..opendata.record import CSV_COLUMNS

    datasets = [(r, dictionary.DATASETS[r.name], [(c, dictionary.meaning(r.name, c)) for c in csv_columns(r)])
                for r in services.RESOURCES]
    return render_template("opendata/index.html", datasets=datasets, record_columns=CSV_COLUMNS)


@docs_bp.route("/api/v1/docs")
def docs():
    response = render_template("api/docs.html")
    return response, 200, {"Content-Security-Policy": DOCS_POLICY}


@docs_bp.route("/api/v1/docs/assets/<name>")
def docs_asset(name: str):
    if name not in _ASSETS:
        abort(404)
    response = send_from_directory(_SWAGGER, name, max_age=86400)
    return response


# Open data served by other features before this API existed: documented here by hand, so the one
# OpenAPI document lists every endpoint under /api/v1/ (their answers are described loosely).
_OLDER = {
    "reports.api_plan_influence": ("A plan's level of public influence, with its evidence", [], None),
    "reports.api_call_influence": ("A call's level of public influence, with its evidence", [], None),
    "monitoring.api_commitments": ("A plan's public commitments with milestones, indicators, measurements, "
                                   "assessments, the minimum-requirements checklist and the IRM's recommendations",
                                   [], None),
}


def _document_older(app, spec) -> None:
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    for endpoint, (summary, parameters, properties) in _OLDER.items():
        rule = rules[endpoint]
        schema = {"type": "object"}
        if properties:
            schema["properties"] = properties
        responses = {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}}
        responses.update(_error_docs("404" if rule.arguments else "400"))
        spec.path(rule=rule, operations={"get": {"summary": summary, "parameters": parameters,
                                                 "responses": responses, "tags": ["opendata"]}})


def register(app) -> None:
    """The API and its OpenAPI document (/api/v1/openapi.json), and the documentation pages."""
    from ..core.openapi import API_CONFIG, SPEC_OPTIONS, OpenDataApi

    for key, value in API_CONFIG.items():
        app.config.setdefault(key, value)
    api = OpenDataApi(app, spec_kwargs=SPEC_OPTIONS)
    api.register_blueprint(bp)
    _document_older(app, api.spec)
    app.register_blueprint(docs_bp)
