"""Cases on a fresh SQLite database: the workflow, its outbox items, relaying, erasure, the desk's hooks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assistant.cases import CaseDesk
from assistant.storage import ConversationRepository, Database, Intake, IntakeRepository, migrate
from assistant.storage.case_erasure import erase_case_content
from assistant.storage.case_models import OutboxRow
from assistant.storage.case_workflow import CaseWorkflow, Signal
from assistant.storage.cases import CaseRepository
from assistant.storage.models import utcnow
from assistant.storage.outbox import OutboxRepository
from assistant.storage.slack_receipts import SlackReceipts

HUMAN = Signal("human_requested", "normal", "nl", "Family asks for a person. Reply language: nl.")
EMERGENCY = Signal("emergency", "high", "nl", "Possible emergency reported. Reply language: nl.")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.from_url(f"sqlite:///{tmp_path / 'cases.sqlite3'}")
    migrate(database)
    yield database
    database.dispose()


class Desk:
    def __init__(self, db: Database, translator: object = None) -> None:
        self.db, self.conversations, self.intakes = db, ConversationRepository(db), IntakeRepository(db)
        self.cases, self.workflow = CaseRepository(db), CaseWorkflow(db, notify=True)
        self.desk = CaseDesk(self.cases, self.workflow, self.intakes, translator=translator)  # type: ignore[arg-type]
        self.wakes = 0
        self.desk.on_change(self._woken)

    def _woken(self) -> None:
        self.wakes += 1

    def family(self, name: str = "Sanne de Vries") -> tuple[str, str]:
        conversation_id, _ = self.conversations.create("nl")
        self.conversations.add_message(conversation_id, "user", f"Ik ben {name}, mijn dochter Lotte is ziek")
        case_id = self.intakes.open_case(conversation_id, Intake(name, "sanne@example.nl", diagnosis="neuroblastoom"),
                                         "test-1")
        return conversation_id, case_id

    def outbox(self) -> list[tuple[str, dict[str, object]]]:
        with self.db.read() as session:
            return [(r.kind, r.payload) for r in session.scalars(select(OutboxRow).order_by(OutboxRow.id))]


@pytest.fixture
def desk(db: Database) -> Desk:
    return Desk(db)


def test_an_escalation_before_consent_waits_and_then_shapes_the_case(desk: Desk) -> None:
    conversation_id, case_id = desk.family()
    desk.desk.escalated(conversation_id, {"reason": "emergency", "urgency": "high", "language": "nl",
                                          "summary": "Possible emergency reported. Reply language: nl."})
    desk.desk.escalated(conversation_id, {"reason": "human_requested", "urgency": "normal", "language": "nl",
                                          "summary": "Family asks for a person."})
    assert desk.cases.get(case_id) is None and desk.outbox() == []
    desk.desk.handed_off(conversation_id, case_id, "nl")
    case = desk.cases.get(case_id)
    assert case is not None and case.status == "open" and case.urgency == "high"
    assert case.reason == "human_requested" and case.language == "nl"
    assert desk.outbox() == [("card_post", {})] and desk.wakes == 1


def test_one_case_per_conversation_a_second_escalation_updates_it(desk: Desk) -> None:
    conversation_id, case_id = desk.family()
    desk.workflow.open(conversation_id, case_id, HUMAN)
    desk.workflow.escalate(conversation_id, EMERGENCY)
    desk.workflow.open(conversation_id, case_id, HUMAN)
    case = desk.cases.get(case_id)
    assert case is not None and case.escalations == 3 and case.urgency == "high"  # urgency never goes down
    kinds = [kind for kind, _ in desk.outbox()]
    assert kinds.count("card_post") == 1 and kinds.count("thread") == 2
    assert kinds.count("card_update") == 0  # the card is not sent yet: it will show the newest state anyway


def test_claim_resolve_and_reopen(desk: Desk) -> None:
    conversation_id, case_id = desk.family()
    desk.workflow.open(conversation_id, case_id, HUMAN)
    assert desk.desk.claim(case_id, "U1").detail == "done"
    assert desk.desk.claim(case_id, "U1").detail == "unchanged"
    assert desk.desk.claim(case_id, "U2").changed  # taking over
    assert desk.desk.resolve(case_id, "U2").changed
    assert desk.desk.claim(case_id, "U1").detail == "resolved"
    assert desk.desk.resolve(case_id, "U1").detail == "resolved"
    reopened = desk.workflow.open(conversation_id, case_id, HUMAN)
    assert reopened.status == "open" and reopened.assignee is None and reopened.resolved_at is None
    assert [h.kind for h in desk.cases.history(case_id)] == ["opened", "claimed", "claimed", "resolved", "reopened"]
    assert desk.desk.claim("IPO-NOSUCH00", "U1").detail == "not_found"


def test_the_family_messages_after_the_case_opened_are_relayed_once_and_redacted(desk: Desk) -> None:
    conversation_id, case_id = desk.family()
    desk.desk.handed_off(conversation_id, case_id, "nl")
    desk.conversations.add_message(conversation_id, "assistant", "Bedankt")
    desk.conversations.add_message(conversation_id, "user", "Sanne hier, bel 06-12345678 over het neuroblastoom")
    desk.desk.family_wrote(conversation_id)
    desk.desk.family_wrote(conversation_id)  # nothing new: nothing queued
    threads = [payload for kind, payload in desk.outbox() if kind == "thread"]
    assert threads == [{"event": "family_message", "text": "[redacted] hier, bel [number] over het [redacted]"}]


def test_a_staff_reply_is_stored_for_the_family_and_claims_an_open_case(desk: Desk) -> None:
    conversation_id, case_id = desk.family()
    desk.desk.handed_off(conversation_id, case_id, "nl")
    outcome = desk.desk.reply(case_id, "U1", "Beste Sanne de Vries, we bellen u morgen.")
    view = desk.conversations.view(conversation_id)
    assert view is not None and view.messages[-1].role == "staff"
    assert view.messages[-1].text == "Beste Sanne de Vries, we bellen u morgen."
    assert outcome.message_id == view.messages[-1].id
    case = desk.cases.get(case_id)
    assert case is not None and case.status == "claimed" and case.assignee == "U1"
    note = [p for k, p in desk.outbox() if k == "thread"][-1]
    assert note["text"] == "Beste [redacted], we bellen u morgen." and note["translated_to"] is None


class UppercaseTranslator:
    def translate(self, text: str, language: str) -> str | None:
        return f"[{language}] {text.upper()}"


def test_a_reply_is_translated_into_the_family_language_when_an_llm_is_configured(db: Database) -> None:
    desk = Desk(db, translator=UppercaseTranslator())
    conversation_id, case_id = desk.family()
    desk.desk.handed_off(conversation_id, case_id, "nl")
    desk.desk.reply(case_id, "U1", "we call you tomorrow")
    view = desk.conversations.view(conversation_id)
    assert view is not None and view.messages[-1].text == "[nl] WE CALL YOU TOMORROW"
    assert [p for k, p in desk.outbox() if k == "thread"][-1]["translated_to"] == "nl"


def test_with_slack_off_cases_are_kept_without_outbox_items(db: Database) -> None:
    conversations, intakes = ConversationRepository(db), IntakeRepository(db)
    conversation_id, _ = conversations.create("en")
    case_id = intakes.open_case(conversation_id, Intake("A B", "a@example.org"), "test-1")
    CaseWorkflow(db, notify=False).open(conversation_id, case_id, HUMAN)
    assert CaseRepository(db).get(case_id) is not None
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(OutboxRow)) == 0


def test_erasure_queues_stubs_for_what_slack_shows_and_drops_everything_else(desk: Desk) -> None:
    conversation_id, case_id = desk.family()
    desk.desk.handed_off(conversation_id, case_id, "nl")
    outbox = OutboxRepository(desk.db)
    card = outbox.lease_next("w", 60)
    assert card is not None and card.kind == "card_post"
    desk.cases.set_slack_message(case_id, "C1", "100.1")
    outbox.delivered(card.id, "C1", "100.1")
    desk.conversations.add_message(conversation_id, "user", "first")
    desk.desk.family_wrote(conversation_id)
    relayed = outbox.lease_next("w", 60)
    assert relayed is not None
    outbox.delivered(relayed.id, "C1", "100.2")
    desk.conversations.add_message(conversation_id, "user", "second, not sent yet")
    desk.desk.family_wrote(conversation_id)
    categories = desk.db.write(lambda s: erase_case_content(s, conversation_id, utcnow()))
    assert categories == ["case", "slack"]
    assert desk.outbox() == [("stub", {"channel": "C1", "ts": "100.1", "part": "card"}),
                             ("stub", {"channel": "C1", "ts": "100.2", "part": "thread"})]
    assert desk.cases.get(case_id) is None and desk.cases.history(case_id) == []
    assert desk.db.write(lambda s: erase_case_content(s, conversation_id, utcnow())) == []  # idempotent


def test_the_outbox_serves_each_case_in_order_and_leases_an_item_to_one_worker(desk: Desk) -> None:
    first_conversation, first_case = desk.family()
    second_conversation, second_case = desk.family("Ayşe Yılmaz")
    desk.workflow.open(first_conversation, first_case, HUMAN)
    desk.workflow.escalate(first_conversation, EMERGENCY)
    desk.workflow.open(second_conversation, second_case, HUMAN)
    outbox = OutboxRepository(desk.db)
    a, b = outbox.lease_next("w1", 60), outbox.lease_next("w2", 60)
    assert a is not None and b is not None and (a.case_id, b.case_id) == (first_case, second_case)
    assert outbox.lease_next("w3", 60) is None  # the first case's thread note waits for its card
    outbox.retry(a.id, utcnow(), "http_503", uncertain=True)
    again = outbox.lease_next("w1", 60)
    assert again is not None and again.id == a.id and again.uncertain and again.attempts == 2


def test_a_slack_request_key_is_accepted_once(db: Database) -> None:
    receipts = SlackReceipts(db)
    assert receipts.first_time("event:Ev1", "event")
    assert not receipts.first_time("event:Ev1", "event")
    assert receipts.prune(utcnow()) == 1 and receipts.first_time("event:Ev1", "event")


def test_a_failing_hook_never_breaks_the_chat(tmp_path: Path) -> None:
    unmigrated = Database.from_url(f"sqlite:///{tmp_path / 'empty.sqlite3'}")  # every query fails
    try:
        desk = CaseDesk(CaseRepository(unmigrated), CaseWorkflow(unmigrated, notify=True),
                        IntakeRepository(unmigrated))
        desk.family_wrote("c1")
        desk.escalated("c1", {"reason": "x", "urgency": "???"})
        desk.handed_off("c1", "IPO-X", "xx")
    finally:
        unmigrated.dispose()
