"""The widget's UI strings (also the API's error sentences): complete in all 11 languages, and negotiation."""

from __future__ import annotations

import json
import re
import typing

from assistant.types import LANGUAGES
from assistant.web.i18n import I18N_PATH, from_accept_language, language_of, load_ui_text
from assistant.web.schemas import LanguageCode

RAW = json.loads(I18N_PATH.read_text(encoding="utf-8"))


def test_every_language_has_every_string_with_the_same_placeholders() -> None:
    ui = load_ui_text()
    assert set(ui.tables) == set(LANGUAGES) == set(RAW["languages"])
    for key, english in ui.tables["en"].items():
        for language in LANGUAGES:
            text = ui.tables[language][key]
            assert text.strip(), (language, key)
            assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", english)), (language, key)


def test_only_arabic_is_written_right_to_left() -> None:
    assert {code for code, meta in RAW["languages"].items() if meta["dir"] == "rtl"} == {"ar"}


def test_the_api_accepts_exactly_the_assistants_languages() -> None:
    assert set(typing.get_args(LanguageCode)) == set(LANGUAGES)


def test_every_error_code_the_api_uses_has_a_sentence() -> None:
    codes = {"not_found", "method", "too_large", "unsupported_media", "rate_limited", "not_ready", "generic",
             "invalid", "consent", "busy", "message_empty", "message_too_long", "interrupted", "no_such_page"}
    assert {f"error_{code}" for code in codes} <= set(load_ui_text().tables["en"])


def test_sentences_are_picked_by_language_with_english_as_fallback() -> None:
    ui = load_ui_text()
    assert ui.get("error_message_too_long", "de", max=2000) == (
        "Ihre Nachricht ist zu lang. Bitte bleiben Sie unter 2000 Zeichen.")
    assert ui.get("send", None) == "Send"
    assert ui.get("send", "xx") == "Send"


def test_accept_language_negotiation_honours_quality_and_skips_unknown_languages() -> None:
    assert from_accept_language("fr-CH, fr;q=0.9, en;q=0.8") == "fr"
    assert from_accept_language("xx, ja;q=0.9, ar-EG;q=0.5") == "ar"
    assert from_accept_language("en;q=0.2, nl;q=0.8") == "nl"
    assert from_accept_language("de;q=0") is None
    assert from_accept_language("") is None and from_accept_language(None) is None


def test_language_tags_map_to_our_codes() -> None:
    assert language_of("pt-BR") is None
    assert language_of("UK") == "uk" and language_of("id_ID") == "id"
    assert language_of("en;<script>") is None
