"""``/ipo ask``: a staff member's question answered from the knowledge base by the assistant itself.

The question runs as a one-turn conversation that is discarded afterwards; only the reply text and its
sources come back. The assistant is fetched when asked (it may still be loading at start-up).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..types import Conversation, Event

log = logging.getLogger(__name__)


class Answerer(Protocol):
    """The part of ``assistant.answering.Assistant`` used here."""

    def respond(self, conversation: Conversation, message: str, locale_hint: str | None = None) -> Iterator[Event]:
        ...

    def is_ready(self) -> bool: ...


@dataclass(frozen=True)
class KnowledgeAnswer:
    text: str
    route: str
    citations: list[dict[str, Any]] = field(default_factory=list)


class KnowledgeBase:
    def __init__(self, assistant: Callable[[], Answerer | None], discard: Callable[[str], None]) -> None:
        self._assistant, self._discard = assistant, discard

    def ask(self, question: str) -> KnowledgeAnswer | None:
        """The answer, or None while the assistant is not ready."""
        assistant = self._assistant()
        if assistant is None or not assistant.is_ready():
            return None
        conversation = Conversation(id=f"slack-ask-{uuid.uuid4().hex}")
        started = time.perf_counter()
        try:
            events = list(assistant.respond(conversation, question, "en"))
        finally:
            self._discard(conversation.id)
        text = "".join(str(e.data.get("text", "")) for e in events if e.kind == "text").strip()
        citations = next((list(e.data.get("items", [])) for e in events if e.kind == "citations"), [])
        route = next((str(e.data.get("route", "")) for e in events if e.kind == "route"), "")
        log.info("/ipo ask answered (route=%s, chars_in=%d, chars_out=%d, sources=%d, ms=%.0f)", route,
                 len(question), len(text), len(citations), (time.perf_counter() - started) * 1000)
        return KnowledgeAnswer(text, route, citations)
