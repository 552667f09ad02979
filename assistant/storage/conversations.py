"""Conversations as the web API sees them: creation with a bound token, history, extra messages.

The token is returned once and only its SHA-256 is stored. ``authenticate`` answers the same way, in about
the same time, for an unknown id and for a wrong token (no existence oracle).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .database import Database
from .models import ConversationRow, MessageRow, utcnow

_DUMMY_HASH = "0" * 64


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class StoredMessage:
    id: int
    role: str
    text: str
    language: str | None
    route: str | None
    created_at: datetime
    citations: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ConversationView:
    id: str
    language: str | None
    escalation_state: str
    case_id: str | None
    messages: list[StoredMessage]


def to_stored(row: MessageRow) -> StoredMessage:
    citations = list((row.meta or {}).get("citations", []))
    return StoredMessage(row.id, row.role, row.text, row.language, row.route, as_utc(row.created_at), citations)


class ConversationRepository:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db, self._clock = db, clock

    def create(self, language: str | None = None) -> tuple[str, str]:
        """A new conversation: (unguessable id, bearer token bound to it)."""
        conversation_id, token = secrets.token_hex(16), secrets.token_urlsafe(32)
        now = self._clock()

        def work(session: Session) -> None:
            session.add(ConversationRow(id=conversation_id, token_hash=hash_token(token), language=language,
                                        escalation_state="none", created_at=now, updated_at=now))

        self._db.write(work)
        return conversation_id, token

    def authenticate(self, conversation_id: str, token: str) -> bool:
        with self._db.read() as session:
            stored = session.scalar(select(ConversationRow.token_hash).where(ConversationRow.id == conversation_id))
        return hmac.compare_digest(stored or _DUMMY_HASH, hash_token(token)) and stored is not None

    def view(self, conversation_id: str, after: int = 0, limit: int = 500) -> ConversationView | None:
        """The conversation and its messages with an id above ``after`` (oldest first, at most ``limit``)."""
        with self._db.read() as session:
            row = session.get(ConversationRow, conversation_id)
            if row is None:
                return None
            rows = session.scalars(
                select(MessageRow).where(MessageRow.conversation_id == conversation_id, MessageRow.id > after)
                .order_by(MessageRow.id).limit(limit)
            ).all()
            return ConversationView(row.id, row.language, row.escalation_state, row.case_id,
                                    [to_stored(r) for r in rows])

    def add_message(self, conversation_id: str, role: str, text: str, language: str | None = None,
                    route: str | None = None) -> int:
        """Append a message outside an assistant turn (handoff confirmation; staff replies from Slack)."""
        now = self._clock()

        def work(session: Session) -> int:
            message = MessageRow(conversation_id=conversation_id, role=role, text=text, language=language,
                                 route=route, created_at=now)
            session.add(message)
            session.execute(update(ConversationRow).where(ConversationRow.id == conversation_id)
                            .values(updated_at=now))
            session.flush()
            return int(message.id)

        return self._db.write(work)

    def set_citations(self, message_id: int, citations: list[dict[str, Any]]) -> None:
        def work(session: Session) -> None:
            session.execute(update(MessageRow).where(MessageRow.id == message_id)
                            .values(meta={"citations": citations}))

        self._db.write(work)
