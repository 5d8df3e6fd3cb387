"""Alembic environment: migrate the running Flask app's database (webapp.db).

Unlike Flask-Migrate's template, it leaves the app's logging configuration alone: the app
migrates itself at every start.
"""

from alembic import context
from flask import current_app

db = current_app.extensions["migrate"].db


def run_migrations_offline():
    """`flask db upgrade --sql`: print the SQL instead of running it."""
    context.configure(url=db.engine.url.render_as_string(hide_password=False),
                      target_metadata=db.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    with db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=db.metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
