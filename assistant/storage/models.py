"""SQLAlchemy tables: conversations, messages, feedback, intakes and the erasure audit.

Everything that holds a family's words or identifiers references ``conversations.id`` and is removed by
erasure (see ``erasure.py``); the ``erasures`` audit keeps only a hash of the id, when, why and what kinds of
data were removed. Later tables (cases, Slack outbox) reference ``conversations.id`` the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only auto-increments an INTEGER PRIMARY KEY; elsewhere use 64-bit ids.
Id = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class ConversationRow(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(8))
    escalation_state: Mapped[str] = mapped_column(String(16), default="none")
    case_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation_id_id", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))  # user | assistant | staff
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    route: Mapped[str | None] = mapped_column(String(32))
    topic: Mapped[str | None] = mapped_column(Text)
    meta: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # citations of an assistant reply
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FeedbackRow(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    rating: Mapped[str] = mapped_column(String(8))  # up | down
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IntakeRow(Base):
    """What a family gave, with consent, when asking for a person. Identifiers live only here."""

    __tablename__ = "intakes"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True)
    case_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    country: Mapped[str | None] = mapped_column(String(100))
    child_age: Mapped[int | None] = mapped_column(Integer)
    diagnosis: Mapped[str | None] = mapped_column(Text)
    preferred_language: Mapped[str | None] = mapped_column(String(8))
    consent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    consent_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ErasureRow(Base):
    """The audit of an erasure: no personal data, only a hash of the conversation id."""

    __tablename__ = "erasures"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    conversation_key: Mapped[str] = mapped_column(String(64), index=True)  # sha256 of the conversation id
    token_hash: Mapped[str | None] = mapped_column(String(64))  # lets a repeated DELETE answer 204
    reason: Mapped[str] = mapped_column(String(16))  # api | chat | retention
    categories: Mapped[list[str]] = mapped_column(JSON)
    erased_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
