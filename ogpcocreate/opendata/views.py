"""The participation record's exports: CSV (for verifying, and for spreadsheets) and JSON, streamed.

Every other dataset, and the record by cursor, is served by the open-data API (api/views.py)."""

from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, Response, request, stream_with_context

from ..core.eventlog import canonical_json
from ..core.urls import external_url
from . import record

bp = Blueprint("opendata", __name__)

# Rows of CSV gathered before a chunk (about 150 kB) goes out: large enough to keep the overhead per row
# low, small enough that memory does not depend on the size of the log.
CHUNK_ROWS = 500


def _stream_csv(rows_of, filename: str) -> Response:
    """Stream a CSV of the record: ``rows_of(batch)`` turns a batch of entries into CSV rows."""
    flt = record.filter_from_request(request.args)

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(record.CSV_COLUMNS)
        for rows in record.batches(flt):
            cells = rows_of(record.disclosed(rows))
            for start in range(0, len(cells), CHUNK_ROWS):
                writer.writerows(cells[start:start + CHUNK_ROWS])
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    return response


@bp.route("/record.csv")
def record_csv():
    """The participation log (whole, or filtered as on /record) as CSV, streamed in batches.

    Byte-exact: each cell is what the chain hashes, a withheld payload part reduced to its digest, so
    static/record/verify_record.py can verify it offline (DOMAIN.md, "What is public, and when").
    """
    return _stream_csv(lambda rows: [record.csv_cells(row, shown) for row, shown in rows],
                       "participation-record.csv")


@bp.route("/record-spreadsheet.csv")
def record_spreadsheet_csv():
    """The same table for spreadsheets: a cell that would run as a formula is prefixed with an
    apostrophe (CSV injection), so this one is for reading, never for verifying."""
    return _stream_csv(lambda rows: [record.spreadsheet_cells(row, shown) for row, shown in rows],
                       "participation-record-spreadsheet.csv")


@bp.route("/record.json")
def record_json():
    """The record (whole or filtered) as one JSON document, streamed entry by entry."""
    flt = record.filter_from_request(request.args)
    head = {
        "columns": record.CSV_COLUMNS,
        "filters": flt.args(),
        "complete_chain": not flt.is_subset,
        "documentation": external_url("main.record") + "#about-the-data",
        "verifier": external_url("static", filename="record/verify_record.py"),
    }

    def generate():
        yield canonical_json(head)[:-1] + ',"entries":['
        first = True
        for rows in record.batches(flt):
            shown = record.disclosed(rows)
            urls = record.subject_urls(shown, external=True)
            parts = []
            for row, disclosure in shown:
                url = urls.get((row.subject_type, row.subject_id))
                parts.append(("" if first else ",") + json.dumps(record.json_entry(row, disclosure, url),
                                                                  ensure_ascii=False, separators=(",", ":")))
                first = False
            yield "".join(parts)
        yield "]}"

    return Response(stream_with_context(generate()), mimetype="application/json")
