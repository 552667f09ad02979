"""The staff handoff in Socket Mode, end to end: the real app in uvicorn with ``IPO_SLACK_SOCKET_MODE`` on, bolt's
``SocketModeHandler`` (slack_sdk's builtin client) connected to SocketModeSlack on loopback, a family on the web
API and staff acting through envelopes pushed over the WebSocket. Every envelope must be acknowledged on its
connection within Slack's 3 s; results are read from the fake's Web API calls and the family's conversation."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.fake_slack_socket import APP_TOKEN, Link, SocketModeSlack
from tests.e2e.slack_socket_stack import SocketStack, socket_stack
from tests.e2e.slack_stack import CHANNEL, OTHER_STAFF, STAFF, Family, wait_until
from tests.fake_slack import BOT_TOKEN

pytestmark = pytest.mark.e2e


@pytest.fixture
def running(tmp_path: Path) -> Iterator[SocketStack]:
    with socket_stack(tmp_path) as stack:
        yield stack


def card_text(running: SocketStack, ts: str) -> str:
    return json.dumps(running.slack.messages[(CHANNEL, ts)].blocks)


def staff_messages(running: SocketStack, family: Family, after: int) -> list[str]:
    return [m["text"] for m in running.stack.family_messages(family, after=after) if m["role"] == "staff"]


def test_socket_mode_connects_with_the_app_token_and_the_http_endpoint_is_off(running: SocketStack) -> None:
    opened = running.slack.calls_to("apps.connections.open")
    assert len(opened) == 1 and opened[0].token == APP_TOKEN
    link = running.slack.current_link()
    assert link.number == 1 and link.ticket == "ticket-1"
    assert running.stack.settings.slack_signing_secret is None  # Socket Mode needs no signing secret
    stack = running.stack
    assert stack.http.post(f"{stack.base_url}/slack/events", json={"type": "url_verification"}).status_code == 404
    event = stack.sender.event({"type": "app_home_opened", "user": STAFF, "tab": "home"})
    assert event.status_code == 404 and not running.slack.calls_to("views.publish")


def test_claim_reply_and_resolve_over_the_socket_are_acked_in_time_and_reach_card_thread_and_family(
        running: SocketStack) -> None:
    stack, staff = running.stack, running.staff
    family = stack.open_case(locale="en")
    case_id = family.case_id or ""
    card = stack.card(case_id)  # posted through the fake Web API by the outbox
    seen = max(m["id"] for m in stack.family_messages(family))

    assert staff.acked(staff.press("ipo_claim", case_id, STAFF)).payload is None
    wait_until(lambda: "Claimed by <@U0STAFF01>" in card_text(running, card.ts), what="the claimed card")

    assert staff.acked(staff.press("ipo_reply", case_id, STAFF)).payload is None
    opened = wait_until(lambda: running.slack.calls_to("views.open"), what="the reply modal")
    assert opened[0].params["view"]["private_metadata"] == case_id
    reply = "Dear family, we received your question and will call you tomorrow morning."
    assert staff.acked(staff.submit_reply(case_id, reply, STAFF)).payload is None
    wait_until(lambda: staff_messages(running, family, seen), what="the staff reply in the family's chat")
    assert staff_messages(running, family, seen) == [reply]

    assert staff.acked(staff.press("ipo_resolve", case_id, OTHER_STAFF)).payload is None
    wait_until(lambda: stack.case(case_id).status == "resolved", what="the resolved case")
    wait_until(lambda: "Resolved" in card_text(running, card.ts), what="the resolved card")
    wait_until(lambda: len(stack.thread(case_id)) == 3, what="three history notes in the thread")
    claimed, replied, resolved = (m.text for m in stack.thread(case_id))
    assert claimed == "Claimed by <@U0STAFF01>." and resolved == "Resolved by <@U0STAFF02>."
    assert "replied to the family" in replied
    assert len(stack.slack.top_level(CHANNEL)) == 1
    assert [h.kind for h in stack.cases.history(case_id)][:2] == ["opened", "claimed"]


def test_answers_that_slack_shows_come_back_in_the_ack_payload(running: SocketStack) -> None:
    stack, staff = running.stack, running.staff
    first, second = stack.open_case().case_id or "", stack.open_case(locale="ar").case_id or ""
    refused = staff.acked(staff.submit_reply(first, "   ", STAFF))
    assert refused.payload == {"response_action": "errors",
                               "errors": {"reply": "Write a message for the family first."}}
    listed = staff.acked(staff.command("cases", STAFF, "cmd-1")).payload or {}
    assert listed["response_type"] == "ephemeral"
    assert first in json.dumps(listed) and second in json.dumps(listed)
    assert staff.acked(staff.event({"type": "app_home_opened", "user": STAFF, "tab": "home"})).payload is None
    published = wait_until(lambda: running.slack.calls_to("views.publish"), what="the App Home")
    assert published[0].params["user_id"] == STAFF and second in json.dumps(published[0].params["view"])


def test_an_envelope_delivered_twice_is_acked_twice_and_handled_once(running: SocketStack) -> None:
    stack, staff, slack = running.stack, running.staff, running.slack
    family = stack.open_case()
    case_id = family.case_id or ""
    card = stack.card(case_id)
    seen = max(m["id"] for m in stack.family_messages(family))
    submission = staff.submit_reply(case_id, "We will call you on Monday.", STAFF)
    staff.acked(submission)
    staff.acked(slack.push("interactive", submission.payload, envelope_id=submission.envelope_id))
    wait_until(lambda: staff_messages(running, family, seen), what="the staff reply")

    claim = staff.press("ipo_claim", case_id, OTHER_STAFF)
    staff.acked(claim)
    staff.acked(slack.push("interactive", claim.payload, envelope_id=claim.envelope_id))
    wait_until(lambda: stack.case(case_id).assignee == OTHER_STAFF, what="the hand-over")

    note = {"type": "message", "channel": CHANNEL, "user": OTHER_STAFF, "text": "Internal: bed plan checked",
            "ts": "1800000000.000300", "thread_ts": card.ts}
    event = staff.event(note, event_id="Ev0DUPLICATE1")
    staff.acked(event)
    staff.acked(slack.push("events_api", event.payload, retry_attempt=1, retry_reason="timeout"))
    wait_until(lambda: any(h.kind == "note" for h in stack.cases.history(case_id)), what="the internal note")

    stack.say(family, "Thank you!")  # one more turn: by now every lazy listener has long finished
    assert staff_messages(running, family, seen) == ["We will call you on Monday."]
    kinds = [h.kind for h in stack.cases.history(case_id)]
    assert kinds.count("replied") == 1 and kinds.count("note") == 1
    assert kinds.count("claimed") == 2  # the reply claimed the case for STAFF, the press handed it over once
    assert not [c for c in slack.calls if c.method.startswith("response_url:")]  # no "nothing to change"


def refreshed(running: SocketStack, old: Link) -> Link:
    """After Slack replaced a connection: the app fetched a new URL with its app token and connected to it."""
    new = running.slack.wait_for_links(old.number + 1, timeout_s=30)
    opened = running.slack.calls_to("apps.connections.open")
    assert len(opened) == old.number + 1 and {c.token for c in opened} == {APP_TOKEN}
    assert new.ticket != old.ticket
    wait_until(lambda: not old.open, what="the old connection to be closed")
    return new


def claim_is_handled(running: SocketStack, link: Link) -> None:
    family = running.stack.open_case()
    case_id = family.case_id or ""
    card = running.stack.card(case_id)
    envelope = running.staff.press("ipo_claim", case_id, STAFF)
    assert envelope.link == link.number
    running.staff.acked(envelope)
    wait_until(lambda: "Claimed by <@U0STAFF01>" in card_text(running, card.ts), what="the claimed card")


def test_when_slack_refreshes_the_connection_the_app_reconnects_and_keeps_handling_envelopes(
        running: SocketStack) -> None:
    old = running.slack.current_link()
    running.slack.send_disconnect("refresh_requested")
    claim_is_handled(running, refreshed(running, old))


def test_a_connection_closed_by_slack_is_reopened(running: SocketStack) -> None:
    """slack_sdk's builtin client reconnects on its next health check (every ``PING_INTERVAL_S`` = 5 s), not at
    the close itself."""
    old = running.slack.close(1001)
    claim_is_handled(running, refreshed(running, old))


@pytest.mark.slow
def test_a_connection_cut_without_a_close_is_reopened(running: SocketStack) -> None:
    """A TCP connection cut without a closing handshake: the builtin client notices only after five failed
    pings, ``PING_INTERVAL_S`` = 5 s apart (about 29 s here; 59 s with bolt's default of 10 s), and meanwhile
    spins on the dead socket (slack_sdk reads the closed socket in a loop). It comes back, and no envelope sent
    afterwards is lost."""
    old = running.slack.drop()
    running.slack.wait_for_links(old.number + 1, timeout_s=45)
    claim_is_handled(running, refreshed(running, old))


def test_shutting_down_while_the_connection_is_replaced_still_stops_the_outbox(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="assistant")
    with socket_stack(tmp_path) as running:
        old = running.slack.current_link()
        running.slack.send_disconnect("refresh_requested")
        running.slack.wait_for_links(old.number + 1)  # the new connection is being set up while we shut down
    assert "slack outbox worker stopped" in caplog.text


def test_when_slack_is_unreachable_at_start_socket_mode_keeps_trying_and_handles_envelopes_once_it_answers(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="assistant")
    with SocketModeSlack() as slack:
        slack.fail(503, methods=("apps.connections.open",))  # until healed
        with socket_stack(tmp_path, slack=slack, connected=False) as running:
            family = running.stack.open_case()
            assert running.stack.card(family.case_id or "").blocks  # the outbox does not need the socket
            wait_until(lambda: "attempt 2;" in caplog.text, what="a second failed attempt")
            assert not slack.links and "could not connect (SlackApiError, HTTP 503)" in caplog.text
            assert "Socket Mode NOT connected" in running.stack.staff_queue()  # staff can see it
            slack.heal()  # Slack answers again: the next retry (at most 4 s later) connects
            link = slack.wait_for_links(1, timeout_s=30)
            claim_is_handled(running, link)
            assert "Slack: on (Socket Mode connected)" in running.stack.staff_queue()
            assert "Slack is on (Socket Mode connected after " in caplog.text
    assert APP_TOKEN not in caplog.text


def test_shutting_down_while_slack_is_unreachable_stops_the_retries_at_once(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="assistant")
    with SocketModeSlack() as slack:
        slack.fail(503, methods=("apps.connections.open",))
        def attempts() -> int:
            return len(slack.calls_to("apps.connections.open", ok_only=False))

        with socket_stack(tmp_path, slack=slack, connected=False):
            wait_until(attempts, what="the first attempt")
            stopping = time.monotonic()
        assert time.monotonic() - stopping < 10  # nothing waits for the retry
        tried = attempts()
        assert not slack.wait_for(lambda: attempts() > tried, timeout_s=3)  # the next retry was due within ~2 s
    assert "slack outbox worker stopped" in caplog.text and not slack.links


def test_an_app_token_slack_refuses_is_logged_as_a_configuration_error_and_cards_still_go_out(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="assistant")
    with SocketModeSlack() as slack, socket_stack(tmp_path, slack=slack, connected=False,
                                                  slack_app_token=BOT_TOKEN) as running:
        wait_until(lambda: "configuration error" in caplog.text, what="the configuration error")
        assert "not_allowed_token_type" in caplog.text and "Trying again in 30 min" in caplog.text
        family = running.stack.open_case()
        assert running.stack.card(family.case_id or "").blocks
        assert not slack.links
    assert BOT_TOKEN not in caplog.text
