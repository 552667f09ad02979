"""FakeSlack: a local stand-in for the Slack Web API on 127.0.0.1, for the real ``slack_sdk`` client.

Point a client at ``fake.base_url`` (``http://127.0.0.1:PORT/api/``; the trailing slash matters). It records
every call (also the refused ones), keeps the channel's messages so ``chat.update`` edits them and
``conversations.history`` / ``conversations.replies`` return them (with message metadata), and accepts posts
to response URLs (``fake.response_url(name)``). Scripted faults: ``fail(429, times=1, retry_after=1)``,
``fail(503, for_s=2)``, or ``fail(200, times=1, drop=True)`` (the call is carried out, then the connection
is dropped before the answer: the client cannot know whether it arrived).

Implemented methods: auth.test, chat.postMessage, chat.update, chat.postEphemeral, views.open,
views.publish, conversations.history, conversations.replies.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_TOKEN = "xoxb-fake-token"
BOT_USER, TEAM = "UIPOBOT01", "T0IPO0001"
_JSON_FIELDS = ("blocks", "view", "metadata", "attachments")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int
    at: float
    token: str | None = None

    def dump(self) -> str:
        return json.dumps(self.params, ensure_ascii=False)


@dataclass
class Fault:
    status: int
    methods: tuple[str, ...] | None = None
    times: int | None = None
    until: float | None = None
    retry_after: float | None = None
    drop: bool = False

    def applies(self, method: str, now: float) -> bool:
        if self.methods is not None and method not in self.methods:
            return False
        if self.until is not None and now >= self.until:
            return False
        return self.times is None or self.times > 0


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[Any] = field(default_factory=list)
    thread_ts: str | None = None
    metadata: dict[str, Any] | None = None
    edits: int = 0

    def as_api(self, with_metadata: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "message", "ts": self.ts, "text": self.text, "blocks": self.blocks,
                               "user": BOT_USER, "bot_id": "BIPOBOT01"}
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        if with_metadata and self.metadata:
            out["metadata"] = self.metadata
        return out


class FakeSlack:
    def __init__(self, token: str = BOT_TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.messages: dict[tuple[str, str], Message] = {}
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-slack", daemon=True)

    # --- lifecycle ---------------------------------------------------------------------------------
    def __enter__(self) -> FakeSlack:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return f"{self.root}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.root}/response/{name}"

    # --- scripting ---------------------------------------------------------------------------------
    def fail(self, status: int, *, times: int | None = None, for_s: float | None = None,
             retry_after: float | None = None, methods: tuple[str, ...] | None = None, drop: bool = False) -> Fault:
        fault = Fault(status, methods, times, time.monotonic() + for_s if for_s is not None else None,
                      retry_after, drop)
        with self._lock:
            self.faults.append(fault)
        return fault

    def heal(self) -> None:
        with self._lock:
            self.faults.clear()

    # --- inspection --------------------------------------------------------------------------------
    def calls_to(self, method: str, ok_only: bool = True) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and (c.status == 200 or not ok_only)]

    def top_level(self, channel: str) -> list[Message]:
        with self._lock:
            return [m for m in self.messages.values() if m.channel == channel and not m.thread_ts]

    def replies(self, channel: str, ts: str) -> list[Message]:
        with self._lock:
            return sorted((m for m in self.messages.values() if m.channel == channel and m.thread_ts == ts),
                          key=lambda m: float(m.ts))

    def everything_sent(self) -> str:
        """Every parameter of every call, as one string (for scanning for leaked identifiers)."""
        with self._lock:
            return "\n".join(c.dump() for c in self.calls)

    def wait_for(self, condition: Callable[[], bool], timeout_s: float = 15.0, interval_s: float = 0.05) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(interval_s)
        return condition()

    # --- the API -----------------------------------------------------------------------------------
    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    def handle(self, method: str, params: dict[str, Any], token: str | None) -> tuple[int, dict[str, Any]]:
        if method != "auth.test" and token != self.token:
            return 200, {"ok": False, "error": "invalid_auth"}
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}
        with self._lock:
            return 200, handler(params)

    def _api_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://ipo-test.slack.com/", "team": "IPO test", "user": "ipo-assistant",
                "team_id": TEAM, "user_id": BOT_USER, "bot_id": "BIPOBOT01"}

    def _api_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if params.get("thread_ts") and (channel, str(params["thread_ts"])) not in self.messages:
            return {"ok": False, "error": "thread_not_found"}
        message = Message(channel, self._next_ts(), str(params.get("text") or ""), list(params.get("blocks") or []),
                          params.get("thread_ts"), params.get("metadata"))
        self.messages[(channel, message.ts)] = message
        return {"ok": True, "channel": channel, "ts": message.ts, "message": message.as_api(True)}

    def _api_chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self.messages.get((str(params.get("channel")), str(params.get("ts"))))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        message.text, message.blocks = str(params.get("text") or ""), list(params.get("blocks") or [])
        message.edits += 1
        return {"ok": True, "channel": message.channel, "ts": message.ts, "text": message.text}

    def _api_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._next_ts()}

    def _api_views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **dict(params.get("view") or {})}}

    def _api_views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **dict(params.get("view") or {})}}

    def _api_conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, meta = str(params.get("channel")), _truthy(params.get("include_all_metadata"))
        found = [m for m in self.messages.values() if m.channel == channel and not m.thread_ts]
        found.sort(key=lambda m: float(m.ts), reverse=True)
        return {"ok": True, "messages": [m.as_api(meta) for m in found[: int(params.get("limit") or 100)]],
                "has_more": False}

    def _api_conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts, meta = str(params.get("channel")), str(params.get("ts")), _truthy(params.get("include_all_metadata"))
        parent = self.messages.get((channel, ts))
        if parent is None:
            return {"ok": False, "error": "thread_not_found"}
        thread = sorted((m for m in self.messages.values() if m.channel == channel and m.thread_ts == ts),
                        key=lambda m: float(m.ts))
        return {"ok": True, "messages": [parent.as_api(meta)] + [m.as_api(meta) for m in thread], "has_more": False}

    # --- HTTP ---------------------------------------------------------------------------------------
    def _fault_for(self, method: str) -> Fault | None:
        now = time.monotonic()
        with self._lock:
            for fault in self.faults:
                if fault.applies(method, now):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    def _record(self, method: str, params: dict[str, Any], status: int, token: str | None) -> None:
        with self._lock:
            self.calls.append(Call(method, params, status, time.monotonic(), token))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                params = _parse(raw, self.headers.get("Content-Type", ""))
                auth = self.headers.get("Authorization", "")
                token = auth[7:] if auth.startswith("Bearer ") else params.get("token")
                if self.path.startswith("/response/"):
                    fake._record("response_url:" + self.path.rsplit("/", 1)[-1], params, 200, None)
                    self._send(200, b"ok", "text/plain")
                    return
                method = self.path.removeprefix("/api/").split("?", 1)[0]
                fault = fake._fault_for(method)
                if fault is not None and not fault.drop:
                    fake._record(method, params, fault.status, token)
                    self._refuse(fault)
                    return
                status, body = fake.handle(method, params, token)
                fake._record(method, params, status, token)
                if fault is not None:  # carried out, but the answer never arrives
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                self._send(status, json.dumps(body).encode(), "application/json; charset=utf-8")

            def _refuse(self, fault: Fault) -> None:
                headers = {"Retry-After": str(int(fault.retry_after))} if fault.retry_after is not None else {}
                if fault.status == 429:
                    body = json.dumps({"ok": False, "error": "ratelimited"}).encode()
                    self._send(429, body, "application/json", headers)
                else:
                    self._send(fault.status, b"Service Unavailable", "text/plain", headers)

            def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def _parse(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    text = raw.decode("utf-8")
    if "json" in content_type:
        return dict(json.loads(text))
    params: dict[str, Any] = {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
    for name in _JSON_FIELDS:
        if isinstance(params.get(name), str):
            with contextlib.suppress(json.JSONDecodeError):
                params[name] = json.loads(params[name])
    if "payload" in params and isinstance(params["payload"], str):  # webhook-style bodies
        params["payload"] = json.loads(params["payload"])
    return params
