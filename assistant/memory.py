"""Conversation memory behind the ConversationStore port; in memory (the web layer persists)."""

from __future__ import annotations

import threading

from .types import Conversation


class InMemoryConversationStore:
    def __init__(self, max_turns: int = 20) -> None:
        self._items: dict[str, Conversation] = {}
        self._lock = threading.Lock()
        self._max = max_turns * 2

    def get(self, conversation_id: str) -> Conversation | None:
        with self._lock:
            return self._items.get(conversation_id)

    def save(self, conversation: Conversation) -> None:
        with self._lock:
            del conversation.messages[: max(0, len(conversation.messages) - self._max)]
            self._items[conversation.id] = conversation

    def delete(self, conversation_id: str) -> bool:
        with self._lock:
            return self._items.pop(conversation_id, None) is not None
