"""The rate limiter: bursts up to the limit, then a wait that it states, per key, in bounded memory."""

from __future__ import annotations

import pytest

from assistant.web.ratelimit import RateLimiter, retry_after_header


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_up_to_the_limit_passes_and_the_next_request_learns_how_long_to_wait() -> None:
    clock = Clock()
    limiter = RateLimiter(3, 60.0, clock=clock)
    assert [limiter.hit("ip") for _ in range(3)] == [None, None, None]
    wait = limiter.hit("ip")
    assert wait == pytest.approx(20.0)
    assert retry_after_header(wait) == {"Retry-After": "20"}


def test_the_allowance_comes_back_at_the_average_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(3, 60.0, clock=clock)
    for _ in range(3):
        limiter.hit("ip")
    clock.now += 20.0
    assert limiter.hit("ip") is None
    assert limiter.hit("ip") is not None
    clock.now += 60.0
    assert [limiter.hit("ip") for _ in range(3)] == [None, None, None]


def test_keys_are_counted_separately() -> None:
    limiter = RateLimiter(1, 60.0, clock=Clock())
    assert limiter.hit("a") is None and limiter.hit("b") is None
    assert limiter.hit("a") is not None


def test_a_refused_request_does_not_use_up_allowance() -> None:
    clock = Clock()
    limiter = RateLimiter(1, 60.0, clock=clock)
    limiter.hit("ip")
    for _ in range(10):
        assert limiter.hit("ip") is not None
    clock.now += 60.0
    assert limiter.hit("ip") is None


def test_memory_stays_bounded_under_many_addresses() -> None:
    clock = Clock()
    limiter = RateLimiter(5, 60.0, clock=clock, max_keys=100)
    for n in range(1000):
        limiter.hit(f"10.0.{n // 250}.{n % 250}")
    assert len(limiter._tat) <= 100


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)


def test_retry_after_is_at_least_one_second() -> None:
    assert retry_after_header(0.01) == {"Retry-After": "1"}
