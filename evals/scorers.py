"""Small deterministic scorers of one reply against one case. Pure functions, no I/O."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Sequence

from .cases import Case
from .observation import Observation
from .results import CaseResult

Detect = Callable[[str], str | None]

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def strip_links(text: str) -> str:
    """The text without URLs and e-mail addresses (they would sway language detection)."""
    return _EMAIL.sub(" ", _URL.sub(" ", text))


def reply_language(obs: Observation, detect: Detect) -> str | None:
    """The detected language of the reply; the route event's language only when detection gives none."""
    text = strip_links(obs.reply).strip()
    detected = detect(text) if text else None
    return detected or obs.language


def unmatched(patterns: Sequence[str], text: str) -> tuple[str, ...]:
    return tuple(p for p in patterns if not re.search(p, text, re.IGNORECASE))


def matched(patterns: Sequence[str], text: str) -> tuple[str, ...]:
    return tuple(p for p in patterns if re.search(p, text, re.IGNORECASE))


def hit_at_k(relevant: Collection[str], retrieved: Sequence[str], k: int) -> bool:
    return any(doc in relevant for doc in retrieved[:k])


def source_hit(relevant: Collection[str], retrieved: Sequence[str], cited: Collection[str], k: int) -> bool:
    """A relevant document is both in the top ``k`` retrieved and cited."""
    return any(doc in relevant and doc in cited for doc in retrieved[:k])


def reciprocal_rank(relevant: Collection[str], retrieved: Sequence[str]) -> float:
    return next((1.0 / rank for rank, doc in enumerate(retrieved, 1) if doc in relevant), 0.0)


def ndcg_at_k(relevant: Collection[str], retrieved: Sequence[str], k: int = 10) -> float:
    """Binary-relevance nDCG; the ideal ranking puts min(|relevant|, k) relevant documents first."""
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(rank + 1) for rank, doc in enumerate(retrieved[:k], 1) if doc in relevant)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return dcg / ideal


def citations_correct(relevant: Collection[str], retrieved: Collection[str], cited: Sequence[str]) -> bool:
    """Every cited document was retrieved and is among the case's sources."""
    return all(doc in retrieved and doc in relevant for doc in cited)


def score_case(case: Case, obs: Observation, relevant: Collection[str], detect: Detect, k: int = 5) -> CaseResult:
    """Score the last reply of ``case``; ``relevant`` are the document ids its sources stand for."""
    lang_got = reply_language(obs, detect)
    include_failed = unmatched(case.must_include, obs.reply)
    not_matched = matched(case.must_not_include, obs.reply)
    ranked = case.route == "answer" and bool(case.sources)
    hit = source_hit(relevant, obs.retrieved, obs.cited, k) if ranked else None
    passed = (
        obs.error is None and obs.route == case.route and lang_got == case.lang
        and not include_failed and not not_matched and hit is not False
    )
    return CaseResult(
        id=case.id, passed=passed, route_expected=case.route, route_got=obs.route,
        lang_expected=case.lang, lang_got=lang_got, retrieved=obs.retrieved, cited=obs.cited,
        source_hit=hit, must_include_failed=include_failed, must_not_matched=not_matched,
        latency_ms=obs.latency_ms, reply=obs.reply, suite=case.suite, tags=case.tags, sources=case.sources,
        turns=case.turns, error=obs.error,
        hit_at_k=hit_at_k(relevant, obs.retrieved, k) if ranked else None,
        reciprocal_rank=reciprocal_rank(relevant, obs.retrieved) if ranked else None,
        ndcg_at_10=ndcg_at_k(relevant, obs.retrieved, 10) if ranked else None,
        citation_ok=citations_correct(relevant, obs.retrieved, obs.cited) if ranked and obs.cited else None,
        must_include_ok=not include_failed if case.must_include else None,
    )
