"""Pure formatting of replies: streamed text pieces, citations, escalation summaries. No I/O."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .extractive import Extract
from .sentences import split_sentences
from .types import Citation, Event, Passage

MISSING_INTAKE = ("name", "email", "country", "child_age", "diagnosis", "consent")

REASONS = {
    "emergency": "Possible emergency reported; the family was told to contact local emergency services",
    "medical_advice": "Family asks for an individual medical judgement (declined, handoff offered)",
    "human_requested": "Family asks for a person or for something only staff can settle",
    "no_answer": "The documents do not answer the family's question",
    "unsupported_language": "Family writes in a language the assistant does not support",
}


def text_events(text: str) -> Iterator[Event]:
    """Stream a reviewed or extracted text in sentence-sized deltas (whitespace preserved)."""
    for n, paragraph in enumerate(text.split("\n")):
        if n:
            yield Event("text", {"text": "\n"})
        pieces = split_sentences(paragraph) if paragraph.strip() else []
        for m, piece in enumerate(pieces):
            yield Event("text", {"text": (" " if m else "") + piece})


def citation_for(passage: Passage, snippet_chars: int = 220) -> Citation:
    snippet = re.sub(r"\s+", " ", passage.text).strip()
    if len(snippet) > snippet_chars:
        snippet = snippet[:snippet_chars].rsplit(" ", 1)[0] + "…"
    return Citation(passage.doc_id, passage.title, passage.source, snippet)


def citations_event(citations: list[Citation]) -> Event:
    items = [
        {"n": n, "doc_id": c.doc_id, "title": c.title, "source": c.source, "snippet": c.snippet}
        for n, c in enumerate(citations, start=1)
    ]
    return Event("citations", {"items": items})


def render_extractive(intro: str, extracts: list[Extract], outro: str) -> str:
    parts = [intro, ""]
    for n, ex in enumerate(extracts, start=1):
        parts.append(f"{ex.text} [{n}]")
        parts.append("")
    parts.append(outro)
    return "\n".join(parts).strip()


def staff_summary(reason: str, language: str, topic: str | None) -> str:
    """A short English summary for staff, never containing the family's own words (no identifiers)."""
    base = REASONS.get(reason, "Family needs a person")
    topic_part = f" Topic: {topic}." if topic else ""
    return f"{base}.{topic_part} Reply language: {language}."


def escalation_event(reason: str, urgency: str, language: str, topic: str | None) -> Event:
    return Event("escalation", {
        "reason": reason, "urgency": urgency, "language": language,
        "summary": staff_summary(reason, language, topic), "missing_fields": list(MISSING_INTAKE),
    })
