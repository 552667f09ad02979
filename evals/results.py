"""The scored result of one case, and its JSON form (shared/eval-format.md, field names fixed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CaseResult:
    id: str
    passed: bool
    route_expected: str
    route_got: str | None
    lang_expected: str
    lang_got: str | None
    retrieved: tuple[str, ...]
    cited: tuple[str, ...]
    source_hit: bool | None  # None: not an answer case with sources
    must_include_failed: tuple[str, ...]
    must_not_matched: tuple[str, ...]
    latency_ms: float
    reply: str
    suite: str = ""
    tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # the case's expected source entries, as written
    turns: tuple[str, ...] = ()
    error: str | None = None
    # per-case ingredients of the summary rates; None where the metric does not apply
    hit_at_k: bool | None = None
    reciprocal_rank: float | None = None
    ndcg_at_10: float | None = None
    citation_ok: bool | None = None
    must_include_ok: bool | None = None
    # optional LLM-judge scores (evals/judge.py, ``--judge``); None where not judged
    judge_faithfulness: float | None = None
    judge_relevancy: float | None = None
    judge_errors: int = 0
    judge_detail: str = ""  # what the judge found unsupported

    @property
    def route_ok(self) -> bool:
        return self.route_got == self.route_expected

    @property
    def language_ok(self) -> bool:
        return self.lang_got == self.lang_expected

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "passed": self.passed,
            "route_expected": self.route_expected, "route_got": self.route_got,
            "lang_expected": self.lang_expected, "lang_got": self.lang_got,
            "retrieved": list(self.retrieved), "cited": list(self.cited), "source_hit": self.source_hit,
            "must_include_failed": list(self.must_include_failed),
            "must_not_matched": list(self.must_not_matched),
            "latency_ms": round(self.latency_ms, 1), "reply": self.reply,
            # additions beyond the fixed fields, for reports and baseline comparison
            "suite": self.suite, "tags": list(self.tags), "sources": list(self.sources),
            "turns": list(self.turns), "error": self.error,
            "scores": {
                "hit_at_k": self.hit_at_k, "reciprocal_rank": _round(self.reciprocal_rank),
                "ndcg_at_10": _round(self.ndcg_at_10), "citation_ok": self.citation_ok,
                "must_include_ok": self.must_include_ok,
                **({"judge_faithfulness": _round(self.judge_faithfulness),
                    "judge_relevancy": _round(self.judge_relevancy), "judge_errors": self.judge_errors,
                    "judge_detail": self.judge_detail} if self.judged else {}),
            },
        }

    @property
    def judged(self) -> bool:
        return self.judge_faithfulness is not None or self.judge_relevancy is not None or self.judge_errors > 0


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
