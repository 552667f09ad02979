"""The outbox worker: delivers queued case notifications to Slack, in order per case, exactly once.

A background thread (started by the app's lifespan) leases the next due item, renders it from the case as it
is now (``blocks.py``) and calls the Web API. Outcomes:

- delivered → marked delivered (its text dropped); if the case or item was erased meanwhile, what was just
  posted is replaced by a stub at once;
- 429 → every delivery pauses for Retry-After; 5xx, timeouts, dropped connections → retried with exponential
  backoff, and marked *uncertain*: the next attempt first looks for the message in Slack (message metadata
  carries the case or item id) instead of posting a duplicate;
- content errors Slack will never accept → failed (logged); configuration errors (token, channel, scopes)
  → retried with the capped backoff, so nothing is lost once the configuration is fixed.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from ..storage.cases import CaseRepository, CaseView
from ..storage.models import utcnow
from ..storage.outbox import OutboxItem, OutboxRepository
from . import blocks

log = logging.getLogger(__name__)

TRANSIENT = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
PERMANENT = {"invalid_blocks", "invalid_blocks_format", "msg_too_long", "message_not_found", "cant_update_message",
             "edit_window_closed", "invalid_arguments", "no_text", "invalid_metadata_format",
             "invalid_metadata_schema", "msg_blocks_too_long"}


@dataclass(frozen=True)
class Backoff:
    base_s: float = 0.5
    cap_s: float = 60.0
    jitter: float = 0.1

    def delay(self, attempts: int, rng: random.Random) -> float:
        raw = min(self.cap_s, self.base_s * 2.0 ** max(0, attempts - 1))
        return raw * (1 + rng.uniform(-self.jitter, self.jitter))


class _Transient(Exception):
    def __init__(self, code: str, delay_s: float | None = None, uncertain: bool = True) -> None:
        super().__init__(code)
        self.code, self.delay_s, self.uncertain = code, delay_s, uncertain


class OutboxWorker:
    def __init__(self, outbox: OutboxRepository, cases: CaseRepository, client: WebClient, channel: str,
                 staff_url: blocks.StaffUrl, backoff: Backoff | None = None, poll_s: float = 2.0,
                 lease_s: float = 30.0, clock: Callable[[], datetime] = utcnow,
                 housekeeping: Callable[[], None] | None = None) -> None:
        self._outbox, self._cases, self._client, self._channel = outbox, cases, client, channel
        self._staff_url, self._backoff = staff_url, backoff or Backoff()
        self._poll_s, self._lease_s, self._clock = poll_s, lease_s, clock
        self._housekeeping, self._last_housekeeping = housekeeping, float("-inf")
        self._owner = f"worker-{uuid.uuid4().hex[:12]}"
        self._rng = random.Random()
        self._paused_until: datetime | None = None
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="slack-outbox", daemon=True)
        self._thread.start()
        log.info("slack outbox worker started (%s)", self._owner)

    def wake(self) -> None:
        self._wake.set()

    def close(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        log.info("slack outbox worker stopped; items: %s", self._outbox.counts())

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                wait_s = self.run_once()
            except Exception as exc:  # the database may be briefly unavailable; never let the thread die
                log.error("slack outbox round failed: %s", type(exc).__name__)
                wait_s = self._poll_s
            self._wake.wait(wait_s)
            self._wake.clear()

    # --- one round -------------------------------------------------------------------------------
    def run_once(self, max_items: int = 50) -> float:
        """Deliver due items until none is due or Slack fails; returns the seconds to wait before the next."""
        self._tidy()
        for _ in range(max_items):
            if self._stop.is_set() or self._paused():
                break
            item = self._outbox.lease_next(self._owner, self._lease_s)
            if item is None or not self._attempt(item):
                break
        return self._next_wait()

    def _attempt(self, item: OutboxItem) -> bool:
        """True when the item reached a definite outcome; False when Slack failed (stop this round)."""
        try:
            channel, ts = self._deliver(item)
        except SlackApiError as exc:
            return self._api_error(item, exc)
        except _Transient as exc:
            self._retry(item, exc.code, exc.uncertain, exc.delay_s)
            return False
        except Exception as exc:  # timeouts, refused or dropped connections: it may or may not have arrived
            self._retry(item, type(exc).__name__, uncertain=True)
            return False
        if not self._outbox.delivered(item.id, channel, ts) and item.kind == "thread" and ts and channel:
            self._stub(channel, ts, item.case_id, "thread")  # erased while we were posting
        log.info("slack outbox item %d (%s, case %s) delivered after %d attempt(s)", item.id, item.kind,
                 item.case_id, item.attempts)
        return True

    def _api_error(self, item: OutboxItem, exc: SlackApiError) -> bool:
        response = exc.response
        status = int(getattr(response, "status_code", 0) or 0)
        data = response.data if isinstance(response.data, dict) else {}
        code = str(data.get("error") or f"http_{status}")
        if status == 429 or code == "ratelimited":
            retry_after = _retry_after(response.headers)
            self._paused_until = self._clock() + timedelta(seconds=retry_after)
            self._retry(item, "ratelimited", uncertain=False, delay_s=retry_after)
            return False
        if status >= 500 or code in TRANSIENT:
            self._retry(item, code, uncertain=True)
            return False
        if code in PERMANENT:
            log.error("slack outbox item %d (%s, case %s) failed for good: %s", item.id, item.kind,
                      item.case_id, code)
            self._outbox.fail(item.id, code)
            return True
        self._retry(item, code, uncertain=False)  # configuration (token, channel, scopes): fixable
        return False

    def _retry(self, item: OutboxItem, code: str, uncertain: bool, delay_s: float | None = None) -> None:
        delay = delay_s if delay_s is not None else self._backoff.delay(item.attempts, self._rng)
        self._outbox.retry(item.id, self._clock() + timedelta(seconds=delay), code, uncertain)
        log.warning("slack outbox item %d (%s, case %s) attempt %d failed: %s; next in %.1f s", item.id,
                    item.kind, item.case_id, item.attempts, code, delay)

    # --- delivery by kind ------------------------------------------------------------------------
    def _deliver(self, item: OutboxItem) -> tuple[str | None, str | None]:
        if item.kind == "stub":
            payload = item.payload
            self._stub(str(payload["channel"]), str(payload["ts"]), item.case_id, str(payload.get("part", "")))
            return None, None
        case = self._cases.get(item.case_id)
        if case is None:  # erased: nothing of it may be posted any more
            return None, None
        if item.kind in ("card_post", "card_update"):
            return self._card(case, item.uncertain)
        return self._thread_reply(case, item)

    def _card(self, case: CaseView, uncertain: bool) -> tuple[str | None, str | None]:
        channel, ts = case.slack_channel, case.slack_ts
        if ts is None and uncertain:
            ts = self._find_card(case.id)
            channel = self._channel if ts else None
        text, card = blocks.card_text(case), blocks.case_card(case, self._staff_url)
        if ts is not None and channel is not None:
            self._client.chat_update(channel=channel, ts=ts, text=text, blocks=card)
            if not self._cases.set_slack_message(case.id, channel, ts):
                self._stub(channel, ts, case.id, "card")  # erased while we were updating
            return channel, ts
        response = self._client.chat_postMessage(channel=self._channel, text=text, blocks=card,
                                                 metadata=blocks.card_metadata(case.id), unfurl_links=False)
        channel, ts = str(response["channel"]), str(response["ts"])
        if not self._cases.set_slack_message(case.id, channel, ts):
            self._stub(channel, ts, case.id, "card")
        return channel, ts

    def _thread_reply(self, case: CaseView, item: OutboxItem) -> tuple[str | None, str | None]:
        if case.slack_ts is None or case.slack_channel is None:
            channel, parent = self._card(case, uncertain=True)  # the card first (it failed or was lost)
        else:
            channel, parent = case.slack_channel, case.slack_ts
        assert channel is not None and parent is not None
        if item.uncertain and (found := self._find_reply(channel, parent, item.id)):
            return channel, found
        response = self._client.chat_postMessage(
            channel=channel, thread_ts=parent, text=blocks.thread_note(item.payload),
            metadata=blocks.note_metadata(item.id), unfurl_links=False, unfurl_media=False)
        return str(response["channel"]), str(response["ts"])

    def _stub(self, channel: str, ts: str, case_id: str, part: str) -> None:
        text, stub = blocks.erased_stub(case_id, part)
        self._client.chat_update(channel=channel, ts=ts, text=text, blocks=stub)
        log.info("slack message of case %s replaced by an erasure stub (%s)", case_id, part or "message")

    # --- looking before posting again ------------------------------------------------------------
    def _find_card(self, case_id: str) -> str | None:
        messages = self._lookup(lambda: self._client.conversations_history(
            channel=self._channel, limit=200, include_all_metadata=True))
        return _with_metadata(messages, blocks.CARD_EVENT, "case_id", case_id)

    def _find_reply(self, channel: str, parent: str, item_id: int) -> str | None:
        messages = self._lookup(lambda: self._client.conversations_replies(
            channel=channel, ts=parent, limit=200, include_all_metadata=True))
        return _with_metadata(messages, blocks.NOTE_EVENT, "outbox_id", str(item_id))

    @staticmethod
    def _lookup(call: Callable[[], Any]) -> list[dict[str, Any]]:
        try:
            return list(call().get("messages", []))
        except SlackApiError as exc:
            status = int(getattr(exc.response, "status_code", 0) or 0)
            if status == 429 or status >= 500:
                raise
            log.warning("slack outbox cannot look for an earlier attempt (%s); posting",
                        exc.response.get("error") if isinstance(exc.response.data, dict) else status)
            return []

    # --- timing ----------------------------------------------------------------------------------
    def _paused(self) -> bool:
        return self._paused_until is not None and self._clock() < self._paused_until

    def _next_wait(self) -> float:
        now = self._clock()
        if self._paused_until is not None and now < self._paused_until:
            return min(self._poll_s, (self._paused_until - now).total_seconds())
        due = self._outbox.next_due_at()
        if due is None:
            return self._poll_s
        return min(self._poll_s, max(0.05, (due - now).total_seconds()))

    def _tidy(self) -> None:
        now = time.monotonic()
        if self._housekeeping is not None and now - self._last_housekeeping > 3600:
            self._last_housekeeping = now
            self._housekeeping()


def _retry_after(headers: Any) -> float:
    for name, value in dict(headers or {}).items():
        if str(name).lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return max(0.0, min(float(raw), 600.0))
            except (TypeError, ValueError):
                break
    return 1.0


def _with_metadata(messages: list[dict[str, Any]], event: str, key: str, value: str) -> str | None:
    for message in messages:
        metadata = message.get("metadata") or {}
        if metadata.get("event_type") == event and str((metadata.get("event_payload") or {}).get(key)) == value:
            return str(message["ts"])
    return None
