"""The answering process caps numpy's BLAS pool (IPO_BLAS_THREADS): parallel turns each do small products."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from assistant.wiring import limit_blas_threads


@pytest.fixture(autouse=True)
def restore() -> Iterator[None]:
    with threadpool_limits(limits=None):  # whatever the test sets is undone afterwards
        yield


def _blas_threads() -> set[int]:
    np.ones((4, 4)) @ np.ones(4)  # BLAS is loaded
    return {int(pool["num_threads"]) for pool in threadpool_info() if pool["user_api"] == "blas"}


def test_one_thread_per_call_when_configured() -> None:
    limit_blas_threads(1)
    assert _blas_threads() == {1}


def test_zero_leaves_the_library_alone() -> None:
    with threadpool_limits(limits=2, user_api="blas"):
        limit_blas_threads(0)
        assert _blas_threads() == {2}
