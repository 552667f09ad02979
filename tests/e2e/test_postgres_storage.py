"""The same web API on PostgreSQL (a throw-away server on loopback): the database is only a setting.

Skipped when the PostgreSQL server binaries (Debian's `postgresql` package) or psycopg are not installed.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from assistant.storage.models import ErasureRow
from tests.e2e.conftest import FakeServerFactory
from tests.e2e.servers import free_port
from tests.e2e.sse_client import auth, new_conversation, post_message

pytestmark = pytest.mark.e2e


def _bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return ["su", "postgres", "-c", " ".join(args)]  # initdb refuses to run as root


@pytest.fixture
def postgres_url() -> Iterator[str]:
    pg_bin = _bin()
    if pg_bin is None:
        pytest.fail("PostgreSQL server binaries are missing: `make services` (apt-get install postgresql)")
    import psycopg  # noqa: F401  (a dev dependency: fail loudly if it is missing)
    work = Path(tempfile.mkdtemp(prefix="ipo-pg-"))
    if os.geteuid() == 0:
        shutil.chown(work, "postgres")
    port = free_port()
    data = work / "data"
    subprocess.run(_as_postgres([str(pg_bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]),
                   check=True, capture_output=True, timeout=120)
    options = f"'-p {port} -k {work} -c listen_addresses=127.0.0.1'"
    subprocess.run(_as_postgres([str(pg_bin / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                                 str(work / "log"), "-w", "start"]), check=True, capture_output=True, timeout=120)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_postgres([str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
                       capture_output=True, timeout=60)
        shutil.rmtree(work, ignore_errors=True)


def test_a_whole_conversation_on_postgresql(postgres_url: str, fake_server: FakeServerFactory,
                                            http: httpx.Client) -> None:
    with fake_server(database_url=postgres_url) as server:
        base = server.base_url
        conversation_id, token = new_conversation(http, base)
        turn = post_message(http, base, conversation_id, token, "How do I apply?")
        reply_id = turn.first("done")["message_id"]
        assert http.post(f"{base}/api/conversations/{conversation_id}/feedback",
                         json={"message_id": reply_id, "rating": "up"}, headers=auth(token)).status_code == 204
        case = http.post(f"{base}/api/conversations/{conversation_id}/handoff",
                         json={"name": "P", "email": "p@example.org", "consent": True}, headers=auth(token))
        assert case.status_code == 201
        history = http.get(f"{base}/api/conversations/{conversation_id}", headers=auth(token)).json()
        assert [m["role"] for m in history["messages"]] == ["user", "assistant", "assistant"]
        assert history["messages"][1]["citations"][0]["source"].startswith("https://")
        assert http.delete(f"{base}/api/conversations/{conversation_id}", headers=auth(token)).status_code == 204
        with server.database().read() as session:
            assert {"conversation", "case", "feedback", "intake", "messages"} <= set(
                session.scalars(select(ErasureRow.categories)).one())
