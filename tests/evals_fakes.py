"""Fakes for the evals' tests: a scripted assistant (same shape as ``Assistant``) and a scripted SSE server
speaking the web API that ``evals.targets.HttpTarget`` talks to."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from assistant.types import Conversation, Event, Message

_WORDS = {"the": "en", "is": "en", "and": "en", "de": "nl", "het": "nl", "een": "nl", "der": "de", "und": "de",
          "ist": "de"}


def fake_detect(text: str) -> str | None:
    """A tiny deterministic language detector: majority vote of a few function words."""
    votes: dict[str, int] = {}
    for word in re.findall(r"\w+", text.lower()):
        if word in _WORDS:
            votes[_WORDS[word]] = votes.get(_WORDS[word], 0) + 1
    return max(sorted(votes), key=lambda lang: votes[lang]) if votes else None


@dataclass(frozen=True)
class Script:
    route: str
    text: str
    language: str = "en"
    retrieved: tuple[str, ...] = ()
    cited: tuple[str, ...] = ()


class ScriptedAssistant:
    """Replies from a script keyed by the message; a message starting with ``and`` is a follow-up that is
    answered only when the conversation has an earlier turn (as a real follow-up needs its history)."""

    def __init__(self, scripts: dict[str, Script]) -> None:
        self._scripts = scripts

    def new_conversation(self) -> Conversation:
        return Conversation(id="c1")

    def respond(self, conversation: Conversation, message: str, locale_hint: str | None = None) -> Iterator[Event]:
        script = self._scripts.get(message)
        if script is None:
            raise KeyError(f"no script for {message!r}")
        if message.startswith("and") and not conversation.messages:
            script = Script("escalate", "I do not know what you refer to.")
        conversation.messages.append(Message(role="user", text=message))
        yield Event("route", {"route": script.route, "reason": "scripted", "language": script.language})
        yield Event("retrieved", {"doc_ids": list(script.retrieved)})
        for word in script.text.split(" "):
            yield Event("text", {"text": word + " "})
        yield Event("citations", {"items": [{"doc_id": d, "title": d, "source": "", "snippet": ""}
                                            for d in script.cited]})
        conversation.messages.append(Message(role="assistant", text=script.text))
        yield Event("done", {"language": script.language})


class ScriptedApiServer:
    """A real HTTP server on 127.0.0.1 replaying the scripted assistant as SSE; ``rate_limit_first`` answers
    the first message request of the run with 429 + Retry-After: 0."""

    def __init__(self, assistant: ScriptedAssistant, rate_limit_first: bool = False) -> None:
        self.assistant = assistant
        self.conversations: dict[str, tuple[str, Conversation]] = {}
        self.rate_limit_pending = rate_limit_first
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> ScriptedApiServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def _handler(server: ScriptedApiServer) -> Callable[..., BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _json(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            if self.path == "/api/conversations":
                with server.lock:
                    cid = f"c{len(server.conversations) + 1}"
                    server.conversations[cid] = (f"token-{cid}", server.assistant.new_conversation())
                return self._json(201, {"id": cid, "token": f"token-{cid}"})
            match = re.fullmatch(r"/api/conversations/(\w+)/messages", self.path)
            if not match or match.group(1) not in server.conversations:
                return self._json(404, {"detail": "not found"})
            token, conversation = server.conversations[match.group(1)]
            if self.headers.get("Authorization") != f"Bearer {token}":
                return self._json(401, {"detail": "bad token"})
            with server.lock:
                limited, server.rate_limit_pending = server.rate_limit_pending, False
            if limited:
                return self._json(429, {"detail": "slow down"}, {"Retry-After": "0"})
            self._stream(server.assistant.respond(conversation, body["text"]))

        def _stream(self, events: Iterator[Event]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b": comment lines are ignored\n\n")
            for event in events:
                self.wfile.write(f"event: {event.kind}\ndata: {json.dumps(event.data)}\n\n".encode())
                self.wfile.flush()
            self.close_connection = True

    return Handler
