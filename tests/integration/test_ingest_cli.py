"""`python -m ingest`: summary table, --dry-run, --rebuild, exit status, a kill -9 midway, two writers at once."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
from datetime import date
from pathlib import Path

import pytest

from assistant.adapters.chroma import ChromaStore, build_chroma_client
from assistant.errors import StoreLockedError
from assistant.locking import exclusive_writer
from assistant.ports import Embedder
from ingest.__main__ import main
from tests.conftest import REPO_ROOT
from tests.integration.conftest_ingest import (
    INGEST_CMD,
    TOPICS,
    cli_env,
    embedded_store,
    markdown_doc,
    snapshot,
    topic_doc,
    write_corpus,
)

pytestmark = pytest.mark.integration

QUERIES = ["Where can parents sleep?", "Who pays for treatment?", "How long is the MIBG stay?"]
def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, str], str, str]:
    """Run the CLI in-process; returns exit status, the summary table as a dict, stdout and stderr."""
    status = main(["--quiet", *args] if "--progress" not in args else [a for a in args if a != "--progress"])
    out, err = capsys.readouterr()
    return status, parse_table(out), out, err


def parse_table(out: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r"^([a-z][a-z ]*?)\s{2,}(\S+)$", out, re.M)}


def test_the_summary_table_reports_every_count(capsys: pytest.CaptureFixture[str], knowledge: Path) -> None:
    status, table, out, _ = run_cli(capsys)
    assert status == 0
    assert "Ingestion summary" in out
    assert {k: table[k] for k in ("added", "updated", "unchanged", "removed", "expired", "failed")} == {
        "added": "4", "updated": "0", "unchanged": "0", "removed": "0", "expired": "0", "failed": "0"}
    assert int(table["chunks"]) == int(table["embedded"]) > 0
    assert table["curated answers"] == "1"
    assert float(table["seconds"]) >= 0
    assert "generation: g1" in out

    status, table, out, _ = run_cli(capsys)
    assert (status, table["unchanged"], table["embedded"]) == (0, "4", "0")
    assert "generation: g1  (no change)" in out


def test_the_progress_bar_goes_to_stderr(capsys: pytest.CaptureFixture[str], knowledge: Path) -> None:
    status, _, out, err = run_cli(capsys, "--progress")
    assert status == 0
    assert re.search(r"embedding: 100%.*\b(\d+)/\1\b", err)
    assert "embedding" not in out


def test_dry_run_on_a_fresh_directory_creates_no_index(
    capsys: pytest.CaptureFixture[str], knowledge: Path, isolated_env: Path,
) -> None:
    status, table, out, _ = run_cli(capsys, "--dry-run")
    assert (status, table["added"]) == (0, "4")
    assert "dry run: nothing written" in out
    assert build_chroma_client(isolated_env, None).list_collections() == []


def test_dry_run_on_an_index_reports_the_change_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], knowledge: Path, isolated_env: Path, e5_embedder: Embedder,
) -> None:
    run_cli(capsys)
    store = embedded_store(isolated_env)
    before = (store.active(), store.generations(), snapshot(store, e5_embedder, QUERIES))
    (knowledge / "docs" / "costs.md").write_text(topic_doc("costs", "An embassy can also be the paying party."))
    (knowledge / "docs" / "mibg.md").unlink()
    status, table, _, _ = run_cli(capsys, "--dry-run")
    assert (status, table["updated"], table["removed"], table["embedded"]) == (0, "1", "1", "0")
    assert (store.active(), store.generations(), snapshot(store, e5_embedder, QUERIES)) == before


def test_rebuild_re_embeds_everything_into_a_new_generation(
    capsys: pytest.CaptureFixture[str], knowledge: Path, isolated_env: Path,
) -> None:
    run_cli(capsys)
    status, table, out, _ = run_cli(capsys, "--rebuild")
    assert status == 0
    assert table["added"] == "4" and int(table["embedded"]) == int(table["chunks"]) > 0
    assert "generation: g2" in out
    assert embedded_store(isolated_env).active()["active"] == "g2"


def test_a_failed_source_gives_a_non_zero_exit_and_one_line_naming_it(
    capsys: pytest.CaptureFixture[str], knowledge: Path,
) -> None:
    bad = knowledge / "docs" / "broken.md"
    bad.write_bytes(b"# no front matter\n\ntext\n")
    status, table, out, _ = run_cli(capsys, "--url", "http://127.0.0.1:9/unreachable")
    assert status == 1
    assert (table["added"], table["failed"]) == ("4", "2")
    failed = [ln for ln in out.splitlines() if ln.startswith("FAILED")]
    assert failed == [f"FAILED   {bad}: missing front matter (the file must start with a '---' YAML block)",
                      "FAILED   http://127.0.0.1:9/unreachable: unreachable (ConnectError)"]


def test_an_expired_document_is_listed_in_the_summary(capsys: pytest.CaptureFixture[str], knowledge: Path) -> None:
    (knowledge / "docs" / "old.md").write_text(markdown_doc("old-news", "Old", "An old news item.",
                                                            expires=date(2020, 1, 1)))
    status, table, out, _ = run_cli(capsys)
    assert (status, table["expired"], table["added"]) == (0, "1", "4")
    assert "EXPIRED  old-news: past its 'expires' date, not served" in out


def test_the_index_is_never_replaced_by_an_empty_one(
    capsys: pytest.CaptureFixture[str], knowledge: Path, isolated_env: Path,
) -> None:
    run_cli(capsys)
    for path in (knowledge / "docs").iterdir():
        path.write_bytes(b"")
    status, _, _, err = run_cli(capsys)
    assert status == 2
    assert "no document could be loaded" in err and "the index was left unchanged" in err
    assert err.count("empty file") == len(TOPICS)
    assert embedded_store(isolated_env).active()["active"] == "g1"


# --- crash safety and concurrent writers, with real `python -m ingest` processes ------------------


BULK = 32  # documents of four chunks each: more than two embedding batches of 64


def many_docs(docs: Path, count: int = BULK) -> None:
    """``count`` documents of eight ten-word sentences: four chunks each at IPO_CHUNK_WORDS=20."""
    for n in range(count):
        sentences = " ".join(f"Document{n} sentence{k} tells families about topic{n}x{k} near the hospital."
                             for k in range(8))
        (docs / f"bulk-{n:03d}.md").write_text(markdown_doc(f"bulk-{n:03d}", f"Bulk {n}", sentences))


class IngestProcess:
    """`python -m ingest` in a subprocess, with its stderr read as it comes (the progress bar)."""

    PROGRESS = re.compile(r"embedding:\s+\d+%[^\r\n]*?\b(\d+)/(\d+)")

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(INGEST_CMD, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.err = b""
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        while chunk := os.read(self.proc.stderr.fileno(), 4096):
            with self._changed:
                self.err += chunk
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for_progress(self, minimum_done: int, timeout: float = 300) -> None:
        """Block until the bar shows at least ``minimum_done`` chunks embedded (and not all of them)."""

        def reached() -> bool:
            done = [(int(a), int(b)) for a, b in self.PROGRESS.findall(self.err.decode(errors="replace"))]
            return any(minimum_done <= a < b for a, b in done) or self.proc.poll() is not None

        with self._changed:
            assert self._changed.wait_for(reached, timeout), f"no progress in {timeout}s: {self.err[-500:]!r}"
        assert self.proc.poll() is None, f"ingest ended before it could be interrupted: {self.err[-500:]!r}"

    def finish(self) -> tuple[int, str]:
        out, _ = self.proc.communicate(timeout=600)
        self._reader.join()
        return self.proc.returncode, out.decode()


@pytest.fixture
def bulk(tmp_path: Path, e5_embedder: Embedder) -> tuple[Path, dict[str, str]]:
    """An index (g1) of the small corpus built by the CLI, and BULK new documents waiting to be ingested."""
    data, knowledge = tmp_path / "data", tmp_path / "knowledge"
    write_corpus(knowledge / "docs")
    env = cli_env(data, knowledge, IPO_CHUNK_WORDS="20", IPO_CHUNK_OVERLAP_WORDS="0")
    first = subprocess.run([*INGEST_CMD, "--quiet"], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                           timeout=600)
    assert first.returncode == 0, first.stderr
    many_docs(knowledge / "docs")
    return data, env


@pytest.mark.slow
def test_a_run_killed_midway_leaves_the_old_index_serving_and_the_next_run_completes(
    bulk: tuple[Path, dict[str, str]], e5_embedder: Embedder,
) -> None:
    data, env = bulk
    store = embedded_store(data)
    served_before = snapshot(store, e5_embedder, QUERIES)

    victim = IngestProcess(env)
    victim.wait_for_progress(minimum_done=1)  # at least one batch is already written into the new generation
    victim.proc.send_signal(signal.SIGKILL)
    assert victim.finish()[0] == -signal.SIGKILL

    assert store.active()["active"] == "g1"
    assert store.generations() == {"g1", "g2"}  # the half-written generation is there, but not active
    partial = store.collection("chunks", "g2").count()
    assert 0 < partial < BULK * 4 + len(TOPICS)
    assert snapshot(store, e5_embedder, QUERIES) == served_before

    final = subprocess.run([*INGEST_CMD, "--quiet"], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                           timeout=600)
    assert final.returncode == 0, final.stderr
    assert "generation: g3" in final.stdout
    assert store.active()["active"] == "g3"
    assert store.generations() == {"g1", "g3"}  # the half-written one is gone; g1 stays for open readers
    assert store.collection("chunks", "g3").count() == BULK * 4 + store.collection("chunks", "g1").count()


@pytest.mark.slow
def test_a_second_writer_on_the_same_directory_fails_fast_with_a_clear_message(
    bulk: tuple[Path, dict[str, str]],
) -> None:
    _, env = bulk
    first = IngestProcess(env)
    first.wait_for_progress(minimum_done=0)
    first.proc.send_signal(signal.SIGSTOP)  # hold it mid-write, deterministically
    try:
        second = subprocess.run([*INGEST_CMD, "--quiet"], cwd=REPO_ROOT, env=env, capture_output=True,
                                text=True, timeout=600)
    finally:
        first.proc.send_signal(signal.SIGCONT)
    assert second.returncode == 2
    assert "another process is writing to the embedded index" in second.stderr
    assert "IPO_CHROMA_URL" in second.stderr
    assert "Ingestion summary" not in second.stdout
    status, out = first.finish()
    assert status == 0
    assert parse_table(out)["added"] == str(BULK)


def test_the_writer_lock_is_exclusive_within_one_process_too(tmp_path: Path) -> None:
    lock = str(tmp_path / "ingest.lock")
    with exclusive_writer(tmp_path), pytest.raises(StoreLockedError, match=lock), exclusive_writer(tmp_path):
        pass
    with exclusive_writer(tmp_path):  # released again
        pass


def test_reading_the_pointer_of_a_fresh_store_creates_nothing(tmp_path: Path) -> None:
    client = build_chroma_client(tmp_path, None)
    store = ChromaStore(client, "other")
    assert (store.active(), store.new_generation(), store.generations()) == (None, "g1", set())
    assert client.list_collections() == []
