"""Receipts of Slack requests already handled: Slack retries an event it thinks we missed (up to three times,
with ``X-Slack-Retry-Num``); the first delivery claims the key, later ones are acknowledged and dropped."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .case_models import SlackReceiptRow
from .database import Database
from .models import utcnow


class SlackReceipts:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db, self._clock = db, clock

    def first_time(self, key: str, kind: str) -> bool:
        """Record ``key``; True only for the first caller (concurrent duplicates included)."""
        def work(session: Session) -> bool:
            if session.scalar(select(SlackReceiptRow.key).where(SlackReceiptRow.key == key)) is not None:
                return False
            session.add(SlackReceiptRow(key=key[:160], kind=kind[:24], received_at=self._clock()))
            session.flush()
            return True

        try:
            return self._db.write(work)
        except IntegrityError:  # another process recorded it between our check and our insert
            return False

    def prune(self, before: datetime) -> int:
        def work(session: Session) -> int:
            result = session.execute(delete(SlackReceiptRow).where(SlackReceiptRow.received_at < before))
            return int(getattr(result, "rowcount", 0) or 0)

        return self._db.write(work)
