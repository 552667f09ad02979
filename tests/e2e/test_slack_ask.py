"""``/ipo ask`` with the real assistant and the shipped knowledge base (indexed once per test session)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assistant.storage.models import ConversationRow
from tests.e2e.slack_stack import STAFF, slack_stack, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_ipo_ask_answers_from_the_knowledge_base_with_sources_and_keeps_no_conversation(
        index_dir: Path, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'ipo.sqlite3'}"
    with slack_stack(tmp_path, real_assistant=True, data_dir=index_dir, database_url=database) as stack:
        response = stack.sender.command("ask How do we apply for treatment of our child?", STAFF, "ask-real")
        assert response.status_code == 200
        answered = wait_until(lambda: stack.slack.calls_to("response_url:ask-real"), timeout_s=120,
                              what="the answer")
        body = answered[0].params
        assert body["response_type"] == "ephemeral" and body["text"]
        sources = json.dumps(body["blocks"])
        assert "Sources:" in sources and "https://" in sources
        with stack.db.read() as session:
            assert session.scalar(select(func.count()).select_from(ConversationRow)) == 0
