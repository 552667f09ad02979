"""The scale-out path losing its vector store: the real server reads the index from a Chroma server
(`chroma run` on loopback). When that server goes away, /readyz turns false (503) and a message gets a clear
503 with a sentence for the family and Retry-After (no hanging request, no 500); when Chroma is back, the
assistant serves again without a restart."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.e2e.servers import ServerProcess, free_port, uvicorn_process
from tests.e2e.sse_client import new_conversation, post_message

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHROMA = Path(sys.executable).parent / "chroma"


class ChromaServer:
    """`chroma run --path DIR --host 127.0.0.1 --port PORT`, restartable on the same port and directory."""

    def __init__(self, path: Path, log: Path) -> None:
        self.path, self.log, self.port = path, log, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, limit_s: float = 120) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen([str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1",
                                          "--port", str(self.port)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text(errors="replace")[-2000:]
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise TimeoutError("chroma run did not answer its heartbeat")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@dataclass
class Stack:
    chroma: ChromaServer
    server: ServerProcess
    http: httpx.Client


@pytest.fixture(scope="module")
def stack(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not CHROMA.exists():
        pytest.fail(f"the `chroma` console script is missing at {CHROMA} (it ships with chromadb)")
    work = tmp_path_factory.mktemp("reliability-chroma")
    shutil.copytree(index_dir / "chroma", work / "chroma-server")  # the same files a Chroma server persists
    chroma = ChromaServer(work / "chroma-server", work / "chroma.log")
    chroma.start()
    env = {"IPO_DATA_DIR": str(work / "data"), "IPO_CHROMA_URL": chroma.url,
           "IPO_DATABASE_URL": f"sqlite:///{work / 'ipo.sqlite3'}", "IPO_RATE_LIMIT_PER_MINUTE_IP": "1000"}
    try:
        with uvicorn_process(env, work / "server.log") as server, \
                httpx.Client(timeout=httpx.Timeout(30.0, connect=5.0)) as http:
            yield Stack(chroma, server, http)
    finally:
        chroma.stop()


def _until(condition, limit_s: float) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < limit_s, f"not within {limit_s} s"
        time.sleep(0.1)
    return time.monotonic() - started


def test_chroma_gone_means_not_ready_and_a_clear_503_then_it_recovers(stack: Stack) -> None:
    base = stack.server.base_url
    conversation_id, token = new_conversation(stack.http, base)
    turn = post_message(stack.http, base, conversation_id, token, "What documents do we need to apply?")
    assert turn.status == 200 and turn.kinds()[-1] == "done"

    stack.chroma.stop()
    detected = _until(lambda: stack.http.get(f"{base}/readyz").status_code == 503, limit_s=10)
    ready = stack.http.get(f"{base}/readyz")
    assert ready.json() == {"ready": False} and ready.headers["cache-control"] == "no-store"
    started = time.monotonic()
    refused = post_message(stack.http, base, conversation_id, token, "How long does MIBG therapy take?")
    answered_in = time.monotonic() - started
    assert refused.status == 503 and refused.body is not None and refused.body["error"] == "not_ready"
    assert refused.body["message"] and refused.headers.get("retry-after") == "10" and answered_in < 5
    assert stack.http.get(f"{base}/healthz").status_code == 200  # alive, just not ready
    print(f"chroma down: /readyz false after {detected:.2f} s; message refused with 503 in {answered_in:.3f} s")

    stack.chroma.start()
    recovered = _until(lambda: stack.http.get(f"{base}/readyz").status_code == 200, limit_s=30)
    turn = post_message(stack.http, base, conversation_id, token, "How long does MIBG therapy take?")
    assert turn.status == 200 and turn.kinds()[-1] == "done"
    print(f"chroma back: /readyz true after {recovered:.2f} s, answering again")
