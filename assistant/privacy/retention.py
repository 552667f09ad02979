"""The retention job: ``python -m assistant.privacy.retention [--days N] [--dry-run]``.

Erases every conversation not updated for ``IPO_RETENTION_DAYS`` days (settings ``retention_days``) with the
same erasure as the API and the chat: messages, feedback, intake, the case and its history; what Slack shows
of the case is queued to become a stub (the server's outbox worker delivers it); an audit row per
conversation remains. Idempotent: a second run finds nothing to erase. Logs counts and timings only.
Run it daily (cron, a Kubernetes CronJob, a systemd timer).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..settings import Settings, load_settings
from ..storage import Database, Erasure, migrate
from ..storage.models import ConversationRow, utcnow

log = logging.getLogger("assistant.privacy.retention")  # also when run with -m


@dataclass(frozen=True)
class RetentionReport:
    days: int
    cutoff: str
    due: int  # conversations older than the cutoff when the run started
    erased: int
    kept: int  # conversations left afterwards
    dry_run: bool
    ms: float


def run_retention(db: Database, days: int, *, dry_run: bool = False,
                  clock: Callable[[], datetime] = utcnow) -> RetentionReport:
    """Erase (or, with ``dry_run``, only count) the conversations idle for more than ``days`` days."""
    if days < 1:
        raise ValueError("retention days must be at least 1")
    started = time.perf_counter()
    cutoff = clock() - timedelta(days=days)
    due = _count(db, ConversationRow.updated_at < cutoff)
    erased = 0 if dry_run else Erasure(db, clock).erase_older_than(cutoff)
    report = RetentionReport(days, cutoff.isoformat(), due, erased, _count(db, None), dry_run,
                             round((time.perf_counter() - started) * 1000, 1))
    log.info("retention run days=%d due=%d erased=%d kept=%d dry_run=%s ms=%.1f", days, due, erased,
             report.kept, dry_run, report.ms)
    return report


def _count(db: Database, condition: object) -> int:
    query = select(func.count()).select_from(ConversationRow)
    if condition is not None:
        query = query.where(condition)  # type: ignore[arg-type]
    with db.read() as session:
        return int(session.scalar(query) or 0)


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    from ..logging_setup import configure_logging

    parser = argparse.ArgumentParser(prog="python -m assistant.privacy.retention", description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, help="override IPO_RETENTION_DAYS")
    parser.add_argument("--dry-run", action="store_true", help="count what is due, erase nothing")
    args = parser.parse_args(argv)
    settings = settings or load_settings()
    configure_logging(settings.log_level)
    db = Database.from_url(settings.resolved_database_url)
    try:
        migrate(db)
        report = run_retention(db, args.days or settings.retention_days, dry_run=args.dry_run)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    print(json.dumps(asdict(report)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
