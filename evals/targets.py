"""What the evals talk to: the assistant in-process, or a running server over HTTP (SSE)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

import httpx

from .observation import Observation, observe

EventPair = tuple[str, Mapping[str, Any]]


class TargetError(RuntimeError):
    """The target could not produce a reply (HTTP status, broken stream)."""


class Target(Protocol):
    """Runs one case's turns in a fresh conversation and observes the last reply."""

    name: str

    def run(self, turns: Sequence[str]) -> Observation: ...


class ChatAssistant(Protocol):
    """The shape of ``Assistant`` (and of the naive peer) that the in-process target needs."""

    def new_conversation(self) -> Any: ...

    def respond(self, conversation: Any, message: str, locale_hint: str | None = None) -> Iterator[Any]: ...


class InProcessTarget:
    def __init__(self, assistant: ChatAssistant, name: str = "in-process",
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self._assistant = assistant
        self._clock = clock
        self.name = name

    def run(self, turns: Sequence[str]) -> Observation:
        conversation = self._assistant.new_conversation()
        for turn in turns[:-1]:
            for _ in self._assistant.respond(conversation, turn):
                pass
        start = self._clock()
        events = [(str(e.kind), e.data) for e in self._assistant.respond(conversation, turns[-1])]
        return observe(events, (self._clock() - start) * 1000.0)


class HttpTarget:
    """The web API: POST /api/conversations, then POST …/messages streaming SSE events."""

    def __init__(self, base_url: str, client: httpx.Client | None = None, max_retries: int = 5,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self._base = base_url.rstrip("/")
        self._client = client or httpx.Client(timeout=httpx.Timeout(60.0, connect=10.0))
        self._retries, self._sleep, self._clock = max_retries, sleep, clock
        self.name = self._base

    def close(self) -> None:
        self._client.close()

    def run(self, turns: Sequence[str]) -> Observation:
        response = self._request("POST", f"{self._base}/api/conversations", json={})
        body = response.json()
        conversation_id, token = str(body["id"]), str(body["token"])
        for turn in turns[:-1]:
            self._send(conversation_id, token, turn)
        start = self._clock()
        events = self._send(conversation_id, token, turns[-1])
        return observe(events, (self._clock() - start) * 1000.0)

    def _send(self, conversation_id: str, token: str, text: str) -> list[EventPair]:
        url = f"{self._base}/api/conversations/{conversation_id}/messages"
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        for attempt in range(self._retries + 1):
            with self._client.stream("POST", url, json={"text": text}, headers=headers) as response:
                if response.status_code == 429 and attempt < self._retries:
                    self._sleep(_retry_after(response, attempt))
                    continue
                _raise_for_status(response)
                return list(parse_sse(response.iter_lines()))
        raise TargetError(f"POST {url}: still rate-limited after {self._retries} retries")

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        for attempt in range(self._retries + 1):
            response = self._client.request(method, url, **kwargs)
            if response.status_code == 429 and attempt < self._retries:
                self._sleep(_retry_after(response, attempt))
                continue
            _raise_for_status(response)
            return response
        raise TargetError(f"{method} {url}: still rate-limited after {self._retries} retries")


def _retry_after(response: httpx.Response, attempt: int) -> float:
    try:
        return min(60.0, max(0.0, float(response.headers.get("retry-after", ""))))
    except ValueError:
        return float(min(60, 2**attempt))


def _raise_for_status(response: httpx.Response) -> None:
    if response.status_code >= 400:
        response.read()
        detail = response.text[:200].replace("\n", " ")
        raise TargetError(f"{response.request.method} {response.request.url.path} returned "
                          f"{response.status_code}: {detail}")


def parse_sse(lines: Iterable[str]) -> Iterator[EventPair]:
    """Server-sent events → (event name, JSON data); data lines of one event are joined by newlines."""
    kind = "message"
    data: list[str] = []
    for line in lines:
        line = line.rstrip("\r")
        if not line:
            if data:
                yield kind, _json_data("\n".join(data))
            kind, data = "message", []
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                kind = value
            elif name == "data":
                data.append(value)
    if data:
        yield kind, _json_data("\n".join(data))


def _json_data(raw: str) -> Mapping[str, Any]:
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return {"raw": raw}
    return value if isinstance(value, dict) else {"value": value}


def build_target(settings: Any, url: str | None = None) -> Target:
    """``url`` → HTTP; else the naive peer or the real assistant, built from ``settings``."""
    if url:
        return HttpTarget(url)
    if settings.pipeline == "naive":
        from .naive import build_naive

        return InProcessTarget(build_naive(settings), name="naive")
    from assistant.wiring import build_assistant

    return InProcessTarget(build_assistant(settings), name="assistant")
