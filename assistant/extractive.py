"""The extractive answer: the most relevant sentences or list items of the top passages, cited."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .text import tokens, word_count
from .types import Passage

_STOP = {t[:6] for t in (
    ["the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "is", "are", "be", "can", "do", "does", "what", "how", "which", "who", "when", "where", "my", "our", "we", "i", "you", "it", "this", "that", "with", "from", "at", "by", "as", "de", "het", "een", "en", "van", "voor", "wat", "hoe", "is", "zijn", "der", "die", "das", "und", "wie", "was", "ist", "le", "la", "les", "des", "et", "pour", "est", "que", "qui", "el", "los", "las", "y", "para", "es", "qué", "cómo"]
)}


@dataclass(frozen=True)
class Extract:
    passage: Passage
    text: str


def split_units(text: str) -> list[str]:
    """Lines (paragraphs, list items) of a chunk; long paragraphs into sentences."""
    from .sentences import split_sentences

    units: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith(("-", "*", "•")) or word_count(line) <= 40:
            units.append(line)
        else:
            units.extend(split_sentences(line))
    return units


def _score(unit: str, query_terms: set[str]) -> float:
    terms = set(tokens(unit)) - _STOP
    if not terms:
        return 0.0
    return len(terms & query_terms) / math.sqrt(len(terms))


def extract(query: str, passage: Passage, max_words: int) -> str:
    """Keep the order of the passage; prefer units sharing words with the query; stay under max_words."""
    units = split_units(passage.text)
    query_terms = set(tokens(query)) - _STOP
    scored = [(_score(u, query_terms), n) for n, u in enumerate(units)]
    relevant = [n for s, n in sorted(scored, key=lambda x: (-x[0], x[1])) if s > 0]
    order = relevant or list(range(len(units)))
    chosen: list[int] = []
    words = 0
    for n in order:
        size = word_count(units[n])
        if chosen and words + size > max_words:
            continue
        chosen.append(n)
        words += size
        if words >= max_words * 0.8:
            break
    # Keep a list's lead-in line when list items were chosen.
    picked = sorted(chosen)
    if picked and units[picked[0]].startswith(("-", "*", "•")) and picked[0] > 0:
        lead = units[picked[0] - 1]
        if not lead.startswith(("-", "*", "•")) and words + word_count(lead) <= max_words * 1.1:
            picked.insert(0, picked[0] - 1)
    # A lead-in ending in ":" is kept only when what it introduces follows it.
    picked = [n for i, n in enumerate(picked)
              if not units[n].endswith(":") or (i + 1 < len(picked) and picked[i + 1] == n + 1)]
    return "\n".join(units[n] for n in picked)


def extract_answer(query: str, passages: list[Passage], max_words: int, close: float = 0.01) -> list[Extract]:
    """The top passage, plus a second one when there is room and it is about as relevant."""
    if not passages:
        return []
    first = extract(query, passages[0], max_words)
    out = [Extract(passages[0], first)]
    room = max_words - word_count(first)
    second = next((p for p in passages[1:3] if p.dense >= passages[0].dense - close), None)
    if second is not None and room >= 35:
        out.append(Extract(second, extract(query, second, room)))
    return out


def readable_first(passages: list[Passage], language: str, window: int = 3) -> list[Passage]:
    """Among the top ``window`` passages, those the reader can read first: their language, then English."""
    def rank(item: tuple[int, Passage]) -> tuple[int, int]:
        n, p = item
        if n >= window:
            return (3, n)
        return (0 if p.language == language else 1 if p.language == "en" else 2, n)

    return [p for _, p in sorted(enumerate(passages), key=rank)]
