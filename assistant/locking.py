"""The ingestion writer lock: one run at a time writes an index; a second one fails fast with a clear message.

- Embedded store: an exclusive, non-blocking file lock (``flock``) in the data directory.
- Chroma server (``IPO_CHROMA_URL``) with PostgreSQL (``IPO_DATABASE_URL=postgresql…``): a session-level
  advisory lock in that database (``assistant/storage/advisory_lock.py``), so runs on different machines exclude each other. It is held on one
  connection for the whole run and goes when the run ends or its connection closes (a killed run leaves no
  stale lock); the lock is checked again just before the pointer flips.
- Chroma server with SQLite or no database: a file lock per server and index in the system's temporary
  directory, which only keeps out a second run on the same machine. Runs on several machines must then be
  serialised by the operator.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from urllib.parse import urlparse

from .errors import AssistantError, StoreLockedError
from .settings import Settings

log = logging.getLogger(__name__)


class LockUnavailableError(AssistantError):
    """The database that holds the writer lock could not be reached: nothing was written."""


class Lease:
    """What a writer lock yields. ``verify()`` raises StoreLockedError when the lock was lost meanwhile."""

    def verify(self) -> None:
        return None


def writer_lock(settings: Settings) -> AbstractContextManager[Lease]:
    """The lock an ingestion run into the index that ``settings`` name holds while it writes."""
    if not settings.chroma_url:
        return exclusive_writer(settings.data_dir)
    server = _safe_url(settings.chroma_url)
    if is_postgres(settings.database_url):
        from .storage.advisory_lock import advisory_writer  # SQLAlchemy stays out of the core

        return advisory_writer(str(settings.database_url), settings.collection_prefix, server)
    log.warning("no shared writer lock: IPO_CHROMA_URL without a PostgreSQL IPO_DATABASE_URL locks out a second "
                "ingestion on this machine only; run one ingestion at a time across machines")
    path = server_lock_path(settings.chroma_url, settings.collection_prefix)
    return file_writer(path, f"another process is writing to the index on the Chroma server {server} (lock "
                             f"{path}, this machine only); wait for it to finish — with a PostgreSQL "
                             "IPO_DATABASE_URL the lock holds across machines")


def is_postgres(database_url: str | None) -> bool:
    return bool(database_url) and urlparse(str(database_url)).scheme.split("+")[0] in ("postgresql", "postgres")


def exclusive_writer(data_dir: Path) -> AbstractContextManager[Lease]:
    """The embedded store's lock: ``<data_dir>/ingest.lock``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "ingest.lock"
    return file_writer(path, f"another process is writing to the embedded index in {data_dir} (lock {path}); the "
                             "embedded Chroma store is not safe for concurrent writers — wait for it, or use the "
                             "Chroma server (IPO_CHROMA_URL) to scale out")


def server_lock_path(chroma_url: str, prefix: str) -> Path:
    """This machine's lock file for one index on one Chroma server (whatever the data directory), in the
    system's temporary directory: nothing is written where the server mode keeps no data."""
    digest = hashlib.sha256(f"{chroma_url.rstrip('/')}|{prefix}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"ipo-ingest-{digest}.lock"


@contextmanager
def file_writer(path: Path, message: str) -> Iterator[Lease]:
    """An exclusive, non-blocking ``flock`` on ``path``; the kernel drops it when the process ends."""
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except PermissionError:  # another user's lock file: locking needs no write access
        handle = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StoreLockedError(message) from exc
        try:
            os.ftruncate(handle, 0)
            os.write(handle, str(os.getpid()).encode())
        except OSError:  # opened read-only: the pid is only a courtesy
            pass
        yield Lease()
    finally:
        os.close(handle)


def _safe_url(url: str) -> str:
    """scheme://host:port of a server URL, without credentials."""
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.hostname or ''}{':' + str(parsed.port) if parsed.port else ''}"
