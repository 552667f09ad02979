"""The Socket Mode connection: bolt's ``SocketModeHandler`` (slack_sdk's builtin client), connected in the background.

``start()`` returns at once; a thread asks Slack for a WebSocket URL (``apps.connections.open``) and connects,
retrying with capped exponential backoff (2 s doubling to 5 min, ±10 % jitter) while Slack is unreachable or
answers 5xx. Once connected, slack_sdk keeps the connection: it reconnects when Slack asks it to (``disconnect``),
closes it, or stops answering pings (``PING_INTERVAL_S``). A token Slack refuses (``TOKEN_ERRORS``) is logged as
a configuration error and retried only every ``CONFIG_RETRY_S`` (30 min): the token is read once at start, so
only a restart with a fixed token helps, but a token refused during a Slack incident comes back by itself.
``close()`` stops the retries and the connection and never waits more than ``CLOSE_WAIT_S``.

Logs name the error type (and the HTTP status, or Slack's error code for a refused token), never a token.
"""

from __future__ import annotations

import logging
import random
import threading

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError

from .outbox import Backoff

log = logging.getLogger(__name__)

PING_INTERVAL_S = 5.0  # health check: 5 failed pings or 4 intervals without a pong replace the connection (~29 s)
CONNECT_BACKOFF = Backoff(base_s=2.0, cap_s=300.0)
CONFIG_RETRY_S = 1800.0
CLOSE_WAIT_S = 5.0
TOKEN_ERRORS = frozenset({"invalid_auth", "not_authed", "not_allowed_token_type", "token_revoked",
                          "token_expired", "account_inactive"})


def token_error(exc: BaseException) -> str | None:
    """Slack's error code when it refused the app token (a configuration error), else None."""
    if isinstance(exc, SlackApiError):
        code = exc.response.get("error")
        if isinstance(code, str) and code in TOKEN_ERRORS:
            return code
    return None


def describe(exc: BaseException) -> str:
    """The error type, with the HTTP status of a Slack API error: nothing from the body, no token."""
    if isinstance(exc, SlackApiError):
        return f"{type(exc).__name__}, HTTP {exc.response.status_code}"
    return type(exc).__name__


class SocketModeConnection:
    """Keeps the bolt app connected over Socket Mode; ``connected()`` says whether the WebSocket is open now."""

    def __init__(self, bolt: App, app_token: str, backoff: Backoff = CONNECT_BACKOFF,
                 config_retry_s: float = CONFIG_RETRY_S, ping_interval_s: float = PING_INTERVAL_S) -> None:
        self._handler = SocketModeHandler(bolt, app_token=app_token, ping_interval=ping_interval_s)
        self._backoff, self._config_retry_s = backoff, config_retry_s
        self._rng = random.Random()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="slack-socket-connect", daemon=True)
        self._thread.start()

    def connected(self) -> bool:
        return bool(self._handler.client.is_connected())

    def close(self) -> None:
        """Stop retrying, then close the connection (on a helper thread: slack_sdk joins its own threads, which
        can be inside a Web API call)."""
        self._stop.set()
        closer = threading.Thread(target=self._close_handler, name="slack-socket-close", daemon=True)
        closer.start()
        closer.join(CLOSE_WAIT_S)
        if closer.is_alive():
            log.warning("Slack Socket Mode connection still closing after %.0f s; left to finish", CLOSE_WAIT_S)

    # --- the connecting thread ---------------------------------------------------------------------
    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._handler.client.connect()  # what SocketModeHandler.connect() does
            except Exception as exc:  # the chat and the outbox keep working meanwhile
                failures += 1
                if self._stop.wait(self._delay_after(exc, failures)):
                    return
                continue
            if self._stop.is_set():  # close() ran while we were connecting: undo what this attempt opened
                self._close_handler()
            elif self.connected():
                after = f" after {failures} failed attempts" if failures else ""
                log.info("Slack is on (Socket Mode connected%s)", after)
            else:  # a URL was issued but the WebSocket did not open: slack_sdk's monitor retries from here
                log.warning("Slack Socket Mode: the WebSocket did not open; slack_sdk retries every %.0f s",
                            self._handler.client.ping_interval)
            return

    def _delay_after(self, exc: BaseException, failures: int) -> float:
        code = token_error(exc)
        if code is not None:
            log.error("Slack Socket Mode: configuration error: Slack refused IPO_SLACK_APP_TOKEN (%s); it must be "
                      "an app-level token (xapp-…) with connections:write. Trying again in %.0f min",
                      code, self._config_retry_s / 60)
            return self._config_retry_s
        delay = self._backoff.delay(failures, self._rng)
        log.warning("Slack Socket Mode could not connect (%s), attempt %d; retrying in %.1f s (notifications "
                    "still go out)", describe(exc), failures, delay)
        return delay

    def _close_handler(self) -> None:
        try:
            self._handler.client.close()
        except Exception as exc:  # slack_sdk raises when closed while it replaces its connection
            log.warning("Slack Socket Mode connection did not close cleanly (%s)", type(exc).__name__)

