"""The staff handoff end to end: the real app in uvicorn, the real slack_sdk/bolt against FakeSlack, a family on
the web API and staff sending correctly signed Slack requests to /slack/events."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.settings import Settings
from server import create_app
from tests.e2e.fake_assistant import fake_factory
from tests.e2e.servers import threaded_app
from tests.e2e.slack_stack import CHANNEL, OTHER_STAFF, STAFF, STAFF_TOKEN, Stack, slack_stack, wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with slack_stack(tmp_path) as running:
        yield running


def test_a_new_case_posts_one_card_with_id_urgency_language_reason_link_and_buttons(stack: Stack) -> None:
    family = stack.open_case(locale="nl")
    card = stack.card(family.case_id or "")
    flat = json.dumps(card.blocks, ensure_ascii=False)
    assert family.case_id in flat and "normal" in flat and "Dutch (nl)" in flat and "asks for a person" in flat
    assert f"https://ipo.example.org/staff/cases/{family.case_id}" in flat
    buttons = [e["text"]["text"] for b in card.blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons[:3] == ["Claim", "Reply to family", "Resolve"]
    assert card.metadata == {"event_type": "ipo_case_card", "event_payload": {"case_id": family.case_id}}
    assert len(stack.slack.top_level(CHANNEL)) == 1


def test_a_second_escalation_updates_the_one_case_instead_of_opening_another(stack: Stack) -> None:
    family = stack.open_case()
    card = stack.card(family.case_id or "")
    for _ in range(3):  # the family asks again, and submits the form again
        stack.say(family, "please escalate, still waiting")
        assert stack.hand_off(family) == family.case_id
    wait_until(lambda: stack.case(family.case_id or "").escalations == 7, what="7 escalations on one case")
    wait_until(lambda: "escalations: 7" in json.dumps(stack.slack.messages[(CHANNEL, card.ts)].blocks),
               what="the card to show 7 escalations")
    assert len(stack.slack.top_level(CHANNEL)) == 1
    assert len(stack.slack.calls_to("chat.postMessage")) - len(stack.thread(family.case_id or "")) == 1


def test_claim_and_resolve_edit_the_same_message_and_write_history_in_its_thread(stack: Stack) -> None:
    family = stack.open_case()
    case_id = family.case_id or ""
    card = stack.card(case_id)
    assert stack.sender.action("ipo_claim", case_id, STAFF).status_code == 200
    wait_until(lambda: "Claimed by <@U0STAFF01>" in json.dumps(stack.slack.messages[(CHANNEL, card.ts)].blocks),
               what="the claimed card")
    assert stack.sender.action("ipo_claim", case_id, OTHER_STAFF).status_code == 200  # taking it over
    wait_until(lambda: stack.case(case_id).assignee == OTHER_STAFF, what="the hand-over")
    assert stack.sender.action("ipo_resolve", case_id, OTHER_STAFF).status_code == 200
    wait_until(lambda: stack.case(case_id).status == "resolved", what="the resolved case")
    wait_until(lambda: len(stack.thread(case_id)) == 3, what="three history notes in the thread")
    notes = [m.text for m in stack.thread(case_id)]
    assert notes == ["Claimed by <@U0STAFF01>.", "Claimed by <@U0STAFF02> (taken over from <@U0STAFF01>).",
                     "Resolved by <@U0STAFF02>."]
    final = stack.slack.messages[(CHANNEL, card.ts)]
    assert "Resolved" in final.blocks[0]["text"]["text"]
    elements = [e["action_id"] for b in final.blocks if b["type"] == "actions" for e in b["elements"]]
    assert elements == ["ipo_open_page"]
    assert len(stack.slack.top_level(CHANNEL)) == 1
    assert [h.kind for h in stack.cases.history(case_id)] == ["opened", "claimed", "claimed", "resolved"]


def test_a_staff_reply_from_the_modal_reaches_the_family_chat_and_thread_talk_stays_internal(stack: Stack) -> None:
    family = stack.open_case(locale="en")
    case_id = family.case_id or ""
    card = stack.card(case_id)
    seen = max(m["id"] for m in stack.family_messages(family))
    assert stack.sender.action("ipo_reply", case_id, STAFF).status_code == 200
    opened = wait_until(lambda: stack.slack.calls_to("views.open"), what="the reply modal")
    assert opened[0].params["view"]["private_metadata"] == case_id
    internal = {"type": "message", "channel": CHANNEL, "user": OTHER_STAFF, "text": "Internal: check the bed plan",
                "ts": "1800000000.000200", "thread_ts": card.ts}
    assert stack.sender.event(internal).status_code == 200
    reply = "Dear family, we received your question and will call you tomorrow morning."
    response = stack.sender.submit_reply(case_id, reply, STAFF)
    assert response.status_code == 200
    staff = wait_until(lambda: [m for m in stack.family_messages(family, after=seen) if m["role"] == "staff"],
                       what="the staff reply in the family's chat")
    assert [m["text"] for m in staff] == [reply]
    wait_until(lambda: any("replied to the family" in m.text for m in stack.thread(case_id)),
               what="the reply noted in the thread")
    wait_until(lambda: any(h.kind == "note" for h in stack.cases.history(case_id)), what="the internal note")
    assert [m["role"] for m in stack.family_messages(family, after=seen)] == ["staff"]  # the note stayed internal
    assert stack.case(case_id).status == "claimed" and stack.case(case_id).assignee == STAFF


def test_an_empty_reply_is_refused_in_the_modal(stack: Stack) -> None:
    family = stack.open_case()
    response = stack.sender.submit_reply(family.case_id or "", "   ", STAFF)
    assert response.status_code == 200
    assert response.json() == {"response_action": "errors", "errors": {"reply": "Write a message for the family first."}}


def test_the_family_messages_on_an_open_case_go_to_its_thread(stack: Stack) -> None:
    family = stack.open_case(before=("This one was before the case",))
    stack.say(family, "We arrive on Monday")
    stack.say(family, "Is there parking?")
    wait_until(lambda: len(stack.thread(family.case_id or "")) == 2, what="two relayed messages")
    texts = [m.text for m in stack.thread(family.case_id or "")]
    assert "We arrive on Monday" in texts[0] and "Is there parking?" in texts[1]
    assert not any("before the case" in m.text for m in stack.thread(family.case_id or ""))


def test_ipo_cases_lists_the_queue_and_the_app_home_shows_it(stack: Stack) -> None:
    first, second = stack.open_case(), stack.open_case(locale="ar")
    response = stack.sender.command("cases", STAFF, "cmd-1")
    assert response.status_code == 200
    listed = json.dumps(response.json())
    assert first.case_id in listed and second.case_id in listed and response.json()["response_type"] == "ephemeral"
    assert stack.sender.event({"type": "app_home_opened", "user": STAFF, "tab": "home"}).status_code == 200
    published = wait_until(lambda: stack.slack.calls_to("views.publish"), what="the App Home")
    assert published[0].params["user_id"] == STAFF
    home = json.dumps(published[0].params["view"])
    assert first.case_id in home and second.case_id in home


def test_ipo_ask_answers_ephemerally_with_sources(stack: Stack) -> None:
    response = stack.sender.command("ask How do families apply?", STAFF, "ask-1")
    assert response.status_code == 200 and response.json()["response_type"] == "ephemeral"
    answered = wait_until(lambda: stack.slack.calls_to("response_url:ask-1"), what="the answer")
    body = answered[0].params
    assert body["response_type"] == "ephemeral"
    flat = json.dumps(body["blocks"])
    assert "International Patient Office" in flat and "zorg.prinsesmaximacentrum.nl" in flat


def test_the_staff_case_page_needs_the_staff_token_and_shows_the_intake(stack: Stack) -> None:
    family = stack.open_case(name="Maria Jansen", email="maria.jansen@example.nl")
    url = f"{stack.base_url}/staff/cases/{family.case_id}"
    assert stack.http.get(url).status_code == 401
    assert stack.http.get(url).headers["www-authenticate"].startswith("Basic")
    assert stack.http.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    page = stack.http.get(url, auth=("anyone", STAFF_TOKEN))
    assert page.status_code == 200 and "Maria Jansen" in page.text and "maria.jansen@example.nl" in page.text
    assert page.headers["cache-control"] == "no-store"
    queue = stack.staff_queue()
    assert "Slack: on (HTTP events)" in queue and family.case_id in queue
    assert stack.staff_page(family.case_id or "").status_code == 200
    assert stack.staff_page("IPO-NOSUCH00").status_code == 404


def test_without_a_token_slack_is_off_says_so_and_cases_are_still_kept(tmp_path: Path,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="assistant")
    settings = Settings(data_dir=tmp_path / "data", staff_token=STAFF_TOKEN)
    with threaded_app(create_app(settings, assistant_factory=fake_factory())) as base_url, httpx.Client() as http:
        assert "Slack is off: IPO_SLACK_BOT_TOKEN is not set" in caplog.text
        assert http.post(f"{base_url}/slack/events", content=b"{}").status_code == 404
        conversation = http.post(f"{base_url}/api/conversations", json={}).json()
        headers = {"Authorization": f"Bearer {conversation['token']}"}
        handoff = http.post(f"{base_url}/api/conversations/{conversation['id']}/handoff", headers=headers,
                            json={"name": "Jan Jansen", "email": "jan@example.org", "consent": True})
        assert handoff.status_code == 201
        page = http.get(f"{base_url}/staff/cases/{handoff.json()['case_id']}", auth=("staff", STAFF_TOKEN))
        assert page.status_code == 200 and "Jan Jansen" in page.text


def test_a_slow_answer_is_acknowledged_at_once_and_sent_when_ready(tmp_path: Path) -> None:
    with slack_stack(tmp_path, assistant_delay_s=0.5) as slow:  # the answer takes about two seconds
        started = time.monotonic()
        response = slow.sender.command("ask How do families apply?", STAFF, "slow-1")
        acknowledged = time.monotonic() - started
        assert response.status_code == 200 and acknowledged < 1.0
        assert not slow.slack.calls_to("response_url:slow-1")
        wait_until(lambda: slow.slack.calls_to("response_url:slow-1"), what="the answer")
        assert time.monotonic() - started >= 1.5
