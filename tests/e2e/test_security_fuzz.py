"""API fuzzing with schemathesis against the OpenAPI schema served by the real server on loopback, bounded
(a few examples per operation, well under two minutes): no input makes the server answer with a 5xx.

Valid (positive) and invalid (negative) inputs are generated. Every case is sent twice: as generated (random ids and tokens: the 404 path), and with the path's
conversation id and the bearer token of a fresh, real conversation (so the fuzzed bodies reach the handlers,
the assistant and the database). A second part guesses conversation ids and tokens: unknown ids and wrong
tokens answer alike (same status, same body), with no timing difference worth an oracle."""

from __future__ import annotations

import itertools
import secrets
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.e2e.servers import ServerProcess
from tests.e2e.sse_client import auth, new_conversation

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MAX_EXAMPLES = 25  # per operation and generation mode (positive, negative)


@pytest.fixture(scope="module")
def api_schema(real_server: ServerProcess) -> Any:
    return schemathesis.openapi.from_url(f"{real_server.base_url}/openapi.json")


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0)) as http:
        yield http


def test_no_generated_request_causes_a_server_error(api_schema: Any, real_server: ServerProcess,
                                                    client: httpx.Client) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 8
    seen: list[str] = []
    statuses: Counter[tuple[str, int]] = Counter()
    for operation, mode in itertools.product(operations, list(GenerationMode)):

        @given(case=operation.as_strategy(mode))
        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None, derandomize=True)
        def fuzz(case: Any) -> None:
            statuses[case.method, case.call_and_validate(base_url=real_server.base_url,
                                                         checks=[not_a_server_error]).status_code] += 1
            if "conversation_id" in (case.path_parameters or {}):
                conversation_id, token = new_conversation(client, real_server.base_url)
                case.path_parameters = {**case.path_parameters, "conversation_id": conversation_id}
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
                response = case.call_and_validate(base_url=real_server.base_url, checks=[not_a_server_error])
                statuses[f"{case.method} (real id)", response.status_code] += 1
            seen.append(case.method)

        try:
            fuzz()
        except Unsatisfiable:  # nothing invalid to send to an operation without parameters or body
            assert mode is GenerationMode.NEGATIVE
    assert set(seen) >= {"GET", "POST", "DELETE"}
    print(f"fuzz: {sum(statuses.values())} requests, statuses {sorted(statuses.items())}")
    assert not [key for key in statuses if key[1] >= 500]
    assert statuses["POST (real id)", 200] > 0  # fuzzed messages reached the assistant


def _probe(client: httpx.Client, base_url: str, conversation_id: str, token: str) -> tuple[int, str, float]:
    started = time.perf_counter()
    response = client.get(f"{base_url}/api/conversations/{conversation_id}/messages", headers=auth(token))
    return response.status_code, response.text, time.perf_counter() - started


def test_unknown_ids_and_wrong_tokens_are_indistinguishable(real_server: ServerProcess,
                                                            client: httpx.Client) -> None:
    base = real_server.base_url
    conversation_id, token = new_conversation(client, base)
    assert _probe(client, base, conversation_id, token)[0] == 200
    wrong_token, unknown_id = [], []
    for _ in range(40):
        wrong_token.append(_probe(client, base, conversation_id, secrets.token_urlsafe(32)))
        unknown_id.append(_probe(client, base, secrets.token_hex(16), token))
    assert {(s, b) for s, b, _ in wrong_token} == {(s, b) for s, b, _ in unknown_id} == {
        (404, wrong_token[0][1])}
    fast, slow = statistics.median(t for *_, t in wrong_token), statistics.median(t for *_, t in unknown_id)
    # Both paths do the same work (one indexed lookup, one constant-time compare); loopback noise is ~ms.
    assert abs(fast - slow) < 0.005 + 0.5 * min(fast, slow), (fast, slow)
    print(f"id guessing: 40 wrong tokens and 40 unknown ids: same 404 body; median {fast * 1000:.2f} ms vs "
          f"{slow * 1000:.2f} ms")


def test_a_token_cannot_be_reused_on_another_conversation_and_ids_are_unguessable(
        real_server: ServerProcess, client: httpx.Client) -> None:
    base = real_server.base_url
    ids = [new_conversation(client, base) for _ in range(20)]
    (first_id, first_token), (second_id, second_token) = ids[0], ids[1]
    assert _probe(client, base, second_id, first_token)[0] == 404
    assert _probe(client, base, first_id, second_token)[0] == 404
    assert all(len(i) == 32 and int(i, 16) >= 0 for i, _ in ids) and len({i for i, _ in ids}) == 20
    assert len({t for _, t in ids}) == 20 and all(len(t) >= 40 for _, t in ids)
