"""Parse and validate the YAML front matter of a knowledge document."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import yaml

from assistant.types import LANGUAGES, Document

REQUIRED = ("id", "title", "source", "institution", "language", "reviewed")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{1,99}$")
_FENCE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n?(.*)\Z", re.S)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~9x faster, same result


class SourceError(Exception):
    """A source that cannot be ingested; the message is one clear line for the report."""


def load_yaml(text: str) -> Any:
    """Safe YAML parsing (no arbitrary objects), with libyaml's parser when it is available."""
    return yaml.load(text, Loader=_LOADER)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    match = _FENCE.match(text)
    if not match:
        raise SourceError("missing front matter (the file must start with a '---' YAML block)")
    try:
        meta = load_yaml(match.group(1))
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f" at line {line + 2}" if line is not None else ""
        raise SourceError(f"invalid front matter YAML{where}") from exc
    if not isinstance(meta, dict):
        raise SourceError("invalid front matter: expected key: value pairs")
    return meta, match.group(2)


def _date(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise SourceError(f"front matter field '{field}' is not a date (YYYY-MM-DD): {value!r}") from exc


def document_from(meta: dict[str, Any], body: str, origin: str) -> Document:
    missing = [f for f in REQUIRED if not meta.get(f)]
    if missing:
        raise SourceError(f"front matter lacks required field(s): {', '.join(missing)}")
    doc_id = str(meta["id"])
    if not _SLUG.match(doc_id):
        raise SourceError(f"front matter 'id' must be a lowercase slug, got {doc_id!r}")
    language = str(meta["language"])
    if language not in LANGUAGES:
        raise SourceError(f"front matter 'language' {language!r} is not one of {', '.join(LANGUAGES)}")
    topics = meta.get("topics") or []
    if not isinstance(topics, list):
        raise SourceError("front matter 'topics' must be a list")
    if not body.strip():
        raise SourceError("document body is empty")
    expires = _date(meta["expires"], "expires") if meta.get("expires") else None
    return Document(
        id=doc_id, title=str(meta["title"]), source=str(meta["source"]),
        institution=str(meta["institution"]), language=language,
        reviewed=_date(meta["reviewed"], "reviewed").isoformat(), body=body.strip(),
        topics=tuple(str(t) for t in topics), expires=expires, origin=origin,
    )
