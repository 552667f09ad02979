"""Slack Socket Mode on loopback, for the real ``slack_sdk`` Socket Mode client that bolt's ``SocketModeHandler``
runs (nothing of bolt or slack_sdk is patched).

``SocketModeSlack`` is a ``FakeSlack`` (the Web API: cards, threads, modals …) that also answers
``apps.connections.open``, only with the app-level token (a bot token gets ``not_allowed_token_type``, as
from Slack), with a one-time URL ``ws://127.0.0.1:PORT/link/?ticket=N``. Its WebSocket server (the
``websockets`` package, threaded) refuses unknown or used tickets, greets each connection with ``hello``,
records every frame the app sends back (acknowledgements: ``{"envelope_id": …}`` plus a ``payload`` when the app
answers with one) and can:

- ``push(kind, payload)``: send an envelope (``events_api``, ``interactive``, ``slash_commands``) on the newest
  open connection, the way Slack does; ``ack_for(envelope)`` waits for its acknowledgement;
- ``drop()``: cut the connection without a closing handshake (a network failure);
- ``close(code)``: close it with a closing handshake;
- ``send_disconnect(reason)``: Slack's ``{"type": "disconnect"}`` before it refreshes a connection.

The builtin client speaks plain ``ws://`` to any port but 443 (it decides TLS by port, not by scheme).
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from tests.fake_slack import FakeSlack

APP_TOKEN = "xapp-1-A0IPO0001-fake-app-token"
APP_ID = "A0IPO0001"


@dataclass
class Envelope:
    envelope_id: str
    kind: str
    link: int
    sent_at: float
    payload: dict[str, Any]
    delivery: int = 0  # how often this envelope id was sent before


@dataclass
class Ack:
    envelope_id: str
    payload: dict[str, Any] | None
    link: int
    at: float


@dataclass
class Link:
    """One WebSocket connection of the app (``number`` counts from 1)."""

    number: int
    ticket: str
    connection: ServerConnection
    opened_at: float
    closed_at: float | None = None
    frames: list[str] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.closed_at is None


class SocketModeSlack(FakeSlack):
    def __init__(self, app_token: str = APP_TOKEN) -> None:
        super().__init__()
        self.app_token = app_token
        self.links: list[Link] = []
        self.envelopes: list[Envelope] = []
        self.acks: list[Ack] = []
        self._tickets: dict[str, bool] = {}  # ticket -> used
        self._ticket_of: dict[ServerConnection, str] = {}
        self._ticket_numbers = itertools.count(1)
        self._socket_lock = threading.Lock()
        self._ws: Server = serve(self._serve_link, "127.0.0.1", 0, process_request=self._check_ticket,
                                 compression=None, ping_interval=None)
        self._ws_thread = threading.Thread(target=self._ws.serve_forever, name="fake-slack-socket", daemon=True)

    # --- lifecycle ---------------------------------------------------------------------------------
    def __enter__(self) -> SocketModeSlack:
        super().__enter__()
        self._ws_thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._ws.shutdown()
        self._ws_thread.join(timeout=10)
        super().__exit__(*exc)

    @property
    def socket_root(self) -> str:
        return f"ws://127.0.0.1:{self._ws.socket.getsockname()[1]}"

    # --- the Web API side: apps.connections.open --------------------------------------------------------
    def handle(self, method: str, params: dict[str, Any], token: str | None) -> tuple[int, dict[str, Any]]:
        if method != "apps.connections.open":
            return super().handle(method, params, token)
        if token != self.app_token:
            error = "not_allowed_token_type" if token and token.startswith("xox") else "invalid_auth"
            return 200, {"ok": False, "error": error}
        ticket = f"ticket-{next(self._ticket_numbers)}"
        with self._socket_lock:
            self._tickets[ticket] = False
        return 200, {"ok": True, "url": f"{self.socket_root}/link/?ticket={ticket}&app_id={APP_ID}"}

    # --- the WebSocket side -------------------------------------------------------------------------
    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        parts = urlsplit(request.path)
        ticket = (parse_qs(parts.query).get("ticket") or [""])[0]
        with self._socket_lock:
            valid = parts.path.rstrip("/") == "/link" and self._tickets.get(ticket) is False
            if valid:
                self._tickets[ticket] = True
                self._ticket_of[connection] = ticket
        return None if valid else connection.respond(401, "unknown or used ticket\n")

    def _serve_link(self, connection: ServerConnection) -> None:
        with self._socket_lock:
            link = Link(len(self.links) + 1, self._ticket_of.pop(connection), connection, time.monotonic())
            self.links.append(link)
            open_links = sum(1 for other in self.links if other.open)
        connection.send(json.dumps({
            "type": "hello", "num_connections": open_links, "connection_info": {"app_id": APP_ID},
            "debug_info": {"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060},
        }))
        try:
            for frame in connection:
                self._received(link, frame if isinstance(frame, str) else frame.decode("utf-8"))
        except ConnectionClosed:
            pass
        finally:
            with self._socket_lock:
                link.closed_at = time.monotonic()

    def _received(self, link: Link, frame: str) -> None:
        message = json.loads(frame) if frame.startswith("{") else {}
        with self._socket_lock:
            link.frames.append(frame)
            if "envelope_id" in message:
                self.acks.append(Ack(str(message["envelope_id"]), message.get("payload"), link.number,
                                     time.monotonic()))

    # --- scripting ----------------------------------------------------------------------------------
    def current_link(self) -> Link:
        with self._socket_lock:
            open_links = [link for link in self.links if link.open]
        if not open_links:
            raise AssertionError("the app has no open Socket Mode connection")
        return open_links[-1]

    def push(self, kind: str, payload: dict[str, Any], envelope_id: str | None = None,
             accepts_response_payload: bool | None = None, retry_attempt: int | None = None,
             retry_reason: str | None = None) -> Envelope:
        """Send one envelope the way Slack does (``envelope_id`` again: the same delivery twice)."""
        link = self.current_link()
        envelope_id = envelope_id or str(uuid.uuid4())
        with self._socket_lock:
            delivery = sum(1 for sent in self.envelopes if sent.envelope_id == envelope_id)
        envelope = Envelope(envelope_id, kind, link.number, time.monotonic(), payload, delivery)
        frame: dict[str, Any] = {"envelope_id": envelope.envelope_id, "payload": payload, "type": kind,
                                 "accepts_response_payload": kind != "events_api"
                                 if accepts_response_payload is None else accepts_response_payload}
        if kind == "events_api":
            frame.update(retry_attempt=retry_attempt or 0, retry_reason=retry_reason or "")
        with self._socket_lock:
            self.envelopes.append(envelope)
        link.connection.send(json.dumps(frame))
        return envelope

    def send_disconnect(self, reason: str = "refresh_requested") -> None:
        self.current_link().connection.send(json.dumps(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}}))

    def close(self, code: int = 1001) -> Link:
        link = self.current_link()
        link.connection.close(code)
        return link

    def drop(self) -> Link:
        """Cut the TCP connection: no closing handshake, as when a network path fails."""
        link = self.current_link()
        link.connection.socket.shutdown(socket.SHUT_RDWR)
        return link

    # --- inspection ---------------------------------------------------------------------------------
    def acks_for(self, envelope: Envelope) -> list[Ack]:
        with self._socket_lock:
            return [ack for ack in self.acks if ack.envelope_id == envelope.envelope_id]

    def ack_for(self, envelope: Envelope, timeout_s: float = 10.0) -> Ack:
        """The acknowledgement of this delivery of ``envelope`` (the n-th ack of its id for its n-th delivery),
        waiting for it (at most ``timeout_s``)."""
        if not self.wait_for(lambda: len(self.acks_for(envelope)) > envelope.delivery, timeout_s, interval_s=0.01):
            raise AssertionError(f"no acknowledgement of {envelope.kind} envelope {envelope.envelope_id} "
                                 f"(delivery {envelope.delivery + 1}) within {timeout_s} s")
        return self.acks_for(envelope)[envelope.delivery]

    def open_links(self) -> list[Link]:
        with self._socket_lock:
            return [link for link in self.links if link.open]

    def wait_for_links(self, count: int, timeout_s: float = 15.0) -> Link:
        """Wait until the app has opened ``count`` connections in all and one is open; the newest open one."""
        def ready() -> bool:
            return len(self.links) >= count and bool(self.open_links())

        if not self.wait_for(ready, timeout_s):
            raise AssertionError(f"the app did not open Socket Mode connection #{count} within {timeout_s} s "
                                 f"({len(self.links)} so far)")
        return self.current_link()
