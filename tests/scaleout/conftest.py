"""Scale-out fixtures: a small knowledge base, the same index built in the embedded store and in a Chroma server
(both by `python -m ingest`, configured only through IPO_* variables), and PostgreSQL and Redis servers.

Every engine runs on 127.0.0.1, in a temporary directory, for one test session at most, and is stopped at
the end. The knowledge base is the shipped documents with a few curated answers, to keep the two ingestions
(and so the session) short.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.e2e.servers import clean_env
from tests.scaleout.services import chroma_server, postgres_server, redis_server

CURATED = ["how-to-apply", "who-pays", "parent-overnight", "interpreters", "visas", "mibg-duration"]


@pytest.fixture(scope="session")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped documents and a handful of curated answers (those that exist)."""
    root = tmp_path_factory.mktemp("scaleout-knowledge")
    shutil.copytree(REPO_ROOT / "knowledge" / "docs", root / "docs")
    (root / "curated").mkdir()
    shipped = sorted((REPO_ROOT / "knowledge" / "curated").glob("*.yaml"))
    chosen = [p for p in shipped if p.stem in CURATED] or shipped[:6]
    for path in chosen:
        shutil.copy(path, root / "curated" / path.name)
    return root


def ingest(env: dict[str, str]) -> str:
    """`python -m ingest --quiet` with these IPO_* variables; returns its summary."""
    done = subprocess.run([sys.executable, "-m", "ingest", "--quiet"], cwd=REPO_ROOT, env=clean_env(env),
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="session")
def chroma_url() -> Iterator[str]:
    with chroma_server() as url:
        yield url


@pytest.fixture(scope="session")
def server_index(chroma_url: str, knowledge: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The knowledge base ingested into the Chroma server; the IPO_* variables that reach it."""
    env = {"IPO_CHROMA_URL": chroma_url, "IPO_KNOWLEDGE_DIR": str(knowledge),
           "IPO_DATA_DIR": str(tmp_path_factory.mktemp("server-index-data"))}
    env["summary"] = ingest(env)
    return env


@pytest.fixture(scope="session")
def embedded_index(knowledge: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = {"IPO_KNOWLEDGE_DIR": str(knowledge), "IPO_DATA_DIR": str(tmp_path_factory.mktemp("embedded-index"))}
    env["summary"] = ingest(env)
    return env


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url
