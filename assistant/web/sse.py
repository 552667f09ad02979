"""Server-Sent Events: format events, and stream one assistant turn with an explicit end.

Every assistant Event becomes ``event: <kind>`` + ``data: <json>``. The stream opens with a comment line so
the client knows at once that its message was accepted. It ends with ``done`` (which carries the id of the
stored reply, for feedback), or with ``error`` (nothing was answered) or ``interrupted`` (the reply broke
off): never a silent cut. The assistant runs in a worker thread; the event loop stays free.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import AsyncGenerator, Iterator, Mapping
from typing import Any

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from ..storage import StoredConversation
from ..types import Conversation, Event
from .services import ChatAssistant, Services

log = logging.getLogger(__name__)

OPENING = b": accepted\n\n"
_END = object()


def _plain(value: Any) -> Any:
    """numpy scalars and the like → plain JSON values."""
    item = getattr(value, "item", None)
    return item() if callable(item) else str(value)


def format_event(kind: str, data: Mapping[str, Any]) -> bytes:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_plain)
    return f"event: {kind}\ndata: {payload}\n\n".encode()


def _next(events: Iterator[Event]) -> Event | object:
    return next(events, _END)


class TurnStream:
    """One turn: the assistant's events as SSE bytes, the reply's citations stored, the turn lock released."""

    def __init__(self, services: Services, assistant: ChatAssistant, conversation: Conversation, text: str,
                 locale: str | None, language: str | None) -> None:
        self._services, self._assistant, self._conversation = services, assistant, conversation
        self._text, self._locale, self._language = text, locale, language
        self._started = time.perf_counter()
        self._citations: list[dict[str, Any]] = []
        self._text_chars = 0

    def release(self) -> None:
        """Free the conversation for its next turn (idempotent; also when the stream never started)."""
        self._services.turns.release(self._conversation.id)

    async def stream(self) -> AsyncGenerator[bytes, None]:
        events: Iterator[Event] | None = None
        outcome = "cut"
        try:
            yield OPENING
            events = iter(self._assistant.respond(self._conversation, self._text, self._locale))
            # The core does its CPU-bound work (triage, retrieval, answer) before its first event: that step
            # queues for one of the assistant slots; the rest of the stream only hands over ready events.
            slots: anyio.CapacityLimiter | None = self._services.assistant_slots()
            while (event := await anyio.to_thread.run_sync(_next, events, limiter=slots)) is not _END:
                slots = None
                assert isinstance(event, Event)
                data = await self._observe(event)
                if event.kind in ("error", "interrupted"):
                    self._language = data.get("language") or self._language
                    data.setdefault("message", self._sentence(event.kind))
                outcome = event.kind
                yield format_event(event.kind, data)
        except Exception:
            log.exception("turn failed in conversation %s", self._conversation.id)
            outcome = "interrupted" if self._text_chars else "error"
            yield format_event(outcome, {"error": outcome, "message": self._sentence(outcome)})
        finally:
            self.release()
            _close(events)
            log.info("turn conversation=%s outcome=%s chars_in=%d chars_out=%d ms=%.0f", self._conversation.id,
                     outcome, len(self._text), self._text_chars, (time.perf_counter() - self._started) * 1000)

    async def _observe(self, event: Event) -> dict[str, Any]:
        data = dict(event.data)
        if event.kind == "text":
            self._text_chars += len(str(data.get("text", "")))
        elif event.kind == "route":
            self._language = data.get("language") or self._language
        elif event.kind == "citations":
            self._citations = list(data.get("items", []))
        elif event.kind == "escalation":  # staff handoff hook: update an active case or keep the signal
            await run_in_threadpool(self._services.cases.escalated, self._conversation.id, data)
        elif event.kind == "done":
            data["message_id"] = None if data.get("erase") else await run_in_threadpool(self._store_reply)
            if not data.get("erase"):  # staff handoff hook: the family's message goes to an active case
                await run_in_threadpool(self._services.cases.family_wrote, self._conversation.id)
        return data

    def _store_reply(self) -> int | None:
        conversation = self._conversation
        reply_id = conversation.last_reply_id if isinstance(conversation, StoredConversation) else None
        if reply_id is not None and self._citations:
            self._services.conversations.set_citations(reply_id, self._citations)
        return reply_id

    def _sentence(self, kind: str) -> str:
        key = "error_interrupted" if kind == "interrupted" else "error_generic"
        return self._services.ui.get(key, self._language)


def _close(events: Iterator[Event] | None) -> None:
    close = getattr(events, "close", None)
    if close is None:
        return
    with contextlib.suppress(ValueError):  # still running in its worker thread after a hang-up; ends by itself
        close()


class TurnResponse(StreamingResponse):
    """The SSE response of one turn; closes the stream and frees the turn even when the client went away."""

    def __init__(self, turn: TurnStream) -> None:
        self._turn, self._stream = turn, turn.stream()
        super().__init__(self._stream, media_type="text/event-stream",
                         headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._stream.aclose()
            self._turn.release()
