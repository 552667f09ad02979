"""Erasure (GDPR Art. 17) and retention: remove everything a conversation holds, keep an audit row.

The audit row keeps no personal data: a SHA-256 of the conversation id (so "was X erased?" can be answered
by whoever holds X), the token's hash (so a repeated DELETE by the same client answers the same way), when,
why, and which categories of data were removed. Tables added later that hold a conversation's data join
``ERASABLE`` so erasure and retention cover them too.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .case_erasure import erase_case_content
from .conversations import hash_token
from .database import Database
from .models import ConversationRow, ErasureRow, FeedbackRow, IntakeRow, MessageRow, utcnow

log = logging.getLogger(__name__)

# (category, table model with a conversation_id column), children before parents.
ERASABLE: list[tuple[str, Any]] = [("feedback", FeedbackRow), ("intake", IntakeRow), ("messages", MessageRow)]


def conversation_key(conversation_id: str) -> str:
    return hashlib.sha256(conversation_id.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ErasureResult:
    erased: bool
    categories: tuple[str, ...] = ()


class Erasure:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db, self._clock = db, clock

    def erase(self, conversation_id: str, reason: str) -> ErasureResult:
        """Remove the conversation and all it holds in one transaction. False when there was nothing."""
        result = self._db.write(lambda session: self._erase(session, conversation_id, reason))
        if result.erased:
            log.info("erased conversation %s (reason=%s, categories=%s)", conversation_id, reason,
                     ",".join(result.categories))
        return result

    def _erase(self, session: Session, conversation_id: str, reason: str) -> ErasureResult:
        row = session.get(ConversationRow, conversation_id)
        if row is None:
            return ErasureResult(False)
        categories = ["conversation"]
        categories += erase_case_content(session, conversation_id, self._clock())  # Slack card → stub
        for category, model in ERASABLE:
            where = model.conversation_id == conversation_id
            if session.scalar(select(func.count()).select_from(model).where(where)):
                categories.append(category)
                session.execute(delete(model).where(where))
        token_hash = row.token_hash or None
        session.delete(row)
        session.add(ErasureRow(conversation_key=conversation_key(conversation_id), token_hash=token_hash,
                               reason=reason, categories=categories, erased_at=self._clock()))
        return ErasureResult(True, tuple(categories))

    def was_erased_by(self, conversation_id: str, token: str) -> bool:
        """True when this conversation was erased and ``token`` was its token (a repeated DELETE)."""
        with self._db.read() as session:
            hashes = session.scalars(select(ErasureRow.token_hash)
                                     .where(ErasureRow.conversation_key == conversation_key(conversation_id)))
            wanted = hash_token(token)
            return any(h is not None and hmac.compare_digest(h, wanted) for h in hashes)

    def erase_older_than(self, cutoff: datetime) -> int:
        """Retention: erase every conversation untouched since ``cutoff``. Idempotent; returns the count."""
        with self._db.read() as session:
            ids = list(session.scalars(select(ConversationRow.id).where(ConversationRow.updated_at < cutoff)))
        erased = sum(self.erase(conversation_id, reason="retention").erased for conversation_id in ids)
        log.info("retention: erased %d conversation(s) not updated since %s", erased, cutoff.isoformat())
        return erased
