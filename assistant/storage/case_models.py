"""Tables of the staff handoff: cases, their history, escalations before consent, the Slack outbox and the
receipts of Slack requests already handled (idempotency). Migration: ``0002_cases_slack``.

Cases, history and pending escalations reference ``conversations.id`` (ON DELETE CASCADE) like every table
holding a conversation's data. Outbox rows deliberately do not: after an erasure the job that replaces the
Slack card with a redacted stub must outlive the case (see ``case_erasure.py``). The outbox never keeps a
family's words once delivered, and holds them only redacted before that.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, Id, utcnow

When = DateTime(timezone=True)


class CaseRow(Base):
    """One case per conversation (its id is the intake's case id): open → claimed → resolved (→ reopened)."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(32), ForeignKey("intakes.case_id", ondelete="CASCADE"),
                                    primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open | claimed | resolved
    urgency: Mapped[str] = mapped_column(String(8), default="normal")  # low | normal | high
    reason: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    summary: Mapped[str] = mapped_column(Text)  # English, written by the assistant, no identifiers
    assignee: Mapped[str | None] = mapped_column(String(64))  # Slack user id
    escalations: Mapped[int] = mapped_column(Integer, default=1)
    relayed_message_id: Mapped[int] = mapped_column(Id, default=0)  # newest family message sent to Slack
    slack_channel: Mapped[str | None] = mapped_column(String(32))
    slack_ts: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(When, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(When)
    resolved_at: Mapped[datetime | None] = mapped_column(When)


class CaseHistoryRow(Base):
    """What happened to a case and who did it (opened, escalated, claimed, replied, note, resolved …)."""

    __tablename__ = "case_history"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)  # internal notes from the Slack thread; staff page only
    at: Mapped[datetime] = mapped_column(When, default=utcnow)


class EscalationRow(Base):
    """An escalation the assistant raised before the family consented to a case (the case picks it up)."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    urgency: Mapped[str] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(8))
    summary: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow)


class OutboxRow(Base):
    """A Slack notification to deliver: stored in the transaction that caused it, retried until delivered."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_case_id", "status", "case_id", "id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(32))  # no foreign key: stubs outlive erased cases
    kind: Mapped[str] = mapped_column(String(16))  # card_post | card_update | thread | stub
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    uncertain: Mapped[bool] = mapped_column(Boolean, default=False)  # an attempt may have reached Slack
    next_attempt_at: Mapped[datetime] = mapped_column(When, default=utcnow, index=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(When)
    last_error: Mapped[str | None] = mapped_column(String(64))  # an error code, never message text
    result_channel: Mapped[str | None] = mapped_column(String(32))
    result_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(When, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(When)


class SlackReceiptRow(Base):
    """A Slack request already handled (event id, action, view or command trigger): retries are dropped."""

    __tablename__ = "slack_receipts"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    received_at: Mapped[datetime] = mapped_column(When, default=utcnow, index=True)
