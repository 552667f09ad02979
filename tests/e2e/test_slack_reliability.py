"""Reliability of the Slack side: Slack's retries are handled once, a Slack outage or rate limit loses and
duplicates nothing, requests that are not correctly signed by Slack change nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assistant.storage.case_models import OutboxRow, SlackReceiptRow
from assistant.storage.outbox import OutboxRepository
from tests.e2e.slack_requests import signed_headers
from tests.e2e.slack_stack import CHANNEL, SECRET, STAFF, Stack, slack_stack, wait_until
from tests.fake_slack import FakeSlack

pytestmark = pytest.mark.e2e

RETRY = {"X-Slack-Retry-Reason": "http_timeout"}


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with slack_stack(tmp_path) as running:
        yield running


def outbox_counts(stack: Stack) -> dict[str, int]:
    return OutboxRepository(stack.db).counts()


def test_the_same_event_delivered_four_times_with_retry_headers_is_handled_once(stack: Stack) -> None:
    family = stack.open_case()
    card = stack.card(family.case_id or "")
    note = {"type": "message", "channel": CHANNEL, "user": STAFF, "text": "I'll call them",
            "ts": "1800000000.000300", "thread_ts": card.ts}
    body = stack.sender.event_body(note, event_id="Ev0NOTE0001")
    for attempt in range(4):
        headers = {"X-Slack-Retry-Num": str(attempt), **RETRY} if attempt else {}
        assert stack.sender.post(body, "application/json", headers).status_code == 200
    home = stack.sender.event_body({"type": "app_home_opened", "user": STAFF, "tab": "home"}, "Ev0HOME0001")
    with ThreadPoolExecutor(4) as pool:  # the retries may also arrive at once
        answers = list(pool.map(lambda n: stack.sender.post(home, "application/json",
                                                             {"X-Slack-Retry-Num": str(n), **RETRY}), range(4)))
    assert [a.status_code for a in answers] == [200] * 4
    wait_until(lambda: stack.slack.calls_to("views.publish"), what="the App Home")
    wait_until(lambda: [h for h in stack.cases.history(family.case_id or "") if h.kind == "note"], what="the note")
    barrier = stack.sender.event({"type": "app_home_opened", "user": "U0BARRIER", "tab": "home"})
    assert barrier.status_code == 200
    wait_until(lambda: any(c.params["user_id"] == "U0BARRIER" for c in stack.slack.calls_to("views.publish")),
               what="the barrier event")
    assert len([h for h in stack.cases.history(family.case_id or "") if h.kind == "note"]) == 1
    assert len([c for c in stack.slack.calls_to("views.publish") if c.params["user_id"] == STAFF]) == 1
    assert len(stack.slack.top_level(CHANNEL)) == 1


def test_slack_down_for_a_while_then_back_delivers_every_notification_exactly_once(stack: Stack) -> None:
    stack.slack.fail(503)  # down until healed
    families = [stack.open_case(locale=lang) for lang in ("en", "nl", "ar")]
    for text in ("First question while Slack is down", "Second question while Slack is down"):
        stack.say(families[0], text)
    confirmation = next(m for m in stack.family_messages(families[0]) if m["route"] == "handoff")["text"]
    assert families[0].case_id in confirmation and "staff" in confirmation  # the family is told staff follow up
    wait_until(lambda: len([c for c in stack.slack.calls if c.status == 503]) >= 4, what="refused attempts")
    assert outbox_counts(stack) == {"pending": 5}
    stack.slack.heal()
    wait_until(lambda: outbox_counts(stack) == {"delivered": 5}, timeout_s=30, what="all five notifications")
    cards = stack.slack.top_level(CHANNEL)
    assert sorted(c.metadata["event_payload"]["case_id"] for c in cards if c.metadata) == sorted(
        f.case_id for f in families)
    assert len(cards) == 3
    thread = [m.text for m in stack.thread(families[0].case_id or "")]
    assert len(thread) == 2 and "First question" in thread[0] and "Second question" in thread[1]


def test_notifications_queued_while_slack_is_down_survive_a_server_restart(tmp_path: Path) -> None:
    with FakeSlack() as slack:
        slack.fail(503)  # down until healed
        with slack_stack(tmp_path, slack=slack) as first:
            family = first.open_case()
            wait_until(lambda: first.slack.calls_to("chat.postMessage", ok_only=False), what="a refused post")
        slack.heal()
        with slack_stack(tmp_path, slack=slack) as second:
            card = second.card(family.case_id or "")
            wait_until(lambda: outbox_counts(second) == {"delivered": 1}, what="the card delivered")
        assert card.metadata == {"event_type": "ipo_case_card", "event_payload": {"case_id": family.case_id}}
        assert len(slack.top_level(CHANNEL)) == 1


def test_a_rate_limit_is_honoured_for_its_retry_after(stack: Stack) -> None:
    stack.slack.fail(429, times=1, retry_after=1, methods=("chat.postMessage",))
    family = stack.open_case()
    stack.card(family.case_id or "")
    posts = stack.slack.calls_to("chat.postMessage", ok_only=False)
    assert [c.status for c in posts] == [429, 200]
    assert posts[1].at - posts[0].at >= 0.95
    assert len(stack.slack.top_level(CHANNEL)) == 1


def test_a_post_whose_answer_was_lost_is_found_in_slack_instead_of_posted_again(stack: Stack) -> None:
    stack.slack.fail(200, times=2, drop=True, methods=("chat.postMessage",))
    family = stack.open_case()
    stack.say(family, "A question whose post will lose its answer")
    wait_until(lambda: outbox_counts(stack) == {"delivered": 2}, timeout_s=20, what="both notifications")
    assert len(stack.slack.top_level(CHANNEL)) == 1
    assert len(stack.thread(family.case_id or "")) == 1
    assert len(stack.slack.calls_to("chat.postMessage")) == 2  # each carried out once, answer lost once
    assert stack.slack.calls_to("conversations.history") and stack.slack.calls_to("conversations.replies")


def test_bad_or_stale_signatures_get_401_and_change_nothing(stack: Stack) -> None:
    family = stack.open_case()
    case_id = family.case_id or ""
    stack.card(case_id)
    wait_until(lambda: outbox_counts(stack) == {"delivered": 1}, what="the card delivered")
    calls_before = len(stack.slack.calls)
    claim = stack.sender.interaction_body(stack.sender.action_payload("ipo_claim", case_id, STAFF))
    form = "application/x-www-form-urlencoded"
    refused = [
        stack.sender.post(claim, form, secret="not-the-signing-secret"),
        stack.sender.post(claim, form, timestamp=time.time() - 10 * 60),  # correctly signed, but stale
        stack.sender.post(claim, form, timestamp=time.time() + 10 * 60),  # from the future
        stack.http.post(stack.sender.url, content=claim, headers={"Content-Type": form}),  # unsigned
        stack.sender.post(stack.sender.command_body("cases", STAFF, "x"), form, secret=SECRET[::-1]),
        stack.sender.post(stack.sender.event_body({"type": "app_home_opened", "user": STAFF}), "application/json",
                          headers={"X-Slack-Signature": "v0=" + "0" * 64}),
    ]
    assert [r.status_code for r in refused] == [401] * 6
    barrier = stack.sender.event({"type": "app_home_opened", "user": "U0BARRIER", "tab": "home"})
    assert barrier.status_code == 200  # a genuine request afterwards: once it is handled, all before it were
    wait_until(lambda: stack.slack.calls_to("views.publish"), what="the barrier event")
    with stack.db.read() as session:
        receipts = session.scalar(select(func.count()).select_from(SlackReceiptRow))
        items = session.scalar(select(func.count()).select_from(OutboxRow))
    assert receipts == 1 and items == 1  # only the barrier's receipt; only the card's notification
    assert stack.case(case_id).status == "open"
    assert [h.kind for h in stack.cases.history(case_id)] == ["opened"]
    assert [c.method for c in stack.slack.calls[calls_before:]] == ["views.publish"]


def test_a_tampered_body_is_refused(stack: Stack) -> None:
    family = stack.open_case()
    claim = stack.sender.interaction_body(stack.sender.action_payload("ipo_claim", family.case_id or "", STAFF))
    headers = {"Content-Type": "application/x-www-form-urlencoded", **signed_headers(SECRET, claim)}
    forged = claim.replace(STAFF, "U0INTRUDER")
    assert stack.http.post(stack.sender.url, content=forged, headers=headers).status_code == 401
    assert stack.case(family.case_id or "").status == "open"
    assert [h.kind for h in stack.cases.history(family.case_id or "")] == ["opened"]
