"""What the web layer works with, built once in the lifespan: database, repositories, assistant, limits."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

import anyio

from ..cases.events import CaseEvents, NoCaseEvents
from ..errors import AssistantError
from ..ports import ConversationStore
from ..settings import Settings
from ..storage import (
    ConversationRepository,
    Database,
    Erasure,
    FeedbackRepository,
    IntakeRepository,
    SqlConversationStore,
    migrate,
)
from ..templates import Templates, load_templates
from ..types import Conversation, Event
from .i18n import UiText, load_ui_text
from .ratelimit import Limiter, build_limiter

log = logging.getLogger(__name__)


class ChatAssistant(Protocol):
    """The shape of ``assistant.answering.Assistant`` that the web layer uses."""

    def respond(self, conversation: Conversation, message: str, locale_hint: str | None = None) -> Iterator[Event]:
        ...

    def is_ready(self) -> bool: ...


AssistantFactory = Callable[[Settings, ConversationStore], ChatAssistant]


def build_real_assistant(settings: Settings, store: ConversationStore) -> ChatAssistant:
    from ..wiring import build_assistant

    return build_assistant(settings, store=store)


class AssistantHolder:
    """The assistant, or None while it cannot be built (no index yet); retries at most every ``retry_s``."""

    def __init__(self, build: Callable[[], ChatAssistant], retry_s: float = 10.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._build, self._retry_s, self._clock = build, retry_s, clock
        self._assistant: ChatAssistant | None = None
        self._last_try = float("-inf")
        self._lock = threading.Lock()

    def get(self) -> ChatAssistant | None:
        if self._assistant is not None:
            return self._assistant
        if self._clock() - self._last_try < self._retry_s or not self._lock.acquire(blocking=False):
            return None
        try:
            self._last_try = self._clock()
            self._assistant = self._build()
            log.info("assistant ready")
        except AssistantError as exc:
            log.warning("assistant not available yet: %s", exc)
        finally:
            self._lock.release()
        return self._assistant


class TurnGuard:
    """One assistant turn at a time per conversation (in this process)."""

    def __init__(self) -> None:
        self._active: set[str] = set()
        self._lock = threading.Lock()

    def acquire(self, conversation_id: str) -> bool:
        with self._lock:
            if conversation_id in self._active:
                return False
            self._active.add(conversation_id)
            return True

    def release(self, conversation_id: str) -> None:
        with self._lock:
            self._active.discard(conversation_id)


@dataclass
class Limits:
    per_ip: Limiter
    per_conversation: Limiter
    reads_per_ip: Limiter
    close: Callable[[], None] = lambda: None


def build_limits(settings: Settings) -> Limits:
    """Per process, or shared by every worker through Redis when ``IPO_REDIS_URL`` is set."""
    client = None
    if settings.redis_url:
        from ..adapters.redis_ratelimit import build_redis_client

        client = build_redis_client(settings.redis_url)
    return Limits(
        per_ip=build_limiter("ip", settings.rate_limit_per_minute_ip, client),
        per_conversation=build_limiter("conversation", settings.rate_limit_per_minute_conversation, client),
        reads_per_ip=build_limiter("reads", settings.rate_limit_per_minute_ip * 6, client),
        close=client.close if client is not None else lambda: None,
    )


@dataclass
class Services:
    settings: Settings
    db: Database
    conversations: ConversationRepository
    store: SqlConversationStore
    feedback: FeedbackRepository
    intakes: IntakeRepository
    erasure: Erasure
    assistant: AssistantHolder
    templates: Templates
    ui: UiText
    limits: Limits
    turns: TurnGuard
    turn_slots: anyio.CapacityLimiter | None = field(default=None)
    cases: CaseEvents = field(default_factory=NoCaseEvents)  # the staff handoff's hooks (set at start-up)

    def assistant_slots(self) -> anyio.CapacityLimiter:
        """Threads that may run assistant work at once: about one per core, so CPU-bound turns queue here
        instead of starving the event loop and the quick requests (created lazily, inside the event loop)."""
        if self.turn_slots is None:
            self.turn_slots = anyio.CapacityLimiter(max(2, os.cpu_count() or 2))
        return self.turn_slots

    def close(self) -> None:
        self.limits.close()
        self.db.dispose()


def build_services(settings: Settings, assistant_factory: AssistantFactory | None = None) -> Services:
    db = Database.from_url(settings.resolved_database_url)
    migrate(db)
    store = SqlConversationStore(db)
    factory = assistant_factory or build_real_assistant
    holder = AssistantHolder(lambda: factory(settings, store))
    holder.get()
    limits = build_limits(settings)
    return Services(
        settings=settings, db=db, conversations=ConversationRepository(db), store=store,
        feedback=FeedbackRepository(db), intakes=IntakeRepository(db), erasure=Erasure(db),
        assistant=holder, templates=load_templates(), ui=load_ui_text(), limits=limits, turns=TurnGuard(),
    )
