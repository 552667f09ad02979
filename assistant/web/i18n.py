"""UI and error sentences in the 11 languages, from the widget's own ``static/i18n.json`` (one source)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..types import LANGUAGES

I18N_PATH = Path(__file__).parent / "static" / "i18n.json"
_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")


def language_of(tag: str | None) -> str | None:
    """'ar-EG' → 'ar'; None when the tag is not one of ours."""
    if not tag:
        return None
    match = _TAG.fullmatch(tag.strip())
    code = match.group(1).lower() if match else None
    return code if code in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The first of our languages in an Accept-Language header, by q-value (ties keep header order)."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        code = language_of(tag)
        if code and quality > 0:
            ranked.append((-quality, position, code))
    return min(ranked)[2] if ranked else None


@dataclass(frozen=True)
class UiText:
    tables: dict[str, dict[str, str]]

    def get(self, key: str, language: str | None, **values: object) -> str:
        table = self.tables.get(language or "en") or self.tables["en"]
        text = table.get(key) or self.tables["en"][key]
        return text.format(**values) if values else text


def load_ui_text(path: Path = I18N_PATH) -> UiText:
    raw = json.loads(path.read_text(encoding="utf-8"))
    tables = {lang: {k: str(v) for k, v in raw["strings"][lang].items()} for lang in LANGUAGES}
    missing = {lang: sorted(set(tables["en"]) - set(table)) for lang, table in tables.items()}
    problems = {lang: keys for lang, keys in missing.items() if keys}
    if problems:
        raise ValueError(f"{path}: UI strings missing: {problems}")
    return UiText(tables)
