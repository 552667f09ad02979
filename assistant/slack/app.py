"""The Slack app: a bolt ``App`` built from settings, its Web API clients, and the outbox worker.

HTTP mode: Slack posts to ``/slack/events`` (``http.py``); bolt verifies each signature (401 otherwise) and the
listeners acknowledge at once. Socket Mode (``IPO_SLACK_SOCKET_MODE=true`` + ``IPO_SLACK_APP_TOKEN``): the
same app over a WebSocket, no public endpoint, connected in the background with retries (``socket_mode.py``).
``slack_off_reason`` says why Slack stays off, if it does.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.error import URLError

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from ..settings import Settings
from .listeners import SlackListeners
from .outbox import Backoff, OutboxWorker
from .socket_mode import CONNECT_BACKOFF, SocketModeConnection

log = logging.getLogger(__name__)

API_TIMEOUT_S = 10


def slack_off_reason(settings: Settings) -> str | None:
    if not settings.slack_bot_token:
        return "IPO_SLACK_BOT_TOKEN is not set"
    if not settings.slack_channel:
        return "IPO_SLACK_CHANNEL is not set (the channel that receives case cards)"
    if settings.slack_socket_mode and not settings.slack_app_token:
        return "IPO_SLACK_SOCKET_MODE is on but IPO_SLACK_APP_TOKEN is not set"
    if not settings.slack_socket_mode and not settings.slack_signing_secret:
        return "IPO_SLACK_SIGNING_SECRET is not set (needed to verify Slack's requests)"
    return None


def build_web_client(settings: Settings, retries: bool) -> WebClient:
    """A Web API client at ``IPO_SLACK_API_URL``. The outbox's client has no retries of its own: the outbox
    retries durably and must know about every attempt (a silent retry could post twice)."""
    handlers: list[Any] = [ConnectionErrorRetryHandler(), RateLimitErrorRetryHandler(max_retry_count=2)]
    return WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=API_TIMEOUT_S,
                     retry_handlers=handlers if retries else [])


def build_bolt_app(settings: Settings, client: WebClient) -> App:
    """The bolt app. Bolt checks the token with ``auth.test`` at start; when Slack cannot be reached then, the
    app still starts and bolt checks on the first request instead."""
    secret = settings.slack_signing_secret or ""  # Socket Mode needs none: bolt does not verify socket requests
    try:
        return App(client=client, signing_secret=secret, process_before_response=False)
    except (BoltError, SlackApiError, URLError, OSError) as exc:
        log.warning("Slack auth.test failed at start (%s); the token is checked on the first request",
                    type(exc).__name__)
        return App(client=client, signing_secret=secret, process_before_response=False,
                   token_verification_enabled=False)


class SlackRuntime:
    """The Slack side while the server runs: the bolt app, the outbox worker, the Socket Mode connection.

    ``socket_backoff``: the retry delays while Socket Mode cannot connect (tests pass a short first delay)."""

    def __init__(self, settings: Settings, bolt: App, listeners: SlackListeners, worker: OutboxWorker,
                 socket_backoff: Backoff = CONNECT_BACKOFF) -> None:
        self.bolt, self.worker = bolt, worker
        listeners.register(bolt)
        self._socket: SocketModeConnection | None = None
        if settings.slack_socket_mode:
            assert settings.slack_app_token, "slack_off_reason keeps Socket Mode off without an app token"
            self._socket = SocketModeConnection(bolt, settings.slack_app_token, backoff=socket_backoff)

    def start(self) -> None:
        """Start the outbox worker and, in Socket Mode, the background connection; returns at once."""
        self.worker.start()
        if self._socket is not None:
            log.info("Slack is starting (Socket Mode: connecting in the background)")
            self._socket.start()
        else:
            log.info("Slack is on (HTTP events at /slack/events)")

    def accepts_http(self) -> bool:
        return self._socket is None

    def socket_connected(self) -> bool | None:
        """Whether the Socket Mode WebSocket is open now; None in HTTP mode."""
        return self._socket.connected() if self._socket is not None else None

    def dispatch(self, request: BoltRequest) -> BoltResponse:
        return self.bolt.dispatch(request)

    def close(self) -> None:
        """Stop the Socket Mode connection (and its retries; bounded wait), then the outbox worker."""
        try:
            if self._socket is not None:
                self._socket.close()
        finally:
            self.worker.close()
