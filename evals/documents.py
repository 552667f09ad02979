"""The knowledge documents as the evals need them: front matter (id, source, …) and body.

Read straight from ``knowledge/docs/*.md`` so that a case may name a document by its id or by its
``source`` URL, and so that the naive peer can index the same bodies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

_FENCE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n?(.*)\Z", re.S)


@dataclass(frozen=True)
class KnowledgeDoc:
    id: str
    title: str
    source: str
    language: str
    body: str


def load_documents(docs_dir: Path) -> list[KnowledgeDoc]:
    """Every ``*.md`` with front matter under ``docs_dir``, sorted by path; files without an id are skipped."""
    docs: list[KnowledgeDoc] = []
    for path in sorted(docs_dir.glob("**/*.md")):
        match = _FENCE.match(path.read_text(encoding="utf-8"))
        if not match:
            continue
        meta = yaml.safe_load(match.group(1))
        if not isinstance(meta, dict) or not meta.get("id"):
            continue
        docs.append(KnowledgeDoc(
            id=str(meta["id"]), title=str(meta.get("title", "")), source=str(meta.get("source", "")),
            language=str(meta.get("language", "")), body=match.group(2).strip(),
        ))
    return docs


def _normalise(url: str) -> str:
    return url.strip().rstrip("/").lower()


class DocumentIndex:
    """Maps a case's source entry (a document id or a ``source`` URL) to document ids."""

    def __init__(self, docs: list[KnowledgeDoc]) -> None:
        self._ids = {d.id for d in docs}
        self._by_source: dict[str, set[str]] = {}
        for doc in docs:
            if doc.source:
                self._by_source.setdefault(_normalise(doc.source), set()).add(doc.id)

    @classmethod
    def from_dir(cls, docs_dir: Path) -> DocumentIndex:
        return cls(load_documents(docs_dir) if docs_dir.is_dir() else [])

    def __len__(self) -> int:
        return len(self._ids)

    def resolve(self, entry: str) -> frozenset[str]:
        if entry in self._ids:
            return frozenset({entry})
        return frozenset(self._by_source.get(_normalise(entry), ()))

    def relevant(self, sources: tuple[str, ...]) -> frozenset[str]:
        """The ids a case's sources stand for; an entry that names no known document stands for itself."""
        ids: set[str] = set()
        for entry in sources:
            ids |= self.resolve(entry) or {entry}
        return frozenset(ids)
