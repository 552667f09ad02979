"""Requests as Slack sends them to ``/slack/events``: events (JSON), interactions (form field ``payload``)
and slash commands (form), each signed with the signing secret the way Slack signs (v0, HMAC-SHA256)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.fake_slack import BOT_USER, TEAM

_ids = itertools.count(1)


def signature(secret: str, timestamp: str, body: str) -> str:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


def signed_headers(secret: str, body: str, timestamp: float | None = None) -> dict[str, str]:
    stamp = str(int(timestamp if timestamp is not None else time.time()))
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature(secret, stamp, body)}


class SlackSender:
    """Builds and posts signed Slack requests to a server's ``/slack/events``."""

    def __init__(self, client: httpx.Client, base_url: str, secret: str, response_root: str) -> None:
        self.client, self.url, self.secret, self.response_root = client, f"{base_url}/slack/events", secret, response_root

    def post(self, body: str, content_type: str, headers: dict[str, str] | None = None,
             secret: str | None = None, timestamp: float | None = None) -> httpx.Response:
        signed = signed_headers(secret or self.secret, body, timestamp)
        return self.client.post(self.url, content=body.encode(),
                                headers={"Content-Type": content_type, **signed, **(headers or {})})

    # --- bodies ---------------------------------------------------------------------------------------
    @staticmethod
    def event_body(event: dict[str, Any], event_id: str | None = None) -> str:
        return json.dumps({
            "token": "legacy", "team_id": TEAM, "api_app_id": "A0IPO0001", "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):010d}", "event_time": int(time.time()), "event": event,
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        })

    def interaction_body(self, payload: dict[str, Any]) -> str:
        return urlencode({"payload": json.dumps(payload)})

    def action_payload(self, action_id: str, value: str, user: str, container: dict[str, Any] | None = None,
                       response: str | None = None) -> dict[str, Any]:
        n = next(_ids)
        return {
            "type": "block_actions", "team": {"id": TEAM}, "user": {"id": user, "team_id": TEAM},
            "api_app_id": "A0IPO0001", "trigger_id": f"trigger-{n}", "container": container or {"type": "message"},
            "response_url": self.response_url(response or f"action-{n}"),
            "actions": [{"action_id": action_id, "block_id": "case_actions", "value": value, "type": "button",
                         "action_ts": f"{time.time():.6f}{n}"}],
        }

    def command_body(self, text: str, user: str, response: str) -> str:
        return urlencode({"token": "legacy", "team_id": TEAM, "channel_id": "C0STAFF01", "user_id": user,
                          "command": "/ipo", "text": text, "response_url": self.response_url(response),
                          "trigger_id": f"trigger-{next(_ids)}", "api_app_id": "A0IPO0001"})

    @staticmethod
    def submission_payload(case_id: str, text: str, user: str, view_id: str | None = None) -> dict[str, Any]:
        return {
            "type": "view_submission", "team": {"id": TEAM}, "user": {"id": user, "team_id": TEAM},
            "api_app_id": "A0IPO0001", "trigger_id": f"trigger-{next(_ids)}",
            "view": {"id": view_id or f"V{next(_ids):08d}", "type": "modal", "callback_id": "ipo_reply_modal",
                     "private_metadata": case_id, "hash": "h1",
                     "state": {"values": {"reply": {"text": {"type": "plain_text_input", "value": text}}}}},
        }

    def response_url(self, name: str) -> str:
        return f"{self.response_root}/response/{name}"

    # --- sending ----------------------------------------------------------------------------------------
    def event(self, event: dict[str, Any], event_id: str | None = None,
              headers: dict[str, str] | None = None) -> httpx.Response:
        return self.post(self.event_body(event, event_id), "application/json", headers)

    def action(self, action_id: str, value: str, user: str, **kwargs: Any) -> httpx.Response:
        return self.post(self.interaction_body(self.action_payload(action_id, value, user, **kwargs)),
                         "application/x-www-form-urlencoded")

    def submit_reply(self, case_id: str, text: str, user: str) -> httpx.Response:
        return self.post(self.interaction_body(self.submission_payload(case_id, text, user)),
                         "application/x-www-form-urlencoded")

    def command(self, text: str, user: str, response: str) -> httpx.Response:
        return self.post(self.command_body(text, user, response), "application/x-www-form-urlencoded")
