"""Organisation name keys that also catch look-alikes: every stored name_key is recomputed with the
current rule (ogpcocreate.core.text.name_key: format characters dropped, NFKC, case folding, the
UTS #39 confusable skeleton, accents and spacing ignored).

Revision ID: 0005_name_keys
Revises: 0004_tally
Create Date: 2026-12-01

Organisations registered before this rule may already be look-alikes of one another (a Cyrillic "О",
a zero-width space). Nothing is deleted or changed but the key: the oldest keeps the plain key, each
later twin gets its key with " #<id>" appended (so the unique constraint holds and no new twin can
register), and each is named in a warning for the secretariat to review.

Keys are moved through a temporary value first: PostgreSQL checks the unique constraint row by row,
so two rows trading keys would otherwise collide mid-update. The temporary value holds a tab, which
no key ever does (keys collapse white space).
"""
import logging

from alembic import op
import sqlalchemy as sa

from ogpcocreate.core.text import NAME_KEY_LENGTH, name_key


# revision identifiers, used by Alembic.
revision = '0005_name_keys'
down_revision = '0004_tally'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
organisation = sa.table("organisation", sa.column("id", sa.Integer), sa.column("name", sa.String),
                        sa.column("name_key", sa.String))


def _legacy_key(name):
    """The rule before this revision, frozen here for the downgrade."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.casefold().replace(".", " ").replace(",", " ").split())


def _rekey(key_of, warn):
    conn = op.get_bind()
    rows = conn.execute(sa.select(organisation.c.id, organisation.c.name, organisation.c.name_key)
                        .order_by(organisation.c.id)).all()
    new_keys, owner = {}, {}
    for id_, name, _old in rows:
        key = key_of(name)[:NAME_KEY_LENGTH]
        if key in owner:
            if warn:
                log.warning("organisation %s (%r) looks like organisation %s; review it", id_, name, owner[key])
            suffix = f" #{id_}"
            key = key[: NAME_KEY_LENGTH - len(suffix)] + suffix
            while key in owner:
                key = key[: NAME_KEY_LENGTH - 1] + "#"
        owner[key] = id_
        new_keys[id_] = key
    changed = [(id_, new_keys[id_]) for id_, _name, old in rows if new_keys[id_] != old]
    update = organisation.update().where(organisation.c.id == sa.bindparam("row_id"))
    if changed:
        conn.execute(update.values(name_key=sa.bindparam("key")),
                     [{"row_id": id_, "key": f"\t{id_}"} for id_, _ in changed])
        conn.execute(update.values(name_key=sa.bindparam("key")),
                     [{"row_id": id_, "key": key} for id_, key in changed])


def upgrade():
    _rekey(name_key, warn=True)


def downgrade():
    _rekey(_legacy_key, warn=False)
