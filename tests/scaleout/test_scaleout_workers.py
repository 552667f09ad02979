"""Two uvicorn workers on PostgreSQL, the Chroma server and Redis, as in docker-compose.yml: a rate limit holds
for the whole server (the count lives in Redis), a Slack event delivered many times at once is handled once
(receipts in the database), a handed-off case gets one card, and families are answered by either worker."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from assistant.adapters.redis_ratelimit import build_redis_client
from assistant.storage import Database
from assistant.storage.outbox import OutboxRepository
from tests.e2e.slack_requests import SlackSender
from tests.e2e.slack_stack import CHANNEL, SECRET, STAFF, STAFF_TOKEN, wait_until
from tests.e2e.sse_client import auth, new_conversation, post_message
from tests.fake_slack import BOT_TOKEN, FakeSlack
from tests.scaleout.services import fresh_database, uvicorn_workers

pytestmark = pytest.mark.e2e

LIMIT_PER_MINUTE = 10  # per client IP, for the whole server
WORKERS = 2


@dataclass
class Cluster:
    base_url: str
    slack: FakeSlack
    sender: SlackSender
    http: httpx.Client
    log: Path
    database_url: str
    redis_url: str


@pytest.fixture(scope="module")
def cluster(postgres_url: str, redis_url: str, server_index: dict[str, str],
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    work = tmp_path_factory.mktemp("workers")
    with FakeSlack() as slack, httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0)) as http:
        database_url = fresh_database(postgres_url, "workers")
        env = {
            "IPO_CHROMA_URL": server_index["IPO_CHROMA_URL"], "IPO_DATA_DIR": str(work / "data"),
            "IPO_DATABASE_URL": database_url, "IPO_REDIS_URL": redis_url,
            "IPO_RATE_LIMIT_PER_MINUTE_IP": str(LIMIT_PER_MINUTE), "IPO_RATE_LIMIT_PER_MINUTE_CONVERSATION": "100",
            "IPO_SLACK_BOT_TOKEN": BOT_TOKEN, "IPO_SLACK_SIGNING_SECRET": SECRET, "IPO_SLACK_CHANNEL": CHANNEL,
            "IPO_SLACK_API_URL": slack.base_url, "IPO_STAFF_TOKEN": STAFF_TOKEN,
            "IPO_PUBLIC_BASE_URL": "https://ipo.example.org",
        }
        with uvicorn_workers(env, work / "server.log", WORKERS) as base_url:
            sender = SlackSender(http, base_url, SECRET, slack.root)
            yield Cluster(base_url, slack, sender, http, work / "server.log", database_url, redis_url)


def as_client(ip: str) -> dict[str, str]:
    """uvicorn trusts X-Forwarded-For from 127.0.0.1 (a proxy in front): each test is its own client."""
    return {"X-Forwarded-For": ip}


def test_both_workers_started_and_share_one_schema(cluster: Cluster) -> None:
    log = cluster.log.read_text(encoding="utf-8", errors="replace")
    assert log.count("Application startup complete") == WORKERS
    assert "Traceback" not in log


def test_a_rate_limit_holds_across_workers(cluster: Cluster) -> None:
    url = f"{cluster.base_url}/api/conversations"

    def create(_: int) -> int:
        return cluster.http.post(url, json={}, headers=as_client("198.51.100.10")).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(create, range(4 * LIMIT_PER_MINUTE)))
    assert set(statuses) == {201, 429}, statuses
    # Each worker counting alone would let up to WORKERS × LIMIT through; one more may pass per 6 s elapsed.
    assert LIMIT_PER_MINUTE <= statuses.count(201) <= LIMIT_PER_MINUTE + 1, statuses
    refused = cluster.http.post(url, json={}, headers=as_client("198.51.100.10"))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert cluster.http.post(url, json={}, headers=as_client("198.51.100.11")).status_code == 201
    redis = build_redis_client(cluster.redis_url)
    try:
        assert redis.exists("ipo:rl:ip:198.51.100.10")  # the count lives in Redis, not in a worker
    finally:
        redis.close()


def test_a_slack_event_delivered_many_times_at_once_is_handled_once(cluster: Cluster) -> None:
    body = cluster.sender.event_body({"type": "app_home_opened", "user": STAFF, "tab": "home"}, "Ev0SCALE0001")

    def deliver(attempt: int) -> int:
        return cluster.sender.post(body, "application/json", {"X-Slack-Retry-Num": str(attempt),
                                                              "X-Slack-Retry-Reason": "http_timeout"}).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert set(pool.map(deliver, range(12))) == {200}
    sentinel = cluster.sender.event_body({"type": "app_home_opened", "user": STAFF, "tab": "home"}, "Ev0SCALE0002")
    assert cluster.sender.post(sentinel, "application/json").status_code == 200
    wait_until(lambda: len(cluster.slack.calls_to("views.publish")) >= 2, 30, "both home tabs")
    assert len(cluster.slack.calls_to("views.publish")) == 2


def test_families_are_answered_and_a_handoff_gets_one_card(cluster: Cluster) -> None:
    http, base, client = cluster.http, cluster.base_url, as_client("203.0.113.20")
    conversation_id, token = new_conversation(http, base)  # limits are per IP; this test is its own client
    routes = []
    for text in ("How long does MIBG therapy take?", "Is there an interpreter?",
                 "I want to talk to someone, please escalate"):
        turn = post_message(http, base, conversation_id, token, text, headers=client)
        assert turn.status == 200 and turn.kinds()[-1] == "done", turn.body
        routes.append(turn.first("route")["route"])
    assert routes[:2] == ["answer", "answer"] and routes[2] == "escalate", routes
    case = http.post(f"{base}/api/conversations/{conversation_id}/handoff",
                     json={"name": "Jan Jansen", "email": "jan.jansen@example.org", "consent": True},
                     headers={**auth(token), **client})
    assert case.status_code == 201, case.text
    db = Database.from_url(cluster.database_url)
    try:
        wait_until(lambda: OutboxRepository(db).counts().get("pending", 0) == 0
                   and OutboxRepository(db).counts().get("delivered", 0) >= 1, 60, "the case card")
    finally:
        db.dispose()
    history = http.get(f"{base}/api/conversations/{conversation_id}", headers={**auth(token), **client}).json()
    assert len([m for m in history["messages"] if m["role"] == "user"]) == 3
    assert len(cluster.slack.top_level(CHANNEL)) == 1  # one card, though both workers deliver the outbox
