"""The web API of the real `uvicorn server:app` (real assistant, shipped knowledge base) over loopback HTTP."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import func, select

from assistant.storage import ConversationRepository, Database
from assistant.storage.erasure import conversation_key
from assistant.storage.models import ErasureRow, FeedbackRow, IntakeRow, MessageRow
from assistant.templates import load_templates
from tests.e2e.conftest import HOSPITAL
from tests.e2e.servers import ServerProcess
from tests.e2e.sse_client import auth, new_conversation, post_message

pytestmark = pytest.mark.e2e


def database(server: ServerProcess) -> Database:
    return Database.from_url(server.database_url)  # type: ignore[attr-defined]


def count(db: Database, model: type, conversation_id: str) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)
                                  .where(model.conversation_id == conversation_id)) or 0)


def test_health_readiness_and_openapi(real_server: ServerProcess, http: httpx.Client) -> None:
    base = real_server.base_url
    assert http.get(f"{base}/healthz").json() == {"status": "alive"}
    assert http.get(f"{base}/readyz").json() == {"ready": True}
    paths = http.get(f"{base}/openapi.json").json()["paths"]
    assert {"/api/conversations", "/api/conversations/{conversation_id}/messages",
            "/api/conversations/{conversation_id}/handoff"} <= set(paths)
    assert http.get(f"{base}/docs").status_code == 200


def test_an_english_question_streams_route_text_citations_and_done(real_server: ServerProcess,
                                                                   http: httpx.Client) -> None:
    conversation_id, token = new_conversation(http, real_server.base_url)
    turn = post_message(http, real_server.base_url, conversation_id, token, "How do I apply for treatment?")
    assert turn.status == 200 and turn.headers["content-type"].startswith("text/event-stream")
    kinds = turn.kinds()
    assert kinds[0] == "route" and kinds[-1] == "done" and "text" in kinds
    assert turn.first("route")["language"] == "en"
    sources = [item["source"] for item in turn.first("citations")["items"]]
    assert sources and all(source.startswith(("https://", "http://")) for source in sources)
    reply_id = turn.first("done")["message_id"]
    history = http.get(f"{real_server.base_url}/api/conversations/{conversation_id}", headers=auth(token)).json()
    assert [m["role"] for m in history["messages"]] == ["user", "assistant"]
    assert history["messages"][1]["id"] == reply_id
    assert history["messages"][1]["text"] == turn.text()
    assert [c["source"] for c in history["messages"][1]["citations"]] == sources


def test_an_arabic_question_is_answered_in_arabic(real_server: ServerProcess, http: httpx.Client) -> None:
    conversation_id, token = new_conversation(http, real_server.base_url)
    turn = post_message(http, real_server.base_url, conversation_id, token, "كيف أتقدم بطلب للعلاج لطفلي؟")
    assert turn.kinds()[-1] == "done"
    assert turn.first("done")["language"] == "ar"
    assert any("\u0600" <= ch <= "\u06ff" for ch in turn.text())


def test_wrong_token_and_unknown_id_get_the_same_404(real_server: ServerProcess, http: httpx.Client) -> None:
    base = real_server.base_url
    conversation_id, token = new_conversation(http, base)
    _, other_token = new_conversation(http, base)
    attempts = [
        (conversation_id, {"Authorization": "Bearer wrong"}),
        (conversation_id, auth(other_token)),
        (uuid.uuid4().hex, auth(token)),
        (conversation_id, {}),
        ("x" * 300, auth(token)),
    ]
    answers = set()
    for cid, headers in attempts:
        for method, suffix, body in (("GET", "", None), ("POST", "/messages", {"text": "hi"}),
                                     ("POST", "/feedback", {"message_id": 1, "rating": "up"}),
                                     ("DELETE", "", None)):
            response = http.request(method, f"{base}/api/conversations/{cid}{suffix}", json=body, headers=headers)
            answers.add((response.status_code, response.text))
    assert len(answers) == 1 and next(iter(answers))[0] == 404
    assert http.get(f"{base}/api/conversations/{conversation_id}", headers=auth(token)).status_code == 200


def test_bad_input_gets_its_status_and_nothing_is_stored(real_server: ServerProcess, http: httpx.Client) -> None:
    base = real_server.base_url
    conversation_id, token = new_conversation(http, base)
    url = f"{base}/api/conversations/{conversation_id}/messages"
    form = http.post(url, content=b"text=hello", headers={**auth(token),
                                                          "Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 415 and form.json()["error"] == "unsupported_media"
    huge = http.post(url, content=b'{"text": "' + b"a" * 40_000 + b'"}',
                     headers={**auth(token), "Content-Type": "application/json"})
    assert huge.status_code == 413 and huge.json()["message"]
    long = http.post(url, json={"text": "a" * 2001}, headers={**auth(token), "Accept-Language": "nl"})
    assert long.status_code == 422 and "2000" in long.json()["message"] and "bericht" in long.json()["message"]
    broken = http.post(url, content=b'{"text": ', headers={**auth(token), "Content-Type": "application/json"})
    assert broken.status_code == 422
    assert count(database(real_server), MessageRow, conversation_id) == 0


def test_handoff_needs_consent_then_opens_one_case(real_server: ServerProcess, http: httpx.Client) -> None:
    base = real_server.base_url
    conversation_id, token = new_conversation(http, base)
    url = f"{base}/api/conversations/{conversation_id}/handoff"
    form = {"name": "Test Parent", "email": "parent@example.org", "country": "Curaçao", "child_age": 7,
            "diagnosis": "neuroblastoma", "preferred_language": "nl"}
    refused = http.post(url, json={**form, "consent": False}, headers=auth(token))
    assert refused.status_code == 422 and refused.json()["fields"] == ["consent"]
    assert http.post(url, json=form, headers=auth(token)).status_code == 422  # consent missing
    assert count(database(real_server), IntakeRow, conversation_id) == 0
    opened = http.post(url, json={**form, "consent": True}, headers=auth(token))
    assert opened.status_code == 201
    case_id = opened.json()["case_id"]
    assert opened.json()["message"] == load_templates().get("escalation_confirmation", "nl", case_id=case_id)
    again = http.post(url, json={**form, "consent": True, "child_age": 8}, headers=auth(token))
    assert again.json()["case_id"] == case_id
    assert count(database(real_server), IntakeRow, conversation_id) == 1
    history = http.get(f"{base}/api/conversations/{conversation_id}", headers=auth(token)).json()
    assert history["case_id"] == case_id and history["escalation_state"] == "case_open"


def test_feedback_is_stored_once_per_reply(real_server: ServerProcess, http: httpx.Client) -> None:
    base = real_server.base_url
    conversation_id, token = new_conversation(http, base)
    turn = post_message(http, base, conversation_id, token, "What does treatment cost?")
    reply_id = turn.first("done")["message_id"]
    url = f"{base}/api/conversations/{conversation_id}/feedback"
    assert http.post(url, json={"message_id": reply_id, "rating": "down"}, headers=auth(token)).status_code == 204
    assert http.post(url, json={"message_id": reply_id, "rating": "up", "comment": "clear"},
                     headers=auth(token)).status_code == 204
    assert http.post(url, json={"message_id": reply_id - 1, "rating": "up"}, headers=auth(token)).status_code == 422
    with database(real_server).read() as session:
        rows = session.scalars(select(FeedbackRow).where(FeedbackRow.conversation_id == conversation_id)).all()
        assert [(r.message_id, r.rating, r.comment) for r in rows] == [(reply_id, "up", "clear")]


def test_erasure_removes_everything_keeps_an_audit_and_is_idempotent(real_server: ServerProcess,
                                                                      http: httpx.Client) -> None:
    base = real_server.base_url
    conversation_id, token = new_conversation(http, base)
    turn = post_message(http, base, conversation_id, token, "Can a parent stay overnight with the child?")
    http.post(f"{base}/api/conversations/{conversation_id}/feedback",
              json={"message_id": turn.first("done")["message_id"], "rating": "up"}, headers=auth(token))
    http.post(f"{base}/api/conversations/{conversation_id}/handoff",
              json={"name": "P", "email": "p@example.org", "consent": True}, headers=auth(token))
    url = f"{base}/api/conversations/{conversation_id}"
    assert http.delete(url, headers=auth(token)).status_code == 204
    assert http.delete(url, headers=auth(token)).status_code == 204
    assert http.delete(url, headers={"Authorization": "Bearer someone-else"}).status_code == 404
    assert http.get(url, headers=auth(token)).status_code == 404
    db = database(real_server)
    assert all(count(db, model, conversation_id) == 0 for model in (MessageRow, FeedbackRow, IntakeRow))
    with db.read() as session:
        audit = session.scalars(select(ErasureRow)
                                .where(ErasureRow.conversation_key == conversation_key(conversation_id))).all()
    assert len(audit) == 1 and audit[0].reason == "api"
    # The handoff opened a case: its content goes too (the Slack card, if any, becomes a stub).
    assert {"conversation", "case", "feedback", "intake", "messages"} <= set(audit[0].categories)


def test_asking_in_the_chat_to_delete_my_data_erases_the_conversation(real_server: ServerProcess,
                                                                       http: httpx.Client) -> None:
    base = real_server.base_url
    conversation_id, token = new_conversation(http, base)
    post_message(http, base, conversation_id, token, "How long does MIBG therapy take?")
    turn = post_message(http, base, conversation_id, token, "Please delete my data and this conversation.")
    assert turn.first("done")["erase"] is True and turn.first("done")["message_id"] is None
    assert http.get(f"{base}/api/conversations/{conversation_id}", headers=auth(token)).status_code == 404
    assert count(database(real_server), MessageRow, conversation_id) == 0


def test_a_staff_reply_written_to_the_database_is_picked_up_by_polling(real_server: ServerProcess,
                                                                       http: httpx.Client) -> None:
    base = real_server.base_url
    conversation_id, token = new_conversation(http, base)
    turn = post_message(http, base, conversation_id, token, "I would like to talk to a person.")
    last = turn.first("done")["message_id"]
    ConversationRepository(database(real_server)).add_message(conversation_id, "staff", "We will call you.", "en")
    polled = http.get(f"{base}/api/conversations/{conversation_id}/messages", params={"after": last},
                      headers=auth(token)).json()["messages"]
    assert [(m["role"], m["text"]) for m in polled] == [("staff", "We will call you.")]


def test_the_log_never_contains_what_families_type(real_server: ServerProcess, http: httpx.Client) -> None:
    base = real_server.base_url
    canary = "Zyxwvut Canarysson"
    conversation_id, token = new_conversation(http, base)
    post_message(http, base, conversation_id, token, f"My name is {canary}, how do I apply for treatment?")
    http.post(f"{base}/api/conversations/{conversation_id}/handoff",
              json={"name": canary, "email": "zyxwvut@example.org", "diagnosis": canary, "consent": True},
              headers=auth(token))
    log = real_server.log_text()
    assert conversation_id in log  # the turn was logged (ids, sizes, timings) …
    assert canary.lower() not in log.lower() and "zyxwvut@" not in log  # … but not the words


def test_pages_and_api_carry_security_headers(real_server: ServerProcess, http: httpx.Client) -> None:
    base = real_server.base_url
    for path in ("/", "/api/config", "/static/chat.js"):
        headers = http.get(f"{base}{path}").headers
        csp = headers["content-security-policy"]
        assert "img-src 'self'" in csp and "script-src 'self'" in csp and "default-src 'none'" in csp
        assert f"frame-ancestors 'self' {HOSPITAL}" in csp
        assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"
    assert http.get(f"{base}/api/config").headers["cache-control"] == "no-store"


def test_cors_answers_only_the_allowlisted_origin(real_server: ServerProcess, http: httpx.Client) -> None:
    url = f"{real_server.base_url}/api/conversations"
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    allowed = http.options(url, headers={"Origin": HOSPITAL, **preflight})
    assert allowed.status_code == 204 and allowed.headers["access-control-allow-origin"] == HOSPITAL
    refused = http.options(url, headers={"Origin": "https://evil.example", **preflight})
    assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers
    created = http.post(url, json={}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in created.headers
