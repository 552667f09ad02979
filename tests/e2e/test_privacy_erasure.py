"""Erasure end to end, on the real app in uvicorn with Slack on FakeSlack: DELETE /api/conversations/{id}
and the retention job remove the conversation, the intake and the case content, replace the Slack card and
its thread with a stub, and keep an audit row (when, why, which categories; no personal data). Repeating
the DELETE answers the same and erases nothing twice."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from assistant.privacy.retention import run_retention
from assistant.storage.case_models import CaseHistoryRow, CaseRow, EscalationRow, OutboxRow
from assistant.storage.erasure import conversation_key
from assistant.storage.models import Base, ConversationRow, ErasureRow, IntakeRow, MessageRow, utcnow
from tests.e2e.slack_stack import CHANNEL, Family, Stack, slack_stack, wait_until
from tests.e2e.sse_client import auth

pytestmark = pytest.mark.e2e

NAME, EMAIL = "Wybrich Canarius", "wybrich.canarius@example.nl"
MESSAGE = "Mijn dochter Fenneke is geboren op 3 maart 2016. BSN 111222333, bel 06-48213957."
STUB = "removed at the family's request"


def _case_with_a_thread(stack: Stack) -> tuple[Family, str]:
    family = stack.open_case(locale="nl", before=(MESSAGE,), name=NAME, email=EMAIL, diagnosis="ALL")
    stack.say(family, MESSAGE)
    wait_until(lambda: len(stack.thread(family.case_id or "")) == 1, what="the relayed message")
    return family, stack.card(family.case_id or "").ts


def _rows(stack: Stack, model: type[Base], **where: str) -> int:
    with stack.db.read() as session:
        query = select(func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return int(session.scalar(query) or 0)


def _assert_stubbed(stack: Stack, card_ts: str) -> None:
    wait_until(lambda: STUB in stack.slack.messages[(CHANNEL, card_ts)].text, timeout_s=30, what="the card's stub")
    wait_until(lambda: all(STUB in m.text for m in stack.slack.replies(CHANNEL, card_ts)), timeout_s=30,
               what="the thread's stubs")
    shown = " ".join(f"{m.text} {m.blocks}" for m in stack.slack.messages.values())
    assert "[name]" not in shown and "Fenneke" not in shown and "Canarius" not in shown


def test_delete_removes_conversation_intake_and_case_stubs_slack_and_keeps_an_audit(tmp_path: Path) -> None:
    with slack_stack(tmp_path) as stack:
        family, card_ts = _case_with_a_thread(stack)
        url = f"{stack.base_url}/api/conversations/{family.conversation_id}"
        assert stack.http.delete(url, headers=auth(family.token)).status_code == 204
        assert stack.http.get(url, headers=auth(family.token)).status_code == 404
        conversation, case = family.conversation_id, family.case_id or ""
        for model in (MessageRow, IntakeRow, CaseRow, EscalationRow):
            assert _rows(stack, model, conversation_id=conversation) == 0, model.__name__
        assert _rows(stack, CaseHistoryRow, case_id=case) == 0
        with stack.db.read() as session:
            assert set(session.scalars(select(OutboxRow.kind).where(OutboxRow.case_id == case))) == {"stub"}
            audit = session.scalars(select(ErasureRow)).one()
        assert audit.conversation_key == conversation_key(conversation) and audit.reason == "api"
        assert {"conversation", "messages", "intake", "case", "slack"} <= set(audit.categories)
        _assert_stubbed(stack, card_ts)
        assert stack.staff_page(case).status_code == 404
        # Idempotent: the same client repeating the call gets the same answer; nothing is erased twice.
        assert stack.http.delete(url, headers=auth(family.token)).status_code == 204
        assert _rows(stack, ErasureRow) == 1
        assert stack.http.delete(url, headers=auth("not-the-token")).status_code == 404


def test_the_retention_job_erases_an_idle_case_and_the_running_server_stubs_its_card(tmp_path: Path) -> None:
    with slack_stack(tmp_path) as stack:
        family, card_ts = _case_with_a_thread(stack)
        idle_since = utcnow() - timedelta(days=31)  # as if the family had not written for a month
        stack.db.write(lambda session: session.execute(
            update(ConversationRow).where(ConversationRow.id == family.conversation_id)
            .values(updated_at=idle_since)))
        report = run_retention(stack.db, 30)
        assert (report.due, report.erased, report.kept) == (1, 1, 0)
        with stack.db.read() as session:
            audit = session.scalars(select(ErasureRow)).one()
        assert audit.reason == "retention" and "case" in audit.categories
        _assert_stubbed(stack, card_ts)
        assert stack.http.get(f"{stack.base_url}/api/conversations/{family.conversation_id}",
                              headers=auth(family.token)).status_code == 404
        assert run_retention(stack.db, 30).erased == 0
