"""Thumbs up/down (and an optional comment) on one assistant reply; a second vote replaces the first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .database import Database
from .models import FeedbackRow, MessageRow, utcnow


class FeedbackRepository:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db, self._clock = db, clock

    def record(self, conversation_id: str, message_id: int, rating: str, comment: str | None) -> bool:
        """False when ``message_id`` is not an assistant reply of this conversation."""

        def work(session: Session) -> bool:
            message = session.get(MessageRow, message_id)
            if message is None or message.conversation_id != conversation_id or message.role != "assistant":
                return False
            row = session.scalar(select(FeedbackRow).where(FeedbackRow.message_id == message_id))
            if row is None:
                session.add(FeedbackRow(conversation_id=conversation_id, message_id=message_id, rating=rating,
                                        comment=comment, created_at=self._clock()))
            else:
                row.rating, row.comment, row.created_at = rating, comment, self._clock()
            return True

        return self._db.write(work)
