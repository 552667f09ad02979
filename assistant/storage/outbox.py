"""The durable outbox of Slack notifications (the transactional-outbox pattern).

Items are added inside the transaction that changes a case, so a notification exists exactly when its change
does. A worker leases the oldest pending item of each case (per-case order: the card before its thread
replies), delivers it and marks it delivered; a failed attempt is rescheduled. Leases make several server
processes safe: an item is worked on by one of them at a time. ``uncertain`` records that an attempt may
have reached Slack (a timeout, a dropped connection, a crash mid-delivery): the next attempt looks in
Slack first instead of posting twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from .case_models import OutboxRow
from .conversations import as_utc
from .database import Database
from .models import utcnow

CARD_KINDS = ("card_post", "card_update")


@dataclass(frozen=True)
class OutboxItem:
    id: int
    case_id: str
    kind: str
    payload: dict[str, Any]
    attempts: int  # including the one now leased
    uncertain: bool  # an earlier attempt may have reached Slack
    created_at: datetime


def add_item(session: Session, case_id: str, kind: str, payload: dict[str, Any], now: datetime) -> None:
    """Queue a notification inside the caller's transaction. A pending, not yet started card job renders the
    case as it is when sent, so a second one for the same case would add nothing and is skipped."""
    if kind == "card_update":
        waiting = session.scalar(select(OutboxRow.id).where(
            OutboxRow.case_id == case_id, OutboxRow.status == "pending", OutboxRow.kind.in_(CARD_KINDS),
            OutboxRow.attempts == 0).limit(1))
        if waiting is not None:
            return
    session.add(OutboxRow(case_id=case_id, kind=kind, payload=payload, status="pending", attempts=0,
                          uncertain=False, next_attempt_at=now, created_at=now))


class OutboxRepository:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db, self._clock = db, clock

    def lease_next(self, owner: str, lease_s: float) -> OutboxItem | None:
        """The oldest due item among the heads of the per-case queues, leased to ``owner``."""
        def work(session: Session) -> OutboxItem | None:
            now = self._clock()
            heads = (select(func.min(OutboxRow.id)).where(OutboxRow.status == "pending")
                     .group_by(OutboxRow.case_id))
            row = session.scalar(
                select(OutboxRow).where(OutboxRow.id.in_(heads), OutboxRow.next_attempt_at <= now,
                                        or_(OutboxRow.lease_until.is_(None), OutboxRow.lease_until < now))
                .order_by(OutboxRow.next_attempt_at, OutboxRow.id).limit(1))
            if row is None:
                return None
            uncertain = row.uncertain or row.lease_owner is not None  # an earlier lease ended unreported
            row.attempts += 1
            row.lease_owner, row.lease_until = owner, now + timedelta(seconds=lease_s)
            row.uncertain = True  # until this attempt reports a definite outcome
            return OutboxItem(row.id, row.case_id, row.kind, dict(row.payload), row.attempts, uncertain,
                              as_utc(row.created_at))

        return self._db.write(work)

    def delivered(self, item_id: int, channel: str | None = None, ts: str | None = None) -> bool:
        """Mark delivered and drop the text it carried. False when the item vanished (erased meanwhile)."""
        def work(session: Session) -> bool:
            row = session.get(OutboxRow, item_id)
            if row is None:
                return False
            kept = {k: v for k, v in row.payload.items() if k in ("event", "actor")}
            row.status, row.payload, row.delivered_at = "delivered", kept, self._clock()
            row.result_channel, row.result_ts = channel, ts
            row.lease_owner = row.lease_until = None
            row.uncertain, row.last_error = False, None
            return True

        return self._db.write(work)

    def retry(self, item_id: int, at: datetime, error: str, uncertain: bool) -> None:
        self._finish(item_id, status="pending", at=at, error=error, uncertain=uncertain)

    def fail(self, item_id: int, error: str) -> None:
        """Give up on an item Slack will never accept (invalid content, a message that no longer exists)."""
        self._finish(item_id, status="failed", at=None, error=error, uncertain=False)

    def _finish(self, item_id: int, status: str, at: datetime | None, error: str, uncertain: bool) -> None:
        values: dict[str, Any] = {"status": status, "last_error": error[:64], "uncertain": uncertain,
                                  "lease_owner": None, "lease_until": None}
        if at is not None:
            values["next_attempt_at"] = at
        self._db.write(lambda s: s.execute(update(OutboxRow).where(OutboxRow.id == item_id).values(**values)))

    def next_due_at(self) -> datetime | None:
        with self._db.read() as session:
            due = session.scalar(select(func.min(OutboxRow.next_attempt_at))
                                 .where(OutboxRow.status == "pending"))
        return as_utc(due) if due is not None else None

    def counts(self) -> dict[str, int]:
        with self._db.read() as session:
            rows = session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).all()
        return {status: int(n) for status, n in rows}

    def prune_delivered(self, before: datetime) -> int:
        """Forget delivered items older than ``before``, except thread replies: erasure needs their
        timestamps to replace them in Slack, so they stay until their case is erased."""
        def work(session: Session) -> int:
            result = session.execute(delete(OutboxRow).where(
                OutboxRow.status == "delivered", OutboxRow.kind != "thread", OutboxRow.delivered_at < before))
            return int(getattr(result, "rowcount", 0) or 0)

        return self._db.write(work)
