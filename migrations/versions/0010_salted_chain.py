"""The participation log commits to salted digests of its payload, not to the payload: re-chain it.

Revision ID: 0010_salted_chain
Revises: 0009_approved_text
Create Date: 2026-12-02

DOMAIN.md, "What is public, and when": each entry's hash covers a salted digest of its payload (names,
organisation, free text), so the public record can withhold a payload and still be verified by anyone.
The design is documented in ogpcocreate/core/eventlog.py; the hashing is copied here, frozen, so this
revision computes the same values whatever the module becomes later.

Every existing entry gets fresh random salts, its two digests and a new hash, in ``seq`` order, each
linked to the new hash of the one before (a re-chain). That rewrites the log, which the append-only
triggers forbid, so they are dropped for the rewrite and created again after it, in this transaction.
No production log existed when this ran (issue 12); a log that had been anchored somewhere (its head
hash published) would get a new head here, and whoever anchored it would have to be told.

It comes last (after 0008 and 0009, which do not touch the log), so that a database already migrated
to them gets it too; the number 0007 is left unused.

The downgrade re-chains the other way: it recomputes every hash with the payload itself (the design of
0001/0002) and drops the salts and digests, so the log verifies under the older code again.
"""
import hashlib
import json
import secrets
from datetime import UTC

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010_salted_chain'
down_revision = '0009_approved_text'
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64
APPEND_ONLY_MESSAGE = "participation_event is append-only"
BATCH = 2000
NEW_COLUMNS = ("who_salt", "who_digest", "what_salt", "what_digest")
ENVELOPE = (
    "seq", "occurred_at", "actor_id", "organisation_id", "sector", "territory", "channel", "verb",
    "subject_type", "subject_id", "plan_id", "call_id", "who_digest", "what_digest", "prev_hash",
)

log = sa.table(
    "participation_event",
    sa.column("id", sa.Integer), sa.column("seq", sa.BigInteger), sa.column("occurred_at", sa.DateTime(timezone=True)),
    sa.column("actor_id", sa.Integer), sa.column("actor_name", sa.String), sa.column("organisation_id", sa.Integer),
    sa.column("organisation_name", sa.String), sa.column("sector", sa.String), sa.column("territory", sa.String),
    sa.column("channel", sa.String), sa.column("verb", sa.String), sa.column("subject_type", sa.String),
    sa.column("subject_id", sa.Integer), sa.column("data", sa.JSON), sa.column("plan_id", sa.Integer),
    sa.column("call_id", sa.Integer), sa.column("who_salt", sa.String), sa.column("who_digest", sa.String),
    sa.column("what_salt", sa.String), sa.column("what_digest", sa.String), sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _time(value) -> str:
    if value.tzinfo is None:  # SQLite keeps UTC as naive text
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _text(name, value):
    if value is None:
        return None
    if name == "occurred_at":
        return _time(value)
    return str(value) or None


def _salted(row, prev_hash: str) -> dict:
    values = dict(row._mapping)
    who_salt, what_salt = secrets.token_hex(16), secrets.token_hex(16)
    values.update(
        who_salt=who_salt,
        who_digest=_sha(who_salt + _json(values["actor_name"] or None)),
        what_salt=what_salt,
        what_digest=_sha(what_salt + _json({"data": values["data"] or {}, "organisation": values["organisation_name"] or None})),
        prev_hash=prev_hash,
    )
    values["hash"] = _sha(_json({name: _text(name, values[name]) for name in ENVELOPE}))
    return values


def _plain(row, prev_hash: str) -> dict:
    """The hash of revisions 0001/0002 (eventlog._payload before this one)."""
    v = dict(row._mapping)
    fields = [v["seq"], _time(v["occurred_at"]), v["actor_id"], v["actor_name"], v["organisation_id"],
              v["organisation_name"], v["sector"], v["territory"], v["channel"] or "online", v["verb"],
              v["subject_type"], v["subject_id"], v["data"] or {}, prev_hash]
    if v["plan_id"] is not None or v["call_id"] is not None:
        fields.append({"plan": v["plan_id"], "call": v["call_id"]})
    v.update(prev_hash=prev_hash, hash=_sha(_json(fields)))
    return v


def _rechain(compute, columns) -> None:
    """Rewrite every entry in seq order, batch by batch (keyset on seq), linking each to the new hash."""
    bind = op.get_bind()
    prev_hash, after = GENESIS_HASH, 0
    update = (
        log.update().where(log.c.id == sa.bindparam("_id"))
        .values({name: sa.bindparam(f"_{name}") for name in columns})
    )
    while True:
        rows = bind.execute(sa.select(log).where(log.c.seq > after).order_by(log.c.seq).limit(BATCH)).all()
        if not rows:
            return
        params = []
        for row in rows:
            values = compute(row, prev_hash)
            prev_hash, after = values["hash"], values["seq"]
            params.append({"_id": values["id"], **{f"_{name}": values[name] for name in columns}})
        # prev_hash and hash are UNIQUE: new values are fresh digests, so no row can collide with an
        # old value still in the table.
        bind.execute(update, params)


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS participation_event_no_update ON participation_event")
    else:
        op.execute("DROP TRIGGER IF EXISTS participation_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS participation_event_no_delete")


def _create_triggers() -> None:
    """As in 0001; on PostgreSQL the trigger function of 0001 is still there and is reused."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE TRIGGER participation_event_no_update BEFORE UPDATE OR DELETE ON participation_event
            FOR EACH ROW EXECUTE FUNCTION participation_event_append_only()
        """)
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER participation_event_no_{action.lower()} BEFORE {action} ON participation_event
                BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END
            """)


def upgrade():
    # Plain ADD COLUMN (no batch copy of the table, which would rewrite the log), NOT NULL with an
    # empty default so that SQLite accepts it; every row gets its value below.
    for name, length in (("who_salt", 32), ("who_digest", 64), ("what_salt", 32), ("what_digest", 64)):
        op.add_column("participation_event", sa.Column(name, sa.String(length), nullable=False, server_default=""))
    _drop_triggers()
    _rechain(_salted, (*NEW_COLUMNS, "prev_hash", "hash"))
    _create_triggers()
    if op.get_bind().dialect.name == "postgresql":
        for name in NEW_COLUMNS:
            op.alter_column("participation_event", name, server_default=None)


def downgrade():
    _drop_triggers()
    _rechain(_plain, ("prev_hash", "hash"))
    for name in reversed(NEW_COLUMNS):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE participation_event DROP COLUMN {name}")
        else:
            op.drop_column("participation_event", name)
    _create_triggers()
