"""PostgreSQL through the same setting as SQLite (IPO_DATABASE_URL): the server applies the Alembic migrations
at start-up, and the whole web API works on it with the real assistant (index in the Chroma server)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, inspect, text

from assistant.storage.migrate import head_revision
from tests.e2e.servers import uvicorn_process
from tests.e2e.sse_client import auth, new_conversation, post_message
from tests.scaleout.services import fresh_database

pytestmark = pytest.mark.e2e


def test_migrations_run_by_the_server_and_the_web_api_on_postgresql(
        postgres_url: str, server_index: dict[str, str], tmp_path: Path) -> None:
    database_url = fresh_database(postgres_url, "web_api")
    env = {"IPO_CHROMA_URL": server_index["IPO_CHROMA_URL"], "IPO_DATA_DIR": str(tmp_path / "data"),
           "IPO_DATABASE_URL": database_url}
    with uvicorn_process(env, tmp_path / "server.log") as server, \
            httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0)) as http:
        base = server.base_url
        conversation_id, token = new_conversation(http, base)
        turn = post_message(http, base, conversation_id, token, "Who pays for the treatment?")
        assert turn.status == 200 and turn.kinds()[-1] == "done", turn.body
        assert turn.first("route")["route"] == "answer" and turn.first("citations")["items"]
        reply_id = turn.first("done")["message_id"]
        assert http.post(f"{base}/api/conversations/{conversation_id}/feedback",
                         json={"message_id": reply_id, "rating": "up"}, headers=auth(token)).status_code == 204
        history = http.get(f"{base}/api/conversations/{conversation_id}", headers=auth(token)).json()
        assert [m["role"] for m in history["messages"]] == ["user", "assistant"]
        assert history["messages"][1]["citations"]

        engine = create_engine(database_url)
        try:
            with engine.connect() as connection:
                revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
                tables = set(inspect(connection).get_table_names())
            assert revision == head_revision()
            assert {"conversations", "messages", "feedback"} <= tables, tables
            assert http.delete(f"{base}/api/conversations/{conversation_id}", headers=auth(token)).status_code == 204
            with engine.connect() as connection:
                left = connection.execute(text("SELECT count(*) FROM messages")).scalar_one()
            assert left == 0
        finally:
            engine.dispose()
    assert not (tmp_path / "data" / "ipo.sqlite3").exists()  # nothing went to the SQLite default
