"""Optional translation of staff replies into the family's language, through the core's ChatModel port.

Used only when an LLM is configured. The reply is still sent when translation fails: as the staff wrote it.
"""

from __future__ import annotations

import logging
from typing import Protocol

from ..ports import ChatModel

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"en": "English", "nl": "Dutch", "ar": "Arabic", "ru": "Russian", "uk": "Ukrainian",
                  "tr": "Turkish", "id": "Indonesian", "pl": "Polish", "es": "Spanish", "fr": "French",
                  "de": "German"}

SYSTEM = (
    "You translate a message from hospital staff (International Patient Office, Princess Máxima Center) to a "
    "family. Translate the user's text into {language}. Keep names, numbers, dates, e-mail addresses and "
    "links exactly as written. If the text is already in {language}, return it unchanged. Output only the "
    "translation, nothing else."
)


class Translator(Protocol):
    def translate(self, text: str, language: str) -> str | None: ...


class ChatModelTranslator:
    def __init__(self, model: ChatModel) -> None:
        self._model = model

    def translate(self, text: str, language: str) -> str | None:
        name = LANGUAGE_NAMES.get(language)
        if name is None or language == "en":
            return None
        try:
            translated = "".join(self._model.stream(SYSTEM.format(language=name), text)).strip()
        except Exception as exc:  # the reply goes out untranslated; the reason goes to the log
            log.warning("staff reply translation failed (%s); sending it as written", type(exc).__name__)
            return None
        return translated or None
