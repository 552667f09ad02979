"""Conversations, messages, feedback, intakes and the erasure audit.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("escalation_state", sa.String(16), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.Column("updated_at", When, nullable=False),
    )
    op.create_index("ix_conversations_updated_at", "conversations", ["updated_at"])
    op.create_table(
        "messages",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(64),
                  sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("route", sa.String(32), nullable=True),
        sa.Column("topic", sa.Text(), nullable=True),
        sa.Column("meta", sa.JSON(), nullable=True),
        sa.Column("created_at", When, nullable=False),
    )
    op.create_index("ix_messages_conversation_id_id", "messages", ["conversation_id", "id"])
    op.create_table(
        "feedback",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(64),
                  sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("message_id", Id, sa.ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
        sa.Column("rating", sa.String(8), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.UniqueConstraint("message_id"),
    )
    op.create_index("ix_feedback_conversation_id", "feedback", ["conversation_id"])
    op.create_table(
        "intakes",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(64),
                  sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("country", sa.String(100), nullable=True),
        sa.Column("child_age", sa.Integer(), nullable=True),
        sa.Column("diagnosis", sa.Text(), nullable=True),
        sa.Column("preferred_language", sa.String(8), nullable=True),
        sa.Column("consent_at", When, nullable=False),
        sa.Column("consent_version", sa.String(32), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("updated_at", When, nullable=False),
        sa.UniqueConstraint("conversation_id"),
        sa.UniqueConstraint("case_id"),
    )
    op.create_table(
        "erasures",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("conversation_key", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("erased_at", When, nullable=False),
    )
    op.create_index("ix_erasures_conversation_key", "erasures", ["conversation_key"])
    op.create_index("ix_erasures_erased_at", "erasures", ["erased_at"])


def downgrade() -> None:
    for index, table in (("ix_erasures_erased_at", "erasures"), ("ix_erasures_conversation_key", "erasures")):
        op.drop_index(index, table_name=table)
    op.drop_table("erasures")
    op.drop_table("intakes")
    op.drop_index("ix_feedback_conversation_id", table_name="feedback")
    op.drop_table("feedback")
    op.drop_index("ix_messages_conversation_id_id", table_name="messages")
    op.drop_table("messages")
    op.drop_index("ix_conversations_updated_at", table_name="conversations")
    op.drop_table("conversations")
