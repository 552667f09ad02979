"""Rate limits per key (client IP, conversation): the generic cell rate algorithm, one float per key.

``limit`` requests per ``period_s`` on average, with bursts of up to ``limit``; a refused request learns how
many seconds to wait (the ``Retry-After`` header). In memory, per process: behind several workers each one
counts alone, so give each worker its share of the limit (or put a shared limiter behind this interface).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(self, limit: int, period_s: float = 60.0, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self._interval = period_s / limit  # one request's worth of time
        self._burst = period_s  # up to `limit` requests at once
        self._clock, self._max_keys = clock, max_keys
        self._tat: dict[str, float] = {}  # theoretical arrival time per key
        self._lock = threading.Lock()

    def hit(self, key: str) -> float | None:
        """Count one request. None when allowed; otherwise the seconds until one would be."""
        with self._lock:
            now = self._clock()
            tat = max(self._tat.get(key, now), now)
            allowed_at = tat + self._interval - self._burst
            if allowed_at > now:
                return allowed_at - now
            if key not in self._tat and len(self._tat) >= self._max_keys:
                self._evict(now)
            self._tat[key] = tat + self._interval
            return None

    def _evict(self, now: float) -> None:
        """Forget keys that are back to a full allowance; if none are, forget the oldest half."""
        stale = [k for k, t in self._tat.items() if t <= now]
        if not stale:
            stale = sorted(self._tat, key=self._tat.__getitem__)[: len(self._tat) // 2]
        for key in stale:
            del self._tat[key]


def retry_after_header(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}
