"""A person's own data (issue 16; Mexico's ARCO right of access): everything the platform holds about them,
as an ordinary ZIP of JSON and CSV files that anyone can open.

Which rows are theirs is read from the schema, not listed by hand: every row of every table with a column
that refers to their account (users.id), plus their own account and the e-mails addressed to them. So a
table added later joins the download by itself. Secrets that would let someone act as them are left out
(password hash, session token, token hashes), and so are the bodies of e-mails, which may hold one-time
links; a README in the ZIP says so.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

from sqlalchemy import or_, select

from ..core.outbox import OutboxMessage
from ..extensions import db
from .services import _json_value, tables

# Columns never handed out, even to the person: they would let whoever holds the file act as them.
WITHHELD = {"password_hash", "session_token", "token_hash"}
WITHHELD_BY_TABLE = {OutboxMessage.__tablename__: {"body_text", "message_id"}}

README = """Your data on the co-creation platform
=====================================

This ZIP holds everything the platform keeps about your account, one table per file, in two formats:
JSON (for programs) and CSV (for spreadsheets). Each file has the rows that refer to you: your account,
your memberships, proposals, comments (including hidden ones, which you may always read), the ballots
you voted in, meetings you attended, your entries in the participation record, and the e-mails sent to
you.

Not what you chose in a ballot: the platform gives no receipt of a secret vote, so that no one can be
made to prove how they voted.

Left out on purpose: your password (only a one-way hash is kept, and it is not included), your session
and invitation tokens, and the bodies of the e-mails (they may contain one-time links).

Dates and times are in UTC (ISO 8601).
"""


def _owned(table, user):
    """SQL: the rows of ``table`` that are this person's, or None if the table has no link to people."""
    if table.name == "users":
        return table.c.id == user.id
    if table.name == OutboxMessage.__tablename__:
        return table.c.recipient == user.email
    links = [c for c in table.columns for fk in c.foreign_keys if fk.column.table.name == "users"]
    return or_(*(c == user.id for c in links)) if links else None


def collect(user) -> dict[str, list[dict]]:
    """{table: [row, ...]} of every row that is this person's, with the withheld columns removed."""
    found = {}
    for table in tables():
        where = _owned(table, user)
        if where is None:
            continue
        hidden = WITHHELD | WITHHELD_BY_TABLE.get(table.name, set())
        columns = [c for c in table.columns if c.name not in hidden]
        order = list(table.primary_key.columns) or columns
        rows = db.session.execute(select(*columns).where(where).order_by(*order)).all()
        if rows:
            found[table.name] = [{c.name: _json_value(v) for c, v in zip(columns, row, strict=True)} for row in rows]
    return found


def _csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        cells = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v for k, v in row.items()}
        # A cell a spreadsheet would run as a formula is shown as text (CSV injection).
        writer.writerow({k: f"'{v}" if isinstance(v, str) and v.startswith(("=", "+", "-", "@", "\t", "\r")) else v
                         for k, v in cells.items()})
    return buffer.getvalue()


def zip_of(user) -> bytes:
    data = collect(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        for name, rows in data.items():
            archive.writestr(f"json/{name}.json", json.dumps(rows, ensure_ascii=False, indent=2))
            archive.writestr(f"csv/{name}.csv", _csv(rows))
    return buffer.getvalue()
