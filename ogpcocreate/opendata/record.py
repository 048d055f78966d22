"""The public record of the participation log: its filters, its rows as shown, and its links.

One module for every place that shows log entries (the /record page, /record.csv, the spreadsheet-safe
CSV, /record.json), so that they agree on what is shown. DOMAIN.md, "What is public, and when": the
log never publishes a payload that is not public. For each entry ``visibility.disclosure`` says
whether the actor's name (``who``) and the rest of the payload (``what``) may be shown; a withheld
part is replaced by its salted digest, which is all the chain needs to be verified (core/eventlog.py).
Disclosure is asked at read time, batch by batch, so an entry is revealed as soon as its subject is
public, and the log itself is never touched.

The raw CSV is byte-exact: each cell is what the hash covers (static/record/verify_record.py checks it
offline). The spreadsheet-safe CSV is the same table with every cell that a spreadsheet would run as a
formula (one beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) prefixed with an
apostrophe, which spreadsheets show as text; it is for reading, not for verifying.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from .. import visibility
from ..auth.models import closed_account_name
from ..core.eventlog import ParticipationEvent, Verb, canonical_json, canonical_time
from ..core.i18n import display_zone
from ..core.params import BadParameter, parse_id
from ..core.sectors import Sector
from ..core.urls import external_url
from ..extensions import db
from ..visibility import Disclosure

_E = ParticipationEvent

# The raw export's columns: the envelope that is hashed, each payload part with its salt and digest,
# then the link and the hash. The page "Public record" describes each (templates/main/record.html).
CSV_COLUMNS = [
    "seq", "occurred_at", "actor_id", "organisation_id", "sector", "territory", "channel", "verb",
    "subject_type", "subject_id", "plan_id", "call_id",
    "actor_name", "who_salt", "who_digest",
    "organisation_name", "data", "what_salt", "what_digest",
    "prev_hash", "hash",
]  # fmt: skip
_SELECTED = [_E.id, *(getattr(_E, name) for name in CSV_COLUMNS)]

# A cell a spreadsheet would evaluate (CSV injection): OWASP's list, with the tab and carriage return.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- filters ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordFilter:
    """What part of the record to show: every field optional, all of them combined (AND)."""

    plan: int | None = None
    call: int | None = None
    verb: str | None = None
    sector: str | None = None
    since: date | None = None  # "from": the first day included, in the display time zone
    until: date | None = None  # "to": the last day included

    @property
    def is_subset(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))

    def args(self) -> dict[str, str]:
        """The query string that gives this filter back (for pagination and the downloads)."""
        values = {"plan": self.plan, "call": self.call, "verb": self.verb, "sector": self.sector,
                  "from": self.since and self.since.isoformat(), "to": self.until and self.until.isoformat()}
        return {name: str(value) for name, value in values.items() if value is not None}

    def conditions(self) -> list:
        where = []
        if self.plan is not None:
            where.append(_E.plan_id == self.plan)
        if self.call is not None:
            where.append(_E.call_id == self.call)
        if self.verb is not None:
            where.append(_E.verb == self.verb)
        if self.sector is not None:
            where.append(_E.sector == Sector(self.sector))
        if self.since is not None:
            where.append(_E.occurred_at >= _start_of(self.since))
        if self.until is not None:
            where.append(_E.occurred_at < _start_of(self.until + timedelta(days=1)))
        return where


def _start_of(day: date) -> datetime:
    """Midnight of ``day`` where the site is (dates on the page are shown there), in UTC."""
    return datetime.combine(day, time(), tzinfo=display_zone()).astimezone(UTC)


def _date(raw: str) -> date | None:
    if len(raw) != 10 or not raw.isascii():
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        return None
    return value if value.year >= 1900 else None


def parse_filter(args) -> tuple[RecordFilter, dict[str, str]]:
    """The filter from a query string, and a translated message for each field that cannot be used.

    An empty field is no filter. Fields in error are left out of the filter; callers refuse the
    request (400) rather than show a part of the record the reader did not ask for.
    """
    errors: dict[str, str] = {}
    values: dict = {}
    for name, message in (("plan", _("The plan must be given as the number of an action plan.")),
                          ("call", _("The call must be given as the number of a call for proposals."))):
        raw = (args.get(name) or "").strip()
        if raw:
            values[name] = parse_id(raw)
            if values[name] is None:
                errors[name] = message
    raw = (args.get("verb") or "").strip()
    if raw:
        if raw in {v.value for v in Verb}:
            values["verb"] = raw
        else:
            errors["verb"] = _("Choose an act from the list.")
    raw = (args.get("sector") or "").strip()
    if raw:
        if raw in {s.value for s in Sector}:
            values["sector"] = raw
        else:
            errors["sector"] = _("Choose a sector from the list.")
    for name, field in (("from", "since"), ("to", "until")):
        raw = (args.get(name) or "").strip()
        if raw:
            values[field] = _date(raw)
            if values[field] is None:
                errors[name] = _("Give the date as year-month-day, for example 2026-03-31.")
    if values.get("since") and values.get("until") and values["since"] > values["until"]:
        errors["to"] = _("The end date must not be before the start date.")
    return RecordFilter(**values), errors


def filter_from_request(args) -> RecordFilter:
    """For the downloads: the filter, or a 400 that says what is wrong."""
    flt, errors = parse_filter(args)
    if errors:
        raise BadParameter(" ".join(errors.values()))
    return flt


# --- reading ----------------------------------------------------------------------------------------


def batches(flt: RecordFilter, batch: int = 2000) -> Iterator[list]:
    """The matching entries in ``seq`` order, ``batch`` rows at a time (keyset on seq, never OFFSET),
    as plain rows: memory stays flat whatever the size of the log."""
    after = 0
    where = flt.conditions()
    while True:
        rows = db.session.execute(
            select(*_SELECTED).where(_E.seq > after, *where).order_by(_E.seq).limit(batch)
        ).all()
        if rows:
            yield rows
        if len(rows) < batch:
            return
        after = rows[-1].seq


def disclosed(rows: list) -> list[tuple[object, Disclosure]]:
    """Each row with what of it the public may see now (visibility.disclosure, one call per batch)."""
    shown = visibility.disclosure(rows)  # looked up at each call: the rules live in visibility.py
    return [(row, shown[row.id]) for row in rows]


def _cell(value):
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        return value.value
    return value


def csv_cells(row, shown: Disclosure) -> list:
    """One row of the raw CSV: the envelope always; each payload part with its salt when it may be
    shown, else its digest alone (the salt would let anyone test a guess against the digest)."""
    cells = []
    for name in CSV_COLUMNS:
        value = getattr(row, name)
        if name == "occurred_at":
            value = canonical_time(value)
        elif name in ("actor_name", "who_salt") and not shown.who:
            value = None
        elif name in ("organisation_name", "what_salt") and not shown.what:
            value = None
        elif name == "data":
            value = canonical_json(value if value is not None else {}) if shown.what else None
        cells.append(_cell(value))
    return cells


_ACTOR_NAME = CSV_COLUMNS.index("actor_name")


def spreadsheet_cells(row, shown: Disclosure) -> list:
    """One row of the CSV for spreadsheets: the raw row with a withheld name written as "closed account
    #N", and every cell a spreadsheet would run as a formula prefixed with an apostrophe (shown as
    text). Neither change can be verified; that is what the raw CSV is for."""
    cells = csv_cells(row, shown)
    if not shown.who:
        cells[_ACTOR_NAME] = closed_account_name(row.actor_id)
    return spreadsheet_safe(cells)


def spreadsheet_safe(cells: list) -> list:
    return [f"'{c}" if isinstance(c, str) and c.startswith(FORMULA_STARTS) else c for c in cells]


def json_entry(row, shown: Disclosure, url: str | None) -> dict:
    """One entry of /record.json: the raw CSV's fields with their JSON types, whether each part is
    shown, how to name the actor (``actor_label``) and the subject's page."""
    entry = dict(zip(CSV_COLUMNS, csv_cells(row, shown), strict=True))
    entry["data"] = (row.data if row.data is not None else {}) if shown.what else None
    entry["who_shown"], entry["what_shown"] = shown.who, shown.what
    entry["actor_label"] = row.actor_name if shown.who else closed_account_name(row.actor_id)
    entry["subject_url"] = url
    return entry


# --- links to subjects --------------------------------------------------------------------------------

# Subjects with a public page of their own: table -> (endpoint, argument).
_DIRECT = {
    "organisation": ("organisations.detail", "org_id"),
    "action_plan": ("plans.detail", "plan_id"),
    "call": ("calls.detail", "call_id"),
    "proposal": ("proposals.detail", "proposal_id"),
    "draft_commitment": ("drafts.detail", "draft_id"),
    "ballot": ("votes.detail", "ballot_id"),
    "meeting": ("meetings.detail", "meeting_id"),
}


def subject_urls(rows: Iterable[tuple[object, Disclosure]], external: bool = False) -> dict[tuple[str, int], str]:
    """``{(subject_type, subject_id): url}`` for the subjects of entries whose ``what`` is shown.

    The one place that maps a log entry's subject to its public page. Subjects shown on another
    subject's page (a version, a comment, a response, an approval) are looked up in one query per
    kind, so a page of entries costs the same whatever it holds. Nothing links where ``what`` is
    withheld: the subject is not public yet (DOMAIN.md, "What is public, and when").
    """
    wanted: dict[str, set[int]] = {}
    for row, shown in rows:
        if shown.what and row.subject_type and row.subject_id is not None:
            wanted.setdefault(row.subject_type, set()).add(row.subject_id)

    def url(endpoint: str, anchor: str | None = None, **values) -> str:
        link = external_url(endpoint, **values) if external else url_for(endpoint, **values)
        return f"{link}#{anchor}" if anchor else link

    urls: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        if kind in _DIRECT:
            endpoint, argument = _DIRECT[kind]
            urls.update({(kind, i): url(endpoint, **{argument: i}) for i in ids})
        elif kind == "moderation_action":
            urls.update({(kind, i): url("moderation.log") for i in ids})
        elif kind == "secretariat_membership":
            urls.update({(kind, i): url("secretariat.public") for i in ids})
    urls.update(_parented(wanted, url))
    return urls


def _parented(wanted: dict[str, set[int]], url) -> dict[tuple[str, int], str]:
    from ..approvals.models import Approval
    from ..comments.models import Comment
    from ..drafts.models import DraftVersion
    from ..responses.models import Response

    urls = {}
    if wanted.get("draft_version"):
        for vid, draft_id, number in db.session.execute(
            select(DraftVersion.id, DraftVersion.draft_id, DraftVersion.number).where(
                DraftVersion.id.in_(wanted["draft_version"]))
        ):
            urls["draft_version", vid] = url("drafts.version", draft_id=draft_id, number=number)
    if wanted.get("comment"):
        for cid, draft_id in db.session.execute(
            select(Comment.id, DraftVersion.draft_id).join(DraftVersion, DraftVersion.id == Comment.version_id)
            .where(Comment.id.in_(wanted["comment"]))
        ):
            urls["comment", cid] = url("drafts.detail", anchor=f"comment-{cid}", draft_id=draft_id)
    if wanted.get("response"):
        for rid, proposal_id in db.session.execute(
            select(Response.id, Response.proposal_id).where(Response.id.in_(wanted["response"]),
                                                            Response.proposal_id.is_not(None))
        ):
            urls["response", rid] = url("proposals.detail", proposal_id=proposal_id)
    if wanted.get("approval"):
        for aid, call_id, meeting_id, draft_id, plan_id in db.session.execute(
            select(Approval.id, Approval.call_id, Approval.meeting_id, Approval.draft_id, Approval.plan_id).where(
                Approval.id.in_(wanted["approval"]))
        ):
            if plan_id is not None:
                urls["approval", aid] = url("plans.detail", plan_id=plan_id)
            elif draft_id is not None:
                urls["approval", aid] = url("drafts.detail", draft_id=draft_id)
            elif meeting_id is not None:
                urls["approval", aid] = url("meetings.detail", meeting_id=meeting_id)
            elif call_id is not None:
                urls["approval", aid] = url("calls.detail", call_id=call_id)
    return urls


def page_after(flt: RecordFilter, after: int, limit: int) -> list:
    """Up to ``limit`` matching entries after ``seq`` ``after``: a page of the API (keyset, never OFFSET)."""
    return db.session.execute(
        select(*_SELECTED).where(_E.seq > after, *flt.conditions()).order_by(_E.seq).limit(limit)
    ).all()
