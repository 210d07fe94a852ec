"""Alembic environment: runs on the connection bot/migrate.py hands over, or on DATABASE_URL."""

import os

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import scrm.models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    with create_engine(os.environ.get("DATABASE_URL", "sqlite:///scrm.db")).connect() as connection:
        run(connection)
        connection.commit()
