"""Staff handoff: cases, case history, pending escalations, the Slack outbox and Slack request receipts.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def _conversation() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("conversation_id", sa.String(64), sa.ForeignKey("conversations.id", ondelete="CASCADE"),
                     nullable=False)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.String(32), sa.ForeignKey("intakes.case_id", ondelete="CASCADE"), primary_key=True),
        _conversation(),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("urgency", sa.String(8), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("assignee", sa.String(64), nullable=True),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("relayed_message_id", Id, nullable=False),
        sa.Column("slack_channel", sa.String(32), nullable=True),
        sa.Column("slack_ts", sa.String(32), nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.Column("updated_at", When, nullable=False),
        sa.Column("claimed_at", When, nullable=True),
        sa.Column("resolved_at", When, nullable=True),
        sa.UniqueConstraint("conversation_id"),
    )
    op.create_index("ix_cases_status", "cases", ["status"])
    op.create_index("ix_cases_slack_ts", "cases", ["slack_ts"])
    op.create_table(
        "case_history",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(32), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", When, nullable=False),
    )
    op.create_index("ix_case_history_case_id", "case_history", ["case_id"])
    op.create_table(
        "escalations",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        _conversation(),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("urgency", sa.String(8), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", When, nullable=False),
    )
    op.create_index("ix_escalations_conversation_id", "escalations", ["conversation_id"])
    op.create_table(
        "outbox",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("uncertain", sa.Boolean(), nullable=False),
        sa.Column("next_attempt_at", When, nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_until", When, nullable=True),
        sa.Column("last_error", sa.String(64), nullable=True),
        sa.Column("result_channel", sa.String(32), nullable=True),
        sa.Column("result_ts", sa.String(32), nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.Column("delivered_at", When, nullable=True),
    )
    op.create_index("ix_outbox_status_case_id", "outbox", ["status", "case_id", "id"])
    op.create_index("ix_outbox_next_attempt_at", "outbox", ["next_attempt_at"])
    op.create_table(
        "slack_receipts",
        sa.Column("key", sa.String(160), primary_key=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("received_at", When, nullable=False),
    )
    op.create_index("ix_slack_receipts_received_at", "slack_receipts", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_slack_receipts_received_at", table_name="slack_receipts")
    op.drop_table("slack_receipts")
    op.drop_index("ix_outbox_next_attempt_at", table_name="outbox")
    op.drop_index("ix_outbox_status_case_id", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_escalations_conversation_id", table_name="escalations")
    op.drop_table("escalations")
    op.drop_index("ix_case_history_case_id", table_name="case_history")
    op.drop_table("case_history")
    op.drop_index("ix_cases_slack_ts", table_name="cases")
    op.drop_index("ix_cases_status", table_name="cases")
    op.drop_table("cases")
