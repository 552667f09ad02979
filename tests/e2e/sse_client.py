"""A small SSE client for the tests: post a message, collect (event, data) pairs and timings."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from evals.targets import parse_sse  # one SSE parser for the eval runner and the tests


@dataclass
class Turn:
    status: int
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    body: dict[str, Any] | None = None  # the JSON error body when the status is not 200
    headers: dict[str, str] = field(default_factory=dict)
    first_byte_s: float = 0.0
    total_s: float = 0.0

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events]

    def text(self) -> str:
        return "".join(str(data.get("text", "")) for kind, data in self.events if kind == "text")

    def first(self, kind: str) -> dict[str, Any]:
        return next(data for k, data in self.events if k == kind)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_conversation(client: httpx.Client, base_url: str) -> tuple[str, str]:
    response = client.post(f"{base_url}/api/conversations", json={})
    assert response.status_code == 201, response.text
    body = response.json()
    return str(body["id"]), str(body["token"])


def post_message(client: httpx.Client, base_url: str, conversation_id: str, token: str, text: str,
                 locale: str | None = None, headers: dict[str, str] | None = None) -> Turn:
    payload: dict[str, Any] = {"text": text}
    if locale:
        payload["locale"] = locale
    started = time.perf_counter()
    url = f"{base_url}/api/conversations/{conversation_id}/messages"
    with client.stream("POST", url, json=payload,
                       headers={**auth(token), "Accept": "text/event-stream", **(headers or {})}) as response:
        turn = Turn(response.status_code, headers=dict(response.headers))
        if response.status_code != 200:
            response.read()
            turn.body = response.json()
            turn.total_s = time.perf_counter() - started
            return turn
        lines = []
        for n, line in enumerate(response.iter_lines()):
            if n == 0:
                turn.first_byte_s = time.perf_counter() - started
            lines.append(line)
        turn.events = list(parse_sse(lines))
    turn.total_s = time.perf_counter() - started
    return turn
