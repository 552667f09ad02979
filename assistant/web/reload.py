"""Index hot reload: a running server follows the active-generation pointer without a restart.

Every ``interval_s`` a background thread reads the pointer (one small read of the Chroma metadata collection).
When it names another generation than the one being served, the thread builds a new assistant, off every
request path, and swaps it into the holder in one assignment. A turn that already started keeps the
assistant it started with (it holds its own reference) and finishes on the old generation; the next request
gets the new one. A failed build keeps the old assistant serving, logs the generation ids and the error's type,
and is tried again after a back-off. Each process (each uvicorn worker) runs its own reloader.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Generic, Literal, Protocol, TypeVar

from ..errors import AssistantError

log = logging.getLogger(__name__)

ReloadOutcome = Literal["unchanged", "reloaded", "failed", "no_index", "unreadable", "backing_off"]
MAX_BACKOFF_S = 600.0
A = TypeVar("A")
A_contra = TypeVar("A_contra", contravariant=True)


class Swappable(Protocol[A_contra]):
    """What the reloader needs of the holder of the served assistant."""

    @property
    def generation(self) -> str | None: ...

    def has_assistant(self) -> bool: ...

    def swap(self, assistant: A_contra, generation: str) -> None: ...


class IndexReloader(Generic[A]):
    """Follows the pointer: ``check()`` is one decision (and, when needed, one build and swap)."""

    def __init__(self, holder: Swappable[A], pointer: Callable[[], str | None], build: Callable[[], A],
                 interval_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._holder, self._pointer, self._build = holder, pointer, build
        self._interval_s, self._clock = interval_s, clock
        self._failures = 0
        self._not_before = float("-inf")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> ReloadOutcome:
        """Read the pointer; build and swap in a new assistant when it names another generation."""
        if self._clock() < self._not_before:
            return "backing_off"
        try:
            target = self._pointer()
        except Exception as exc:  # the store is unreachable: keep serving what we have; /readyz tells
            log.warning("index pointer unreadable (%s); still serving %s", type(exc).__name__,
                        self._holder.generation)
            return "unreadable"
        if target is None:
            return "no_index"
        if target == self._holder.generation and self._holder.has_assistant():
            return "unchanged"
        return self._load(target)

    def _load(self, target: str) -> ReloadOutcome:
        # The build reads the pointer again: it can only have moved forward, so the assistant built serves
        # ``target`` or newer, and at worst the next check builds once more.
        current, started = self._holder.generation, time.perf_counter()
        try:
            assistant = self._build()
        except Exception as exc:
            self._failures += 1
            # the next tick, then 1, 3, 7 … intervals later, at most MAX_BACKOFF_S
            wait = min(self._interval_s * (2 ** min(self._failures - 1, 16) - 1), MAX_BACKOFF_S)
            self._not_before = self._clock() + wait
            log.warning("index generation %s could not be loaded (%s, failure %d); still serving %s; next try "
                        "in %.0f s", target, type(exc).__name__, self._failures, current, max(wait, self._interval_s),
                        exc_info=not isinstance(exc, AssistantError))
            return "failed"
        self._holder.swap(assistant, target)
        self._failures, self._not_before = 0, float("-inf")
        log.info("index generation %s loaded in %.2f s (%s)", target, time.perf_counter() - started,
                 f"was {current}" if current else "first")
        return "reloaded"

    # --- the background thread ------------------------------------------------------------------
    def start(self) -> None:
        """Check every ``interval_s`` in a daemon thread until ``close()``."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="index-reloader", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                self.check()
            except Exception:  # never let the thread die: the next tick tries again
                log.exception("index reload check failed")

    def close(self, timeout_s: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout_s)
            self._thread = None
