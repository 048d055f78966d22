import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
fileConfig(config.config_file_name)
logger = logging.getLogger('alembic.env')


def get_engine():
    return current_app.extensions['migrate'].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace(
            '%', '%%')
    except AttributeError:
        return str(get_engine().url).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def render_item(type_, obj, autogen_context):
    """Write the app's UTCDateTime as a plain timezone-aware DateTime, so migrations never import the app."""
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


def include_object(obj, name, type_, reflected, compare_to):
    """The search index's full-text part is per database and not in the models (search/models.py):
    SQLite's FTS5 table (and its shadow tables), PostgreSQL's GIN expression index."""
    if type_ == "table" and reflected and name.startswith("search_fts"):
        return False
    if type_ == "index" and reflected and name in ("ix_search_index_terms", "ix_search_index_vector"):
        return False
    if type_ == "column" and reflected and name == "vector" and obj.table.name == "search_index":
        return False
    return True


def _callbacks(value):
    if value is None:
        return ()
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def search_index_current(connection, applied):
    """After an upgrade that applied a revision and reached the head, the search index is rebuilt in
    the same transaction if the indexer that wrote it is not the code's (search/index.py,
    ``INDEX_VERSION``): `flask db upgrade` leaves a correct index, with the models of the head.
    `flask repository rebuild-search` remains, to repair an index by hand."""
    if not applied or context.is_offline_mode():
        return
    # Where DDL is not transactional (SQLite) each revision committed on its own: the rebuild is one
    # more transaction; elsewhere it joins the upgrade's.
    outer = connection.in_transaction()
    migration = context.get_context()
    if set(migration.get_current_heads()) != set(migration.script.get_heads() if migration.script else ()):
        if not outer and connection.in_transaction():
            connection.rollback()  # nothing was written: end the read
        return
    from ogpcocreate.search.index import ensure_current

    indexed = ensure_current(connection)
    if not outer and connection.in_transaction():
        connection.commit()
    if indexed is not None:
        logger.info("Search index rebuilt: %d searchable item(s).", indexed)


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    conf_args = current_app.extensions['migrate'].configure_args
    conf_args.setdefault("render_item", render_item)
    conf_args.setdefault("include_object", include_object)
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    applied = []  # the upgrade steps of this run (search_index_current)

    def note_upgrade(ctx, step, heads, run_args):
        if step.is_upgrade:
            applied.append(step)

    # A copy: configure_args lives as long as the app, and this run's list must not outlive the run.
    conf_args = {**conf_args, "on_version_apply": (*_callbacks(conf_args.get("on_version_apply")), note_upgrade)}

    connectable = get_engine()

    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=get_metadata(),
            **conf_args
        )

        with context.begin_transaction():
            context.run_migrations()
            search_index_current(connection, applied)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
