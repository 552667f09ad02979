"""Load curated answers (knowledge/curated/*.yaml): reviewed question → answer pairs in 11 languages."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml

from assistant.types import LANGUAGES, CuratedAnswer

from .frontmatter import SourceError, load_yaml
from .loaders import Failure


def load_curated_file(path: Path) -> CuratedAnswer:
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SourceError(f"invalid YAML ({type(exc).__name__})") from exc
    if not isinstance(raw, dict):
        raise SourceError("expected a mapping with id, documents, questions, answers")
    for key in ("id", "documents", "questions", "answers"):
        if not raw.get(key):
            raise SourceError(f"missing '{key}'")
    answers = raw["answers"]
    if "en" not in answers:
        raise SourceError("an English answer is required")
    texts: dict[str, str] = {}
    review: dict[str, str] = {}
    for lang, value in answers.items():
        if lang not in LANGUAGES:
            raise SourceError(f"answer language {lang!r} is not supported")
        if isinstance(value, dict):
            texts[lang] = str(value.get("text", "")).strip()
            review[lang] = str(value.get("review", "pending"))
        else:
            texts[lang], review[lang] = str(value).strip(), "pending"
        if not texts[lang]:
            raise SourceError(f"answer for {lang!r} is empty")
    questions = {
        lang: tuple(str(q) for q in (qs if isinstance(qs, list) else [qs]))
        for lang, qs in raw["questions"].items()
    }
    return CuratedAnswer(
        id=str(raw["id"]), documents=tuple(str(d) for d in raw["documents"]), questions=questions,
        answers=texts, review=review, topics=tuple(str(t) for t in raw.get("topics") or ()),
    )


def load_curated(directory: Path, known_docs: set[str]) -> tuple[list[CuratedAnswer], list[Failure]]:
    entries: list[CuratedAnswer] = []
    failures: list[Failure] = []
    seen: set[str] = set()
    for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        try:
            entry = load_curated_file(path)
            unknown = [d for d in entry.documents if d not in known_docs]
            if unknown:
                raise SourceError(f"rests on unknown document id(s): {', '.join(unknown)}")
            if entry.id in seen:
                raise SourceError(f"duplicate curated id {entry.id!r}")
        except SourceError as exc:
            failures.append(Failure(str(path), str(exc)))
            continue
        seen.add(entry.id)
        entries.append(entry)
    return entries, failures


def curated_hash(entry: CuratedAnswer) -> str:
    payload = json.dumps(
        ["v2", entry.id, entry.documents, entry.questions, entry.answers, entry.review, entry.topics],
        sort_keys=True, ensure_ascii=False,
    )
    return hashlib.sha1(payload.encode()).hexdigest()[:16]
