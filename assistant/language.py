"""Detect the language of a message: lingua restricted to a known set, script shortcuts, fallbacks."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from .text import real_words, strip_encoded
from .types import LANGUAGES

_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_UKRAINIAN_ONLY = re.compile(r"[іїєґ]", re.I)
_RUSSIAN_ONLY = re.compile(r"[ыэъё]", re.I)
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]{2,}")
# Languages we recognise in order to say "not supported" honestly (Malay is left out on purpose:
# with it, Indonesian is often mistaken for Malay).
# Names that carry no language signal but bias detection (an accented "Máxima" reads as Spanish/Dutch).
_NAMES = re.compile(
    r"\b(prin[sc]es+|princess|m[aá]xima|centrum|cent(er|re)|utrecht|nki|avl|ipo|mibg|131i|car-?t|amore|"
    r"veritas|schiphol|ronald mcdonald|wilhelmina|umc|antoni van leeuwenhoek|transcaring|ind)\b",
    re.I,
)
_OTHER = ("ITALIAN", "PORTUGUESE", "PERSIAN", "CHINESE", "JAPANESE", "KOREAN", "HINDI", "GREEK",
          "HEBREW", "HUNGARIAN", "ROMANIAN", "CZECH", "SWEDISH")
_SUPPORTED = ("ENGLISH", "DUTCH", "ARABIC", "RUSSIAN", "UKRAINIAN", "TURKISH", "INDONESIAN", "POLISH",
              "SPANISH", "FRENCH", "GERMAN")


@dataclass(frozen=True)
class Detection:
    language: str | None  # one of LANGUAGES, or None
    other: str | None = None  # ISO code of a recognised but unsupported language
    confidence: float = 0.0


class LanguageDetector:
    """Thread-safe wrapper around lingua, built on first use."""

    def __init__(self) -> None:
        self._detector: Any = None
        self._lock = threading.Lock()

    def _get(self, preload: bool = False) -> Any:
        with self._lock:
            if self._detector is None:
                from lingua import Language, LanguageDetectorBuilder

                languages = [getattr(Language, n) for n in _SUPPORTED + _OTHER]
                builder = LanguageDetectorBuilder.from_languages(*languages)
                self._detector = (builder.with_preloaded_language_models() if preload else builder).build()
            return self._detector

    def preload(self) -> None:
        """Load every language model now (a few seconds), so the first family's question is not slow."""
        self._get(preload=True)

    def detect(self, text: str) -> Detection:
        """Base64, URLs, spaced-out letters and reversed text say nothing about the family's language: detect on
        the rest. When nothing readable is left (or one word repeated), or a mostly encoded message leaves a
        few words the detector is unsure of, say None so that the caller falls back (conversation, page)."""
        readable = strip_encoded(text)
        words = real_words(readable)
        if not words or (len(words) >= 5 and len({w.lower() for w in words}) == 1):
            return Detection(None)
        detection = self._detect(readable)
        mostly_encoded = len(readable.replace(" ", "")) * 2 < len(text.replace(" ", ""))
        if mostly_encoded and len(words) < 4 and detection.confidence < 0.5:
            return Detection(None)
        return detection

    def _detect(self, text: str) -> Detection:
        stripped = _NAMES.sub(" ", text)
        text = stripped if _LATIN_WORD.search(stripped) or not _LATIN_WORD.search(text) else text
        if _ARABIC.search(text) and len(_ARABIC.findall(text)) >= len(text) * 0.2:
            return self._arabic_or_persian(text)
        if _CYRILLIC.search(text) and len(_CYRILLIC.findall(text)) >= len(text) * 0.3:
            if _UKRAINIAN_ONLY.search(text) and not _RUSSIAN_ONLY.search(text):
                return Detection("uk", confidence=0.9)
            if _RUSSIAN_ONLY.search(text) and not _UKRAINIAN_ONLY.search(text):
                return Detection("ru", confidence=0.9)
        if not _LATIN_WORD.search(text) and not _CYRILLIC.search(text):
            return self._by_model(text, minimum_words=1)
        return self._by_model(text)

    def _arabic_or_persian(self, text: str) -> Detection:
        # Persian-only letters (پ چ ژ گ) with no Arabic-only ones point to Persian.
        if re.search(r"[پچژگ]", text) and not re.search(r"[ةى]", text):
            return Detection(None, other="fa", confidence=0.8)
        return Detection("ar", confidence=0.95)

    def _by_model(self, text: str, minimum_words: int = 3) -> Detection:
        values = self._get().compute_language_confidence_values(text)
        if not values:
            return Detection(None)
        best = values[0]
        code = best.language.iso_code_639_1.name.lower()
        if code in LANGUAGES:
            return Detection(code, confidence=best.value)
        if best.value >= 0.5 and len(text.split()) >= minimum_words:
            return Detection(None, other=code, confidence=best.value)
        supported = next((v for v in values if v.language.iso_code_639_1.name.lower() in LANGUAGES), None)
        if supported is None:
            return Detection(None)
        return Detection(supported.language.iso_code_639_1.name.lower(), confidence=supported.value)


_default = LanguageDetector()


def shared_detector() -> LanguageDetector:
    """The process-wide detector: its models are loaded once, however many assistants are built."""
    return _default


def detect_language(text: str) -> str | None:
    """The supported language of ``text``, or None when unsure or unsupported."""
    return _default.detect(text).language


def choose_reply_language(
    detection: Detection, conversation_language: str | None, locale_hint: str | None, words: int,
) -> tuple[str, bool]:
    """(reply language, unsupported?) — message first when confident, then conversation, then hint."""
    hint = (locale_hint or "").split("-")[0].lower() or None
    fallback = conversation_language or (hint if hint in LANGUAGES else None)
    if detection.other and detection.confidence >= 0.5:
        return "en", True
    if detection.language and (detection.confidence >= 0.35 or words >= 4 or fallback is None):
        # Very short messages ("ok", "yes") keep the conversation's language.
        if words <= 2 and fallback and detection.confidence < 0.9:
            return fallback, False
        return detection.language, False
    return fallback or "en", False
