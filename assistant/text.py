"""Input normalisation: strip invisible and bidi control characters before anything else."""

from __future__ import annotations

import itertools
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


# --- look-alike letters (Unicode TS #39 style skeleton, for triage matching only) --------------------------
# Cyrillic and Greek letters that look like Latin ones. Applied only to words that mix scripts
# ("Іgnоrе", "рrеvіоus"), so genuine Russian, Ukrainian or Greek words are never changed.
_CONFUSABLES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q",
    "ԝ": "w", "ү": "y", "ɡ": "g", "ԍ": "g", "ѵ": "v",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ү": "Y", "Ӏ": "I",
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
})
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_LOOKALIKE = re.compile("[\u0370-\u03ff\u0400-\u04ff\u0500-\u052f\u0261]")


def skeleton(text: str) -> str:
    """``text`` with the Cyrillic/Greek look-alikes in mixed-script words replaced by their Latin letters."""
    if not _LOOKALIKE.search(text) or not _LATIN.search(text):
        return text
    return _WORD.sub(_word_skeleton, text)


def _word_skeleton(match: re.Match[str]) -> str:
    word = match.group(0)
    if _LATIN.search(word) and _LOOKALIKE.search(word):
        return word.translate(_CONFUSABLES)
    return word


# --- what carries language: real words, not encodings --------------------------------------------------
_URLISH = re.compile(r"(?:\b(?:https?|ftp|data|javascript|vbscript|file):|\bwww\.)\S*|\S+\.[a-z]{2,}/\S*", re.I)
_ENCODED = re.compile(r"(?<![\w+/])[A-Za-z0-9+/_-]{16,}={0,2}(?![\w+/])")
_SPACED = re.compile(r"(?<!\S)(?:\w[ \t]+){3,}\w(?!\S)")
_CHUNKS = re.compile(r"[^.!?;:,()\[\]\"«»“”\n]+")
# Common words spelt backwards mark reversed text ("erongi lla snoitcurtsni"); the attacks seen are English.
# Short words whose reversal is a word elsewhere ("is"/"si", "are"/"era", "to"/"ot") are left out.
_COMMON = frozenset((
    "the", "and", "your", "you", "all", "ignore", "say", "print", "reveal", "system", "prompt", "instructions",
    "rules", "previous", "this", "that", "with", "for", "what", "how", "tell", "show", "write", "hacked",
))
_PUNCT = "\"'“”‘’«»()[]{}<>.,;:!?¿¡،؟…*_-"
_REAL_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_PARTS = re.compile(r"['’-]")


def _is_encoded(token: str) -> bool:
    """Base64, hex or similar: long, from the base64 alphabet, with digits or a mixed-case interior."""
    if any(ch.isdigit() for ch in token) or token.endswith("="):
        return True
    return sum(1 for a, b in itertools.pairwise(token[1:]) if a.islower() and b.isupper()) >= 2


def _reversed_chunk(chunk: str) -> bool:
    words = [w.strip(_PUNCT).lower() for w in chunk.split()]
    backwards = sum(1 for w in words if w and w not in _COMMON and w[::-1] in _COMMON)
    return backwards >= 2 and backwards * 2 >= len(words)


def strip_encoded(text: str) -> str:
    """``text`` without URLs, base64/hex runs, letters spaced out one by one and reversed text."""
    text = _URLISH.sub(" ", text)
    text = _ENCODED.sub(lambda m: " " if _is_encoded(m.group(0)) else m.group(0), text)
    text = _SPACED.sub(" ", text)
    text = _CHUNKS.sub(lambda m: " " if _reversed_chunk(m.group(0)) else m.group(0), text)
    return _SPACES.sub(" ", text).strip()


def real_words(text: str) -> list[str]:
    """Words made of letters, as people write them (no URLs, encodings, digits or mixed-case runs)."""
    out = []
    for token in strip_encoded(text).split():
        word = token.strip(_PUNCT)
        if 0 < len(word) <= 40 and _REAL_WORD.fullmatch(word) and _sane_case(word):
            out.extend(_PARTS.split(word))  # "CAR-T" and "don't" count as two, as word_count does
    return out


def _sane_case(word: str) -> bool:
    return word == word.lower() or word == word.upper() or word[1:] == word[1:].lower()
