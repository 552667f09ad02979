"""Load over HTTP on loopback, bounded: 100 conversations at once, each sending its next message as soon as the
previous reply is done, for 60 seconds, against the real server and assistant (rate limits raised for the
test). No request may fail, no stream may end in error or interrupted, and every message sent is stored (the
family's message and the assistant's reply). Prints p50/p95 of the full reply and of the first byte."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.e2e.servers import ServerProcess, uvicorn_process
from tests.e2e.sse_client import auth, parse_sse

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CONVERSATIONS = 100
DURATION_S = 60.0
QUESTIONS = [
    "What documents do we need to apply?", "How long does MIBG therapy take?", "Wat kost een behandeling?",
    "Wo können Eltern übernachten?", "Какие документы нужны для визы?", "ما هي شروط العلاج للأطفال من الخارج؟",
    "Is there an interpreter for Turkish families?", "¿Quién paga el tratamiento?", "Czy rodzic może spać w szpitalu?",
    "Qu'est-ce que le traitement AMORE ?", "Berapa biaya hidup per hari?", "Hangi havaalanı hastaneye en yakın?",
]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    first_bytes: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sent: dict[str, list[str]] = field(default_factory=dict)  # conversation id → texts answered with done
    tokens: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def server(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    work = tmp_path_factory.mktemp("reliability-load")
    env = {"IPO_DATA_DIR": str(index_dir), "IPO_DATABASE_URL": f"sqlite:///{work / 'ipo.sqlite3'}",
           "IPO_RATE_LIMIT_PER_MINUTE_IP": "1000000", "IPO_RATE_LIMIT_PER_MINUTE_CONVERSATION": "10000",
           "IPO_LOG_LEVEL": "WARNING"}
    with uvicorn_process(env, work / "server.log") as process:
        yield process


async def _turn(client: httpx.AsyncClient, base: str, conversation: str, token: str, text: str,
                tally: Tally) -> None:
    started = time.perf_counter()
    first = None
    try:
        async with client.stream("POST", f"{base}/api/conversations/{conversation}/messages",
                                 json={"text": text}, headers={**auth(token), "Accept": "text/event-stream"}) as r:
            if r.status_code != 200:
                tally.errors.append(f"status {r.status_code}: {(await r.aread())[:200]!r}")
                return
            lines = []
            async for line in r.aiter_lines():
                first = first if first is not None else time.perf_counter() - started
                lines.append(line)
        kinds = [kind for kind, _ in parse_sse(lines)]
        if not kinds or kinds[-1] != "done":
            tally.errors.append(f"stream ended with {kinds[-1:]}")
            return
    except httpx.HTTPError as exc:
        tally.errors.append(f"{type(exc).__name__}")
        return
    tally.latencies.append(time.perf_counter() - started)
    tally.first_bytes.append(first or 0.0)
    tally.sent[conversation].append(text)


async def _family(client: httpx.AsyncClient, base: str, number: int, deadline: float, tally: Tally) -> None:
    created = await client.post(f"{base}/api/conversations", json={})
    if created.status_code != 201:
        tally.errors.append(f"create {created.status_code}")
        return
    conversation, token = created.json()["id"], created.json()["token"]
    tally.sent[conversation], tally.tokens[conversation] = [], token
    n = number
    while time.monotonic() < deadline:
        await _turn(client, base, conversation, token, f"{QUESTIONS[n % len(QUESTIONS)]} ({number}.{n})", tally)
        n += 1


async def _load(base: str) -> tuple[Tally, float]:
    tally = Tally()
    # Idle connections are dropped well before the server's keep-alive timeout (uvicorn: 5 s). With equal
    # timeouts (httpx's default is also 5 s) a request can go out on a socket the server is closing: ReadError.
    limits = httpx.Limits(max_connections=CONVERSATIONS + 10, max_keepalive_connections=CONVERSATIONS + 10,
                          keepalive_expiry=1.0)
    async with httpx.AsyncClient(timeout=httpx.Timeout(300.0, connect=10.0), limits=limits) as client:
        started = time.monotonic()
        deadline = started + DURATION_S
        await asyncio.gather(*(_family(client, base, n, deadline, tally) for n in range(CONVERSATIONS)))
        return tally, time.monotonic() - started


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def test_100_conversations_for_60_seconds_lose_nothing_and_fail_nothing(server: ServerProcess) -> None:
    tally, wall = asyncio.run(_load(server.base_url))
    assert tally.errors == []
    turns = len(tally.latencies)
    assert len(tally.sent) == CONVERSATIONS and turns >= CONVERSATIONS
    with httpx.Client(timeout=60.0) as http:
        for conversation, texts in tally.sent.items():
            response = http.get(f"{server.base_url}/api/conversations/{conversation}",
                                headers=auth(tally.tokens[conversation]))
            assert response.status_code == 200
            messages = response.json()["messages"]
            assert [m["text"] for m in messages if m["role"] == "user"] == texts  # every message, in order
            assert sum(m["role"] == "assistant" for m in messages) == len(texts)  # and every reply
    summary = {
        "conversations": CONVERSATIONS, "duration_s": round(wall, 1), "turns": turns,
        "turns_per_s": round(turns / wall, 2), "errors": len(tally.errors),
        "latency_p50_s": round(_percentile(tally.latencies, 50), 2),
        "latency_p95_s": round(_percentile(tally.latencies, 95), 2),
        "first_byte_p50_s": round(_percentile(tally.first_bytes, 50), 3),
        "first_byte_p95_s": round(_percentile(tally.first_bytes, 95), 3),
    }
    print("load: " + json.dumps(summary))
