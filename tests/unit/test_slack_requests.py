"""Small pieces of the Slack edge: request keys for idempotency, staff credentials, when Slack is off, backoff."""

from __future__ import annotations

import base64
import random

import pytest

from assistant.settings import Settings
from assistant.slack.app import slack_off_reason
from assistant.slack.listeners import request_key
from assistant.slack.outbox import Backoff, _retry_after
from assistant.web.staff import presented_secret


def test_each_kind_of_slack_request_has_a_key_that_survives_retries() -> None:
    assert request_key({"type": "event_callback", "event_id": "Ev1"}) == ("event:Ev1", "event")
    action = {"type": "block_actions", "user": {"id": "U1"}, "actions": [{"action_ts": "17.5"}]}
    assert request_key(action) == ("action:17.5:U1", "action")
    assert request_key({"command": "/ipo", "trigger_id": "t1"}) == ("command:t1", "command")
    view = {"type": "view_submission", "view": {"id": "V1", "state": {"values": {"reply": {"text": {"value": "a"}}}}}}
    changed = {"type": "view_submission", "view": {"id": "V1", "state": {"values": {"reply": {"text": {"value": "b"}}}}}}
    assert request_key(view) == request_key(view) != request_key(changed)  # a corrected resubmission is new
    assert request_key({"type": "url_verification"}) is None


def test_staff_credentials_come_as_bearer_or_basic_password() -> None:
    assert presented_secret("Bearer s3cret") == "s3cret"
    assert presented_secret("Basic " + base64.b64encode(b"anna:s3cret").decode()) == "s3cret"
    assert presented_secret("Basic ???") is None
    assert presented_secret("Token s3cret") is None and presented_secret(None) is None


@pytest.mark.parametrize(("overrides", "reason"), [
    ({}, "IPO_SLACK_BOT_TOKEN"),
    ({"slack_bot_token": "x"}, "IPO_SLACK_CHANNEL"),
    ({"slack_bot_token": "x", "slack_channel": "C1"}, "IPO_SLACK_SIGNING_SECRET"),
    ({"slack_bot_token": "x", "slack_channel": "C1", "slack_socket_mode": True}, "IPO_SLACK_APP_TOKEN"),
    ({"slack_bot_token": "x", "slack_channel": "C1", "slack_signing_secret": "s"}, None),
    ({"slack_bot_token": "x", "slack_channel": "C1", "slack_socket_mode": True, "slack_app_token": "xapp"}, None),
])
def test_slack_is_off_until_it_is_fully_configured(overrides: dict[str, object], reason: str | None) -> None:
    found = slack_off_reason(Settings(**overrides))  # type: ignore[arg-type]
    assert (found is None) if reason is None else (reason in (found or ""))


def test_backoff_doubles_up_to_its_cap_with_a_little_jitter() -> None:
    backoff, rng = Backoff(base_s=0.5, cap_s=8, jitter=0.1), random.Random(1)
    delays = [backoff.delay(n, rng) for n in range(1, 8)]
    for delay, nominal in zip(delays, [0.5, 1, 2, 4, 8, 8, 8], strict=True):
        assert nominal * 0.9 <= delay <= nominal * 1.1


def test_retry_after_is_read_from_the_header_and_bounded() -> None:
    assert _retry_after({"Retry-After": ["7"]}) == 7.0
    assert _retry_after({"retry-after": "30"}) == 30.0
    assert _retry_after({"Retry-After": "soon"}) == 1.0 and _retry_after({}) == 1.0
    assert _retry_after({"Retry-After": "99999"}) == 600.0
