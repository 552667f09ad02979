"""The web API in-process (FastAPI's TestClient, stand-in assistant): validation, limits, error shapes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.ports import ConversationStore
from assistant.settings import Settings
from assistant.types import Conversation, Event
from assistant.web.limits import is_json
from assistant.web.sse import format_event
from server import create_app
from tests.e2e.fake_assistant import fake_factory
from tests.e2e.sse_client import parse_sse


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(data_dir=tmp_path / "data", max_body_bytes=2048, max_message_chars=100),
                     assistant_factory=fake_factory())
    with TestClient(app) as test_client:
        yield test_client


def start(client: TestClient) -> tuple[str, dict[str, str]]:
    body = client.post("/api/conversations").json()
    return body["id"], {"Authorization": f"Bearer {body['token']}"}


def test_sse_events_are_one_json_line_each() -> None:
    raw = format_event("text", {"text": "line one\nline two «ü»"})
    assert raw.count(b"\n") == 3 and raw.endswith(b"\n\n")
    assert list(parse_sse(raw.decode().split("\n"))) == [("text", {"text": "line one\nline two «ü»"})]


def test_numpy_values_in_event_data_are_sent_as_plain_numbers() -> None:
    import numpy as np

    assert format_event("done", {"score": np.float32(0.5), "n": np.int64(3)}) == (
        b'event: done\ndata: {"score":0.5,"n":3}\n\n')


def test_json_media_types() -> None:
    assert is_json("application/json") and is_json("application/json; charset=utf-8")
    assert is_json("application/merge-patch+json")
    assert not is_json("text/plain") and not is_json("application/x-www-form-urlencoded") and not is_json("")


def test_a_conversation_can_be_created_without_a_body(client: TestClient) -> None:
    response = client.post("/api/conversations")
    assert response.status_code == 201 and set(response.json()) == {"id", "token"}
    assert client.post("/api/conversations", json={"locale": "nl-NL"}).status_code == 201
    assert client.post("/api/conversations", json={"locale": "<script>"}).status_code == 422


def test_a_chunked_body_over_the_limit_is_refused_without_reaching_the_handler(client: TestClient) -> None:
    conversation_id, auth = start(client)

    def chunks() -> Iterator[bytes]:
        yield b'{"text": "'
        for _ in range(10):
            yield b"a" * 500
        yield b'"}'

    response = client.post(f"/api/conversations/{conversation_id}/messages", content=chunks(),
                           headers={**auth, "Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["error"] == "too_large"
    assert client.get(f"/api/conversations/{conversation_id}", headers=auth).json()["messages"] == []


def test_message_length_empty_and_unknown_fields_are_422(client: TestClient) -> None:
    conversation_id, auth = start(client)
    url = f"/api/conversations/{conversation_id}/messages"
    too_long = client.post(url, json={"text": "a" * 101}, headers=auth)
    assert too_long.status_code == 422 and too_long.json()["fields"] == ["text"] and "100" in too_long.json()["message"]
    assert client.post(url, json={"text": "   "}, headers=auth).json()["error"] == "message_empty"
    assert client.post(url, json={"text": "hi", "role": "staff"}, headers=auth).status_code == 422


def test_the_intake_is_validated_field_by_field_and_values_are_not_echoed(client: TestClient) -> None:
    conversation_id, auth = start(client)
    url = f"/api/conversations/{conversation_id}/handoff"
    bad = client.post(url, json={"name": "Secret Name", "email": "nope", "child_age": 30, "consent": True},
                      headers=auth)
    assert bad.status_code == 422 and bad.json()["fields"] == ["child_age", "email"]
    assert "Secret Name" not in bad.text and "nope" not in bad.text
    assert client.post(url, json={"name": "A", "email": "a@b.org", "consent": True, "ssn": "1"},
                       headers=auth).status_code == 422
    assert client.post(url, json={"name": "A", "email": "a@b.org", "consent": True, "preferred_language": "xx"},
                       headers=auth).status_code == 422


def test_an_unknown_path_and_an_unknown_conversation_say_different_true_things(client: TestClient) -> None:
    page = client.get("/no/such/page", headers={"Accept-Language": "es"})
    assert page.status_code == 404 and page.json() == {"error": "no_such_page", "message": "Esta página no existe."}
    missing = client.get("/api/conversations/" + "0" * 32, headers={"Authorization": "Bearer x"})
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_a_failing_assistant_yields_an_error_event_without_internals(tmp_path: Path) -> None:
    class Broken:
        def is_ready(self) -> bool:
            return True

        def respond(self, conversation: Conversation, message: str, locale_hint: str | None = None
                    ) -> Iterator[Event]:
            raise RuntimeError("secret internals: /srv/db password=hunter2")
            yield  # pragma: no cover

    def factory(settings: Settings, store: ConversationStore) -> Any:
        return Broken()

    with TestClient(create_app(Settings(data_dir=tmp_path / "d"), assistant_factory=factory)) as client:
        conversation_id, auth = start(client)
        response = client.post(f"/api/conversations/{conversation_id}/messages", json={"text": "hi", "locale": "pl"},
                               headers=auth)
        events = list(parse_sse(response.text.split("\n")))
        assert events == [("error", {"error": "error", "message": "Przepraszamy, po naszej stronie wystąpił błąd. "
                                                                   "Spróbuj ponownie."})]
        assert "secret" not in response.text and "hunter2" not in response.text
        again = client.post(f"/api/conversations/{conversation_id}/messages", json={"text": "hi"}, headers=auth)
        assert again.status_code == 200  # the turn lock was released


def test_the_openapi_schema_documents_the_intake_and_the_event_stream(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    intake = schema["components"]["schemas"]["HandoffIn"]
    assert set(intake["required"]) == {"name", "email", "consent"}
    post = schema["paths"]["/api/conversations/{conversation_id}/messages"]["post"]
    assert "text/event-stream" in post["responses"]["200"]["content"]
    json.dumps(schema)
