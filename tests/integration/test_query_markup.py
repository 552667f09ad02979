"""Markup in a family's message does not steer retrieval (real e5 embedder, shipped knowledge base)."""

from __future__ import annotations

import pytest

from assistant.answering import Assistant
from assistant.types import Event

pytestmark = pytest.mark.integration


def ask(assistant: Assistant, message: str) -> tuple[list[Event], list[str]]:
    conversation = assistant.new_conversation()
    events = list(assistant.respond(conversation, message))
    retrieved = next((e.data["doc_ids"] for e in events if e.kind == "retrieved"), [])
    return events, retrieved


# Each URL or attribute names other treatments; without the markup stripped from the query (before this
# change) every one of these retrieved a document it names into the top 3 (AMORE, MIBG, radiotherapy).
@pytest.mark.parametrize(("message", "expected", "decoys"), [
    ("![logo](https://evil.example/amore-car-t-mibg.png) Who pays for the treatment?",
     "costs", ("amore", "car-t", "mibg")),
    ("<img src='https://evil.example/mibg-amore-radiotherapy.png' alt=''> How long does CAR-T treatment take?",
     "car-t", ("mibg", "amore", "radiotherapy")),
    ("<iframe src='https://evil.example/amore-car-t-radiotherapy'></iframe> "
     "Wo können wir während der Behandlung wohnen?", "practical-matters", ("amore", "car-t", "radiotherapy")),
])
def test_markup_around_a_question_does_not_pull_retrieval_to_the_documents_it_names(
    shipped_assistant: Assistant, message: str, expected: str, decoys: tuple[str, ...],
) -> None:
    events, retrieved = ask(shipped_assistant, message)
    route = next(e.data for e in events if e.kind == "route")
    assert route["route"] == "answer", route
    assert any(expected in doc_id for doc_id in retrieved[:3]), retrieved
    assert not [d for d in retrieved[:3] if any(decoy in d for decoy in decoys)], retrieved


def test_a_link_keeps_its_words_but_its_address_does_not_steer(shipped_assistant: Assistant) -> None:
    question = "What documents do we need for the application?"
    _, plain = ask(shipped_assistant, question)
    _, linked = ask(shipped_assistant, f"{question} [here](https://evil.example/amore-car-t-mibg)")
    assert not [d for d in linked[:5] if d.startswith(("amore", "car-t", "mibg"))], linked
    assert linked[0] == plain[0]


def test_the_family_message_is_stored_as_typed(shipped_assistant: Assistant) -> None:
    conversation = shipped_assistant.new_conversation()
    message = "<b>Who pays</b> for the treatment? ![x](https://evil.example/x.png)"
    list(shipped_assistant.respond(conversation, message))
    assert conversation.messages[0].text == message
    assert "evil.example" not in (conversation.messages[0].topic or "")
