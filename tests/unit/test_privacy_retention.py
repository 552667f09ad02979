"""The retention job: erases conversations idle past IPO_RETENTION_DAYS (with their intake), keeps the rest,
leaves an audit row, is idempotent, and its command line logs counts as JSON without personal data."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from assistant.privacy.retention import run_retention
from assistant.storage import (
    ConversationRepository,
    Database,
    Intake,
    IntakeRepository,
    SqlConversationStore,
    migrate,
)
from assistant.storage.models import ErasureRow, IntakeRow, MessageRow
from assistant.types import Message
from tests.conftest import REPO_ROOT


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database.from_url(f"sqlite:///{tmp_path / 'ipo.sqlite3'}")
    migrate(database)
    return database


def _conversation(db: Database, clock: Clock, text: str, name: str | None = None) -> str:
    conversation_id, _ = ConversationRepository(db, clock).create("en")
    store = SqlConversationStore(db, clock=clock)
    conversation = store.get(conversation_id)
    assert conversation is not None
    conversation.messages += [Message("user", text, "en", "answer"), Message("assistant", "reply", "en", "answer")]
    store.save(conversation)
    if name:
        IntakeRepository(db, clock).open_case(conversation_id, Intake(name, "family@example.org"), "test")
    return conversation_id


def test_only_conversations_idle_past_the_cutoff_are_erased_with_their_intake(db: Database) -> None:
    clock = Clock()
    old = _conversation(db, clock, "My son Daan was born 3 March 2016", name="Sanne de Vries")
    clock.now += timedelta(days=60)
    recent = _conversation(db, clock, "What documents do we need?")
    clock.now += timedelta(days=40)  # old: 100 days idle, recent: 40
    report = run_retention(db, 90, clock=clock)
    assert (report.due, report.erased, report.kept) == (1, 1, 1)
    with db.read() as session:
        assert set(session.scalars(select(MessageRow.conversation_id))) == {recent}
        assert session.scalars(select(IntakeRow)).all() == []
        audit = session.scalars(select(ErasureRow)).one()
    assert audit.reason == "retention" and "intake" in audit.categories and old not in json.dumps(audit.categories)


def test_a_second_run_finds_nothing_and_a_dry_run_erases_nothing(db: Database) -> None:
    clock = Clock()
    _conversation(db, clock, "hello")
    clock.now += timedelta(days=10)
    dry = run_retention(db, 5, dry_run=True, clock=clock)
    assert (dry.due, dry.erased, dry.kept) == (1, 0, 1)
    assert run_retention(db, 5, clock=clock).erased == 1
    again = run_retention(db, 5, clock=clock)
    assert (again.due, again.erased, again.kept) == (0, 0, 0)


def test_fewer_than_one_day_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        run_retention(db, 0)


def test_the_command_line_uses_ipo_retention_days_and_logs_counts_only(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    db = Database.from_url(url)
    migrate(db)
    clock = Clock()
    clock.now = datetime.now(UTC) - timedelta(days=40)
    _conversation(db, clock, "Mijn dochter Lotte, BSN 111222333", name="Lotte de Vries")
    db.dispose()
    env = {"PATH": "/usr/bin:/bin", "IPO_DATABASE_URL": url, "IPO_RETENTION_DAYS": "30", "IPO_DATA_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "assistant.privacy.retention"], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["days"], report["erased"], report["kept"]) == (30, 1, 0)
    logs = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert any(entry["message"].startswith("retention run days=30 due=1 erased=1") for entry in logs)
    assert "Lotte" not in result.stderr and "111222333" not in result.stderr
