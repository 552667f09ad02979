"""Cases as stored: views, queries and the Slack message a case's card lives in.

The state changes (open, escalate, claim, reply, resolve) are in ``case_workflow.py``; both share the
row → view conversion here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case as sql_case
from sqlalchemy import select
from sqlalchemy.orm import Session

from .case_models import CaseHistoryRow, CaseRow
from .conversations import as_utc
from .database import Database
from .models import utcnow

URGENCIES = ("low", "normal", "high")
ACTIVE = ("open", "claimed")


@dataclass(frozen=True)
class CaseView:
    id: str
    conversation_id: str
    status: str
    urgency: str
    reason: str
    language: str
    summary: str
    assignee: str | None
    escalations: int
    created_at: datetime
    updated_at: datetime
    claimed_at: datetime | None = None
    resolved_at: datetime | None = None
    slack_channel: str | None = None
    slack_ts: str | None = None


@dataclass(frozen=True)
class HistoryEntry:
    kind: str
    actor: str | None
    note: str | None
    at: datetime


def to_view(row: CaseRow) -> CaseView:
    def when(value: datetime | None) -> datetime | None:
        return as_utc(value) if value is not None else None

    return CaseView(
        id=row.id, conversation_id=row.conversation_id, status=row.status, urgency=row.urgency,
        reason=row.reason, language=row.language, summary=row.summary, assignee=row.assignee,
        escalations=row.escalations, created_at=as_utc(row.created_at), updated_at=as_utc(row.updated_at),
        claimed_at=when(row.claimed_at), resolved_at=when(row.resolved_at), slack_channel=row.slack_channel,
        slack_ts=row.slack_ts,
    )


class CaseRepository:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db, self._clock = db, clock

    def get(self, case_id: str) -> CaseView | None:
        with self._db.read() as session:
            row = session.get(CaseRow, case_id)
            return to_view(row) if row is not None else None

    def for_conversation(self, conversation_id: str) -> CaseView | None:
        with self._db.read() as session:
            row = session.scalar(select(CaseRow).where(CaseRow.conversation_id == conversation_id))
            return to_view(row) if row is not None else None

    def history(self, case_id: str) -> list[HistoryEntry]:
        with self._db.read() as session:
            rows = session.scalars(select(CaseHistoryRow).where(CaseHistoryRow.case_id == case_id)
                                   .order_by(CaseHistoryRow.id)).all()
            return [HistoryEntry(r.kind, r.actor, r.note, as_utc(r.at)) for r in rows]

    def queue(self, limit: int = 50) -> list[CaseView]:
        """Open and claimed cases: most urgent first, then oldest first."""
        rank = sql_case({"high": 0, "normal": 1, "low": 2}, value=CaseRow.urgency, else_=3)
        with self._db.read() as session:
            rows = session.scalars(select(CaseRow).where(CaseRow.status.in_(ACTIVE))
                                   .order_by(rank, CaseRow.created_at).limit(limit)).all()
            return [to_view(r) for r in rows]

    def by_thread(self, channel: str, ts: str) -> str | None:
        """The case whose card is the Slack message ``ts`` in ``channel``."""
        with self._db.read() as session:
            return session.scalar(select(CaseRow.id).where(CaseRow.slack_channel == channel,
                                                           CaseRow.slack_ts == ts))

    def set_slack_message(self, case_id: str, channel: str, ts: str) -> bool:
        """Remember where the card was posted. False when the case is gone (erased meanwhile)."""
        def work(session: Session) -> bool:
            row = session.get(CaseRow, case_id)
            if row is None:
                return False
            row.slack_channel, row.slack_ts = channel, ts
            return True

        return self._db.write(work)
