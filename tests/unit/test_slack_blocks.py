"""Block Kit formatting: what a card shows in each status, escaping, the queue, the modal, answers."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from assistant.slack import blocks
from assistant.storage.cases import CaseView

OPENED = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
CASE = CaseView(id="IPO-ABCD2345", conversation_id="c1", status="open", urgency="high", reason="medical_advice",
                language="uk", summary="Family asks for an individual medical judgement. Reply language: uk.",
                assignee=None, escalations=2, created_at=OPENED, updated_at=OPENED)


def staff_url(case_id: str) -> str:
    return f"https://ipo.example.org/staff/cases/{case_id}"


def action_ids(card: list[blocks.Block]) -> list[str]:
    return [e["action_id"] for b in card if b["type"] == "actions" for e in b["elements"]]


def test_an_open_card_shows_the_case_and_offers_claim_reply_resolve() -> None:
    card = blocks.case_card(CASE, staff_url)
    flat = json.dumps(card, ensure_ascii=False)
    for expected in ("IPO-ABCD2345", "high", "Ukrainian (uk)", "individual medical judgement", "escalations: 2",
                     "<https://ipo.example.org/staff/cases/IPO-ABCD2345|Staff case page>"):
        assert expected in flat
    assert action_ids(card) == [blocks.CLAIM, blocks.REPLY, blocks.RESOLVE, blocks.OPEN_PAGE]
    assert blocks.card_text(CASE) == "Case IPO-ABCD2345: high urgency, open"


def test_a_claimed_card_names_the_assignee_and_drops_the_claim_button() -> None:
    card = blocks.case_card(replace(CASE, status="claimed", assignee="U0STAFF01"), staff_url)
    assert "Claimed by <@U0STAFF01>" in json.dumps(card)
    assert action_ids(card) == [blocks.REPLY, blocks.RESOLVE, blocks.OPEN_PAGE]


def test_a_resolved_card_keeps_only_the_link_to_the_case_page() -> None:
    card = blocks.case_card(replace(CASE, status="resolved", assignee="U0STAFF01"), staff_url)
    assert card[0]["text"]["text"] == "Case IPO-ABCD2345 · Resolved"
    assert action_ids(card) == [blocks.OPEN_PAGE]


def test_text_from_outside_cannot_ping_the_channel_or_smuggle_links() -> None:
    note = blocks.thread_note({"event": "family_message", "text": "<!channel> see <https://evil.example|here> & go"})
    assert "<!channel>" not in note and "<https://evil" not in note and "&amp;" in note
    assert blocks.mention("U0STAFF01") == "<@U0STAFF01>" and blocks.mention("<!here>") == "someone"
    answer = json.dumps(blocks.answer_blocks("q", "a", [{"n": 1, "title": "x", "source": "javascript:alert(1)"}]))
    assert "javascript" not in answer and "[1] x" in answer


def test_thread_notes_tell_the_history() -> None:
    assert blocks.thread_note({"event": "claimed", "actor": "U1ABC", "previous": "U2DEF"}) == \
        "Claimed by <@U1ABC> (taken over from <@U2DEF>)."
    assert blocks.thread_note({"event": "resolved", "actor": "U1ABC"}) == "Resolved by <@U1ABC>."
    assert "translated into Turkish" in blocks.thread_note(
        {"event": "staff_reply", "actor": "U1ABC", "text": "Merhaba", "translated_to": "tr"})
    assert blocks.thread_note({"event": "escalated", "reason": "emergency", "urgency": "high"}).startswith(
        "New escalation: possible emergency")


def test_the_home_queue_stays_within_slacks_block_limit() -> None:
    many = [replace(CASE, id=f"IPO-{n:08d}") for n in range(300)]
    view = blocks.home_view(many, staff_url)
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    assert "and 260 more" in json.dumps(view)


def test_the_reply_modal_carries_the_case_and_says_who_reads_it() -> None:
    modal = blocks.reply_modal(CASE, translates=True)
    assert modal["callback_id"] == blocks.REPLY_MODAL and modal["private_metadata"] == CASE.id
    assert "translated into Ukrainian" in json.dumps(modal) and len(modal["title"]["text"]) <= 24
    assert "Write in Ukrainian or English" in json.dumps(blocks.reply_modal(CASE, translates=False))


def test_an_erased_case_leaves_a_stub_without_content() -> None:
    text, stub = blocks.erased_stub("IPO-ABCD2345", "card")
    assert text == "Case IPO-ABCD2345: content removed at the family's request."
    assert "medical" not in json.dumps(stub)
