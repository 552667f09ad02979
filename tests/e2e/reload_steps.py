"""Steps shared by the hot-reload tests: a knowledge base of our own to revise, ingestion runs, and a family
asking the server the same question in a loop while it reloads (every reply, status and /readyz kept)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.conftest import REPO_ROOT
from tests.e2e.servers import clean_env
from tests.e2e.sse_client import new_conversation, post_message

QUESTION = "Can we borrow a bicycle during the treatment?"
CODE = re.compile(r"TULIP-(\d+)")
PAGE = "practical-matters.md"


def copy_knowledge(root: Path, curated: list[str] | None = None) -> Path:
    """The shipped documents (and curated answers: all, or those named) in a directory of the test's own."""
    shutil.copytree(REPO_ROOT / "knowledge" / "docs", root / "docs")
    shutil.copytree(REPO_ROOT / "knowledge" / "curated", root / "curated",
                    ignore=None if curated is None else lambda d, names: [
                        n for n in names if n.removesuffix(".yaml") not in curated])
    return root


def revise(knowledge: Path, revision: int) -> None:
    """Give one shipped page a section with this revision's lending code (the question above finds it)."""
    page = knowledge / "docs" / PAGE
    text = (REPO_ROOT / "knowledge" / "docs" / PAGE).read_text(encoding="utf-8")
    page.write_text(f"{text.rstrip()}\n\n## Borrowing a bicycle\nFamilies staying for treatment can borrow a "
                    "bicycle from the International Patient Office. The bicycle lending code for this season "
                    f"is TULIP-{revision}; show it at the desk in the main hall.\n", encoding="utf-8")


def ingest(env: dict[str, str]) -> str:
    """`python -m ingest --quiet` (incremental) with these IPO_* variables; returns the generation it made."""
    done = subprocess.run([sys.executable, "-m", "ingest", "--quiet"], cwd=REPO_ROOT, env=clean_env(env),
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    found = re.search(r"generation: (g\d+)", done.stdout)
    assert found and "(no change)" not in done.stdout, done.stdout
    return found.group(1)


def code_in(text: str) -> int:
    """The lending code's revision in a reply; 0 when the reply has none (before the page was revised)."""
    found = CODE.search(text)
    return int(found.group(1)) if found else 0


@dataclass
class Family:
    """Asks ``QUESTION`` in a fresh conversation, again and again, and checks /readyz between turns."""

    base_url: str
    codes: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def ask(self, http: httpx.Client) -> int:
        conversation_id, token = new_conversation(http, self.base_url)
        turn = post_message(http, self.base_url, conversation_id, token, QUESTION)
        if turn.status != 200 or turn.kinds()[-1] != "done":
            self.failures.append(f"status {turn.status}: {turn.kinds()}")
            return -1
        ready = http.get(f"{self.base_url}/readyz")
        if ready.status_code != 200:
            self.failures.append(f"/readyz {ready.status_code}")
        return code_in(turn.text())

    def _run(self) -> None:
        with httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0)) as http:
            while not self._stop.is_set():
                self.codes.append(self.ask(http))

    def __enter__(self) -> Family:
        self._thread = threading.Thread(target=self._run, name="family", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join(timeout=120)

    def wait_for(self, revision: int, limit_s: float = 120) -> float:
        """Seconds until a reply carries this revision's code (a limit, not a timing assertion)."""
        started, seen = time.monotonic(), len(self.codes)
        while time.monotonic() - started < limit_s:
            if revision in self.codes[seen:]:
                return time.monotonic() - started
            time.sleep(0.05)
        raise AssertionError(f"no reply with TULIP-{revision} after {limit_s} s: {self.codes[-10:]}")
