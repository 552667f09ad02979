"""An exclusive, non-blocking lock on the embedded store: a second writer fails fast and clearly."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import StoreLockedError


@contextmanager
def exclusive_writer(data_dir: Path) -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "ingest.lock"
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StoreLockedError(
                f"another process is writing to the embedded index in {data_dir} (lock {path}); the embedded "
                "Chroma store is not safe for concurrent writers — wait for it, or use the Chroma server "
                "(IPO_CHROMA_URL) to scale out"
            ) from exc
        os.ftruncate(handle, 0)
        os.write(handle, str(os.getpid()).encode())
        yield
    finally:
        os.close(handle)
