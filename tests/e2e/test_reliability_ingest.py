"""Re-indexing while the server answers, on the embedded store: `python -m ingest --rebuild` killed with -9 at
several points leaves the index the server uses unchanged (same answers, same citations, /readyz true); the
next run completes, the server reloads the new generation by itself and answers the same. A second writer on the same directory fails fast with a clear
message (the embedded Chroma store is not safe for concurrent writers; the scale-out path is the server)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO_ROOT
from tests.e2e.servers import ServerProcess, clean_env, uvicorn_process
from tests.e2e.sse_client import new_conversation, post_message

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

QUESTIONS = ["What documents do we need to apply?", "Wie lange dauert die MIBG-Therapie?",
             "Где родители могут ночевать во время лечения?"]
PROGRESS = re.compile(rb"embedding:\s+\d+%[^\r\n]*?\b(\d+)/(\d+)")


class IngestRun:
    """`python -m ingest --rebuild` with its progress bar read as it comes."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "ingest", "--rebuild"], cwd=REPO_ROOT, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.err = b""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        while chunk := os.read(self.proc.stderr.fileno(), 4096):
            self.err += chunk

    def progress(self) -> tuple[int, int]:
        found = PROGRESS.findall(self.err)
        return (int(found[-1][0]), int(found[-1][1])) if found else (0, 0)

    def wait_for(self, minimum: int, limit_s: float = 600) -> tuple[int, int]:
        """Block until the bar shows at least ``minimum`` chunks embedded, and not all of them."""
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            done, total = self.progress()
            if total and minimum <= done < total and PROGRESS.search(self.err):
                return done, total
            assert self.proc.poll() is None, f"ingest ended first: {self.err[-500:]!r}"
            time.sleep(0.05)
        raise TimeoutError(f"no progress to {minimum} chunks")

    def finish(self, limit_s: float = 900) -> tuple[int, str]:
        out, _ = self.proc.communicate(timeout=limit_s)
        self._reader.join(timeout=10)
        return self.proc.returncode, out.decode(errors="replace")


@dataclass
class Watcher:
    """Asks the server the same questions in a loop and remembers every answer that differs."""

    server: ServerProcess
    expected: dict[str, tuple[str, tuple[str, ...]]]
    asked: int = 0
    differences: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0)) as http:
            while not self._stop.is_set():
                for question in QUESTIONS:
                    got = ask(http, self.server.base_url, question)
                    self.asked += 1
                    if got != self.expected[question]:
                        self.differences.append(f"{question}: {got}")

    def stop(self) -> None:
        self._stop.set()


def ask(http: httpx.Client, base_url: str, question: str) -> tuple[str, tuple[str, ...]]:
    conversation_id, token = new_conversation(http, base_url)
    turn = post_message(http, base_url, conversation_id, token, question)
    if turn.status != 200 or turn.kinds()[-1] != "done":
        return f"status {turn.status} {turn.kinds()}", ()
    cited = tuple(item["doc_id"] for item in turn.first("citations")["items"]) if "citations" in turn.kinds() else ()
    return turn.text(), cited


@pytest.fixture(scope="module")
def served(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    work = tmp_path_factory.mktemp("reliability-ingest")
    data = work / "data"
    shutil.copytree(index_dir, data)
    env = {"IPO_DATA_DIR": str(data), "IPO_DATABASE_URL": f"sqlite:///{work / 'ipo.sqlite3'}",
           "IPO_RATE_LIMIT_PER_MINUTE_IP": "5000", "IPO_INDEX_RELOAD_S": "1"}
    with uvicorn_process(env, work / "server.log") as server:
        yield server, clean_env({"IPO_DATA_DIR": str(data)})


def test_ingestion_killed_at_several_points_leaves_answers_unchanged_and_the_next_run_completes(
        served: tuple[ServerProcess, dict[str, str]]) -> None:
    server, env = served
    with httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0)) as http:
        expected = {q: ask(http, server.base_url, q) for q in QUESTIONS}
    assert all(cited for _, cited in expected.values()), expected
    watcher = Watcher(server, expected)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        for minimum in (0, 1, 100):  # embedding just started, the first batch written, most of it written
            victim = IngestRun(env)
            done, total = victim.wait_for(minimum)
            victim.proc.send_signal(signal.SIGKILL)
            assert victim.finish()[0] == -signal.SIGKILL
            print(f"ingest killed at {done}/{total} chunks")
            assert httpx.get(f"{server.base_url}/readyz", timeout=10).status_code == 200
        status, out = IngestRun(env).finish()
        assert status == 0, out
        asked_during = watcher.asked
        time.sleep(1.0)
    finally:
        watcher.stop()
        thread.join(timeout=120)
    assert watcher.differences == [] and asked_during >= len(QUESTIONS)
    generation = re.search(r"generation: (g\d+)", out)
    assert generation, out
    print(f"{watcher.asked} answers while ingesting: all unchanged; the next run completed ({generation.group(1)})")
    deadline = time.monotonic() + 60  # killed runs never moved the pointer; the completed one did
    while f"index generation {generation.group(1)} loaded" not in server.log_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert f"index generation {generation.group(1)} loaded" in server.log_text()
    with httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0)) as http:
        assert {q: ask(http, server.base_url, q) for q in QUESTIONS} == expected  # the new generation, same answers


def test_a_second_writer_on_the_same_embedded_directory_fails_fast_with_a_clear_message(
        served: tuple[ServerProcess, dict[str, str]]) -> None:
    _, env = served
    first = IngestRun(env)
    first.wait_for(0)
    first.proc.send_signal(signal.SIGSTOP)  # hold it mid-write, deterministically
    try:
        started = time.monotonic()
        second = subprocess.run([sys.executable, "-m", "ingest", "--quiet"], cwd=REPO_ROOT, env=env,
                                capture_output=True, text=True, timeout=300)
        elapsed = time.monotonic() - started
    finally:
        first.proc.send_signal(signal.SIGKILL)
        first.proc.send_signal(signal.SIGCONT)
        first.finish()
    assert second.returncode == 2 and "another process is writing to the embedded index" in second.stderr
    assert "IPO_CHROMA_URL" in second.stderr and "Ingestion summary" not in second.stdout
    print(f"second writer refused after {elapsed:.2f} s (interpreter and model start included)")
    assert elapsed < 30
