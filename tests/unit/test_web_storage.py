"""The storage behind the web chat: migrations, the ConversationStore port, tokens, intake, erasure, retention."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select

from assistant.storage import (
    ConversationRepository,
    Database,
    Erasure,
    FeedbackRepository,
    Intake,
    IntakeRepository,
    SqlConversationStore,
    StoredConversation,
    migrate,
)
from assistant.storage.erasure import conversation_key
from assistant.storage.migrate import head_revision
from assistant.storage.models import Base, ErasureRow, MessageRow
from assistant.types import Conversation, Message
from tests.conftest import REPO_ROOT


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database.from_url(f"sqlite:///{tmp_path / 'data' / 'ipo.sqlite3'}")
    migrate(database)
    return database


def turn(conversation: Conversation, question: str, answer: str) -> None:
    conversation.messages += [Message("user", question, "en", "answer", question),
                              Message("assistant", answer, "en", "answer")]


def message_count(db: Database, conversation_id: str) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(MessageRow)
                                  .where(MessageRow.conversation_id == conversation_id)) or 0)


def test_the_migrations_build_exactly_the_models_schema(db: Database) -> None:
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        assert MigrationContext.configure(connection).get_current_revision() == head_revision()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_foreign_keys(db: Database) -> None:
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrating_twice_changes_nothing(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert migrate(db) == head_revision()
    assert set(inspect(db.engine).get_table_names()) == tables >= {
        "conversations", "messages", "feedback", "intakes", "erasures", "alembic_version"}


def test_the_alembic_command_line_works_from_any_directory(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("IPO_")}, "IPO_DATABASE_URL": url,
           "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run([sys.executable, "-m", "alembic", "-c", str(REPO_ROOT / "assistant/storage/alembic.ini"),
                             "upgrade", "head"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "conversations" in inspect(Database.from_url(url).engine).get_table_names()


def test_a_token_opens_only_its_own_conversation(db: Database) -> None:
    repo = ConversationRepository(db)
    first, first_token = repo.create()
    second, second_token = repo.create()
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second and len(first_token) >= 40
    assert repo.authenticate(first, first_token) and repo.authenticate(second, second_token)
    assert not repo.authenticate(first, second_token)
    assert not repo.authenticate("0" * 32, first_token)
    assert not repo.authenticate(first, "")


def test_the_store_appends_only_new_messages_and_keeps_staff_replies_in_place(db: Database) -> None:
    repo, store = ConversationRepository(db), SqlConversationStore(db)
    conversation_id, _ = repo.create()
    conversation = store.get(conversation_id)
    assert isinstance(conversation, StoredConversation) and conversation.messages == []
    turn(conversation, "How do I apply?", "Send the form.")
    store.save(conversation)
    first_reply = conversation.last_reply_id
    repo.add_message(conversation_id, "staff", "We received your form.")
    turn(conversation, "And then?", "Staff will reply.")
    store.save(conversation)
    store.save(conversation)  # saving again adds nothing
    assert conversation.last_reply_id is not None and first_reply is not None
    assert conversation.last_reply_id > first_reply
    view = repo.view(conversation_id)
    assert view is not None
    assert [(m.role, m.text) for m in view.messages] == [
        ("user", "How do I apply?"), ("assistant", "Send the form."), ("staff", "We received your form."),
        ("user", "And then?"), ("assistant", "Staff will reply.")]
    reloaded = store.get(conversation_id)
    assert reloaded is not None and reloaded.messages[0].topic == "How do I apply?"


def test_the_store_gives_the_core_a_bounded_recent_context(db: Database) -> None:
    repo, store = ConversationRepository(db), SqlConversationStore(db, context_messages=4)
    conversation_id, _ = repo.create()
    conversation = store.get(conversation_id)
    assert conversation is not None
    for n in range(5):
        turn(conversation, f"q{n}", f"a{n}")
        store.save(conversation)
    recent = store.get(conversation_id)
    assert recent is not None and [m.text for m in recent.messages] == ["q3", "a3", "q4", "a4"]
    turn(recent, "q5", "a5")
    store.save(recent)
    assert message_count(db, conversation_id) == 12


def test_a_plain_conversation_from_the_core_is_stored_without_duplicates(db: Database) -> None:
    store = SqlConversationStore(db)
    conversation = Conversation(id="c" * 32)
    store.save(conversation)
    turn(conversation, "q", "a")
    store.save(conversation)
    store.save(conversation)
    assert message_count(db, conversation.id) == 2
    assert not ConversationRepository(db).authenticate(conversation.id, "")  # no token: no API access


def test_a_turn_that_started_before_a_handoff_does_not_undo_the_case(db: Database) -> None:
    repo, store = ConversationRepository(db), SqlConversationStore(db)
    conversation_id, _ = repo.create()
    stale = store.get(conversation_id)
    case_id = IntakeRepository(db).open_case(conversation_id, Intake("P", "p@example.org"), "web-1/en")
    assert stale is not None
    turn(stale, "q", "a")
    stale.escalation_state = "offered"
    store.save(stale)
    view = repo.view(conversation_id)
    assert view is not None and (view.case_id, view.escalation_state) == (case_id, "case_open")


def test_one_intake_per_conversation_with_a_readable_case_id(db: Database) -> None:
    repo, intakes = ConversationRepository(db), IntakeRepository(db)
    conversation_id, _ = repo.create()
    case_id = intakes.open_case(conversation_id, Intake("P", "p@example.org", child_age=4), "web-1/en")
    assert re.fullmatch(r"IPO-[2-9A-HJ-NP-Z]{8}", case_id)
    again = intakes.open_case(conversation_id, Intake("P", "new@example.org", child_age=5), "web-1/nl")
    assert again == case_id
    assert intakes.get(conversation_id) == Intake("P", "new@example.org", child_age=5)


def test_feedback_only_on_a_reply_of_the_same_conversation(db: Database) -> None:
    repo, store, feedback = ConversationRepository(db), SqlConversationStore(db), FeedbackRepository(db)
    mine, _ = repo.create()
    other, _ = repo.create()
    conversation = store.get(mine)
    assert conversation is not None
    turn(conversation, "q", "a")
    store.save(conversation)
    reply = conversation.last_reply_id
    assert reply is not None
    assert feedback.record(mine, reply, "up", None)
    assert not feedback.record(other, reply, "up", None)
    assert not feedback.record(mine, reply - 1, "up", None)  # the family's own message
    assert not feedback.record(mine, 10_000, "down", None)


def test_erasure_removes_everything_once_and_leaves_an_audit_without_personal_data(db: Database) -> None:
    clock = Clock()
    repo, store, erasure = ConversationRepository(db), SqlConversationStore(db), Erasure(db, clock)
    conversation_id, token = repo.create()
    conversation = store.get(conversation_id)
    assert conversation is not None
    turn(conversation, "My daughter Anna has leukaemia", "I am sorry to hear that.")
    store.save(conversation)
    assert conversation.last_reply_id is not None
    FeedbackRepository(db).record(conversation_id, conversation.last_reply_id, "up", "thanks")
    IntakeRepository(db).open_case(conversation_id, Intake("Anna's mother", "m@example.org"), "web-1/en")
    result = erasure.erase(conversation_id, reason="api")
    assert result.erased and result.categories == ("conversation", "feedback", "intake", "messages")
    assert not erasure.erase(conversation_id, reason="api").erased
    assert repo.view(conversation_id) is None and message_count(db, conversation_id) == 0
    assert erasure.was_erased_by(conversation_id, token) and not erasure.was_erased_by(conversation_id, "other")
    with db.read() as session:
        audit = session.scalars(select(ErasureRow)).one()
    assert audit.conversation_key == conversation_key(conversation_id) != conversation_id
    assert audit.erased_at.replace(tzinfo=UTC) == clock.now
    for table in Base.metadata.sorted_tables:
        with db.engine.connect() as connection:
            dump = " ".join(str(row) for row in connection.execute(table.select()))
        assert "Anna" not in dump and "m@example.org" not in dump and conversation_id not in dump


def test_the_core_asking_the_store_to_delete_is_a_full_erasure(db: Database) -> None:
    repo, store = ConversationRepository(db), SqlConversationStore(db)
    conversation_id, _ = repo.create()
    assert store.delete(conversation_id) and not store.delete(conversation_id)
    with db.read() as session:
        assert session.scalars(select(ErasureRow.reason)).all() == ["chat"]


def test_retention_erases_only_conversations_idle_past_the_cutoff(db: Database) -> None:
    clock = Clock()
    repo, erasure = ConversationRepository(db, clock), Erasure(db, clock)
    old, _ = repo.create()
    clock.now += timedelta(days=100)
    recent, _ = repo.create()
    cutoff = clock.now - timedelta(days=90)
    assert erasure.erase_older_than(cutoff) == 1
    assert erasure.erase_older_than(cutoff) == 0
    assert repo.view(old) is None and repo.view(recent) is not None


def test_workers_starting_together_on_a_fresh_sqlite_file_all_connect_in_wal(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Several uvicorn workers on one fresh SQLite file, one of them reading while the others switch the file
    to WAL: nobody may fail start-up with 'database is locked' (seen once in CI with two workers)."""
    import sqlite3
    import threading

    from sqlalchemy import text

    from assistant.storage.database import build_engine

    for round_ in range(5):
        path = tmp_path / f"ipo-{round_}.sqlite3"
        reader = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        reader.execute("CREATE TABLE t (x INTEGER)")
        reader.execute("BEGIN")
        reader.execute("SELECT * FROM t").fetchall()  # a shared lock, as a migration's read holds it
        release = threading.Timer(0.5, lambda r=reader: r.execute("COMMIT"))
        barrier, errors, modes = threading.Barrier(4), [], []

        def start_worker(path: Path, barrier: threading.Barrier, errors: list[str], modes: list[object]) -> None:
            try:
                barrier.wait()
                with build_engine(f"sqlite:///{path}").connect() as connection:
                    modes.append(connection.execute(text("PRAGMA journal_mode")).scalar())
            except Exception as exc:  # collected: the assertion below names it
                errors.append(repr(exc))

        workers = [threading.Thread(target=start_worker, args=(path, barrier, errors, modes)) for _ in range(4)]
        release.start()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        release.join()
        reader.close()
        assert errors == [] and modes == ["wal"] * 4
