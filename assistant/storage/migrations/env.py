"""Alembic environment: uses the connection handed over by ``assistant.storage.migrate`` when there is one,
otherwise the URL from the assistant's settings (for the ``alembic`` command line)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import assistant.storage.case_models  # noqa: F401  (registers the case tables for autogenerate)
from assistant.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from assistant.settings import load_settings
    from assistant.storage.database import build_engine

    engine = build_engine(config.get_main_option("sqlalchemy.url") or load_settings().resolved_database_url)
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_online()
