"""Engine set-up: any SQLAlchemy URL; SQLite gets WAL, a busy timeout, foreign keys and write locks up front.

``Database.read()`` and ``Database.write()`` open short sessions. On SQLite a write transaction starts with
``BEGIN IMMEDIATE`` so two writers queue on the busy timeout instead of failing on a lock upgrade; a write
that still meets a locked database is retried a few times (nothing is lost, the caller just waits).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

log = logging.getLogger(__name__)

T = TypeVar("T")
BUSY_TIMEOUT_MS = 15_000
_WRITE = "ipo_write"


def build_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    if not in_memory:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        **({"poolclass": StaticPool} if in_memory else {}),
    )
    _configure_sqlite(engine, wal=not in_memory)
    return engine


def _configure_sqlite(engine: Engine, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if wal:
            _enable_wal(cursor)
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _enable_wal(cursor: Any, limit_s: float = 60.0) -> None:
    """WAL is a property of the file: set once, by whichever connection gets there first. Switching needs the
    file to itself, and two workers starting together (one migrating) can each hold the shared lock the other
    waits for: each attempt therefore waits briefly, lets go, and looks again (the other may have switched)."""
    import random
    import sqlite3

    deadline = time.monotonic() + limit_s
    cursor.execute("PRAGMA busy_timeout=250")
    try:
        while True:
            try:
                if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
                    return
                cursor.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(random.uniform(0.02, 0.2))
    finally:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _is_locked(exc: OperationalError) -> bool:
    text = str(exc.orig).lower() if exc.orig is not None else ""
    return "locked" in text or "busy" in text


class Database:
    """Owns the engine and the session factories; repositories take one of these."""

    def __init__(self, engine: Engine, write_attempts: int = 4) -> None:
        self.engine = engine
        self._reader = sessionmaker(bind=engine, expire_on_commit=False)
        self._writer = sessionmaker(bind=engine.execution_options(**{_WRITE: True}), expire_on_commit=False)
        self._attempts = write_attempts

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(build_engine(url))

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session:
            yield session

    def write(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one write transaction, retrying briefly if the database stays locked."""
        for attempt in range(1, self._attempts + 1):
            try:
                with self._writer.begin() as session:
                    return work(session)
            except OperationalError as exc:
                if not _is_locked(exc) or attempt == self._attempts:
                    raise
                log.warning("database locked; retrying write (attempt %d)", attempt)
                time.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        self.engine.dispose()
