"""One ingestion at a time on a Chroma server: with a PostgreSQL IPO_DATABASE_URL the writer lock is a
session-level advisory lock in that database, so two runs on two machines (here: two processes with separate
data directories, which share nothing but the Chroma server and PostgreSQL) exclude each other. The second run
fails fast with a clear message; a killed run leaves no stale lock; a run that loses its lock midway does not
flip the pointer. Without PostgreSQL the file lock still keeps out a second run on the same machine."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from assistant.adapters.chroma import ChromaStore, build_chroma_client
from assistant.errors import StoreLockedError
from assistant.locking import writer_lock
from assistant.ports import Embedder
from assistant.settings import Settings
from assistant.storage.advisory_lock import advisory_writer
from ingest.run import run_ingestion
from tests.conftest import REPO_ROOT
from tests.integration.conftest_ingest import INGEST_CMD, cli_env, write_corpus
from tests.integration.test_ingest_cli import BULK, IngestProcess, many_docs, parse_table
from tests.scaleout.services import fresh_database

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PASSWORD = "not-to-be-printed"  # trust authentication ignores it; it must never appear in a message


@pytest.fixture(scope="module")
def database_url(postgres_url: str) -> str:
    plain = fresh_database(postgres_url, "ingest_lock")
    return plain.replace("://postgres@", f"://postgres:{PASSWORD}@")


@pytest.fixture
def prefix(request: pytest.FixtureRequest) -> str:
    """A collection prefix (and so an index, and a lock key) of its own for each test."""
    return f"lock{abs(hash(request.node.name)) % 10**8}"


def machine_env(tmp_path: Path, name: str, knowledge: Path, chroma_url: str, prefix: str,
                database_url: str | None) -> dict[str, str]:
    """What one ingesting machine has: its own data directory, the shared Chroma server (and database)."""
    extra = {"IPO_CHROMA_URL": chroma_url, "IPO_COLLECTION_PREFIX": prefix, "IPO_CHUNK_WORDS": "20",
             "IPO_CHUNK_OVERLAP_WORDS": "0"}
    if database_url:
        extra["IPO_DATABASE_URL"] = database_url
    return cli_env(tmp_path / name, knowledge, **extra)


def ingest(env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.perf_counter()
    done = subprocess.run([*INGEST_CMD, "--quiet"], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    return done, time.perf_counter() - started


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    write_corpus(root / "docs")
    return root


def test_a_second_writer_on_another_machine_fails_fast_while_the_first_writes(
    tmp_path: Path, knowledge: Path, chroma_url: str, database_url: str, prefix: str,
) -> None:
    machine_a = machine_env(tmp_path, "a", knowledge, chroma_url, prefix, database_url)
    machine_b = machine_env(tmp_path, "b", knowledge, chroma_url, prefix, database_url)
    assert ingest(machine_a)[0].returncode == 0
    many_docs(knowledge / "docs")

    first = IngestProcess(machine_a)
    first.wait_for_progress(minimum_done=0)
    first.proc.send_signal(signal.SIGSTOP)  # hold it mid-write, lock taken, deterministically
    try:
        second, seconds = ingest(machine_b)
    finally:
        first.proc.send_signal(signal.SIGCONT)
    print(f"\nsecond writer refused after {seconds:.2f} s: {second.stderr.strip()}")
    assert second.returncode == 2
    assert "another process is writing to the index on the Chroma server" in second.stderr
    assert "PostgreSQL advisory lock" in second.stderr
    assert f"held by ipo-ingest {socket.gethostname()} pid {first.proc.pid}" in second.stderr
    assert PASSWORD not in second.stderr + second.stdout
    assert "Ingestion summary" not in second.stdout

    status, out = first.finish()
    assert (status, parse_table(out)["added"]) == (0, str(BULK))
    again, _ = ingest(machine_b)  # the lock went with the first run
    assert again.returncode == 0 and "(no change)" in again.stdout


def test_a_killed_writer_leaves_no_stale_lock(database_url: str, chroma_url: str, prefix: str) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom assistant.storage.advisory_lock import advisory_writer\n"
         f"with advisory_writer({database_url!r}, {prefix!r}, 'test'):\n"
         "    print('held', flush=True)\n    time.sleep(600)\n"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreLockedError, match="held by ipo-ingest"), \
                advisory_writer(database_url, prefix, chroma_url):
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    deadline = time.monotonic() + 30  # the server notices the closed connection and drops the lock
    while True:
        try:
            with advisory_writer(database_url, prefix, chroma_url):
                break
        except StoreLockedError:
            assert time.monotonic() < deadline, "the lock outlived the killed process"
            time.sleep(0.1)


def test_a_run_that_loses_its_lock_midway_does_not_flip_the_pointer(
    tmp_path: Path, knowledge: Path, chroma_url: str, database_url: str, prefix: str, e5_embedder: Embedder,
) -> None:
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge, chroma_url=chroma_url,
                        database_url=database_url, collection_prefix=prefix)
    first = run_ingestion(settings, e5_embedder)
    (knowledge / "docs" / "costs.md").write_text((knowledge / "docs" / "costs.md").read_text() + "\nMore text.\n")

    def cut_the_lock_connection(done: int, total: int) -> None:
        if done == 0:  # as if PostgreSQL restarted, or the network between the two dropped it
            terminate_lock_sessions(database_url)

    with pytest.raises(StoreLockedError, match="the writer lock was lost during the run"):
        run_ingestion(settings, e5_embedder, progress=cut_the_lock_connection)
    store = ChromaStore(build_chroma_client(settings.data_dir, chroma_url), prefix)
    assert store.active_generation() == first.generation == "g1"
    assert run_ingestion(settings, e5_embedder).updated == ["costs"]  # the next run completes


def terminate_lock_sessions(database_url: str) -> None:
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            ended = connection.execute(text(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name LIKE 'ipo-ingest %' AND pid <> pg_backend_pid()")).scalar_one()
        assert ended == 1
    finally:
        engine.dispose()


def test_without_postgresql_the_file_lock_keeps_out_a_second_run_on_the_same_machine(
    tmp_path: Path, knowledge: Path, chroma_url: str, prefix: str,
) -> None:
    env = machine_env(tmp_path, "b", knowledge, chroma_url, prefix, None)
    elsewhere = Settings(data_dir=tmp_path / "a", chroma_url=chroma_url, collection_prefix=prefix)
    with writer_lock(elsewhere):  # a run on this machine with another data directory, same server and index
        refused, _ = ingest(env)
    assert refused.returncode == 2
    assert "another process is writing to the index on the Chroma server" in refused.stderr
    assert "this machine only" in refused.stderr and "PostgreSQL IPO_DATABASE_URL" in refused.stderr
    done, _ = ingest(env)
    assert done.returncode == 0
    assert "no shared writer lock" in done.stderr  # the operator is told to serialise runs across machines
