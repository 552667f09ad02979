"""The staff-handoff stack in Socket Mode: ``SocketModeSlack`` on loopback, the real app (``create_app``) in uvicorn
with ``IPO_SLACK_SOCKET_MODE`` on, the app token and no signing secret, and staff acting through envelopes
pushed over the WebSocket (``SocketStaff``) instead of signed HTTP requests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from tests.e2e.fake_slack_socket import APP_TOKEN, Ack, Envelope, SocketModeSlack
from tests.e2e.slack_requests import SlackSender
from tests.e2e.slack_stack import Stack, slack_stack

ACK_DEADLINE_S = 3.0  # Slack shows the user an error when an envelope is not acknowledged within 3 s


@dataclass
class SocketStaff:
    """Staff in Slack, through Socket Mode: the same payloads Slack posts in HTTP mode, wrapped in envelopes."""

    slack: SocketModeSlack
    bodies: SlackSender  # builds the payloads only; nothing is posted over HTTP

    def press(self, action_id: str, case_id: str, user: str, **kwargs: Any) -> Envelope:
        return self.slack.push("interactive", self.bodies.action_payload(action_id, case_id, user, **kwargs))

    def submit_reply(self, case_id: str, text: str, user: str) -> Envelope:
        return self.slack.push("interactive", self.bodies.submission_payload(case_id, text, user))

    def event(self, event: dict[str, Any], event_id: str | None = None) -> Envelope:
        return self.slack.push("events_api", json.loads(self.bodies.event_body(event, event_id)))

    def command(self, text: str, user: str, response: str) -> Envelope:
        body = self.bodies.command_body(text, user, response)
        return self.slack.push("slash_commands", {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()})

    def acked(self, envelope: Envelope) -> Ack:
        """The acknowledgement, asserting it came within Slack's deadline on the connection it was sent on."""
        ack = self.slack.ack_for(envelope, timeout_s=ACK_DEADLINE_S + 2)
        assert ack.at - envelope.sent_at < ACK_DEADLINE_S, f"acknowledged after {ack.at - envelope.sent_at:.2f} s"
        assert ack.link == envelope.link
        return ack


@dataclass
class SocketStack:
    stack: Stack
    slack: SocketModeSlack
    staff: SocketStaff


@contextmanager
def socket_stack(tmp_path: Path, slack: SocketModeSlack | None = None, connected: bool = True,
                 **overrides: Any) -> Iterator[SocketStack]:
    """Pass ``slack`` (already entered) to script it before the server starts; ``connected=False`` does not wait
    for the app's first connection."""
    with ExitStack() as resources:
        fake = slack or resources.enter_context(SocketModeSlack())
        settings: dict[str, Any] = {"slack_socket_mode": True, "slack_app_token": APP_TOKEN,
                                    "slack_signing_secret": None, **overrides}
        stack = resources.enter_context(slack_stack(tmp_path, slack=fake, **settings))
        if connected:
            fake.wait_for_links(1)
        yield SocketStack(stack, fake, SocketStaff(fake, stack.sender))
