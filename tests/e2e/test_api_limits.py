"""Floods, concurrent turns, broken streams and a missing index, over loopback HTTP (stand-in assistant)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from assistant.errors import IndexNotReadyError
from assistant.ports import ConversationStore
from assistant.settings import Settings
from server import create_app
from tests.e2e.conftest import FakeServerFactory
from tests.e2e.servers import threaded_app
from tests.e2e.sse_client import auth, new_conversation, post_message

pytestmark = pytest.mark.e2e


def test_a_flood_on_one_conversation_gets_429_and_every_accepted_turn_is_kept(
        fake_server: FakeServerFactory, http: httpx.Client) -> None:
    with fake_server(rate_limit_per_minute_conversation=5, rate_limit_per_minute_ip=1000) as server:
        conversation_id, token = new_conversation(http, server.base_url)
        turns = [post_message(http, server.base_url, conversation_id, token, f"question {n}") for n in range(12)]
        accepted = [t for t in turns if t.status == 200]
        refused = [t for t in turns if t.status == 429]
        assert len(accepted) == 5 and len(refused) == 7
        assert all(t.kinds()[-1] == "done" for t in accepted)
        assert all(int(t.headers["retry-after"]) >= 1 and t.body and t.body["error"] == "rate_limited"
                   for t in refused)
        history = http.get(f"{server.base_url}/api/conversations/{conversation_id}", headers=auth(token)).json()
        assert [m["text"] for m in history["messages"] if m["role"] == "user"] == [f"question {n}" for n in range(5)]


def test_a_flood_from_one_address_gets_429_with_retry_after(fake_server: FakeServerFactory,
                                                            http: httpx.Client) -> None:
    with fake_server(rate_limit_per_minute_ip=4) as server:
        statuses = [http.post(f"{server.base_url}/api/conversations", json={}) for _ in range(6)]
        assert [r.status_code for r in statuses] == [201] * 4 + [429] * 2
        assert int(statuses[-1].headers["retry-after"]) >= 1
        assert statuses[-1].json()["message"]


def test_a_second_message_while_the_reply_streams_gets_409(fake_server: FakeServerFactory,
                                                           http: httpx.Client) -> None:
    with fake_server() as server:
        conversation_id, token = new_conversation(http, server.base_url)
        results: dict[str, object] = {}
        slow = threading.Thread(target=lambda: results.update(
            slow=post_message(httpx.Client(timeout=30), server.base_url, conversation_id, token, "slow please")))
        slow.start()
        time.sleep(0.4)
        busy = post_message(http, server.base_url, conversation_id, token, "and another")
        slow.join(timeout=30)
        assert busy.status == 409 and busy.body and busy.body["error"] == "busy"
        assert results["slow"].kinds()[-1] == "done"  # type: ignore[attr-defined]
        assert post_message(http, server.base_url, conversation_id, token, "next").status == 200


def test_a_reply_that_breaks_off_ends_with_interrupted_not_a_silent_cut(fake_server: FakeServerFactory,
                                                                        http: httpx.Client) -> None:
    with fake_server() as server:
        conversation_id, token = new_conversation(http, server.base_url)
        turn = post_message(http, server.base_url, conversation_id, token, "boom", locale="fr")
        assert turn.kinds() == ["route", "text", "interrupted"]
        assert turn.first("interrupted")["message"].startswith("La réponse a été interrompue")
        assert post_message(http, server.base_url, conversation_id, token, "hello again").status == 200


def test_a_client_that_hangs_up_mid_stream_loses_nothing(fake_server: FakeServerFactory,
                                                         http: httpx.Client) -> None:
    with fake_server() as server:
        conversation_id, token = new_conversation(http, server.base_url)
        url = f"{server.base_url}/api/conversations/{conversation_id}/messages"
        with http.stream("POST", url, json={"text": "slow answer"}, headers=auth(token)) as response:
            next(response.iter_lines())  # the stream opened; hang up
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            turn = post_message(http, server.base_url, conversation_id, token, "still there?")
            if turn.status != 409:
                break
            time.sleep(0.2)
        assert turn.status == 200
        history = http.get(f"{server.base_url}/api/conversations/{conversation_id}", headers=auth(token)).json()
        assert [m["text"] for m in history["messages"] if m["role"] == "user"] == ["slow answer", "still there?"]


def test_without_an_index_the_service_says_not_ready(tmp_path: Path, http: httpx.Client) -> None:
    def no_index(settings: Settings, store: ConversationStore) -> object:
        raise IndexNotReadyError("no index has been built yet")

    app = create_app(Settings(data_dir=tmp_path / "data"), assistant_factory=no_index)  # type: ignore[arg-type]
    with threaded_app(app, ready_path="/healthz") as base_url:
        ready = http.get(f"{base_url}/readyz")
        assert ready.status_code == 503 and ready.json() == {"ready": False}
        conversation_id, token = new_conversation(http, base_url)
        turn = post_message(http, base_url, conversation_id, token, "hello")
        assert turn.status == 503 and turn.headers["retry-after"] == "10"
        assert turn.body and "not available" in turn.body["message"]
