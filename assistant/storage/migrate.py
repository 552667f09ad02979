"""Run the Alembic migrations (``upgrade head``) on a Database; the server does this at start-up."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from .database import Database

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent


def alembic_config() -> Config:
    config = Config(str(HERE / "alembic.ini"))
    config.set_main_option("script_location", str(HERE / "migrations"))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(db: Database) -> str | None:
    """Upgrade to the newest schema. Concurrent starters queue on a lock (SQLite write lock, PG advisory)."""
    config = alembic_config()
    engine = db.engine.execution_options(ipo_write=True)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(7170050)"))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    revision = current_revision(db)
    log.info("database schema at revision %s", revision)
    return revision
