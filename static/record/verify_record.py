#!/usr/bin/env python3
"""Verify a download of the public participation record, with nothing but Python 3 (3.8 or later).

    python3 verify_record.py participation-record.csv
    python3 verify_record.py --part participation-record.csv     (a filtered download)

The file is the "CSV for verification" of the record page (/record.csv), not the CSV for spreadsheets,
and not a copy saved again by a spreadsheet. The program checks, for every row:

1. each payload part that is shown against its digest: ``who_digest`` must be SHA-256 of ``who_salt``
   followed by the name in JSON (null when empty); ``what_digest`` SHA-256 of ``what_salt`` followed by
   ``{"data": <data>, "organisation": <organisation_name or null>}`` in JSON with sorted keys. A part
   that is withheld (salt empty) shows only its digest, which is taken as it is;
2. the row's ``hash``: SHA-256 of the JSON object of its envelope (seq, occurred_at, actor_id,
   organisation_id, sector, territory, channel, verb, subject_type, subject_id, plan_id, call_id,
   who_digest, what_digest, prev_hash), every value the cell's text or null for an empty cell, keys
   sorted, no spaces;
3. the chain: rows numbered 1, 2, 3 ... without gaps, each ``prev_hash`` equal to the previous row's
   ``hash`` (64 zeros for the first).

So a changed cell, a removed row and rows put in another order are all found; the program names the
first row that does not hold and exits with status 1, or prints the last entry's number and hash and
exits with 0. Compare that hash with the one on the record page, or one published earlier.

A filtered download (?plan=, ?call=, ...) holds only some entries: run it with ``--part``. Each row
is then checked on its own (steps 1 and 2) and the rows must come in increasing order, but the links
between entries cannot be checked on a part of the record, and the program says so. Without ``--part``
the file must be the whole record from entry 1, so a removed first row is found too. To verify the
chain, download the whole record.

JSON here means: UTF-8, keys sorted, separators "," and ":" without spaces, non-ASCII characters as
they are (Python's ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``).
"""

import csv
import hashlib
import json
import sys

GENESIS_HASH = "0" * 64
ENVELOPE = (
    "seq", "occurred_at", "actor_id", "organisation_id", "sector", "territory", "channel", "verb",
    "subject_type", "subject_id", "plan_id", "call_id", "who_digest", "what_digest", "prev_hash",
)
PAYLOAD = ("actor_name", "who_salt", "organisation_name", "data", "what_salt")
REQUIRED = set(ENVELOPE) | set(PAYLOAD) | {"hash"}


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_row(row):
    """The first problem with one row on its own, or None."""
    if row["who_salt"]:
        if sha256(row["who_salt"] + canonical(row["actor_name"] or None)) != row["who_digest"]:
            return "its name does not match its digest (who_digest)"
    elif row["actor_name"]:
        return "it shows a name without the salt needed to check it"
    if row["what_salt"]:
        try:
            data = json.loads(row["data"]) if row["data"] else {}
        except ValueError:
            return "its data column is not valid JSON"
        part = {"data": data, "organisation": row["organisation_name"] or None}
        if sha256(row["what_salt"] + canonical(part)) != row["what_digest"]:
            return "its content does not match its digest (what_digest)"
    elif row["organisation_name"] or row["data"]:
        return "it shows content without the salt needed to check it"
    envelope = {name: (row[name] or None) for name in ENVELOPE}
    if sha256(canonical(envelope)) != row["hash"]:
        return "its hash does not match its content"
    return None


def verify(rows, whole=True):
    """(number of rows checked, problem or None). ``whole``: the rows are the whole record, in order."""
    expected_prev, checked, previous_seq = GENESIS_HASH, 0, 0
    for line, row in enumerate(rows, start=2):
        seq = row.get("seq") or "?"
        where = f"row {line} (entry {seq})"
        if None in row or None in row.values():
            return checked, f"{where}: wrong number of cells"
        if not whole:
            if not seq.isdigit() or int(seq) <= previous_seq:
                return checked, f"{where}: out of order (after entry {previous_seq})"
            previous_seq = int(seq)
        else:
            if seq != str(checked + 1):
                return checked, f"{where}: expected entry {checked + 1} here (an entry is missing or out of order)"
            if row["prev_hash"] != expected_prev:
                return checked, f"{where}: does not link to entry {checked}"
        problem = check_row(row)
        if problem:
            return checked, f"{where}: altered: {problem}"
        checked += 1
        expected_prev = row["hash"]
    return checked, None


def main(argv):
    args = argv[1:]
    whole = "--part" not in args
    args = [a for a in args if a != "--part"]
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print("usage: python3 verify_record.py [--part] participation-record.csv", file=sys.stderr)
        return 2
    try:
        handle = open(args[0], newline="", encoding="utf-8")
    except OSError as exc:
        print(f"cannot read {args[0]}: {exc}", file=sys.stderr)
        return 2
    with handle:
        reader = csv.DictReader(handle)
        missing = REQUIRED - set(reader.fieldnames or ())
        if missing:
            print("FAILED: this is not the CSV for verification (missing columns: {})".format(
                ", ".join(sorted(missing))), file=sys.stderr)
            return 1
        last = {}

        def remember(stream):
            for row in stream:
                last.update(row)
                yield row

        checked, problem = verify(remember(reader), whole)
    if problem:
        print(f"FAILED at {problem}", file=sys.stderr)
        print(f"({checked} entries checked before it)", file=sys.stderr)
        if whole and checked == 0:
            print("If this is a filtered download, run: python3 verify_record.py --part FILE", file=sys.stderr)
        return 1
    if not checked:
        print("OK: the file holds no entries.")
        return 0
    if whole:
        print("OK: {} entries, chain intact. Last entry {}, hash {}".format(checked, last["seq"], last["hash"]))
    else:
        print(f"OK: each of the {checked} entries matches its hash, in order. This file is a part of the record, so "
              "the links between entries cannot be checked; download the whole record to verify the "
              "chain.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
