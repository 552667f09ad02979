"""Grounding check for generated answers: every sentence must be supported by a passage it cites."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .sentences import split_sentences
from .text import fold, tokens
from .types import Passage

_MARKER = re.compile(r"\[(\d{1,2})\]")
# Facts that must be copied, never invented: amounts, numbers, phone numbers, e-mail addresses, URLs.
_HARD_FACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|https?://\S+|\+?\d[\d\s().,-]*\d|\d")

Support = Callable[[str, Passage], float]


@dataclass(frozen=True)
class Verdict:
    sentence: str
    supported: bool
    reason: str


def lexical_support(sentence: str, passage: Passage) -> float:
    words = set(tokens(_MARKER.sub("", sentence)))
    if not words:
        return 0.0
    return len(words & set(tokens(passage.text + " " + passage.title))) / len(words)


def _facts_present(sentence: str, passages: list[Passage]) -> bool:
    corpus = re.sub(r"\s+", "", fold(" ".join(p.text for p in passages)))
    for fact in _HARD_FACT.findall(_MARKER.sub("", sentence)):
        if re.sub(r"\s+", "", fold(fact)).strip(".,()") not in corpus:
            return False
    return True


def check(
    answer: str, passages: list[Passage], support: Support = lexical_support, threshold: float = 0.5,
) -> list[Verdict]:
    """A verdict per sentence: cited, citations exist, hard facts present, and supported."""
    verdicts = []
    for sentence in split_sentences(answer):
        numbers = [int(n) for n in _MARKER.findall(sentence)]
        if not numbers:
            verdicts.append(Verdict(sentence, False, "no citation"))
            continue
        if any(n < 1 or n > len(passages) for n in numbers):
            verdicts.append(Verdict(sentence, False, "cites a passage that does not exist"))
            continue
        cited = [passages[n - 1] for n in numbers]
        if not _facts_present(sentence, cited):
            verdicts.append(Verdict(sentence, False, "a number or address not in the cited passage"))
            continue
        best = max(support(sentence, p) for p in cited)
        ok = best >= threshold
        verdicts.append(Verdict(sentence, ok, f"support {best:.2f}"))
    return verdicts
