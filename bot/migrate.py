"""`scrm db upgrade`: Alembic migrations run in code, on the project's own scripts; and whether a database is
at the schema this code needs (the server, the worker and every command refuse one that is not)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from scrm.db import READ_ONLY

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
UPGRADE = "run `scrm db upgrade`"


def config_for(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = config_for(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@functools.cache
def head() -> str:
    return ScriptDirectory.from_config(config_for(None)).get_current_head()  # type: ignore[arg-type]


@dataclass(frozen=True)
class Schema:
    current: str | None  # None: no tables yet

    @property
    def at_head(self) -> bool:
        return self.current == head()

    def problem(self) -> str | None:
        """One line saying what is wrong, or None."""
        if self.current is None:
            return f"the database has no tables yet: {UPGRADE}"
        if self.current == head():
            return None
        known = ScriptDirectory.from_config(config_for(None))  # type: ignore[arg-type]
        if self.current not in {script.revision for script in known.walk_revisions()}:
            return f"the database is at schema {self.current}, newer than this code knows (its newest is {head()})"
        return f"the database is at schema {self.current}, this code needs {head()}: {UPGRADE}"


def schema_of(engine: Engine) -> Schema:
    """Connects (raises SQLAlchemy's OperationalError when it cannot) and reads alembic's version."""
    with engine.execution_options(**{READ_ONLY: True}).connect() as connection:  # no write lock (SQLite)
        return Schema(MigrationContext.configure(connection).get_current_revision())
