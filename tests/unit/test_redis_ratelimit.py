"""A rate limit in Redis must never take the chat down: when Redis cannot be reached, requests go through."""

from __future__ import annotations

import logging

import pytest
import redis

from assistant.adapters.redis_ratelimit import RedisRateLimiter, build_redis_client
from assistant.web.ratelimit import RateLimiter, build_limiter
from tests.e2e.servers import free_port


def test_an_unreachable_redis_lets_requests_through_and_says_so_once(caplog: pytest.LogCaptureFixture) -> None:
    client = build_redis_client(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    limiter = RedisRateLimiter(client, "ip", 1)
    with caplog.at_level(logging.WARNING, logger="assistant.adapters.redis_ratelimit"):
        assert [limiter.hit("203.0.113.9") for _ in range(3)] == [None, None, None]
    assert len(caplog.records) == 1 and "let through" in caplog.records[0].getMessage()
    assert "203.0.113.9" not in caplog.text  # no client addresses in the log
    client.close()


def test_without_a_redis_client_the_limiter_counts_in_memory() -> None:
    assert isinstance(build_limiter("ip", 3), RateLimiter)


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        RedisRateLimiter(redis.Redis(), "ip", 0)
