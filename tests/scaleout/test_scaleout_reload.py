"""Index hot reload through the Chroma server with two uvicorn workers: `python -m ingest` publishes two new
generations while a family keeps asking; each worker reloads on its own, no turn fails, no restart."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.reload_steps import Family, copy_knowledge, ingest, revise
from tests.scaleout.conftest import CURATED
from tests.scaleout.services import uvicorn_workers

pytestmark = pytest.mark.e2e


def loaded(log: Path, generation: str) -> int:
    return log.read_text(encoding="utf-8", errors="replace").count(f"index generation {generation} loaded")


def test_each_worker_follows_new_generations_in_the_chroma_server(chroma_url: str, tmp_path: Path) -> None:
    knowledge = copy_knowledge(tmp_path / "knowledge", CURATED)
    revise(knowledge, 1)
    common = {"IPO_CHROMA_URL": chroma_url, "IPO_COLLECTION_PREFIX": "reload", "IPO_DATA_DIR": str(tmp_path / "d")}
    ingest_env = {**common, "IPO_KNOWLEDGE_DIR": str(knowledge)}
    assert ingest(ingest_env) == "g1"
    server_env = {**common, "IPO_INDEX_RELOAD_S": "1", "IPO_DATABASE_URL": f"sqlite:///{tmp_path / 'ipo.sqlite3'}",
                  "IPO_RATE_LIMIT_PER_MINUTE_IP": "5000"}
    log = tmp_path / "server.log"
    with uvicorn_workers(server_env, log) as base_url, Family(base_url) as family:
        for revision in (2, 3):
            revise(knowledge, revision)
            assert ingest(ingest_env) == f"g{revision}"
            deadline = time.monotonic() + 120
            while loaded(log, f"g{revision}") < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert loaded(log, f"g{revision}") == 2  # both workers, each on its own
        with httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0)) as http:
            assert [family.ask(http) for _ in range(6)] == [3] * 6
    text = log.read_text(encoding="utf-8", errors="replace")
    assert family.failures == [] and len(family.codes) > 5 and set(family.codes) <= {1, 2, 3}
    assert text.count("Application startup complete") == 2 and "bicycle" not in text.lower()
