"""Input normalisation: strip invisible and bidi control characters before anything else."""

from __future__ import annotations

import re
import unicodedata

# Zero-width, bidi controls, BOM, Unicode tag characters (U+E0000–U+E007F), variation selectors, soft hyphen.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]"
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_WORD = re.compile(r"\w+", re.UNICODE)


def normalize_input(text: str) -> str:
    """NFKC, drop invisible/bidi/tag characters and control characters, collapse runs of spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    text = _SPACES.sub(" ", text)
    return text.strip()


def fold(text: str) -> str:
    """Lowercase and strip diacritics (for lexical matching only; never for display)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str, stem: int = 6) -> list[str]:
    """Language-agnostic lexical tokens: folded words of ≥2 characters, cut to ``stem`` characters."""
    out = []
    for word in _WORD.findall(fold(text)):
        if len(word) < 2 or (word.isdigit() and len(word) < 2):
            continue
        out.append(word[:stem])
    return out


def word_count(text: str) -> int:
    return len(_WORD.findall(text))
