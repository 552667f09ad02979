"""Triage before retrieval: per-language rules, then a nearest-exemplar classifier. Emergency first."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import yaml

from .ports import Vectors
from .sentences import split_sentences
from .text import fold, word_count
from .types import LANGUAGES, Route

LEXICON_DIR = Path(__file__).parent / "lexicons"
RULE_ROUTES = ("emergency", "medical_advice", "out_of_scope", "escalate", "gap", "erasure")
PRIORITY = ("emergency", "medical_advice", "out_of_scope", "escalate")
GAPS_FILE = "gaps.yaml"  # questions the documents cannot answer → staff, per language


@dataclass(frozen=True)
class TriageResult:
    route: Route
    reason: str
    urgency: str = "normal"
    erasure: bool = False
    scores: dict[str, float] = field(default_factory=dict)
    cleaned: str | None = None  # the message without its out-of-scope/injection sentences, when answered


@dataclass(frozen=True)
class Lexicons:
    rules: dict[str, list[tuple[str, re.Pattern[str]]]]  # route → [(language, pattern)]
    exemplars: list[tuple[str, str, str]]  # (route, language, text)
    combined: dict[str, re.Pattern[str] | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.combined:
            self.combined.update({route: _combined(patterns) for route, patterns in self.rules.items()})


def load_lexicons(directory: Path = LEXICON_DIR) -> Lexicons:
    rules: dict[str, list[tuple[str, re.Pattern[str]]]] = {r: [] for r in RULE_ROUTES}
    exemplars: list[tuple[str, str, str]] = []
    for language in LANGUAGES:
        path = directory / f"{language}.yaml"
        if not path.exists():
            continue
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for route in RULE_ROUTES:
            for pattern in raw.get(route) or []:
                try:
                    rules[route].append((language, re.compile(str(pattern), re.IGNORECASE)))
                except re.error as exc:
                    raise ValueError(f"{path}: bad {route} pattern {pattern!r}: {exc}") from exc
        for route, texts in (raw.get("exemplars") or {}).items():
            exemplars.extend((str(route), language, str(t)) for t in texts or [])
    gaps_path = directory / GAPS_FILE
    gaps = yaml.safe_load(gaps_path.read_text(encoding="utf-8")) if gaps_path.exists() else {}
    for language, patterns in (gaps or {}).items():
        for pattern in patterns or []:
            try:
                rules["gap"].append((str(language), re.compile(str(pattern), re.IGNORECASE)))
            except re.error as exc:
                raise ValueError(f"{gaps_path}: bad pattern {pattern!r}: {exc}") from exc
    return Lexicons(rules, exemplars)


def _combined(patterns: list[tuple[str, re.Pattern[str]]]) -> re.Pattern[str] | None:
    """One alternation per route, so a message is scanned once per route instead of once per pattern."""
    parts = []
    for _, pattern in patterns:
        source = pattern.pattern
        flags = re.match(r"^\(\?([aiLmsux]+)\)", source)
        if flags:  # a leading global flag group becomes a scoped one inside the alternation
            source = f"(?{flags.group(1)}:{source[flags.end():]})"
        parts.append(f"(?:{source})")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def rule_hits(lexicons: Lexicons, text: str) -> dict[str, str]:
    """route → language of the first matching pattern, over every language's rules."""
    lowered = text.lower().replace("\u0307", "")  # Turkish İ lowercases to i + combining dot
    folded = fold(text)
    hits: dict[str, str] = {}
    for route, patterns in lexicons.rules.items():
        combined = lexicons.combined.get(route)
        if combined is None or not (combined.search(lowered) or combined.search(folded)):
            continue
        for language, pattern in patterns:
            if pattern.search(lowered) or pattern.search(folded):
                hits[route] = language
                break
    return hits


class ExemplarClassifier:
    """Similarity of a message to labelled exemplars (same embedder), mean of the top 3 per route."""

    def __init__(self, routes: list[str], vectors: Vectors) -> None:
        self._routes = np.asarray(routes)
        self._vectors = vectors
        self._labels = sorted(set(routes))

    def scores(self, vector: Vectors) -> dict[str, float]:
        if not len(self._vectors):
            return {}
        sims = self._vectors @ np.asarray(vector, dtype=np.float32).ravel()
        out: dict[str, float] = {}
        for label in self._labels:
            top = np.sort(sims[self._routes == label])[-3:]
            out[label] = float(top.mean())
        return out


def build_classifier(
    lexicons: Lexicons, embed: Callable[[list[str]], Vectors], cache: Path | None = None, tag: str = "",
) -> ExemplarClassifier:
    """Embed the exemplars once; cache the vectors keyed by the exemplar texts and embedder tag."""
    import hashlib

    texts = [t for _, _, t in lexicons.exemplars]
    key = hashlib.sha1(("\n".join(texts) + tag).encode()).hexdigest()[:16]
    path = cache / f"exemplars-{key}.npy" if cache else None
    if path and path.exists():
        vectors = np.load(path)
    else:
        vectors = embed(texts) if texts else np.zeros((0, 1), dtype=np.float32)
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, vectors)
    return ExemplarClassifier([r for r, _, _ in lexicons.exemplars], vectors)


@dataclass(frozen=True)
class TriageThresholds:
    semantic_min: dict[str, float] = field(default_factory=lambda: {
        "emergency": 0.93, "medical_advice": 0.90, "out_of_scope": 0.89, "escalate": 0.90,
    })
    margin: float = 0.015  # over the 'answer' exemplars


class Triage:
    def __init__(
        self, lexicons: Lexicons, classifier: ExemplarClassifier | None,
        thresholds: TriageThresholds | None = None,
    ) -> None:
        self._lexicons = lexicons
        self._classifier = classifier
        self._t = thresholds or TriageThresholds()

    def classify(self, text: str, vector: Vectors | None) -> TriageResult:
        result = self._classify(text, vector)
        if result.route != Route.OUT_OF_SCOPE or not result.reason.startswith("rule:"):
            return result
        # A real question wrapped in an injection or an off-topic aside: answer the question, drop the rest.
        remainder = self._without_out_of_scope(text)
        if remainder and word_count(remainder) >= 4:
            inner = self._classify(remainder, None)
            if inner.route != Route.OUT_OF_SCOPE:
                return replace(inner, reason=f"{inner.reason}+ignored_out_of_scope", cleaned=remainder)
        return result

    def _without_out_of_scope(self, text: str) -> str:
        patterns = [p for _, p in self._lexicons.rules["out_of_scope"]]
        kept = []
        for sentence in (c for s in split_sentences(text) for c in re.split(r"[:;\n]+", s)):
            low, folded = sentence.lower(), fold(sentence)
            if not any(p.search(low) or p.search(folded) for p in patterns):
                kept.append(sentence)
        return " ".join(kept).strip()

    def _classify(self, text: str, vector: Vectors | None) -> TriageResult:
        hits = rule_hits(self._lexicons, text)
        erasure = "erasure" in hits
        for route in PRIORITY:
            if route in hits:
                return TriageResult(Route(route), f"rule:{route}:{hits[route]}", _urgency(route), erasure)
        if erasure:
            return TriageResult(Route.ANSWER, "rule:erasure", erasure=True)
        if "gap" in hits:
            return TriageResult(Route.ESCALATE, f"rule:gap:{hits['gap']}", "normal")
        scores = self._classifier.scores(vector) if self._classifier is not None and vector is not None else {}
        answer = scores.get("answer", 0.0)
        for route in PRIORITY:
            score = scores.get(route, 0.0)
            if score >= self._t.semantic_min[route] and score >= answer + self._t.margin:
                return TriageResult(Route(route), f"semantic:{route}:{score:.3f}", _urgency(route), scores=scores)
        return TriageResult(Route.ANSWER, "default", scores=scores)


def _urgency(route: str) -> str:
    return {"emergency": "high", "medical_advice": "normal", "escalate": "normal"}.get(route, "low")
