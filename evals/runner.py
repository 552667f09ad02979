"""Run cases against a target, score each last reply, and assemble the results document."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .cases import Case
from .documents import DocumentIndex
from .judge import Judge
from .observation import Observation, failed
from .results import CaseResult
from .scorers import Detect, score_case
from .summary import summarize
from .targets import Target

log = logging.getLogger(__name__)

Progress = Callable[[Sequence[Case]], Iterable[Case]]


def _no_progress(cases: Sequence[Case]) -> Iterable[Case]:
    return cases


def run_case(case: Case, target: Target) -> Observation:
    """One case in a fresh conversation; an exception becomes a failed observation, never a crash."""
    start = time.perf_counter()
    try:
        return target.run(case.turns)
    except Exception as exc:  # the boundary to an arbitrary target: record and go on
        log.warning("case %s: target raised %s", case.id, type(exc).__name__)
        return failed(f"{type(exc).__name__}: {exc}", (time.perf_counter() - start) * 1000.0)


def run_cases(cases: Sequence[Case], target: Target, documents: DocumentIndex, detect: Detect,
              k: int = 5, progress: Progress = _no_progress, judge: Judge | None = None) -> list[CaseResult]:
    """Cases run one after another, in order, so that a run is reproducible; ``judge`` adds LLM scores."""
    results = []
    for case in progress(cases):
        observation = run_case(case, target)
        result = score_case(case, observation, documents.relevant(case.sources), detect, k)
        results.append(judge.judge(result) if judge is not None else result)
    return results


def results_document(results: Sequence[CaseResult], k: int = 5,
                     run: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The results JSON: ``summary`` and ``cases`` as fixed by the format, plus ``run`` (how it was run)."""
    document: dict[str, Any] = {
        "summary": summarize(results, k),
        "cases": [r.to_json() for r in results],
    }
    if run is not None:
        document["run"] = dict(run)
    return document
