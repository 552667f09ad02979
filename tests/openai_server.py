"""A local server on loopback that speaks the OpenAI chat-completions wire format, with scripted replies.

Each scripted step is one of: a reply text (streamed as SSE chunks when the request asks for a stream),
``("status", 500)``, ``("sleep", seconds, text)`` or ``("drop", text)`` (sends part of a stream then closes),
or a callable that builds one of those from the request body (to cite the passage numbers it was sent).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Step = Any  # str | tuple[...] | Callable[[request body], str | tuple[...]]


class ScriptedOpenAI:
    def __init__(self, script: list[Step]) -> None:
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def next_step(self, body: dict[str, Any]) -> Step:
        with self._lock:
            self.requests.append(body)
            return self.script.pop(0) if self.script else "I cannot answer that from the documents."


def _chunk(text: str, finish: str | None = None) -> bytes:
    payload = {
        "id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 0, "model": "scripted",
        "choices": [{"index": 0, "delta": {"content": text} if text else {}, "finish_reason": finish}],
    }
    return f"data: {json.dumps(payload)}\n\n".encode()


def _handler(state: ScriptedOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            step = state.next_step(body)
            if callable(step):
                step = step(body)
            if isinstance(step, tuple) and step[0] == "status":
                self._json(int(step[1]), {"error": {"message": "scripted failure", "type": "server_error"}})
                return
            if isinstance(step, tuple) and step[0] == "sleep":
                time.sleep(float(step[1]))
                step = str(step[2])
            dropped = isinstance(step, tuple) and step[0] == "drop"
            text = str(step[1]) if isinstance(step, tuple) else step
            if body.get("stream"):
                self._stream(text, dropped)
            else:
                self._json(200, {
                    "id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": "scripted",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                })

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, text: str, dropped: bool) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            words = text.split(" ")
            for n, word in enumerate(words):
                self.wfile.write(_chunk(word + (" " if n < len(words) - 1 else "")))
                self.wfile.flush()
                if dropped and n >= len(words) // 2:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
            self.wfile.write(_chunk("", "stop"))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

    return Handler


@contextmanager
def serve(script: list[Step]) -> Iterator[tuple[str, ScriptedOpenAI]]:
    """Start the server on a free loopback port; yields (base URL ending in /v1, state)."""
    state = ScriptedOpenAI(script)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", state
    finally:
        server.shutdown()
        server.server_close()
