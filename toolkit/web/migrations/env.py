"""Alembic's entry: migrations run on the connection the app hands over (``Storage._migrate``)."""

from alembic import context

from toolkit.web.storage import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
