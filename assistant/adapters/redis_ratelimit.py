"""Rate limits shared by every worker and every host: the same generic cell rate algorithm as the in-memory
``RateLimiter`` (``assistant/web/ratelimit.py``), run atomically inside Redis by a small Lua script.

One key per limited client (``<prefix>:<name>:<key>``) holds its theoretical arrival time in milliseconds,
read from Redis's own clock so that hosts with skewed clocks agree; the key expires once the client is back to
a full allowance. If Redis cannot be reached the request is let through, Redis is left alone for a few
seconds (so an outage adds no delay to every request), and the outage is logged at most once a minute: a rate
limit must not take the chat down.
"""

from __future__ import annotations

import logging
import time
from typing import Any

log = logging.getLogger(__name__)
RETRY_AFTER_OUTAGE_S = 5.0

# KEYS[1] = the client's key; ARGV = interval ms, burst ms. Returns 0 when allowed, else the wait in ms.
GCRA = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local interval, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now_ms)
if tat < now_ms then tat = now_ms end
local allowed_at = tat + interval - burst
if allowed_at > now_ms then return allowed_at - now_ms end
redis.call('SET', KEYS[1], tat + interval, 'PX', math.max(1, tat + interval - now_ms))
return 0
"""


class RedisRateLimiter:
    """``limit`` requests per ``period_s`` per key, counted in Redis; ``hit`` has the in-memory limiter's shape."""

    def __init__(self, client: Any, name: str, limit: int, period_s: float = 60.0, prefix: str = "ipo:rl") -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self._client, self._key = client, f"{prefix}:{name}:"
        self._interval_ms = max(1, round(period_s * 1000 / limit))
        self._burst_ms = round(period_s * 1000)
        self._script = client.register_script(GCRA)
        self._warned_at = self._down_until = float("-inf")

    def hit(self, key: str) -> float | None:
        """Count one request. None when allowed; otherwise the seconds until one would be."""
        from redis.exceptions import RedisError

        if time.monotonic() < self._down_until:
            return None
        try:
            wait_ms = int(self._script(keys=[self._key + key], args=[self._interval_ms, self._burst_ms]))
        except RedisError as exc:
            now = time.monotonic()
            self._down_until = now + RETRY_AFTER_OUTAGE_S
            if now - self._warned_at > 60:
                self._warned_at = now
                log.warning("rate limit store unreachable (%s): requests are let through", type(exc).__name__)
            return None
        return wait_ms / 1000 if wait_ms > 0 else None


def build_redis_client(url: str) -> Any:
    """A connection pool to ``url`` (redis://host:port/db), with short timeouts: limits sit on every request."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5, health_check_interval=30,
                                retry=Retry(NoBackoff(), 1))
