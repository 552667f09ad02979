"""Plain, frozen data types shared by the core. No framework imports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Literal

LANGUAGES: tuple[str, ...] = ("en", "nl", "ar", "ru", "uk", "tr", "id", "pl", "es", "fr", "de")


class Route(StrEnum):
    ANSWER = "answer"
    ESCALATE = "escalate"
    EMERGENCY = "emergency"
    MEDICAL_ADVICE = "medical_advice"
    OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Document:
    """A knowledge document after loading (front matter + body)."""

    id: str
    title: str
    source: str
    institution: str
    language: str
    reviewed: str
    body: str
    topics: tuple[str, ...] = ()
    expires: date | None = None
    origin: str = ""  # the file path or URL it was loaded from


@dataclass(frozen=True)
class Chunk:
    id: str
    doc_id: str
    text: str
    heading_path: tuple[str, ...]
    position: int
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its scores."""

    chunk_id: str
    doc_id: str
    title: str
    source: str
    language: str
    text: str
    heading: str = ""
    score: float = 0.0  # fused score
    dense: float = 0.0  # cosine similarity, 0 when not found densely


@dataclass(frozen=True)
class Citation:
    doc_id: str
    title: str
    source: str
    snippet: str


@dataclass(frozen=True)
class CuratedAnswer:
    id: str
    documents: tuple[str, ...]
    questions: dict[str, tuple[str, ...]]
    answers: dict[str, str]
    review: dict[str, str]
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class CuratedIndexData:
    """Curated answers as stored: entries, (entry id, language, question) rows and their vectors, and one
    vector per entry for what its English answer says (in ``entries`` order)."""

    entries: list[CuratedAnswer]
    rows: list[tuple[str, str, str]]
    question_vectors: Any
    answer_vectors: Any


@dataclass(frozen=True)
class Message:
    role: Literal["user", "assistant", "staff"]
    text: str
    language: str | None = None
    route: str | None = None
    topic: str | None = None  # standalone query that carried the topic of this turn


@dataclass
class Conversation:
    id: str
    messages: list[Message] = field(default_factory=list)
    language: str | None = None
    escalation_state: Literal["none", "offered", "consented", "case_open"] = "none"
    case_id: str | None = None


@dataclass(frozen=True)
class Escalation:
    reason: str
    urgency: Literal["low", "normal", "high"]
    language: str
    summary: str
    missing_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Event:
    """One event of a streamed reply: route, text, citations, escalation, done."""

    kind: Literal["route", "text", "citations", "retrieved", "escalation", "done", "error", "interrupted"]
    data: dict[str, Any] = field(default_factory=dict)
