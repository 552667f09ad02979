"""Rate limits per key (client IP, conversation): the generic cell rate algorithm, one float per key.

``limit`` requests per ``period_s`` on average, with bursts of up to ``limit``; a refused request learns how
many seconds to wait (the ``Retry-After`` header). ``RateLimiter`` counts in memory, per process; with
``IPO_REDIS_URL`` set, ``build_limiter`` returns the same algorithm run in Redis
(``assistant/adapters/redis_ratelimit.py``), so that several workers and hosts share one count.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol


class Limiter(Protocol):
    """A rate limit: ``hit`` counts one request for ``key``; None when allowed, else seconds to wait."""

    def hit(self, key: str) -> float | None: ...


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


def build_limiter(name: str, limit: int, redis_client: Any = None) -> Limiter:
    """The in-memory limiter, or the shared one in Redis when a client is given (one pool for all limits)."""
    if redis_client is None:
        return RateLimiter(limit)
    from ..adapters.redis_ratelimit import RedisRateLimiter

    return RedisRateLimiter(redis_client, name, limit)


def retry_after_header(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}
