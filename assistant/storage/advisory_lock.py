"""The ingestion writer lock in PostgreSQL: a session-level advisory lock, so that runs on different machines
writing to one Chroma server exclude each other (see ``assistant/locking.py`` for the other cases)."""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from ..errors import StoreLockedError
from ..locking import Lease, LockUnavailableError

log = logging.getLogger(__name__)


def advisory_key(prefix: str) -> int:
    """The advisory lock's key: one per index (collection prefix), positive, 63 bits."""
    digest = hashlib.sha256(f"ipo-ingest:{prefix}".encode()).digest()
    return int.from_bytes(digest[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF


_HELD = ("SELECT a.application_name FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
         "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.classid::bigint = :hi "
         "AND l.objid::bigint = :lo AND l.database = (SELECT oid FROM pg_database WHERE datname = "
         "current_database()) {mine} LIMIT 1")


class AdvisoryLease(Lease):
    def __init__(self, connection: Any, key: int, message: str) -> None:
        self._connection, self._key, self._message = connection, key, message

    def holder(self, mine: bool = False) -> str | None:
        """Who holds the lock (its application name), or None; ``mine``: only if this session holds it."""
        query = _HELD.format(mine="AND l.pid = pg_backend_pid()" if mine else "")
        row = self._connection.execute(text(query), {"hi": self._key >> 32, "lo": self._key & 0xFFFF_FFFF}).first()
        return None if row is None else str(row[0] or "another session")

    def verify(self) -> None:
        try:
            held = self.holder(mine=True) is not None
        except SQLAlchemyError as exc:
            held = False
            log.warning("the writer lock's connection to PostgreSQL failed (%s)", type(exc).__name__)
        if not held:
            raise StoreLockedError(f"the writer lock was lost during the run ({self._message}); the new "
                                   "generation was not published — run the ingestion again")


@contextmanager
def advisory_writer(database_url: str, prefix: str, server: str) -> Iterator[Lease]:
    """``pg_try_advisory_lock`` on a connection of its own (autocommit: no transaction stays open), held
    until the ``with`` block ends."""
    key, where = advisory_key(prefix), _database_name(database_url)
    name = f"ipo-ingest {socket.gethostname()} pid {os.getpid()}"[:63]
    engine = create_engine(database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT",
                           connect_args={"application_name": name, "connect_timeout": 10})
    try:
        try:
            connection = engine.connect()
        except SQLAlchemyError as exc:
            raise _unavailable(where, exc) from exc
        with connection:
            try:
                got = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
            except SQLAlchemyError as exc:
                raise _unavailable(where, exc) from exc
            message = f"PostgreSQL advisory lock {key} in {where}"
            lease = AdvisoryLease(connection, key, message)
            if not got:
                holder = _quietly(lease.holder)
                raise StoreLockedError(
                    f"another process is writing to the index on the Chroma server {server} ({message}"
                    f"{', held by ' + holder if holder else ''}); only one ingestion may write at a time — "
                    "wait for it to finish")
            try:
                yield lease
            finally:
                _quietly(lambda: connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key}))
    finally:
        engine.dispose()


def _unavailable(where: str, exc: Exception) -> LockUnavailableError:
    return LockUnavailableError(f"could not take the ingestion lock in PostgreSQL {where} ({type(exc).__name__}); "
                                "nothing was written")


def _quietly(call: Any) -> Any:
    """A best-effort database call: None if it fails (a closed connection has released the lock anyway)."""
    try:
        return call()
    except SQLAlchemyError:
        return None


def _database_name(url: str) -> str:
    """host:port/database of a database URL: never its user or password."""
    parsed = urlparse(url)
    return f"{parsed.hostname or 'localhost'}:{parsed.port or 5432}{parsed.path or ''}"
