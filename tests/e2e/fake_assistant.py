"""FakeAssistant: the shape of ``assistant.answering.Assistant`` with scripted replies, for the web tests.

Passed to ``create_app(assistant_factory=…)``; like the real one it records each turn through the store it
is given. Keywords in the message pick the script:

- ``xss``: a reply full of HTML, a ``javascript:`` link, an external image and a hostile citation source
- ``slow``: text deltas 0.2 s apart
- ``boom``: fails after the first text delta (the stream must end with ``interrupted``)
- ``escalate``: offers a person (an ``escalation`` event)
- ``forget me``: the erasure request (``done`` with ``erase: true``; the store erases the conversation)
- anything else: a short answer with one citation
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from assistant.ports import ConversationStore
from assistant.settings import Settings
from assistant.types import Conversation, Event, Message

XSS_REPLY = (
    "Here is **bold** and *italic* text.\n\n"
    '<img src=x onerror="window.__pwned=1">\n\n'
    "[click me](javascript:window.__pwned=2) and [the hospital](https://www.prinsesmaximacentrum.nl/)\n\n"
    "![tracker](https://evil.example/pixel.png)\n\n"
    "- item one\n- item <script>window.__pwned=3</script>\n\n"
    '<a href="javascript:window.__pwned=4">raw link</a>'
)
XSS_CITATIONS = [
    {"n": 1, "doc_id": "evil", "title": "Evil source", "source": "javascript:window.__pwned=5", "snippet": ""},
    {"n": 2, "doc_id": "good", "title": "Good source", "source": "https://www.prinsesmaximacentrum.nl/en",
     "snippet": ""},
]
DEFAULT_REPLY = "The hospital's information says that families apply through the International Patient Office [1]."
DEFAULT_CITATIONS = [{"n": 1, "doc_id": "ipo", "title": "Point of contact for international patients",
                      "source": "https://zorg.prinsesmaximacentrum.nl/en/point-of-contact-for-international-patients",
                      "snippet": "Apply through the International Patient Office."}]


class FakeAssistant:
    def __init__(self, store: ConversationStore, delay_s: float = 0.0) -> None:
        self._store, self._delay = store, delay_s
        self.turns = 0

    def is_ready(self) -> bool:
        return True

    def respond(self, conversation: Conversation, message: str, locale_hint: str | None = None) -> Iterator[Event]:
        self.turns += 1
        language = (locale_hint or conversation.language or "en")[:2].lower()
        lowered = message.lower()
        if "boom" in lowered:
            yield Event("route", {"route": "answer", "reason": "fake", "language": language})
            yield Event("text", {"text": "Starting an answer"})
            raise RuntimeError("the fake assistant broke down on purpose")
        if "forget me" in lowered:
            yield from self._erase(conversation, language)
            return
        reply, citations, route = DEFAULT_REPLY, DEFAULT_CITATIONS, "answer"
        if "xss" in lowered:
            reply, citations = XSS_REPLY, XSS_CITATIONS
        if "escalate" in lowered:
            reply, citations, route = "May I pass your question on to the staff?", [], "escalate"
        conversation.messages += [Message("user", message, language, route), Message("assistant", reply, language, route)]
        conversation.language = language
        self._store.save(conversation)
        yield Event("route", {"route": route, "reason": "fake", "language": language})
        pause = 0.2 if "slow" in lowered else self._delay
        for piece in _pieces(reply):
            if pause:
                time.sleep(pause)
            yield Event("text", {"text": piece})
        if citations:
            yield Event("citations", {"items": citations})
        if route == "escalate":
            yield Event("escalation", {"reason": "human_requested", "urgency": "normal", "language": language,
                                       "summary": "Family asks for a person", "missing_fields": []})
        yield Event("done", {"language": language, "route": route, "erase": False, "latency_ms": 1.0})

    def _erase(self, conversation: Conversation, language: str) -> Iterator[Event]:
        self._store.delete(conversation.id)
        yield Event("route", {"route": "answer", "reason": "erasure_request", "language": language})
        yield Event("text", {"text": "Your conversation and data have been deleted."})
        yield Event("done", {"language": language, "route": "answer", "erase": True, "latency_ms": 1.0})


def _pieces(text: str) -> list[str]:
    words = text.split(" ")
    return [(" " if i else "") + " ".join(words[i:i + 4]) for i in range(0, len(words), 4)]


def fake_factory(delay_s: float = 0.0) -> Any:
    """An ``assistant_factory`` for ``create_app``; keeps the last assistant built on ``.built``."""

    def build(settings: Settings, store: ConversationStore) -> FakeAssistant:
        build.built = FakeAssistant(store, delay_s)  # type: ignore[attr-defined]
        return build.built  # type: ignore[attr-defined]

    return build
