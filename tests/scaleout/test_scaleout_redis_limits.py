"""The rate limit kept in Redis behaves like the in-memory one, and is one count for every process."""

from __future__ import annotations

import subprocess
import sys

import pytest

from assistant.adapters.redis_ratelimit import RedisRateLimiter, build_redis_client
from assistant.web.ratelimit import RateLimiter
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.e2e


def test_a_burst_is_allowed_then_refused_with_the_same_wait_as_in_memory(redis_url: str) -> None:
    client = build_redis_client(redis_url)
    try:
        shared, local = RedisRateLimiter(client, "burst", 5), RateLimiter(5)
        got = [shared.hit("203.0.113.1") for _ in range(7)]
        expected = [local.hit("203.0.113.1") for _ in range(7)]
        assert got[:5] == expected[:5] == [None] * 5
        assert got[5] is not None and expected[5] is not None
        assert abs(got[5] - expected[5]) < 0.5  # about one interval (60 s / 5 = 12 s)
        assert shared.hit("203.0.113.2") is None  # keys are counted apart
        ttl_ms = client.pttl("ipo:rl:burst:203.0.113.1")
        assert 0 < ttl_ms <= 60_000  # the key expires once the client is back to a full allowance
    finally:
        client.close()


_OTHER_PROCESS = """
import sys
from assistant.adapters.redis_ratelimit import RedisRateLimiter, build_redis_client
limiter = RedisRateLimiter(build_redis_client(sys.argv[1]), "shared", 6)
print(sum(limiter.hit("198.51.100.7") is None for _ in range(4)))
"""


def test_several_processes_share_one_count(redis_url: str) -> None:
    runs = [subprocess.run([sys.executable, "-c", _OTHER_PROCESS, redis_url], cwd=REPO_ROOT, capture_output=True,
                           text=True, timeout=60, check=True) for _ in range(3)]
    allowed = [int(run.stdout.strip()) for run in runs]
    assert allowed == [4, 2, 0]  # 6 per minute between them, not 6 each
