"""The scale-out path: the same pipeline against a Chroma server (`chroma run`) on a free loopback port."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.adapters.chroma import ChromaStore, build_chroma_client
from assistant.ports import Embedder
from ingest.__main__ import main
from tests.integration.conftest_ingest import embedded_store, ingest_dir, snapshot, topic_doc, write_corpus

pytestmark = pytest.mark.integration

CHROMA = Path(sys.executable).parent / "chroma"
QUERIES = ["Where can parents sleep during the treatment?", "Who pays for the treatment?",
           "How long is the stay for MIBG?", "Is there an interpreter for Arabic?"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`chroma run` on 127.0.0.1:<free port> with its own data directory; stopped at teardown."""
    if not CHROMA.exists():
        pytest.fail(f"the `chroma` console script is missing at {CHROMA} (it ships with chromadb)")
    root = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = (root / "server.log").open("wb")
    proc = subprocess.Popen([str(CHROMA), "run", "--path", str(root / "db"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_heartbeat(url, proc, root / "server.log")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wait_for_heartbeat(url: str, proc: subprocess.Popen[bytes], log: Path, limit: float = 120) -> None:
    """A start-up limit, not a timing assertion; the same readiness poll as the web tests use."""
    from tests.e2e.servers import wait_until_ready

    try:
        wait_until_ready(url, limit, proc, path="/api/v2/heartbeat")
    except (RuntimeError, TimeoutError) as exc:
        pytest.fail(f"chroma run did not come up ({exc}): {log.read_text(errors='replace')[-2000:]}")


def server_store(url: str, prefix: str) -> ChromaStore:
    return ChromaStore(build_chroma_client(Path("unused"), url), prefix)


def counts(summary: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in summary.items() if k not in ("seconds",)}


def test_the_server_holds_the_same_index_as_the_embedded_store(
    chroma_url: str, tmp_path: Path, e5_embedder: Embedder,
) -> None:
    docs = write_corpus(tmp_path / "docs")
    local, remote = embedded_store(tmp_path / "data"), server_store(chroma_url, "same")
    first = [ingest_dir(store, e5_embedder, docs) for store in (local, remote)]
    assert counts(first[0].summary()) == counts(first[1].summary())
    assert first[1].summary()["added"] == 4

    (docs / "costs.md").write_text(topic_doc("costs", "An embassy can also be the paying party."))
    (docs / "mibg.md").unlink()
    second = [ingest_dir(store, e5_embedder, docs) for store in (local, remote)]
    assert counts(second[0].summary()) == counts(second[1].summary())
    assert (second[1].updated, second[1].removed) == (["costs"], ["mibg"])

    served = [snapshot(store, e5_embedder, QUERIES) for store in (local, remote)]
    assert [[cid for cid, _ in hits] for hits in served[0]] == [[cid for cid, _ in hits] for hits in served[1]]
    assert served[1][1][0][0].startswith("costs:")


def test_the_cli_writes_to_the_server_named_by_ipo_chroma_url(
    chroma_url: str, tmp_path: Path, isolated_env: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], e5_embedder: Embedder,
) -> None:
    write_corpus(tmp_path / "knowledge" / "docs")
    monkeypatch.setenv("IPO_KNOWLEDGE_DIR", str(tmp_path / "knowledge"))
    monkeypatch.setenv("IPO_CHROMA_URL", chroma_url)
    monkeypatch.setenv("IPO_COLLECTION_PREFIX", "cli")
    assert main(["--quiet"]) == 0
    assert "added                    4" in capsys.readouterr().out
    assert main(["--quiet"]) == 0
    assert "generation: g1  (no change)" in capsys.readouterr().out
    assert not isolated_env.exists()  # nothing embedded, no local lock: the server is the store

    store = server_store(chroma_url, "cli")
    assert store.active()["embedder"] == e5_embedder.name
    best = snapshot(store, e5_embedder, ["Who pays for the treatment?"])[0][0]
    assert best[0].startswith("costs:") and best[1] > 0.8
