"""Erasure of a conversation's case: remove the case content and replace what Slack shows with a stub.

``erase_case_content(session, conversation_id, now)`` is meant to run inside the erasure transaction, before
the conversation's own rows are deleted (``assistant.storage.erasure``):

- notifications not yet sent are dropped (they may carry redacted family words);
- for the card and every thread reply already in Slack, a ``stub`` item is queued: the outbox worker
  replaces that message with "content removed at the family's request" (no case details);
- the case, its history and pending escalations are deleted.

It returns the categories removed, for the erasure audit. A delivery in flight at that moment is caught by the
worker: it finds its item or case gone and stubs what it just posted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .case_models import CaseHistoryRow, CaseRow, EscalationRow, OutboxRow
from .outbox import add_item


def erase_case_content(session: Session, conversation_id: str, now: datetime) -> list[str]:
    categories: list[str] = []
    escalations = delete(EscalationRow).where(EscalationRow.conversation_id == conversation_id)
    if getattr(session.execute(escalations), "rowcount", 0):
        categories.append("escalations")
    for case in session.scalars(select(CaseRow).where(CaseRow.conversation_id == conversation_id)).all():
        categories.append("case")
        if _stub_slack_messages(session, case, now):
            categories.append("slack")
        session.execute(delete(CaseHistoryRow).where(CaseHistoryRow.case_id == case.id))
        session.delete(case)
    return sorted(set(categories))


def _stub_slack_messages(session: Session, case: CaseRow, now: datetime) -> bool:
    items = session.scalars(select(OutboxRow).where(OutboxRow.case_id == case.id)).all()
    posted = [(case.slack_channel, case.slack_ts, "card")] if case.slack_ts else []
    posted += [(i.result_channel, i.result_ts, "thread") for i in items
               if i.status == "delivered" and i.kind == "thread" and i.result_ts]
    session.execute(delete(OutboxRow).where(OutboxRow.case_id == case.id, OutboxRow.kind != "stub"))
    for channel, ts, part in posted:
        add_item(session, case.id, "stub", {"channel": channel, "ts": ts, "part": part}, now)
    return bool(posted)
