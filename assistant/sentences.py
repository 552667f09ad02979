"""Sentence splitting shared by chunking, extraction and the grounding check."""

from __future__ import annotations

import re

_ABBREV = re.compile(r"\b(?:e\.g|i\.e|dr|mr|mrs|ms|prof|etc|approx|no|vs|st|ca|bijv|z\.b|d\.h|n\.v\.t)\.$", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?؟。])\s+(?=[\"'(\[]?[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄҐ\u0600-\u06ff0-9])")


def split_sentences(text: str) -> list[str]:
    """Sentence split that keeps abbreviations such as 'e.g.' or 'Dr.' inside their sentence."""
    pieces = _SENTENCE_END.split(text.strip())
    sentences: list[str] = []
    for piece in pieces:
        if sentences and _ABBREV.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return [s.strip() for s in sentences if s.strip()]
