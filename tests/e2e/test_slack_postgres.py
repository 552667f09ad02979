"""The staff handoff on PostgreSQL: cases, the outbox and Slack receipts behave as on SQLite.

Skipped like ``test_postgres_storage.py`` when the PostgreSQL server binaries or psycopg are missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.storage.outbox import OutboxRepository
from tests.e2e.slack_stack import CHANNEL, STAFF, slack_stack, wait_until
from tests.e2e.test_postgres_storage import postgres_url  # noqa: F401  (the throw-away server fixture)

pytestmark = pytest.mark.e2e


def test_a_case_is_carded_claimed_and_answered_on_postgres(tmp_path: Path, postgres_url: str) -> None:  # noqa: F811
    with slack_stack(tmp_path, database_url=postgres_url) as stack:
        family = stack.open_case()
        case_id = family.case_id or ""
        stack.card(case_id)
        note = stack.sender.event_body({"type": "app_home_opened", "user": STAFF, "tab": "home"}, "Ev0PG00001")
        for attempt in range(3):
            assert stack.sender.post(note, "application/json", {"X-Slack-Retry-Num": str(attempt)}).status_code == 200
        assert stack.sender.action("ipo_claim", case_id, STAFF).status_code == 200
        assert stack.sender.submit_reply(case_id, "We will call you tomorrow.", STAFF).status_code == 200
        wait_until(lambda: [m for m in stack.family_messages(family) if m["role"] == "staff"], what="the reply")
        wait_until(lambda: OutboxRepository(stack.db).counts() == {"delivered": 4}, what="all notifications")
        assert len(stack.slack.top_level(CHANNEL)) == 1
        assert len(stack.slack.calls_to("views.publish")) == 1
        assert stack.case(case_id).status == "claimed"
