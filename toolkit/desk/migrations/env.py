"""Alembic environment of the desk: its own version table, so it shares a database with the web form."""

from alembic import context
from sqlalchemy import create_engine

from toolkit.desk.schema import metadata

VERSION_TABLE = "desk_alembic_version"


def _ours(name, type_, parent_names) -> bool:
    """Autogenerate looks at the desk's tables only: the web form's tables are not ours to drop."""
    return type_ != "table" or bool(name) and name.startswith("desk_")


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE,
                      include_name=_ours, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:  # the alembic command line: the URL comes from its configuration
    with create_engine(context.config.get_main_option("sqlalchemy.url")).begin() as connection:
        _run(connection)
else:
    _run(connection)
