"""Index hot reload on the real server (`uvicorn server:app`, embedded Chroma, real e5 embedder): a knowledge
page changes and `python -m ingest` runs three times while a family keeps asking; the server answers from each
new generation without a restart, never fails a turn, /readyz stays 200, and a conversation started before the
swaps goes on after them. A server that does not reload (IPO_INDEX_RELOAD_S=0) keeps answering from its
generation after two more runs: ingestion keeps replaced generations for IPO_INDEX_KEEP_S."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from tests.e2e.reload_steps import QUESTION, Family, code_in, copy_knowledge, ingest, revise
from tests.e2e.servers import uvicorn_process
from tests.e2e.sse_client import auth, new_conversation, post_message

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def workspace(index_dir: Path, root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """A copy of the session's index and of the knowledge base; the server's and ingestion's variables."""
    shutil.copytree(index_dir, root / "data")
    knowledge = copy_knowledge(root / "knowledge")
    common = {"IPO_DATA_DIR": str(root / "data")}
    server = {**common, "IPO_DATABASE_URL": f"sqlite:///{root / 'ipo.sqlite3'}", "IPO_RATE_LIMIT_PER_MINUTE_IP": "5000",
              "IPO_RATE_LIMIT_PER_MINUTE_CONVERSATION": "100"}
    return server, {**common, "IPO_KNOWLEDGE_DIR": str(knowledge)}


def test_the_running_server_answers_from_each_new_generation_without_a_restart_or_an_error(
        index_dir: Path, tmp_path: Path) -> None:
    server_env, ingest_env = workspace(index_dir, tmp_path)
    with uvicorn_process({**server_env, "IPO_INDEX_RELOAD_S": "1"}, tmp_path / "server.log") as server, \
            httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0)) as http:
        kept_id, kept_token = new_conversation(http, server.base_url)
        first = post_message(http, server.base_url, kept_id, kept_token, QUESTION)
        assert first.kinds()[-1] == "done" and code_in(first.text()) == 0  # nothing about bicycles yet
        switched = []
        with Family(server.base_url) as family:
            for revision in (1, 2, 3):
                revise(Path(ingest_env["IPO_KNOWLEDGE_DIR"]), revision)
                assert ingest(ingest_env) == f"g{revision + 1}"
                switched.append(family.wait_for(revision))
        later = post_message(http, server.base_url, kept_id, kept_token, QUESTION)
        history = http.get(f"{server.base_url}/api/conversations/{kept_id}", headers=auth(kept_token)).json()
        assert server.process.poll() is None  # the same process throughout
    print(f"{len(family.codes)} turns while ingesting and reloading; new generation served after "
          f"{', '.join(f'{s:.1f}' for s in switched)} s")
    assert family.failures == [] and len(family.codes) > 10
    assert family.codes == sorted(family.codes)  # never back to an older generation once a newer one served
    assert code_in(later.text()) == 3 and later.kinds()[-1] == "done"
    assert [m["role"] for m in history["messages"]] == ["user", "assistant", "user", "assistant"]
    log = server.log_text()
    assert log.count("Application startup complete") == 1
    assert all(f"index generation g{n} loaded" in log for n in (2, 3, 4))
    assert "bicycle" not in log.lower()  # ids and timings only, never a family's words


def test_a_server_that_has_not_reloaded_keeps_answering_after_two_more_ingestion_runs(
        index_dir: Path, tmp_path: Path) -> None:
    server_env, ingest_env = workspace(index_dir, tmp_path)
    with uvicorn_process({**server_env, "IPO_INDEX_RELOAD_S": "0"}, tmp_path / "server.log") as server, \
            httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0)) as http:
        family = Family(server.base_url)
        assert family.ask(http) == 0
        for revision in (1, 2):
            revise(Path(ingest_env["IPO_KNOWLEDGE_DIR"]), revision)
            ingest(ingest_env)
        assert [family.ask(http) for _ in range(3)] == [0, 0, 0]  # still its own generation, g1
        assert family.failures == []
        assert httpx.get(f"{server.base_url}/readyz", timeout=10).status_code == 200
        fresh_id, fresh_token = new_conversation(http, server.base_url)
        assert post_message(http, server.base_url, fresh_id, fresh_token, "Hello").status == 200
